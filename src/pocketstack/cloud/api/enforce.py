"""A service's falcon app mounted from its declarations: each route's resource must answer
exactly the declared methods (checked when the app is built, so a responder can never be served
undeclared), and before a responder runs, the operation's microversion range and policy rule
are enforced from its declaration."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import falcon
import jsonschema

from pocketstack.cloud.api.keywords import REQUEST_VALIDATOR
from pocketstack.cloud.api.operation import Microversion, Operation, Service
from pocketstack.cloud.api.requests import Invalid, ReadBody, RequestCheck
from pocketstack.cloud.api.responses import ResponseCheck
from pocketstack.cloud.api.shapes import COMMON_SCHEMAS
from pocketstack.cloud.auth.context import RequestContext

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


class UndeclaredRoute(RuntimeError):
    """A resource serves a method no declaration names, or a declaration has no responder."""


def mount(
    app: falcon.App[Any, Any], service: Service, resources: Mapping[str, object], *,
    wrap: Callable[[Callable[..., None]], Callable[..., None]] | None = None,
) -> None:  # fmt: skip
    """Routes `resources`, each responder through `wrap` when given (a retry, say)."""
    served: set[tuple[str, str]] = set()
    for path, resource in resources.items():
        if wrap is not None:
            for method in METHODS:
                name = f"on_{method.lower()}"
                if hasattr(resource, name):
                    setattr(resource, name, wrap(getattr(resource, name)))
        app.add_route(path, resource)
        served.update((m, path) for m in METHODS if hasattr(resource, f"on_{m.lower()}"))
    declared = {op.key for op in service.operations}
    if served != declared:
        raise UndeclaredRoute(
            f"{service.name}: served but not declared {sorted(served - declared)}; "
            f"declared but not served {sorted(declared - served)}"
        )


def operation_of(req: falcon.Request) -> Operation | None:
    op: Operation | None = getattr(req.context, "operation", None)
    return op


class Enforce:
    """Falcon middleware, after authentication and the microversion's parsing."""

    def __init__(
        self,
        service: Service,
        *,
        version_of: Callable[[falcon.Request], Microversion | None],
        caller_of: Callable[[falcon.Request], RequestContext | None],
        requests: RequestCheck | None = None,
        check: ResponseCheck | None = None,
    ) -> None:
        self._service = service
        self._version_of = version_of
        self._caller_of = caller_of
        self._requests = requests
        self._check = check

    def process_resource(
        self, req: falcon.Request, resp: falcon.Response, resource: Any, params: dict[str, Any]
    ) -> None:
        op = self._service.find(req.method, req.uri_template or "")
        req.context.operation = op
        if op is None:  # falcon's own 405 for an undeclared method
            return
        if op.since is not None or op.until is not None:
            version = self._version_of(req)
            below = op.since is not None and (version is None or version < op.since)
            beyond = op.until is not None and version is not None and version > op.until
            if below or beyond:
                # Each service renders falcon's 404 in its own error shape.
                raise falcon.HTTPNotFound()
        rule = op.policy
        if rule is not None and rule.check is not None:
            caller = self._caller_of(req)
            if caller is None:  # never skipped: a rule with a check needs someone to check
                raise falcon.HTTPUnauthorized()
            rule.check(caller, rule.name)
        # After the policy, as Keystone does: a caller who may not act learns nothing from
        # the body's validation.
        if op.request and self._requests is not None:
            self._requests.apply(req, op, self._version_of(req))

    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource: Any, req_succeeded: bool
    ) -> None:
        op = operation_of(req)
        if self._check is None or op is None:
            return
        self._check.check(resp, op, self._version_of(req))


def _unversioned(req: falcon.Request) -> Microversion | None:
    return None


def _nobody(req: falcon.Request) -> RequestContext | None:
    return None


def enforcer(
    service: Service,
    *,
    check_responses: bool,
    version_of: Callable[[falcon.Request], Microversion | None] = _unversioned,
    caller_of: Callable[[falcon.Request], RequestContext | None] = _nobody,
    read_body: ReadBody | None = None,
    invalid: Invalid | None = None,
    formats: jsonschema.FormatChecker | None = None,
    validator: type[jsonschema.protocols.Validator] = REQUEST_VALIDATOR,
) -> Enforce:
    """The middleware for `service`; a service without microversions or declared policy checks
    needs neither `version_of` nor `caller_of`. With `read_body` and `invalid` (how the service
    reads a body and words a validation error), every declared request body is validated
    before its responder runs."""
    if caller_of is _nobody and any(
        op.policy is not None and op.policy.check is not None for op in service.operations
    ):
        raise ValueError(f"{service.name} declares policy checks but names no caller")
    components = {**COMMON_SCHEMAS, **service.schemas}
    requests = None
    if read_body is not None and invalid is not None:
        requests = RequestCheck(
            components, read_body=read_body, invalid=invalid, formats=formats, validator=validator
        )
    check = ResponseCheck(components) if check_responses else None
    return Enforce(
        service, version_of=version_of, caller_of=caller_of, requests=requests, check=check
    )
