"""The whole cloud as one WSGI callable, each service under its path prefix as devstack does.

With the test controls on (config `test_controls`), `/pocketstack` -> their control API, and a
wrapper in front of everything applies fault rules and the movable clock (cloud/controls/).

`/identity` -> Keystone API, `/compute` -> Nova API, `/image` -> Glance API, `/networking` ->
Neutron API, `/dashboard` -> the web dashboard (a client of the others, in process). The prefix
moves from PATH_INFO to SCRIPT_NAME, so each app sees its own root and builds links from the
request.
"""

from __future__ import annotations

import importlib
import json
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.rawpath import routing_path

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class PrefixDispatcher:
    def __init__(
        self,
        mounts: dict[str, WSGIApp],
        *,
        documents: dict[str, WSGIApp] | None = None,
        pages: Mapping[str, WSGIApp] | None = None,
    ) -> None:
        # Longest prefix first so that "/image" never shadows a longer sibling.
        self._mounts = sorted(mounts.items(), key=lambda item: -len(item[0]))
        # Mounted like the services but not one of them (the dashboard): not in the index.
        self._routes = sorted([*mounts.items(), *(pages or {}).items()],
                              key=lambda item: -len(item[0]))  # fmt: skip
        # Exact paths answered beside the services (the OpenAPI description), not listed as ones.
        self._documents = dict(documents or {})

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        # An encoded slash stays in its segment (rawpath.py): it never routes as a separator.
        path = routing_path(environ) or environ.get("PATH_INFO", "") or "/"
        document = self._documents.get(path)
        if document is not None:
            return document(environ, start_response)
        for prefix, app in self._routes:
            if path == prefix or path.startswith(prefix + "/"):
                environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + prefix
                environ["PATH_INFO"] = path[len(prefix) :]
                return app(environ, start_response)
        return self._index(environ, start_response)

    def _index(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "/") not in ("", "/"):
            body = json.dumps(
                {"error": {"code": 404, "title": "Not Found", "message": "No such service."}}
            ).encode()
            start_response(
                "404 Not Found",
                [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
            )
            return [body]
        base = environ.get("SCRIPT_NAME", "")
        body = json.dumps(
            {"services": [{"name": n.strip("/"), "href": base + n} for n, _ in self._mounts]}
        ).encode()
        start_response(
            "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        )
        return [body]


# The services but identity, by the module whose create_app(deps) makes each.
_SERVICES = {"/compute": "pocketstack.cloud.compute.app", "/image": "pocketstack.cloud.image.app",
             "/networking": "pocketstack.cloud.network.app"}  # fmt: skip


class BuiltOnFirstUse:
    """An app made by its first request rather than with the cloud: the pytest plugin's cloud
    starts with identity only, and a test pays for importing the services it calls."""

    def __init__(self, build: Callable[[], WSGIApp]) -> None:
        self._build = build
        self._app: WSGIApp | None = None
        self._lock = threading.Lock()

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        app = self._app
        if app is None:
            with self._lock:
                if self._app is None:
                    self._app = self._build()
                app = self._app
        return app(environ, start_response)


def _service(module: str, deps: CloudDeps) -> Callable[[], WSGIApp]:
    def build() -> WSGIApp:
        made: WSGIApp = importlib.import_module(module).create_app(deps)
        return made

    return build


def create_cloud_app(deps: CloudDeps, *, on_first_use: bool = False) -> WSGIApp:
    """The cloud; `on_first_use`: every service but identity (and the dashboard) built by its
    first request."""
    from pocketstack.cloud.identity.app import create_app as create_identity
    from pocketstack.cloud.openapi import DOCUMENT_PATH, endpoint

    def made(build: Callable[[], WSGIApp]) -> WSGIApp:
        return BuiltOnFirstUse(build) if on_first_use else build()

    mounts: dict[str, WSGIApp] = {"/identity": create_identity(deps)}
    mounts.update({prefix: made(_service(module, deps)) for prefix, module in _SERVICES.items()})
    controls = deps.config.test_controls
    if controls:
        # Only when on: a cloud without the test controls loads none of their code.
        from pocketstack.cloud.controls.app import create_app as create_controls

        mounts["/pocketstack"] = create_controls(deps)
    # The dashboard calls the services as they are here, in process (dashboard/calls.py).
    services = dict(mounts)

    def dashboard() -> WSGIApp:
        from pocketstack.cloud.dashboard.app import create_app as create_dashboard

        return create_dashboard(deps, services)

    pages: dict[str, WSGIApp] = {"/dashboard": made(dashboard)}
    document = made(lambda: endpoint(test_controls=controls))
    cloud = PrefixDispatcher(mounts, documents={DOCUMENT_PATH: document}, pages=pages)
    if not controls:
        return cloud
    from pocketstack.cloud.controls.inject import TestControls

    return TestControls(cloud, deps)
