"""The Display a command's table gets: from its flags, the CLIFF_*/NO_COLOR variables and
the terminal it is written to."""

from __future__ import annotations

from pocketstack.cli.errors import CommandError
from pocketstack.cli.table import Display
from pocketstack.cli.terminal import isatty, terminal_width

# Warm-path module: see docs/startup.md.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import TextIO

    from pocketstack.cli.table import Overflow


def _env_int(environ: Mapping[str, str], name: str) -> int:
    try:
        return int(environ.get(name, "0") or "0")
    except ValueError:
        raise CommandError(f"env[{name}] must be an integer, not {environ[name]!r}") from None


def display_for(options: object, *, environ: Mapping[str, str], stream: TextIO) -> Display:
    """The Display for a command's table, from --max-width/--fit-width/--no-color, the
    CLIFF_*/NO_COLOR variables and whether `stream` is a terminal.

    `options` is a command's parsed arguments or list's ListOptions: the attributes are read
    if it has them (`token issue` has no --max-width)."""
    colour = False
    # The colour module is imported only for a table on a terminal.
    if getattr(options, "output_format", None) in (None, "table") and isatty(stream):
        from pocketstack.cli.colour import wanted

        colour = wanted(
            stream, environ=environ, disabled=bool(getattr(options, "no_color", False))
        )
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
    ellipsis = "\u2026" if encoding.startswith("utf") else "..."
    max_width: int | None = getattr(options, "max_width", None)
    if max_width is None:
        max_width = _env_int(environ, "CLIFF_MAX_TERM_WIDTH")
    fit: bool | None = getattr(options, "fit_width", None)
    if fit is None:
        fit = bool(_env_int(environ, "CLIFF_FIT_WIDTH"))
    if max_width > 0:
        return Display(colour=colour, width=max_width, overflow="wrap", ellipsis=ellipsis)
    width = terminal_width(stream, environ)
    overflow: Overflow = "wrap" if fit else "clip"
    return Display(colour=colour, width=width, overflow=overflow, ellipsis=ellipsis)
