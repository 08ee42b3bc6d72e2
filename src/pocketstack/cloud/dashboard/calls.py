"""The dashboard's way to the services: each call is an API request handed in process to the
service's own WSGI app, with the session's token, so that a page sees exactly what the API
shows that user (the same code, the same policy, the same validation) and no service's tables
are read from here. No socket, no second process.
"""

from __future__ import annotations

import dataclasses
import io
import json
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol
from urllib.parse import quote, unquote_to_bytes, urlencode, urlsplit

import orjson

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# Pages are written against this microversion's views (2.47+: the flavor inside the server;
# 2.73+: a lock reason); fixed so that a newer maximum never changes a page by surprise.
COMPUTE_MICROVERSION = "compute 2.79"


class Readable(Protocol):
    """A body to stream: a file, a multipart form's part."""

    def read(self, size: int = -1, /) -> bytes: ...


def segment(value: str) -> str:
    """A value from the browser (an id, a name) as one path segment of a call: escaped, so that
    no `/`, `?` or `..` in it can name another resource."""
    return quote(value, safe="")


@dataclasses.dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    headers: Mapping[str, str]

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def message(self) -> str:
        """The error's message as the service words it (each service's error body shape)."""
        body = self.body
        if isinstance(body, dict):
            for value in body.values():
                if isinstance(value, dict) and isinstance(value.get("message"), str):
                    return str(value["message"])
            if isinstance(body.get("message"), str):
                return str(body["message"])
        return f"The request failed ({self.status})."


class ServiceError(Exception):
    """A call answered with an error; the page shows its message."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(answer.message())
        self.answer = answer


class Services:
    """Calls the mounted services (`/identity`, `/compute`, ...) as the public URL names them."""

    def __init__(self, mounts: Mapping[str, WSGIApp], *, public_url: str) -> None:
        self._mounts = dict(mounts)
        parts = urlsplit(public_url)
        self._scheme = parts.scheme or "http"
        self._host = parts.netloc or "localhost"
        self._server = parts.hostname or "localhost"
        self._port = str(parts.port or (443 if self._scheme == "https" else 80))
        self._root = parts.path.rstrip("/")

    def call(
        self,
        method: str,
        service: str,
        path: str,
        *,
        token: str | None = None,
        body: Any = None,
        query: Mapping[str, str | list[str]] | None = None,
        headers: Mapping[str, str] | None = None,
        stream: Readable | None = None,
    ) -> Answer:
        """The service's answer; `stream`, when given, is the body as raw data (image data),
        read to its end as a chunked request's body is."""
        app = self._mounts[service]
        data = b"" if body is None else json.dumps(body).encode()
        query_string = urlencode(query or {}, doseq=True)
        script_name = self._root + service
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method,
            "SCRIPT_NAME": script_name,
            # As a server hands them on: PATH_INFO decoded (WSGI's latin-1 string of the
            # bytes), the target as sent beside it (an encoded slash stays in its segment).
            "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
            "REQUEST_URI": script_name + path + (f"?{query_string}" if query_string else ""),
            "QUERY_STRING": query_string,
            "SERVER_NAME": self._server,
            "SERVER_PORT": self._port,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": self._host,
            "HTTP_ACCEPT": "application/json",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": self._scheme,
            "wsgi.input": io.BytesIO(data) if stream is None else stream,
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        if stream is not None:
            environ["CONTENT_TYPE"] = "application/octet-stream"
            environ["wsgi.input_terminated"] = True
        elif data:
            environ["CONTENT_TYPE"] = "application/json"
            environ["CONTENT_LENGTH"] = str(len(data))
        if token is not None:
            environ["HTTP_X_AUTH_TOKEN"] = token
        if service == "/compute":
            environ["HTTP_OPENSTACK_API_VERSION"] = COMPUTE_MICROVERSION
        for name, value in (headers or {}).items():
            environ["HTTP_" + name.upper().replace("-", "_")] = value
        captured: dict[str, Any] = {}

        def start_response(
            status: str, response_headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], None]:
            captured["status"] = status
            captured["headers"] = response_headers
            return lambda _data: None

        result = app(environ, start_response)
        try:
            raw = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        status = int(str(captured["status"]).split(" ", 1)[0])
        answer_headers = {name.lower(): value for name, value in captured["headers"]}
        parsed: Any = None
        if raw and "json" in answer_headers.get("content-type", ""):
            try:
                # orjson: a 200-server page decodes in a fifth of json's time.
                parsed = orjson.loads(raw)
            except orjson.JSONDecodeError:
                parsed = None
        return Answer(status=status, body=parsed, headers=answer_headers)

    def expect(
        self,
        method: str,
        service: str,
        path: str,
        *,
        token: str | None = None,
        body: Any = None,
        query: Mapping[str, str | list[str]] | None = None,
    ) -> Any:
        """The answer's body, or ServiceError for any status but 2xx."""
        answer = self.call(method, service, path, token=token, body=body, query=query)
        if not answer.ok:
            raise ServiceError(answer)
        return answer.body
