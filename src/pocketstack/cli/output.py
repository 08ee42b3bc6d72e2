"""The one output layer: rows or a record printed as table, json, yaml, csv or value.

Commands hand over raw values; table/csv/value show them through per-column formatters,
json/yaml keep them raw. yaml and csv are imported only when asked for. The table itself is
laid out by pocketstack.cli.table, fitted to the Display pocketstack.cli.terminal chose;
the -f/-c flags are declared in pocketstack.cli.output_args.
"""

from __future__ import annotations

from pocketstack.cli.errors import CommandError
from pocketstack.cli.table import render_table
from pocketstack.client import jsoncodec

# Warm-path module: see docs/startup.md.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from typing import Any, TextIO

    from pocketstack.cli.table import Display

    Formatter = Callable[[Any], str]

# What print_list writes (-f of the list commands and of the saved defaults) and print_show.
FORMATS = ("table", "json", "yaml", "csv", "value")
SHOW_FORMATS = ("table", "json", "yaml", "value", "shell")


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return jsoncodec.dumps(value)
    return str(value)



def select_columns(titles: Sequence[str], wanted: Sequence[str]) -> list[int]:
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
    output_format: str | None = "table",
    columns: Sequence[str] = (),
    sort_columns: Sequence[str] = (),
    sort_descending: bool = False,
    formatters: Mapping[str, Formatter] | None = None,
    stream: TextIO,
    display: Display | None = None,
    preformatted: bool = False,
) -> None:
    """Print rows of raw values (json/yaml) shown through `formatters` elsewhere.

    `preformatted`: every cell is already the str to show in table/csv/value (formatters
    unused), so the rows are printed as they are, not copied cell by cell."""
    indexes = select_columns(titles, columns)
    if sort_columns:
        keys = select_columns(titles, sort_columns)
        rows = sorted(rows, key=lambda r: [_sort_key(r[i]) for i in keys], reverse=sort_descending)
    shown = [titles[i] for i in indexes]
    if output_format in ("json", "yaml"):
        records = [{titles[i]: row[i] for i in indexes} for row in rows]
        _dump(records, output_format=output_format, stream=stream)
        return
    cells: Sequence[Sequence[str]]
    if preformatted and indexes == list(range(len(titles))):
        cells = rows
    elif preformatted:
        cells = [[row[i] for i in indexes] for row in rows]
    else:
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
        styles = None
        if display is not None and display.colour:
            from pocketstack.cli.colour import row_styles

            styles = [row_styles(shown, row_cells) for row_cells in cells]
        stream.write(render_table(shown, cells, styles=styles, display=display) + "\n")


def print_show(
    data: Mapping[str, Any],
    *,
    output_format: str = "table",
    columns: Sequence[str] = (),
    formatters: Mapping[str, Formatter] | None = None,
    stream: TextIO,
    display: Display | None = None,
) -> None:
    """One record as a Field/Value table (fitted to `display`, as list's tables are) or in
    another format; only the table is ever fitted, so `-f value` always gives whole values."""
    names = list(data)
    shown = [names[i] for i in select_columns(names, columns)]
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
        stream.write(render_table(["Field", "Value"], pairs, display=display) + "\n")


def _dump(data: Any, *, output_format: str, stream: TextIO) -> None:
    if output_format == "json":
        import json

        stream.write(json.dumps(data, indent=4, default=str) + "\n")
        return
    import yaml

    stream.write(yaml.safe_dump(data, default_flow_style=False, sort_keys=False))
