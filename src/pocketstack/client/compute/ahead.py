"""The next page of a listing asked for while the caller reads the one before it.

`--limit -1` follows keyset pages: each page's marker comes from the page before it, so the
server computes page N+1 only once page N has arrived. The marker is in `servers_links`, at the
end of the body as Nova and pocketstack write it: read off the raw bytes there, it lets page
N+1's request go out (on a thread) before page N is decoded and turned into rows, and the two
overlap. The thread is the only one using the session meanwhile: the caller waits for it
(`result`, `settle`) before it sends anything else.
"""

from __future__ import annotations

import time

from pocketstack.client import jsoncodec

# Warm-path module: see docs/startup.md.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from pocketstack.client.transport import Response

_KEY = b'"servers_links"'
_HEAD_START = 0.001


def tail_links(body: bytes) -> Any:
    """The top-level `servers_links` value when it is the body's last member, else None.

    A tail `"servers_links": [...]}` that parses whole is the top level's: a member of any
    object nested deeper would be followed by more closing brackets than one `}`, and a quote
    inside a string is always escaped. Anything else is None: the caller then waits for the
    whole body, as without this.
    """
    at = body.rfind(_KEY)
    if at < 0:
        return None
    rest = body[at + len(_KEY) :].strip()
    if not rest.startswith(b":") or not rest.endswith(b"}"):
        return None
    try:
        value = jsoncodec.loads(rest[1:-1])
    except ValueError:
        return None
    return value if isinstance(value, list) else None


class Ahead:
    """One GET made on a thread; its response or its error, once waited for."""

    def __init__(self, get: Callable[[str], Response], url: str) -> None:
        import threading

        self.url = url
        self._response: Response | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, args=(get,), name="pocketstack-next-page", daemon=True
        )
        self._thread.start()
        # The caller's next step is decoding the page before this one: one call into the C
        # scanner, which keeps the interpreter for its whole ~5 ms, so this thread's request
        # would wait for it. A millisecond off the interpreter lets the request out first
        # (building and sending it takes ~0.3 ms); its answer is then awaited off it.
        time.sleep(_HEAD_START)

    def _run(self, get: Callable[[str], Response]) -> None:
        try:
            self._response = get(self.url)
        except BaseException as exc:  # handed to the reader, whatever it is
            self._error = exc

    def result(self) -> Response:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._response is not None
        return self._response

    def settle(self) -> None:
        """Wait for it and drop what came: the connection is free again."""
        self._thread.join()
