"""Table layout: prettytable's look (left aligned, `+---+` borders), cells of several lines,
colours on the text only, and fitting to a width by wrapping or clipping."""

from __future__ import annotations

from pocketstack.client.slotted import Value

# Warm-path module: see docs/startup.md.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Literal

    Overflow = Literal["wrap", "clip"]

# A cell's style: SGR parameters ("32", "1;33"), or None for plain text.
Style = str | None
# Columns are never squeezed below this (python-openstackclient's minimum): past it the
# table overflows rather than becoming unreadable.
MIN_COLUMN_WIDTH = 8


class Display(Value):
    """How a table meets the screen: colours, and the width it must fit in (if any)."""

    __slots__ = ("colour", "ellipsis", "overflow", "width")
    _fields = ("colour", "width", "overflow", "ellipsis")

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

