"""The `pocketstack` command line: global options, one module per command, one output layer."""
