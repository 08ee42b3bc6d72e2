"""The one output layer: table (like prettytable in OSC/nova), json, yaml, csv, value.

Commands hand over raw values; table/csv/value show them through per-column formatters,
json/yaml keep them raw. yaml and csv are imported only when asked for.

Tables may be coloured (pocketstack.cli.colour, imported only on a colour terminal) and fitted
to a width: wrapped as python-openstackclient does with --max-width/--fit-width, or, on a
terminal narrower than the table, clipped with an ellipsis so the borders stay whole.
"""

from __future__ import annotations

from pocketstack.cli.errors import CommandError
from pocketstack.client import jsoncodec

# Every `list` run imports this module: no typing or dataclasses at run time (~12 ms).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from typing import Any, Literal, TextIO

    from pocketstack.cli.argspec import ArgumentParserLike, Namespace

    Formatter = Callable[[Any], str]
    Overflow = Literal["wrap", "clip"]

FORMATS = ("table", "json", "yaml", "csv", "value")
SHOW_FORMATS = ("table", "json", "yaml", "value", "shell")


def add_list_arguments(parser: ArgumentParserLike) -> None:
    group = parser.add_argument_group("output formatters")
    group.add_argument(
        "-f",
        "--format",
        dest="output_format",
        choices=FORMATS,
        # None = not given, so a saved default (pocketstack.cli.userconfig) can fill it in;
        # print_list reads None as table.
        default=None,
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
    table = parser.add_argument_group("table formatter")
    table.add_argument(
        "--max-width",
        dest="max_width",
        metavar="<integer>",
        type=int,
        default=None,
        help="Maximum display width, <1 to disable; wraps cells to fit "
        "(default from env[CLIFF_MAX_TERM_WIDTH])",
    )
    table.add_argument(
        "--fit-width",
        dest="fit_width",
        action="store_true",
        default=None,
        help="Fit the table to the terminal width by wrapping cells; implied by --max-width "
        "greater than 0 (env[CLIFF_FIT_WIDTH]=1 to always fit)",
    )
    table.add_argument(
        "--no-color",
        "--no-colour",
        dest="no_color",
        action="store_true",
        default=False,
        help="Do not colour the table (also: env[NO_COLOR] set, or output not a terminal)",
    )


def add_show_arguments(parser: ArgumentParserLike) -> None:
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
        return jsoncodec.dumps(value)
    return str(value)


# A cell's style: SGR parameters ("32", "1;33"), or None for plain text.
Style = str | None
# Columns are never squeezed below this (python-openstackclient's minimum): past it the
# table overflows rather than becoming unreadable.
MIN_COLUMN_WIDTH = 8


class Display:
    """How a table meets the screen: colours, and the width it must fit in (if any)."""

    __slots__ = ("colour", "ellipsis", "overflow", "width")

    def __init__(
        self,
        *,
        colour: bool = False,
        width: int | None = None,
        overflow: Overflow = "clip",
        ellipsis: str = "\u2026",
    ) -> None:
        self.colour = colour
        self.width = width
        self.overflow: Overflow = overflow
        self.ellipsis = ellipsis

    def _key(self) -> tuple[bool, int | None, str, str]:
        return (self.colour, self.width, self.overflow, self.ellipsis)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Display) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"Display(colour={self.colour!r}, width={self.width!r}, "
            f"overflow={self.overflow!r}, ellipsis={self.ellipsis!r})"
        )


def terminal_width(stream: TextIO, environ: Mapping[str, str]) -> int | None:
    """The terminal's columns (COLUMNS wins, as with shutil), or None when not a terminal."""
    if not _isatty(stream):
        return None
    columns = environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    import os

    try:
        return os.get_terminal_size(stream.fileno()).columns or None
    except (AttributeError, ValueError, OSError):
        return None


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _env_int(environ: Mapping[str, str], name: str) -> int:
    try:
        return int(environ.get(name, "0") or "0")
    except ValueError:
        raise CommandError(f"env[{name}] must be an integer, not {environ[name]!r}") from None


def display_for(args: Namespace, *, environ: Mapping[str, str], stream: TextIO) -> Display:
    """The Display for a command's table, from --max-width/--fit-width/--no-color, the
    CLIFF_*/NO_COLOR variables and whether `stream` is a terminal."""
    colour = False
    # The colour module is imported only for a table on a terminal.
    if getattr(args, "output_format", None) in (None, "table") and _isatty(stream):
        from pocketstack.cli.colour import wanted

        colour = wanted(stream, environ=environ, disabled=bool(getattr(args, "no_color", False)))
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
    ellipsis = "\u2026" if encoding.startswith("utf") else "..."
    max_width = getattr(args, "max_width", None)
    if max_width is None:
        max_width = _env_int(environ, "CLIFF_MAX_TERM_WIDTH")
    fit = getattr(args, "fit_width", None)
    if fit is None:
        fit = bool(_env_int(environ, "CLIFF_FIT_WIDTH"))
    if max_width > 0:
        return Display(colour=colour, width=max_width, overflow="wrap", ellipsis=ellipsis)
    width = terminal_width(stream, environ)
    overflow: Overflow = "wrap" if fit else "clip"
    return Display(colour=colour, width=width, overflow=overflow, ellipsis=ellipsis)


def fit_widths(natural: Sequence[int], limit: int) -> list[int]:
    """Column widths for a table at most `limit` characters wide: the widest columns give way
    first, none below MIN_COLUMN_WIDTH (or its own width, if smaller)."""
    frame = 3 * len(natural) + 1
    budget = limit - frame
    if sum(natural) <= budget or not natural:
        return list(natural)
    # The largest cap with sum(min(width, cap)) <= budget.
    low, high = 0, max(natural)
    while low < high:
        cap = (low + high + 1) // 2
        if sum(min(width, cap) for width in natural) <= budget:
            low = cap
        else:
            high = cap - 1
    cap = max(low, MIN_COLUMN_WIDTH)
    widths = [min(width, cap) for width in natural]
    # Hand out what rounding left over, leftmost first.
    spare = budget - sum(widths)
    for index, width in enumerate(natural):
        if spare <= 0:
            break
        extra = min(spare, width - widths[index])
        widths[index] += extra
        spare -= extra
    return widths


def _wrap(line: str, width: int) -> list[str]:
    if len(line) <= width:
        return [line]
    import textwrap

    return textwrap.wrap(line, width, break_on_hyphens=False, drop_whitespace=True) or [""]


def _clip(line: str, width: int, ellipsis: str) -> str:
    if len(line) <= width:
        return line
    mark = ellipsis if len(ellipsis) < width else ellipsis[:1]
    return line[: max(width - len(mark), 0)] + mark


def _paint(text: str, width: int, style: Style) -> str:
    padding = " " * (width - len(text))
    if not style or not text:
        return text + padding
    return f"\x1b[{style}m{text}\x1b[0m{padding}"


def render_table(
    titles: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    styles: Sequence[Sequence[Style]] | None = None,
    display: Display | None = None,
) -> str:
    """A prettytable-style table, left aligned; cells may span several lines.

    `styles` (one per cell, used only when display.colour) colours the text, never the
    padding or borders, so widths are measured on the plain text."""
    shown = display or Display()
    count = len(titles)
    natural = [len(title) for title in titles]
    multiline = False
    if rows and all(len(row) == count for row in rows):
        # Column by column in C: one join and one split give every line of every cell.
        for index, column in enumerate(zip(*rows, strict=True)):
            lines = "\n".join(column).split("\n")
            multiline = multiline or len(lines) != len(column)
            natural[index] = max(natural[index], max(map(len, lines)))
    elif rows:
        return _render_lines(titles, rows, styles=styles, shown=shown)
    widths = natural if shown.width is None else fit_widths(natural, shown.width)
    if multiline or (widths != natural and shown.overflow == "wrap"):
        return _render_lines(titles, rows, styles=styles, shown=shown)
    if widths != natural:
        # Clipping keeps every cell on one line: clip the narrowed columns, then as below.
        narrowed = [i for i in range(count) if widths[i] < natural[i]]
        titles = list(titles)
        clipped = []
        for row in rows:
            cells = list(row)
            for i in narrowed:
                cells[i] = _clip(cells[i], widths[i], shown.ellipsis)
            clipped.append(cells)
        for i in narrowed:
            titles[i] = _clip(titles[i], widths[i], shown.ellipsis)
        rows = clipped
    # Single-line cells: one %-format per row pads every cell by its length, as _paint does.
    template = "| " + " | ".join([f"%-{width}s" for width in widths]) + " |"
    border = "+" + "+".join(["-" * (width + 2) for width in widths]) + "+"
    out = [border, template % tuple(titles), border]
    if styles is not None and shown.colour:
        for row, cell_styles in zip(rows, styles, strict=True):
            if any(cell_styles):
                painted = [
                    _paint(c, w, s) for c, w, s in zip(row, widths, cell_styles, strict=True)
                ]
                out.append("| " + " | ".join(painted) + " |")
            else:
                out.append(template % tuple(row))
    else:
        out += [template % tuple(row) for row in rows]
    # nova prints the closing border even with no rows (the seed's empty `nova list`).
    out.append(border)
    return "\n".join(out)


def _render_lines(
    titles: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    styles: Sequence[Sequence[Style]] | None,
    shown: Display,
) -> str:
    """render_table for cells of several lines and for wrapping: cell by cell."""
    split_rows = [[cell.split("\n") for cell in row] for row in rows]
    natural = [len(title) for title in titles]
    for row in split_rows:
        for index, lines in enumerate(row):
            natural[index] = max(natural[index], *(len(line) for line in lines))
    widths = natural
    if shown.width is not None:
        widths = fit_widths(natural, shown.width)

    def fitted(lines: list[str], width: int) -> list[str]:
        if shown.overflow == "wrap":
            return [part for line in lines for part in _wrap(line, width)]
        return [_clip(line, width, shown.ellipsis) for line in lines]

    if widths != natural:
        split_rows = [
            [fitted(lines, width) for lines, width in zip(row, widths, strict=True)]
            for row in split_rows
        ]
    title_cells = [fitted([title], width) for title, width in zip(titles, widths, strict=True)]
    border = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

    def line(cells: Sequence[str], cell_styles: Sequence[Style]) -> str:
        painted = (_paint(c, w, s) for c, w, s in zip(cells, widths, cell_styles, strict=True))
        return "| " + " | ".join(painted) + " |"

    plain: list[Style] = [None] * len(titles)
    out = [border]
    out += _block(title_cells, plain, line)
    out.append(border)
    for index, row in enumerate(split_rows):
        cell_styles = styles[index] if styles is not None and shown.colour else plain
        out += _block(row, cell_styles, line)
    # nova prints the closing border even with no rows (the seed's empty `nova list`).
    out.append(border)
    return "\n".join(out)


def _block(
    row: Sequence[list[str]],
    cell_styles: Sequence[Style],
    line: Callable[[Sequence[str], Sequence[Style]], str],
) -> list[str]:
    height = max((len(lines) for lines in row), default=1)
    return [
        line([lines[i] if i < len(lines) else "" for lines in row], cell_styles)
        for i in range(height)
    ]


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
