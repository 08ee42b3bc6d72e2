"""The WSGI wrapper in front of the services when the test controls are on: pins the clock's
offset and the driver's delay for each request (clock.py), and applies the first fault rule
that matches it (rules.py).

The control API's own paths (/pocketstack) are never faulted. Every injection is logged on
`pocketstack.faults` with the rule, the request line and what was done; never a header.
"""

from __future__ import annotations

import http
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from pocketstack.cloud.auth.tokens import TokenError
from pocketstack.cloud.controls import rules
from pocketstack.cloud.controls.clock import ControlledClock
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.rawpath import routing_path
from pocketstack.cloud.serving.errorpages import error_body
from pocketstack.cloud.serving.logs import redact_tokens
from pocketstack.cloud.serving.wsgibridge import DROP_KEY
from pocketstack.cloud.store.models.fault_controls import FaultRule

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
LOG = logging.getLogger("pocketstack.faults")
CONTROL_PREFIX = "/pocketstack"
FAULT_HEADER = "X-Pocketstack-Fault"


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _service_of(path: str) -> tuple[str, str] | None:
    """(service, path below its prefix) of a request path, or None."""
    for name, prefix in rules.SERVICES.items():
        if path == prefix or path.startswith(prefix + "/"):
            return name, path[len(prefix) :] or "/"
    return None


class TestControls:
    __test__ = False

    def __init__(self, app: WSGIApp, deps: CloudDeps) -> None:
        self._app = app
        self._deps = deps
        clock = deps.clock
        self._clock = clock if isinstance(clock, ControlledClock) else None

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if self._clock is None:
            return self._serve(environ, start_response)
        with self._clock.pinned():
            return self._serve(environ, start_response)

    def _serve(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        path = routing_path(environ) or environ.get("PATH_INFO", "") or "/"
        target = _service_of(path)
        if target is None:
            return self._app(environ, start_response)
        rule = self._injected(environ, *target)
        if rule is None:
            return self._app(environ, start_response)
        LOG.warning(
            "injected fault %s: %s %s -> %s",
            # A v2.0 token check carries the token in its path: hashed, as in the access log.
            rule.id, environ.get("REQUEST_METHOD"), redact_tokens(path),
            rules.describe(rule, claimed=True),
        )  # fmt: skip
        if rule.action == rules.LATENCY:
            time.sleep((rule.duration_ms or 0) / 1000)
            return self._app(environ, start_response)
        if rule.action == rules.DROP:
            # The front door closes the connection without an answer; served without one
            # (in-process), this fallback answer stands.
            environ[DROP_KEY] = True
            return _answer(start_response, rule, path, 502, "The connection was dropped.")
        status = rule.status or 503
        return _answer(start_response, rule, path, status, rule.message or _phrase(status))

    def _injected(self, environ: dict[str, Any], service: str, below: str) -> FaultRule | None:
        """The first live rule that matches and whose injection this request took."""
        method = environ.get("REQUEST_METHOD", "GET")
        project: list[str | None] = []
        for rule in rules.live(self._deps.store):
            if rule.action not in rules.REQUEST_ACTIONS or rule.service != service:
                continue
            if not rules.matches(rule, method, below):
                continue
            if rule.project_id is not None:
                if not project:
                    project.append(self._project_of(environ))
                if project[0] != rule.project_id:
                    continue
            if rules.claim(self._deps.store, rule):
                return rule
        return None

    def _project_of(self, environ: dict[str, Any]) -> str | None:
        """The project of the request's token; only asked when a rule names a project."""
        token = environ.get("HTTP_X_AUTH_TOKEN", "").strip()
        if not token:
            return None
        try:
            return self._deps.tokens.validate(token).project_id
        except TokenError:
            return None


def _answer(
    start_response: Callable[..., Any], rule: FaultRule, path: str, status: int, message: str
) -> list[bytes]:
    # The service's own error shape (errorpages.py): a client parses it as it would the real one.
    body = error_body(path, status, message)
    start_response(f"{status} {_phrase(status)}", [
        ("Content-Type", "application/json"), ("Content-Length", str(len(body))),
        (FAULT_HEADER, rule.id),
    ])  # fmt: skip
    return [body]
