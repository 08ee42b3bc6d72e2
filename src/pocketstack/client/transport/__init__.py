"""The transport layer: one method, `send(request) -> response`.

`HTTPTransport` (HTTP/1.1 over a socket, keep-alive pool, TLS, environment proxies) is the
default and lives in `transport.http`, imported only when a request is really sent over the
network; the wire format is in `transport.connection`, proxies in `transport.proxy`.
`WSGITransport` (transport.wsgi) calls a WSGI application in-process for tests.
"""

from __future__ import annotations

# Warm-path module: see docs/startup.md (why `_collections_abc`, not `collections.abc`).
from _collections_abc import Iterable, Iterator, Mapping

from pocketstack.client import jsoncodec
from pocketstack.client.slotted import Described, Value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Protocol

    class Transport(Protocol):
        def send(self, request: Request) -> Response:
            """Send one request and return its answer; raise TransportError if there is none."""
            ...

        def close(self) -> None: ...


class Headers(Mapping[str, str]):
    """Case-insensitive, insertion-ordered header mapping (last value wins, like a dict)."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        self._items: dict[str, tuple[str, str]] = {}
        pairs = items.items() if isinstance(items, Mapping) else items
        for name, value in pairs:
            self._items[name.lower()] = (name, value)

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()][1]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Headers({list(self.items())!r})"

    def set(self, name: str, value: str) -> None:
        self._items[name.lower()] = (name, value)

    def setdefault_value(self, name: str, value: str) -> None:
        if name.lower() not in self._items:
            self._items[name.lower()] = (name, value)

    def remove(self, name: str) -> None:
        self._items.pop(name.lower(), None)

    def copy(self) -> Headers:
        return Headers(self.items())


class Request(Described):
    __slots__ = ("body", "headers", "method", "timeout", "url")
    _shown = ("method", "url")

    def __init__(
        self,
        *,
        method: str,
        url: str,
        headers: Headers | None = None,
        body: bytes | None = None,
        timeout: float | None = None,
    ) -> None:
        self.method = method
        self.url = url
        self.headers = Headers() if headers is None else headers
        self.body = body
        self.timeout = timeout


class Response(Described):
    __slots__ = ("body", "elapsed", "headers", "reason", "status", "url")
    _shown = ("status", "url")

    def __init__(
        self,
        *,
        status: int,
        reason: str,
        headers: Headers,
        body: bytes,
        url: str,
        elapsed: float = 0.0,
    ) -> None:
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
        self.url = url
        self.elapsed = elapsed

    def json(self) -> Any:
        return jsoncodec.loads(self.body) if self.body else None

    @property
    def request_id(self) -> str | None:
        return self.headers.get("x-openstack-request-id") or self.headers.get(
            "x-compute-request-id"
        )


class TLSOptions(Value):
    """verify=False is `--insecure`; cafile a CA bundle; certfile/keyfile a client certificate."""

    __slots__ = ("cafile", "certfile", "keyfile", "verify")
    _fields = ("verify", "cafile", "certfile", "keyfile")

    def __init__(
        self,
        *,
        verify: bool = True,
        cafile: str | None = None,
        certfile: str | None = None,
        keyfile: str | None = None,
    ) -> None:
        self.verify = verify
        self.cafile = cafile
        self.certfile = certfile
        self.keyfile = keyfile
