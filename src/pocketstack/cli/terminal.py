"""Whether a stream is a terminal, and how wide it is."""

from __future__ import annotations

# Warm-path module: see docs/startup.md.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import TextIO


def isatty(stream: object) -> bool:
    """Whether `stream` is a terminal; False for None, for an object without isatty (a test's
    StringIO stand-in) and for a closed file (its isatty raises ValueError)."""
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError):
        return False


def terminal_width(stream: TextIO, environ: Mapping[str, str]) -> int | None:
    """The terminal's columns (COLUMNS wins, as with shutil), or None when not a terminal."""
    if not isatty(stream):
        return None
    columns = environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    import os

    try:
        return os.get_terminal_size(stream.fileno()).columns or None
    except (AttributeError, ValueError, OSError):
        return None
