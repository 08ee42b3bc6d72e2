"""The declaration of an API operation: route, method, policy rule, microversions, request and
response schemas, success statuses.

A service lists its operations in one table (`<service>/api.py`); its app is mounted from that
table (enforce.py), its part of `/openapi.json` is rendered from it (document.py), and in tests
every response is checked against it (responses.py).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
from typing import Any

from pocketstack.cloud.auth.context import RequestContext

JSON = dict[str, Any]
Microversion = tuple[int, int]


@dataclasses.dataclass(frozen=True)
class Rule:
    """A policy rule: its upstream name and the check of its default (None: documented only,
    the responder checks it because the answer depends on the target)."""

    name: str
    check: Callable[[RequestContext, str], None] | None = None


@dataclasses.dataclass(frozen=True)
class Versioned:
    """A schema for the microversions `low` to `high` inclusive (None: unbounded)."""

    schema: JSON
    low: Microversion | None = None
    high: Microversion | None = None

    def covers(self, version: Microversion | None) -> bool:
        if version is None:
            return self.low is None
        if self.low is not None and version < self.low:
            return False
        return self.high is None or version <= self.high


def every_version(schema: JSON) -> tuple[Versioned, ...]:
    """One schema for whatever version a request runs at."""
    return (Versioned(schema),)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Operation:
    method: str
    # The route as the service's falcon app matches it (after the compute API root is removed).
    path: str
    summary: str
    # None: public, answered without a token.
    policy: Rule | None
    # The statuses of success; the first is the usual one.
    status: tuple[int, ...]
    # Response body schemas of success by microversion; empty: no body.
    response: tuple[Versioned, ...] = ()
    # Request body schemas by microversion; empty: the operation takes no body. The body is
    # validated against it before the responder runs (api/requests.py).
    request: tuple[Versioned, ...] = ()
    # The validated body as the typed request the responder reads (`request_of`); None: the
    # responder reads the validated JSON itself.
    parse: Callable[[Any, Microversion | None], object] | None = None
    # The statuses of failure the operation answers with the service's error body.
    errors: tuple[int, ...] = ()
    # OpenAPI parameter objects (query strings, headers), documented only.
    parameters: tuple[JSON, ...] = ()
    # Microversions the operation exists in; outside them it is not found.
    since: Microversion | None = None
    # The last microversion the operation exists in (an API upstream removed); beyond it, not
    # found.
    until: Microversion | None = None
    # Response headers of success worth documenting (X-Subject-Token, Location).
    headers: tuple[str, ...] = ()
    # A success may have no body even where `response` declares one (server actions: most
    # answer 202 with none, a few with a body).
    body_optional: bool = False
    # The media type of the success body (OS-OAUTH1 answers with a form); `response` describes
    # its fields either way.
    response_media: str = "application/json"

    @property
    def key(self) -> tuple[str, str]:
        return self.method, self.path

    def response_schema(self, version: Microversion | None) -> JSON | None:
        return _pick(self.response, version)

    def request_schema(self, version: Microversion | None) -> JSON | None:
        return _pick(self.request, version)


def _pick(schemas: Sequence[Versioned], version: Microversion | None) -> JSON | None:
    for entry in schemas:
        if entry.covers(version):
            return entry.schema
    return None


@dataclasses.dataclass(frozen=True)
class PublicPath:
    template: str
    # Parameters of the prefix (compute's project id), beyond the route's own.
    parameters: tuple[JSON, ...] = ()
    # Whether requests there take the service's microversion headers.
    versioned: bool = False


@dataclasses.dataclass(frozen=True, kw_only=True)
class Service:
    """One service's declarations, and how its routes appear in the combined cloud's paths."""

    name: str
    operations: tuple[Operation, ...]
    # Shared schemas, referenced as #/components/schemas/<name>.
    schemas: JSON
    # An error response object (OpenAPI) for a status.
    error_response: Callable[[int], JSON]
    # Where a route is reached in the combined cloud: public paths (OpenAPI templates).
    public_paths: Callable[[str], Sequence[PublicPath]]
    # Parameters every versioned operation takes (compute's microversion headers).
    versioned_parameters: tuple[JSON, ...] = ()

    def __post_init__(self) -> None:
        if len({op.key for op in self.operations}) != len(self.operations):
            raise ValueError(f"{self.name}: an operation is declared twice")

    @functools.cached_property
    def _by_key(self) -> dict[tuple[str, str], Operation]:
        return {op.key: op for op in self.operations}

    def find(self, method: str, path: str) -> Operation | None:
        return self._by_key.get((method, path))
