"""Tables that meet a narrow screen: wrapped as openstack does with --max-width/--fit-width,
clipped with an ellipsis on a narrow terminal, borders always whole."""

from __future__ import annotations

import argparse
import io

import pytest

from pocketstack.cli import output, output_args
from pocketstack.cli.display import display_for
from pocketstack.cli.table import Display, fit_widths, render_table

TITLES = ["ID", "Name", "Status", "Networks"]
ROWS = [
    ["0d7c5a0e-2f4c-4a3e-9d43-3b1a9f3d8c11", "web-frontend-01", "ACTIVE",
     "private=10.0.0.3, fd00:10::3; public=172.24.4.10"],
    ["5b0b1e0c-7d1e-4d7b-8a0e-2d5e7c9b1a22", "db", "ERROR", ""],
]


def _lines(table: str) -> list[str]:
    return table.split("\n")


def _assert_whole(table: str, width: int | None = None) -> None:
    lines = _lines(table)
    lengths = {len(line) for line in lines}
    assert len(lengths) == 1, "every line of a table has the same length"
    assert lines[0].startswith("+")
    assert lines[0].endswith("+")
    for line in lines:
        assert line[0] in "+|"
        assert line[-1] in "+|"
    if width is not None:
        assert lengths.pop() <= width


def test_natural_table_unchanged_when_it_fits() -> None:
    plain = render_table(TITLES, ROWS)
    assert render_table(TITLES, ROWS, display=Display(width=500)) == plain
    _assert_whole(plain)


def test_clip_keeps_borders_and_marks_the_cut() -> None:
    table = render_table(TITLES, ROWS, display=Display(width=80, overflow="clip"))
    _assert_whole(table, 80)
    assert "\u2026" in table
    # Short columns keep their text: the widest columns gave way.
    assert "| ACTIVE " in table
    assert "| ERROR " in table
    assert len(_lines(table)) == 6  # clipping never adds lines


def _cells(table: str) -> list[list[str]]:
    """Each row's cells, the wrapped lines of a cell joined again (one row per table: the
    table style has no line between rows)."""
    rows: list[list[str]] = []
    current: list[list[str]] | None = None
    for line in _lines(table)[3:]:
        if line.startswith("+"):
            if current is not None:
                rows.append([" ".join(parts).strip() for parts in current])
            current = None
            continue
        cells = [cell.strip() for cell in line[2:-2].split(" | ")]
        if current is None:
            current = [[] for _ in cells]
        for parts, cell in zip(current, cells, strict=True):
            if cell:
                parts.append(cell)
    return rows


def test_wrap_keeps_every_character() -> None:
    table = render_table(TITLES, ROWS[:1], display=Display(width=80, overflow="wrap"))
    _assert_whole(table, 80)
    assert "\u2026" not in table
    assert len(_lines(table)) > 5
    for got, want in zip(_cells(table), ROWS[:1], strict=True):
        # Wrapping breaks at spaces or inside a long word, never loses a character.
        assert [g.replace(" ", "") for g in got] == [w.replace(" ", "") for w in want]


def test_too_narrow_overflows_rather_than_squeeze_below_minimum() -> None:
    table = render_table(TITLES, ROWS, display=Display(width=20, overflow="clip"))
    _assert_whole(table)
    assert all(width >= 4 for width in fit_widths([36, 15, 6, 48], 20))
    assert fit_widths([36, 15, 6, 48], 20) == [8, 8, 6, 8]


def test_fit_widths_gives_the_space_to_the_widest() -> None:
    widths = fit_widths([36, 15, 6, 48], 80)
    assert sum(widths) + 3 * 4 + 1 == 80
    assert widths[2] == 6
    assert widths[1] == 15


def _args(**values: object) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    output_args.add_list_arguments(parser)
    args = parser.parse_args([])
    for key, value in values.items():
        setattr(args, key, value)
    return args


class FakeTTY(io.StringIO):
    encoding = "utf-8"

    def isatty(self) -> bool:
        return True


def test_display_for_pipe_is_plain() -> None:
    display = display_for(_args(), environ={"COLUMNS": "40"}, stream=io.StringIO())
    assert display == Display(colour=False, width=None, overflow="clip", ellipsis="...")


def test_display_for_terminal_clips_to_columns_and_colours() -> None:
    display = display_for(_args(), environ={"COLUMNS": "90"}, stream=FakeTTY())
    assert (display.width, display.overflow, display.colour) == (90, "clip", True)


def test_max_width_wraps_even_when_piped_and_env_defaults() -> None:
    parser = argparse.ArgumentParser()
    output_args.add_list_arguments(parser)
    args = parser.parse_args(["--max-width", "70"])
    assert display_for(args, environ={}, stream=io.StringIO()).width == 70
    assert display_for(args, environ={}, stream=io.StringIO()).overflow == "wrap"
    env = {"CLIFF_MAX_TERM_WIDTH": "60"}
    assert display_for(_args(), environ=env, stream=io.StringIO()).width == 60
    # The flag wins over the variable; <1 disables.
    args = parser.parse_args(["--max-width", "0"])
    assert display_for(args, environ=env, stream=io.StringIO()).width is None


def test_fit_width_wraps_to_the_terminal() -> None:
    parser = argparse.ArgumentParser()
    output_args.add_list_arguments(parser)
    args = parser.parse_args(["--fit-width"])
    display = display_for(args, environ={"COLUMNS": "72"}, stream=FakeTTY())
    assert (display.width, display.overflow) == (72, "wrap")
    env_fit = display_for(_args(), environ={"COLUMNS": "72", "CLIFF_FIT_WIDTH": "1"},
                          stream=FakeTTY())
    assert env_fit.overflow == "wrap"


def test_bad_cliff_variable_is_a_clear_error() -> None:
    from pocketstack.cli.errors import CommandError

    with pytest.raises(CommandError, match="CLIFF_MAX_TERM_WIDTH"):
        display_for(_args(), environ={"CLIFF_MAX_TERM_WIDTH": "wide"}, stream=io.StringIO())


def test_print_list_json_ignores_width() -> None:
    out = io.StringIO()
    output.print_list(TITLES, ROWS, output_format="json", stream=out,
                      display=Display(width=30, colour=True))
    assert ROWS[0][3] in out.getvalue()
    assert "\x1b" not in out.getvalue()
