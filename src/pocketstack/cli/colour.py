"""Status colours for server tables: what a glance at `pocketstack list` should tell.

Only for a terminal: never when the output is piped, when NO_COLOR is set (no-color.org),
with TERM=dumb, or with --no-color. Styles are SGR parameters; table.render_table applies
them to the text of a cell, never to its padding or the borders.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TextIO

from pocketstack.cli.terminal import isatty

GREEN = "32"
YELLOW = "33"
RED = "31"
DIM = "2"
# Struck through and grey: a server that is gone but still listed (--deleted).
GONE = "9;90"

STATUS_STYLES: Mapping[str, str] = {
    "ACTIVE": GREEN,
    "ERROR": RED,
    "UNKNOWN": RED,
    "SHUTOFF": DIM,
    "SUSPENDED": DIM,
    "PAUSED": DIM,
    "SHELVED": DIM,
    "SHELVED_OFFLOADED": DIM,
    "DELETED": GONE,
    "SOFT_DELETED": GONE,
    # Transitions: the server is on its way to another state.
    "BUILD": YELLOW,
    "REBUILD": YELLOW,
    "REBOOT": YELLOW,
    "HARD_REBOOT": YELLOW,
    "RESIZE": YELLOW,
    "VERIFY_RESIZE": YELLOW,
    "REVERT_RESIZE": YELLOW,
    "MIGRATING": YELLOW,
    "PASSWORD": YELLOW,
    "RESCUE": YELLOW,
}

# The names list prints for nova's power_state integers.
POWER_STYLES: Mapping[str, str] = {
    "Running": GREEN,
    "NOSTATE": YELLOW,
    "Paused": DIM,
    "Shutdown": DIM,
    "Suspended": DIM,
    "Crashed": RED,
}

# A whole row takes this style when its Status says the server is gone.
ROW_STATUSES = frozenset({"DELETED", "SOFT_DELETED"})


def wanted(stream: TextIO, *, environ: Mapping[str, str], disabled: bool = False) -> bool:
    if disabled or environ.get("NO_COLOR") or environ.get("TERM") == "dumb":
        return False
    return isatty(stream)


def cell_style(title: str, text: str) -> str | None:
    if title == "Status":
        return STATUS_STYLES.get(text.strip().upper())
    if title == "Power State":
        return POWER_STYLES.get(text.strip())
    if title == "Task State" and text.strip() not in ("", "-", "N/A"):
        # A task under way is a transition too.
        return YELLOW
    return None


def row_styles(titles: Sequence[str], cells: Sequence[str]) -> list[str | None]:
    """One style per cell of a server row."""
    if "Status" in titles and cells[titles.index("Status")].strip().upper() in ROW_STATUSES:
        return [GONE] * len(cells)
    return [cell_style(title, text) for title, text in zip(titles, cells, strict=True)]
