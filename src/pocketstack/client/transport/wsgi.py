"""In-process transport: hands each request to a WSGI application, no socket involved.

Tests use it to run the real client stack against the real cloud app.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote, urlsplit

from pocketstack.client.transport import Headers, Request, Response

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class WSGITransport:
    def __init__(self, app: WSGIApp, *, script_name: str = "") -> None:
        self._app = app
        self._script_name = script_name.rstrip("/")
        self.sent: list[Request] = []

    def send(self, request: Request) -> Response:
        self.sent.append(request)
        parts = urlsplit(request.url)
        scheme = parts.scheme or "http"
        port = parts.port or (443 if scheme == "https" else 80)
        path = unquote(parts.path or "/")
        script_name = self._script_name
        if script_name and path.startswith(script_name):
            path = path[len(script_name) :]
        else:
            script_name = ""
        body = request.body or b""
        environ: dict[str, Any] = {
            "REQUEST_METHOD": request.method,
            "SCRIPT_NAME": script_name,
            "PATH_INFO": path,
            "QUERY_STRING": parts.query,
            "SERVER_NAME": parts.hostname or "localhost",
            "SERVER_PORT": str(port),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": parts.netloc or "localhost",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": scheme,
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        if body:
            environ["CONTENT_LENGTH"] = str(len(body))
        for name, value in request.headers.items():
            key = name.upper().replace("-", "_")
            if key == "CONTENT_TYPE":
                environ["CONTENT_TYPE"] = value
            elif key == "CONTENT_LENGTH":
                environ["CONTENT_LENGTH"] = value
            elif key != "HOST":
                environ[f"HTTP_{key}"] = value
        captured: dict[str, Any] = {}

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], None]:
            captured["status"] = status
            captured["headers"] = headers
            return lambda _data: None

        result = self._app(environ, start_response)
        try:
            data = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        code, _, reason = str(captured["status"]).partition(" ")
        # HEAD answers carry no body on the wire either.
        if request.method == "HEAD":
            data = b""
        return Response(
            status=int(code),
            reason=reason,
            headers=Headers(captured["headers"]),
            body=data,
            url=request.url,
        )

    def close(self) -> None:
        return None
