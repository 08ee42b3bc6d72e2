"""pocketstack's OpenAPI 3.1 description of every endpoint it serves, and its WSGI endpoint.

Upstream publishes none. The description is assembled from one module per service; the test suite
compares it with the falcon routers so that it cannot drift from what is served.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from typing import Any

from pocketstack.cloud.openapi import compute, identity, image
from pocketstack.cloud.openapi.shapes import JSON, STR, arr, json_body, obj, operation

DOCUMENT_PATH = "/openapi.json"


def build_document() -> JSON:
    schemas: dict[str, JSON] = {}
    paths: dict[str, JSON] = {
        "/": {"get": operation("The services this cloud serves", tag="cloud", public=True,
                               responses={200: json_body(obj(
                                   {"services": arr(obj({"name": STR, "href": STR}))}))})},
        DOCUMENT_PATH: {"get": operation("This document", tag="cloud", public=True,
                                         responses={200: json_body({"type": "object"})})},
    }  # fmt: skip
    for service in (identity, compute, image):
        schemas.update(service.schemas())
        paths.update(service.paths())
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "pocketstack",
            "version": "1",
            "description": "Identity (Keystone v3/v2.0), compute (Nova v2.1 with microversions"
            " 2.1-2.100) and image (Glance v2 subset) on one port, under path prefixes.",
        },
        "servers": [{"url": "/"}],
        "tags": [{"name": n} for n in ("cloud", "identity", "compute", "image")],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "token": {"type": "apiKey", "in": "header", "name": "X-Auth-Token"}
            },
        },
    }


@functools.cache
def document_bytes() -> bytes:
    return json.dumps(build_document(), sort_keys=True).encode()


def serve_document(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """GET (or HEAD) the document; it is public, like the version documents."""
    method = environ.get("REQUEST_METHOD", "GET")
    if method not in ("GET", "HEAD"):
        body = json.dumps(
            {"error": {"code": 405, "title": "Method Not Allowed",
                       "message": "The method is not allowed for the requested URL."}}
        ).encode()  # fmt: skip
        start_response(
            "405 Method Not Allowed",
            [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
             ("Allow", "GET, HEAD")],
        )  # fmt: skip
        return [body]
    body = document_bytes()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [] if method == "HEAD" else [body]
