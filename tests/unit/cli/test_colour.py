"""Status colours: on a terminal only, and the colours a glance needs."""

from __future__ import annotations

import io

from pocketstack.cli import colour, output
from pocketstack.cli.table import Display

TITLES = ["ID", "Name", "Status", "Task State", "Power State", "Networks"]
ROWS = [
    ["1", "a", "ACTIVE", "-", "Running", ""],
    ["2", "b", "BUILD", "spawning", "NOSTATE", ""],
    ["3", "c", "ERROR", "-", "Crashed", ""],
    ["4", "d", "SHUTOFF", "-", "Shutdown", ""],
    ["5", "e", "DELETED", "-", "NOSTATE", ""],
]


class TTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_wanted_only_on_a_terminal_without_no_color() -> None:
    assert colour.wanted(TTY(), environ={})
    assert not colour.wanted(io.StringIO(), environ={})
    assert not colour.wanted(TTY(), environ={"NO_COLOR": "1"})
    # no-color.org: an empty NO_COLOR does not count.
    assert colour.wanted(TTY(), environ={"NO_COLOR": ""})
    assert not colour.wanted(TTY(), environ={"TERM": "dumb"})
    assert not colour.wanted(TTY(), environ={}, disabled=True)


def test_row_styles() -> None:
    styles = [colour.row_styles(TITLES, row) for row in ROWS]
    assert styles[0][2:5] == [colour.GREEN, None, colour.GREEN]
    assert styles[1][2:5] == [colour.YELLOW, colour.YELLOW, colour.YELLOW]
    assert styles[2][2:5] == [colour.RED, None, colour.RED]
    assert styles[3][2:5] == [colour.DIM, None, colour.DIM]
    assert styles[4] == [colour.GONE] * len(TITLES)
    assert styles[0][0] is None
    assert styles[0][1] is None


def _strip(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def test_coloured_table_has_the_same_layout_as_plain() -> None:
    plain, painted = io.StringIO(), io.StringIO()
    output.print_list(TITLES, ROWS, stream=plain)
    output.print_list(TITLES, ROWS, stream=painted, display=Display(colour=True))
    assert painted.getvalue() != plain.getvalue()
    assert _strip(painted.getvalue()) == plain.getvalue()
    assert "\x1b[32mACTIVE\x1b[0m" in painted.getvalue()
    assert "\x1b[31mERROR\x1b[0m" in painted.getvalue()
    assert "\x1b[9;90mDELETED\x1b[0m" in painted.getvalue()
    # Borders are never painted.
    assert all(not line.startswith("\x1b") for line in painted.getvalue().splitlines())


def test_machine_formats_never_coloured() -> None:
    for fmt in ("csv", "value", "json"):
        out = io.StringIO()
        output.print_list(TITLES, ROWS, output_format=fmt, stream=out,
                          display=Display(colour=True))
        assert "\x1b" not in out.getvalue()
