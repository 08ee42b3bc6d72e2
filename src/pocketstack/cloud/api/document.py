"""An OpenAPI 3.1 description rendered from the operations services declare, and the WSGI
endpoint that serves it. Which services make up the cloud is told by the caller
(cloud/openapi.py)."""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from pocketstack.cloud.api.operation import JSON, Operation, Service, Versioned
from pocketstack.cloud.api.shapes import (
    COMMON_SCHEMAS,
    STR,
    arr,
    json_body,
    no_body,
    obj,
    path_param,
)

DOCUMENT_PATH = "/openapi.json"
_PATH_PARAMETER = "{"


def _body(schemas: Sequence[Versioned]) -> JSON:
    if len(schemas) == 1:
        return schemas[0].schema
    return {"anyOf": [entry.schema for entry in schemas]}


def _success(op: Operation) -> JSON:
    if op.response and op.body_optional:
        # OpenAPI cannot say "a body, or none" for one status: the body is described beside it.
        response = no_body("No body, or (for some requests) the body described in x-body")
        response["x-body"] = _body(op.response)
    else:
        response = json_body(_body(op.response)) if op.response else no_body("No body")
        if op.response and op.response_media != "application/json":
            response["content"] = {op.response_media: response["content"]["application/json"]}
            response["description"] = op.response_media
    if op.headers:
        response["headers"] = {name: {"schema": STR} for name in op.headers}
    return response


def _operation(service: Service, op: Operation, path: str, *, versioned: bool) -> JSON:
    responses = {code: _success(op) for code in op.status}
    responses.update({code: service.error_response(code) for code in op.errors})
    rendered: JSON = {
        "operationId": f"{op.method.lower()}:{path}",
        "summary": op.summary,
        "tags": [service.name],
        "responses": {str(code): responses[code] for code in sorted(responses)},
        "security": [] if op.policy is None else [{"token": []}],
    }
    parameters = [*(service.versioned_parameters if versioned else ()), *op.parameters]
    if parameters:
        rendered["parameters"] = parameters
    if op.request:
        rendered["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _body(op.request)}},
        }
    if op.policy is not None:
        rendered["x-openstack-policy"] = op.policy.name
    if op.since is not None:
        rendered["x-openstack-min-microversion"] = f"{op.since[0]}.{op.since[1]}"
    if op.until is not None:
        rendered["x-openstack-max-microversion"] = f"{op.until[0]}.{op.until[1]}"
    return rendered


def service_paths(service: Service) -> dict[str, JSON]:
    paths: dict[str, JSON] = {}
    for op in service.operations:
        names = [part[1:-1] for part in op.path.split("/") if part.startswith(_PATH_PARAMETER)]
        for public in service.public_paths(op.path):
            item = paths.setdefault(public.template, {})
            item["parameters"] = [*public.parameters, *(path_param(n) for n in names)]
            if not item["parameters"]:
                del item["parameters"]
            item[op.method.lower()] = _operation(
                service, op, public.template, versioned=public.versioned
            )
    return paths


def build_document(services: Sequence[Service]) -> JSON:
    """A new document each call: whoever changes it does not change the declarations."""
    schemas: JSON = dict(COMMON_SCHEMAS)
    paths: dict[str, JSON] = {
        "/": {"get": {"summary": "The services this cloud serves", "tags": ["cloud"],
                      "security": [], "operationId": "get:/",
                      "responses": {"200": json_body(obj(
                          {"services": arr(obj({"name": STR, "href": STR}))}))}}},
        DOCUMENT_PATH: {"get": {"summary": "This document", "tags": ["cloud"], "security": [],
                                "operationId": f"get:{DOCUMENT_PATH}",
                                "responses": {"200": json_body({"type": "object"})}}},
    }  # fmt: skip
    for service in services:
        schemas.update(service.schemas)
        paths.update(service_paths(service))
    return copy.deepcopy(
        {
            "openapi": "3.1.0",
            "info": {
                "title": "pocketstack",
                "version": "1",
                "description": "Identity (Keystone v3/v2.0), compute (Nova v2.1 with microversions"
                " 2.1-2.100), image (Glance v2 subset) and network (Neutron v2.0 subset) on one"
                " port, under path prefixes.",
            },
            "servers": [{"url": "/"}],
            "tags": [{"name": n} for n in ("cloud", "identity", "compute", "image", "network")],
            "paths": paths,
            "components": {
                "schemas": schemas,
                "securitySchemes": {
                    "token": {"type": "apiKey", "in": "header", "name": "X-Auth-Token"}
                },
            },
        }
    )


class DocumentEndpoint:
    """GET (or HEAD) the document; it is public, like the version documents."""

    def __init__(self, services: Sequence[Service]) -> None:
        self._services = tuple(services)

    @functools.cached_property
    def body(self) -> bytes:
        return json.dumps(build_document(self._services), sort_keys=True).encode()

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        return _serve(self.body, environ, start_response)


def _serve(
    document: bytes, environ: dict[str, Any], start_response: Callable[..., Any]
) -> Iterable[bytes]:
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
    body = document
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [] if method == "HEAD" else [body]
