"""`pocketstack list`'s options that have more than one source, resolved once: the command
line, else the user's saved defaults (pocketstack.cli.userconfig), else the built-in default.

The command reads these from ListOptions and nova's filters (one source: the command line)
from the parsed arguments; the parsed arguments are never rewritten.
"""

from __future__ import annotations

import os

from pocketstack.cli.configpath import config_file
from pocketstack.client.slotted import Described

# Warm-path module: see docs/startup.md.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from pocketstack.cli.argspec import Namespace
    from pocketstack.cli.userconfig import ListDefaults


class ListOptions(Described):
    """What `list` prints and how many servers it asks for, every layer applied."""

    __slots__ = ("columns", "fit_width", "limit", "long", "max_width", "no_color", "output_format")
    _shown = __slots__

    def __init__(
        self,
        *,
        output_format: str = "table",
        columns: list[str] | None = None,
        limit: int | None = None,
        long: bool = False,
        max_width: int | None = None,
        fit_width: bool | None = None,
        no_color: bool = False,
    ) -> None:
        self.output_format = output_format
        # -c, in order; empty: every column.
        self.columns = [] if columns is None else columns
        # None: the server's page size; -1: every page.
        self.limit = limit
        self.long = long
        # None: not said (the CLIFF_* variables decide, see pocketstack.cli.terminal).
        self.max_width = max_width
        self.fit_width = fit_width
        self.no_color = no_color


def load_saved_defaults(environ: Mapping[str, str], *, cloud: str | None) -> ListDefaults | None:
    """The user's saved defaults for `list` (with `cloud`'s own on top), None without a file."""
    path = config_file(environ)
    # No file, nothing to import: most runs stop here.
    if not os.path.lexists(path):
        return None
    from pocketstack.cli import userconfig

    return userconfig.load(path, cloud=cloud)


def resolve_options(args: Namespace, saved: ListDefaults | None) -> ListOptions:
    """ListOptions from the flags, the saved defaults filling in what the flags did not say.

    "Not said" is the parser's "not given" value: None for -f, --limit, --max-width and
    --fit-width, an empty list for -c, False for --long (--no-long turns a saved
    `long = true` off) and for --no-color."""
    values = saved.values if saved is not None else {}
    # --fields and --minimal choose the columns themselves: saved columns or --long would
    # hide what they ask for (or make the command refuse the combination).
    chosen = bool(getattr(args, "fields", None) or getattr(args, "minimal", False))
    columns: list[str] = list(getattr(args, "columns", None) or [])
    if not chosen and not columns and values.get("columns"):
        columns = list(values["columns"])
    long = bool(getattr(args, "long", False))
    if values.get("long") and not chosen and not getattr(args, "no_long", False):
        long = True
    return ListOptions(
        output_format=_said(args, "output_format", values.get("format")) or "table",
        columns=columns,
        limit=_said(args, "limit", values.get("limit")),
        long=long,
        max_width=_said(args, "max_width", values.get("max_width")),
        fit_width=_said(args, "fit_width", values.get("fit_width")),
        no_color=bool(getattr(args, "no_color", False)) or values.get("color") is False,
    )


def _said(args: Namespace, dest: str, saved: Any) -> Any:
    """The flag's value if given (not None), else the saved one."""
    given = getattr(args, dest, None)
    return saved if given is None else given
