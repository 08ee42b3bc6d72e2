"""Where the user's config file is (pocketstack.cli.userconfig reads it)."""

from __future__ import annotations

import os

# Warm-path module: see docs/startup.md.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping


def config_file(environ: Mapping[str, str]) -> str:
    """$POCKETSTACK_CONFIG, else $XDG_CONFIG_HOME/pocketstack/config.toml (~/.config)."""
    explicit = environ.get("POCKETSTACK_CONFIG")
    if explicit:
        return explicit
    base = environ.get("XDG_CONFIG_HOME") or os.path.join(
        environ.get("HOME") or os.path.expanduser("~"), ".config"
    )
    return os.path.join(base, "pocketstack", "config.toml")
