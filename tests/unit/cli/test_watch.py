"""--watch: refreshes marked against the one before, one request each, backing off on
429/503, Ctrl-C ends it with exit 0."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from pocketstack.cli.main import main
from pocketstack.cli.table import Display
from pocketstack.cli.watch import GONE, NEW, Watcher, backoff_delay, mark
from pocketstack.client.transport.wsgi import WSGITransport
from pocketstack.cloud.app import WSGIApp
from tests.unit.cli.conftest import V3_ENV

TITLES = ["ID", "Name", "Status", "Task State", "Power State", "Networks"]


class Table:
    def __init__(self, rows: list[list[Any]]) -> None:
        self.titles = list(TITLES)
        self.rows = rows


def _row(server_id: str, status: str, power: str = "Running") -> list[Any]:
    return [server_id, f"vm-{server_id}", status, "-", power, ""]


def test_mark_new_changed_gone() -> None:
    first = mark(TITLES, [_row("a", "BUILD"), _row("b", "ACTIVE")], None, colour=False)
    assert [row[0] for row in first.rows] == ["", ""]
    second = mark(TITLES, [_row("a", "ACTIVE"), _row("c", "BUILD")], first.index, colour=True)
    assert [row[:3] for row in second.rows] == [["~", "a", "vm-a"], [NEW, "c", "vm-c"],
                                               [GONE, "b", "vm-b"]]
    assert second.changes.summary() == "+1 new, ~1 changed, -1 gone"
    # The changed Status cell is highlighted on top of its colour; the vanished row struck.
    assert second.styles[0][3] == "1;4;32"
    assert second.styles[2][1:] == ["9;90"] * len(TITLES)
    third = mark(TITLES, [_row("a", "ACTIVE"), _row("c", "BUILD")], second.index, colour=False)
    assert [row[0] for row in third.rows] == ["", ""]
    assert third.changes.summary() == "no changes"


def _stop_after(count: int, delays: list[float]) -> Callable[[float], None]:
    def sleep(seconds: float) -> None:
        delays.append(seconds)
        if len(delays) >= count:
            raise KeyboardInterrupt

    return sleep


def test_watcher_redraws_until_interrupted_and_exits_0() -> None:
    frames: Iterator[list[list[Any]]] = iter(
        [[_row("a", "BUILD")], [_row("a", "ACTIVE"), _row("b", "BUILD")], [_row("b", "ACTIVE")]]
    )
    delays: list[float] = []
    out = io.StringIO()
    watcher = Watcher(fetch=lambda: Table(next(frames)), interval=1.5, stream=out,
                      display=Display(), columns=[], environ={}, title="Every 1.5s",
                      sleep=_stop_after(3, delays))
    assert watcher.run() == 0
    assert delays == [1.5, 1.5, 1.5]
    text = out.getvalue()
    assert "\x1b" not in text  # not a terminal: no escapes, frames one after the other
    assert text.count("Every 1.5s") == 3
    assert "+1 new, ~1 changed" in text
    assert "-1 gone" in text
    assert "| ~ | a " in text
    assert "| + | b " in text
    assert "| - | a " in text


class TTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_watcher_on_a_terminal_redraws_in_place_and_honours_columns() -> None:
    out = TTY()
    watcher = Watcher(fetch=lambda: Table([_row("a", "ACTIVE")]), interval=2, stream=out,
                      display=Display(colour=True), columns=["ID", "Status"],
                      environ={"LINES": "30"}, title="Every 2s", sleep=_stop_after(2, []))
    assert watcher.run() == 0
    text = out.getvalue()
    assert text.startswith("\x1b[?25l\x1b[2J")  # hide the cursor, clear once
    assert text.count("\x1b[H") == 2  # then each refresh starts at home
    assert text.endswith("\x1b[?25h\n")  # the cursor is back after Ctrl-C
    assert "\x1b[32mACTIVE\x1b[0m" in text
    assert "Networks" not in text


def test_backoff_delay() -> None:
    assert backoff_delay(2, 0, None) == 2
    assert backoff_delay(2, 3, None) == 16
    assert backoff_delay(2, 10, None) == 60
    assert backoff_delay(2, 0, 7) == 7


def test_watch_backs_off_on_429_with_one_request_per_refresh(
    cloud_app: WSGIApp, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real client stack and cloud; the second listing answered 429 (Retry-After: 5)."""
    listings: list[int] = []

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        if environ["PATH_INFO"].endswith("/servers/detail"):
            listings.append(1)
            if len(listings) == 2:
                start_response("429 Too Many Requests",
                               [("Content-Type", "application/json"), ("Retry-After", "5")])
                return [b'{"overLimit": {"code": 429, "message": "slow down"}}']
        return cloud_app(environ, start_response)

    delays: list[float] = []
    monkeypatch.setattr("pocketstack.cli.watch._sleep", _stop_after(4, delays))
    transport = WSGITransport(app)
    out, err = io.StringIO(), io.StringIO()
    code = main(["list", "--watch", "1"], environ=V3_ENV, stdout=out, stderr=err,
                transport=transport, cache_dir=tmp_path / "auth")
    assert code == 0, err.getvalue()
    assert delays == [1.0, 5.0, 1.0, 1.0]
    assert "slow down" in out.getvalue()
    assert "next try in 5s" in out.getvalue()
    # Four listings for four refreshes: nothing else is sent after the first.
    detail = [r for r in transport.sent if urlsplit(r.url).path.endswith("/servers/detail")]
    assert len(detail) == 4
    assert len(transport.sent) - len(detail) == len(
        [r for r in transport.sent[: transport.sent.index(detail[0])]]
    )


def test_watch_refuses_machine_formats(cloud_app: WSGIApp, tmp_path: Any) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = main(["list", "--watch", "-f", "json"], environ=V3_ENV, stdout=out, stderr=err,
                transport=WSGITransport(cloud_app), cache_dir=tmp_path / "auth")
    assert code == 1
    assert "--watch redraws a table" in err.getvalue()
