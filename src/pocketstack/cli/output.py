"""The one output layer: table (like prettytable in OSC/nova), json, yaml, csv, value.

Commands hand over raw values; table/csv/value show them through per-column formatters,
json/yaml keep them raw. yaml and csv are imported only when asked for.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TextIO

from pocketstack.cli.errors import CommandError

FORMATS = ("table", "json", "yaml", "csv", "value")
SHOW_FORMATS = ("table", "json", "yaml", "value", "shell")
Formatter = Callable[[Any], str]


def add_list_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("output formatters")
    group.add_argument(
        "-f",
        "--format",
        dest="output_format",
        choices=FORMATS,
        default="table",
        help="Output format (default table)",
    )
    group.add_argument(
        "-c",
        "--column",
        dest="columns",
        action="append",
        default=[],
        metavar="COLUMN",
        help="Show only this column (repeatable)",
    )
    group.add_argument(
        "--sort-column",
        dest="sort_columns",
        action="append",
        default=[],
        metavar="SORT_COLUMN",
        help="Sort rows by this column (repeatable)",
    )
    group.add_argument(
        "--sort-descending",
        dest="sort_descending",
        action="store_true",
        default=False,
        help="Sort --sort-column descending",
    )


def add_show_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("output formatters")
    group.add_argument(
        "-f",
        "--format",
        dest="output_format",
        choices=SHOW_FORMATS,
        default="table",
        help="Output format (default table)",
    )
    group.add_argument(
        "-c",
        "--column",
        dest="columns",
        action="append",
        default=[],
        metavar="COLUMN",
        help="Show only this field (repeatable)",
    )


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def render_table(titles: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A prettytable-style table, left aligned; cells may span several lines."""
    split_rows = [[cell.split("\n") for cell in row] for row in rows]
    widths = [len(title) for title in titles]
    for row in split_rows:
        for index, lines in enumerate(row):
            widths[index] = max(widths[index], *(len(line) for line in lines))
    border = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    out = [border, line(titles), border]
    for row in split_rows:
        height = max((len(lines) for lines in row), default=1)
        for i in range(height):
            out.append(line([lines[i] if i < len(lines) else "" for lines in row]))
    # nova prints the closing border even with no rows (the seed's empty `nova list`).
    out.append(border)
    return "\n".join(out)


def _select(titles: Sequence[str], wanted: Sequence[str]) -> list[int]:
    if not wanted:
        return list(range(len(titles)))
    indexes = [titles.index(name) for name in wanted if name in titles]
    if not indexes:
        raise CommandError(
            f"No recognized column names in {list(wanted)!r}. "
            f"Recognized columns are {tuple(titles)!r}."
        )
    return indexes


def _sort_key(value: Any) -> tuple[int, Any]:
    # None sorts first and mixed types never raise.
    if value is None:
        return (0, "")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (1, value)
    return (2, text(value))


def print_list(
    titles: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    output_format: str = "table",
    columns: Sequence[str] = (),
    sort_columns: Sequence[str] = (),
    sort_descending: bool = False,
    formatters: Mapping[str, Formatter] | None = None,
    stream: TextIO,
) -> None:
    indexes = _select(titles, columns)
    if sort_columns:
        keys = _select(titles, sort_columns)
        rows = sorted(rows, key=lambda r: [_sort_key(r[i]) for i in keys], reverse=sort_descending)
    shown = [titles[i] for i in indexes]
    if output_format in ("json", "yaml"):
        records = [{titles[i]: row[i] for i in indexes} for row in rows]
        _dump(records, output_format=output_format, stream=stream)
        return
    fmt = formatters or {}
    cells = [[fmt.get(titles[i], text)(row[i]) for i in indexes] for row in rows]
    if output_format == "csv":
        import csv

        writer = csv.writer(stream, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
        writer.writerow(shown)
        writer.writerows(cells)
    elif output_format == "value":
        for row_cells in cells:
            stream.write(" ".join(row_cells) + "\n")
    else:
        stream.write(render_table(shown, cells) + "\n")


def print_show(
    data: Mapping[str, Any],
    *,
    output_format: str = "table",
    columns: Sequence[str] = (),
    formatters: Mapping[str, Formatter] | None = None,
    stream: TextIO,
) -> None:
    names = list(data)
    shown = [names[i] for i in _select(names, columns)]
    if output_format in ("json", "yaml"):
        _dump({name: data[name] for name in shown}, output_format=output_format, stream=stream)
        return
    fmt = formatters or {}
    values = [fmt.get(name, text)(data[name]) for name in shown]
    if output_format == "value":
        for value in values:
            stream.write(value + "\n")
    elif output_format == "shell":
        import shlex

        for name, value in zip(shown, values, strict=True):
            stream.write(f"{name}={shlex.quote(value)}\n")
    else:
        pairs = [[name, value] for name, value in zip(shown, values, strict=True)]
        stream.write(render_table(["Field", "Value"], pairs) + "\n")


def _dump(data: Any, *, output_format: str, stream: TextIO) -> None:
    if output_format == "json":
        stream.write(json.dumps(data, indent=4, default=str) + "\n")
        return
    import yaml

    stream.write(yaml.safe_dump(data, default_flow_style=False, sort_keys=False))
