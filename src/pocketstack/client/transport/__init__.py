"""The transport layer: one method, `send(request) -> response`.

`HTTPTransport` (stdlib http.client, keep-alive pool, TLS) is the default and lives in
`transport.http`, imported only when a request is really sent over the network;
`WSGITransport` (transport.wsgi) calls a WSGI application in-process for tests.
"""

from __future__ import annotations

import json as _json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


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


@dataclass(frozen=True, kw_only=True)
class Request:
    method: str
    url: str
    headers: Headers = field(default_factory=Headers)
    body: bytes | None = None
    timeout: float | None = None


@dataclass(frozen=True, kw_only=True)
class Response:
    status: int
    reason: str
    headers: Headers
    body: bytes
    url: str
    elapsed: float = 0.0

    def json(self) -> Any:
        return _json.loads(self.body) if self.body else None

    @property
    def request_id(self) -> str | None:
        return self.headers.get("x-openstack-request-id") or self.headers.get(
            "x-compute-request-id"
        )


@dataclass(frozen=True, kw_only=True)
class TLSOptions:
    """verify=False is `--insecure`; cafile a CA bundle; certfile/keyfile a client certificate."""

    verify: bool = True
    cafile: str | None = None
    certfile: str | None = None
    keyfile: str | None = None


class Transport(Protocol):
    def send(self, request: Request) -> Response:
        """Send one request and return its answer; raise TransportError if there is none."""
        ...

    def close(self) -> None: ...
