"""Per-request overhead of the WSGI frameworks considered for the cloud (why falcon).

Each framework serves the same tiny JSON route; the request is driven in-process through the WSGI
callable so only the framework's own cost is measured. Run: python bench/wsgi_overhead.py
(needs flask installed beside falcon; it is not a project dependency).
"""

from __future__ import annotations

import io
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def falcon_app() -> WSGIApp:
    import falcon

    class Server:
        def on_get(self, req: falcon.Request, resp: falcon.Response, server_id: str) -> None:
            resp.media = {"server": {"id": server_id, "name": req.get_param("name") or "x"}}

    app = falcon.App()
    app.add_route("/v2.1/servers/{server_id}", Server())
    return app


def flask_app() -> WSGIApp:
    import flask

    app = flask.Flask("bench")

    @app.get("/v2.1/servers/<server_id>")
    def show(server_id: str) -> Any:
        return {"server": {"id": server_id, "name": flask.request.args.get("name", "x")}}

    return app.wsgi_app  # type: ignore[return-value]


def environ() -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/v2.1/servers/abc",
        "QUERY_STRING": "name=web",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_ACCEPT": "application/json",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }


def per_request_us(app: WSGIApp, n: int = 20000) -> float:
    def start_response(status: str, headers: list[tuple[str, str]], exc: Any = None) -> None:
        pass

    samples = []
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(n):
            b"".join(app(environ(), start_response))
        samples.append((time.perf_counter() - t0) / n * 1e6)
    return statistics.median(samples)


def import_ms(module: str) -> float:
    runs = []
    for _ in range(7):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", f"import {module}"], check=True)
        runs.append((time.perf_counter() - t0) * 1000)
    return statistics.median(runs)


def main() -> None:
    base = import_ms("sys")
    for name, factory, module in (("falcon", falcon_app, "falcon"), ("flask", flask_app, "flask")):
        print(
            f"{name:7s} {per_request_us(factory()):7.1f} us/request   "
            f"import {import_ms(module) - base:6.1f} ms over bare python"
        )


if __name__ == "__main__":
    main()
