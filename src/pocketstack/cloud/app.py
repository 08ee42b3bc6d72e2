"""The whole cloud as one WSGI callable, each service under its path prefix as devstack does.

With the test controls on (config `test_controls`), `/pocketstack` -> their control API, and a
wrapper in front of everything applies fault rules and the movable clock (cloud/controls/).

`/identity` -> Keystone API, `/compute` -> Nova API, `/image` -> Glance API, `/networking` ->
Neutron API, `/dashboard` -> the web dashboard (a client of the others, in process). The prefix
moves from PATH_INFO to SCRIPT_NAME, so each app sees its own root and builds links from the
request.
"""

from __future__ import annotations

import json
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


def create_cloud_app(deps: CloudDeps) -> WSGIApp:
    from pocketstack.cloud.compute.app import create_app as create_compute
    from pocketstack.cloud.dashboard.app import create_app as create_dashboard
    from pocketstack.cloud.identity.app import create_app as create_identity
    from pocketstack.cloud.image.app import create_app as create_image
    from pocketstack.cloud.network.app import create_app as create_network
    from pocketstack.cloud.openapi import DOCUMENT_PATH, endpoint

    mounts: dict[str, WSGIApp] = {
        "/identity": create_identity(deps),
        "/compute": create_compute(deps),
        "/image": create_image(deps),
        "/networking": create_network(deps),
    }
    controls = deps.config.test_controls
    if controls:
        # Only when on: a cloud without the test controls loads none of their code.
        from pocketstack.cloud.controls.app import create_app as create_controls

        mounts["/pocketstack"] = create_controls(deps)
    # The dashboard calls the services as they are here, in process (dashboard/calls.py).
    pages: dict[str, WSGIApp] = {"/dashboard": create_dashboard(deps, dict(mounts))}
    cloud = PrefixDispatcher(mounts, documents={DOCUMENT_PATH: endpoint(test_controls=controls)},
                             pages=pages)  # fmt: skip
    if not controls:
        return cloud
    from pocketstack.cloud.controls.inject import TestControls

    return TestControls(cloud, deps)
