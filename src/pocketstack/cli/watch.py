"""`pocketstack list --watch`: the list redrawn in place, with what changed marked.

Each refresh is one listing (one request with the cached token, page count aside). Marks
compare with the refresh before: `+` a new row, `~` a row whose Status, Task State or Power
State changed (those cells highlighted), `-` a row that vanished (kept one refresh, struck
through). A 429 or 503 answer, or a cloud that does not answer, keeps the last table up and
tries again later, backing off exponentially (or as Retry-After says). Ctrl-C ends it: exit 0
(on a terminal even if started with SIGINT ignored, as `cmd &` in a script is).
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import FrameType
from typing import Any, Protocol, TextIO

from pocketstack.cli import output
from pocketstack.cli.table import Display, Style, render_table
from pocketstack.cli.terminal import isatty

NEW, CHANGED, GONE = "+", "~", "-"
TRACKED = ("Status", "Task State", "Power State")
MAX_DELAY = 60.0
BACKOFF_STATUSES = frozenset({429, 503})
_MARK_STYLES = {NEW: "1;32", CHANGED: "1;33", GONE: "1;90"}
_HOME, _CLEAR_LINE, _CLEAR_BELOW = "\x1b[H", "\x1b[K", "\x1b[J"
_HIDE_CURSOR, _SHOW_CURSOR, _CLEAR_SCREEN = "\x1b[?25l", "\x1b[?25h", "\x1b[2J"


class Listing(Protocol):
    titles: list[str]
    rows: list[list[Any]]


@dataclass
class Changes:
    new: int = 0
    changed: int = 0
    gone: int = 0

    def summary(self) -> str:
        parts = [f"+{self.new} new"] if self.new else []
        parts += [f"~{self.changed} changed"] if self.changed else []
        parts += [f"-{self.gone} gone"] if self.gone else []
        return ", ".join(parts) or "no changes"


@dataclass
class Frame:
    """A marked table: what one refresh draws."""

    titles: list[str]
    rows: list[list[str]]
    styles: list[list[Style]]
    changes: Changes
    # Rows by ID, for the next comparison.
    index: dict[str, list[str]] = field(default_factory=dict)


def mark(
    titles: Sequence[str],
    rows: Sequence[Sequence[str]],
    previous: Mapping[str, list[str]] | None,
    *,
    colour: bool,
) -> Frame:
    """Prefix a mark column and style rows by what changed since `previous` (None = first
    refresh: nothing is marked)."""
    from pocketstack.cli.colour import GONE as GONE_STYLE
    from pocketstack.cli.colour import row_styles

    key = titles.index("ID") if "ID" in titles else None
    tracked = [i for i, title in enumerate(titles) if title in TRACKED]
    changes = Changes()
    out_rows: list[list[str]] = []
    styles: list[list[Style]] = []
    index: dict[str, list[str]] = {}
    for row in rows:
        cells = [str(cell) for cell in row]
        base: list[Style] = row_styles(titles, cells) if colour else [None] * len(cells)
        marker = ""
        if key is not None:
            index[cells[key]] = cells
            before = previous.get(cells[key]) if previous is not None else None
            if previous is not None and before is None:
                marker = NEW
                changes.new += 1
            elif before is not None and any(before[i] != cells[i] for i in tracked):
                marker = CHANGED
                changes.changed += 1
                for i in tracked:
                    if before[i] != cells[i]:
                        # Bold and underlined on top of the status colour.
                        base[i] = "1;4" + (f";{base[i]}" if base[i] else "")
        out_rows.append([marker, *cells])
        styles.append([_MARK_STYLES.get(marker), *base])
    if previous is not None and key is not None:
        for server_id, cells in previous.items():
            if server_id not in index:
                changes.gone += 1
                out_rows.append([GONE, *cells])
                styles.append([_MARK_STYLES[GONE], *([GONE_STYLE] * len(cells))])
    return Frame(titles=["", *titles], rows=out_rows, styles=styles, changes=changes,
                 index=index)


def _is_backoff_error(exc: Exception) -> bool:
    from pocketstack.client.errors import HttpError, TransportError

    if isinstance(exc, HttpError):
        return exc.status_code in BACKOFF_STATUSES
    return isinstance(exc, TransportError)


def backoff_delay(interval: float, failures: int, retry_after: float | None) -> float:
    delay = min(interval * float(2 ** max(failures, 0)), MAX_DELAY)
    if retry_after is not None:
        delay = max(delay, min(retry_after, MAX_DELAY))
    return delay


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


# What signal.getsignal returns and signal.signal takes: a function, SIG_IGN or SIG_DFL.
_Disposition = Callable[[int, FrameType | None], Any] | int


def _let_ctrl_c_interrupt() -> _Disposition | None:
    """Make Ctrl-C raise KeyboardInterrupt; what SIGINT did before (to put back), or None if
    nothing had to change.

    Python installs its KeyboardInterrupt handler at start-up only if SIGINT is not ignored,
    and a non-interactive shell starts `cmd &` with SIGINT ignored (as `trap '' INT` does);
    fork and exec pass that on (through pytest and pexpect, CI runners, scripts). Ctrl-C is
    the only way out of --watch: on a terminal the watch would never end. A handler the
    program installed itself (a function) stays.
    """
    try:
        previous = signal.getsignal(signal.SIGINT)
        if callable(previous):
            return None
        signal.signal(signal.SIGINT, signal.default_int_handler)
    except ValueError:
        # Not the main thread: only the main thread may set handlers (and it runs them).
        return None
    # None: a disposition not set from Python; the default is the closest we can put back.
    return signal.SIG_DFL if previous is None else previous


class Watcher:
    def __init__(
        self,
        *,
        fetch: Callable[[], Listing],
        interval: float,
        stream: TextIO,
        display: Display,
        columns: Sequence[str],
        environ: Mapping[str, str],
        title: str,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.fetch = fetch
        self.interval = interval
        self.stream = stream
        self.display = display
        self.columns = list(columns)
        self.environ = environ
        self.title = title
        self.sleep = sleep or _sleep
        self.tty = isatty(stream)

    def run(self) -> int:
        previous: dict[str, list[str]] | None = None
        last: Frame | None = None
        failures = 0
        # Before the first frame: once anything is on the screen, Ctrl-C ends the watch.
        # Only on a terminal: where the output goes elsewhere, an ignored SIGINT is the
        # shell's choice for a background job, and other signals end it.
        previous_sigint = _let_ctrl_c_interrupt() if self.tty else None
        try:
            if self.tty:
                self.stream.write(_HIDE_CURSOR + _CLEAR_SCREEN)
            while True:
                try:
                    listing = self.fetch()
                except Exception as exc:
                    if not _is_backoff_error(exc) or (last is None and failures >= 5):
                        raise
                    delay = backoff_delay(self.interval, failures,
                                          getattr(exc, "retry_after", None))
                    failures += 1
                    self.draw(last, note=f"{exc} - next try in {delay:g}s")
                    self.sleep(delay)
                    continue
                failures = 0
                last = self.frame(listing, previous)
                previous = last.index
                self.draw(last, note=last.changes.summary())
                self.sleep(self.interval)
        except KeyboardInterrupt:
            return 0
        finally:
            try:
                if self.tty:
                    self.stream.write(_SHOW_CURSOR + "\n")
                self.stream.flush()
            finally:
                if previous_sigint is not None:
                    signal.signal(signal.SIGINT, previous_sigint)

    def frame(self, listing: Listing, previous: Mapping[str, list[str]] | None) -> Frame:
        indexes = output.select_columns(listing.titles, self.columns)
        titles = [listing.titles[i] for i in indexes]
        rows = [[output.text(row[i]) for i in indexes] for row in listing.rows]
        return mark(titles, rows, previous, colour=self.display.colour)

    def draw(self, frame: Frame | None, *, note: str) -> None:
        header = f"{self.title}    {time.strftime('%H:%M:%S')}    {note}"
        lines = [header, ""]
        if frame is not None:
            table = render_table(
                frame.titles, frame.rows, styles=frame.styles, display=self.display
            )
            lines += table.split("\n")
        if not self.tty:
            self.stream.write("\n".join(lines) + "\n\n")
            self.stream.flush()
            return
        height = self._height()
        if height is not None and len(lines) > height - 1:
            hidden = len(lines) - (height - 2)
            lines = [*lines[: height - 2], f"... {hidden} more lines: enlarge the terminal"]
        self.stream.write(_HOME + "".join(line + _CLEAR_LINE + "\n" for line in lines)
                          + _CLEAR_BELOW)
        self.stream.flush()

    def _height(self) -> int | None:
        lines = self.environ.get("LINES", "")
        if lines.isdigit() and int(lines) > 2:
            return int(lines)
        import os

        try:
            rows = os.get_terminal_size(self.stream.fileno()).lines
        except (AttributeError, ValueError, OSError):
            return None
        return rows if rows > 2 else None
