"""`python -m pocketstack` runs the CLI."""

from pocketstack.cli.main import main

raise SystemExit(main())
