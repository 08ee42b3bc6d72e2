"""The control API as a falcon app, mounted at /pocketstack when the test controls are on:
fault rules (`/v1/faults`), the clock (`/v1/clock`) and the driver's delay (`/v1/driver`), for
an admin's token only."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import falcon
import jsonschema

from pocketstack.cloud.api.enforce import enforcer, mount
from pocketstack.cloud.api.requests import error_message, field_path, request_of
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.auth.middleware import TokenAuthMiddleware
from pocketstack.cloud.controls import clock, errors, rules
from pocketstack.cloud.controls.api import SERVICE
from pocketstack.cloud.controls.errors import ControlError
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.requestbody import read_body

LOG = errors.LOG


def _caller(req: falcon.Request) -> RequestContext | None:
    caller: RequestContext | None = getattr(req.context, "auth", None)
    return caller


def _reader(limit: int) -> Any:
    def read(req: falcon.Request) -> Any:
        raw = read_body(req, limit=limit, too_large="Request Entity Too Large")
        try:
            return json.loads(raw)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise ControlError(400, "The body is not JSON.") from None

    return read


def _invalid(error: jsonschema.ValidationError) -> Exception:
    field = field_path(error)
    where = f" ({field})" if field else ""
    return ControlError(400, f"Invalid request{where}: {error_message(error)}")


def _send(resp: falcon.Response, status: int, body: Any) -> None:
    resp.status = status
    resp.content_type = "application/json"
    resp.text = json.dumps(body)


class Faults:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        _send(resp, 200, {"faults": [rules.view(r) for r in rules.listed(self._deps.store)]})

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        rule = rules.create(self._deps.store, request_of(req, rules.Spec),
                            now=self._deps.clock.now())  # fmt: skip
        LOG.info("fault rule %s added: %s", rule.id, rules.describe(rule))
        resp.set_header("Location", f"{req.prefix}{req.path}/{rule.id}")
        _send(resp, 201, {"fault": rules.view(rule)})

    def on_delete(self, req: falcon.Request, resp: falcon.Response) -> None:
        LOG.info("fault rules cleared: %d removed", rules.clear(self._deps.store))
        resp.status = 204


class Fault:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, fault_id: str) -> None:
        _send(resp, 200, {"fault": rules.view(rules.find(self._deps.store, fault_id))})

    def on_delete(self, req: falcon.Request, resp: falcon.Response, fault_id: str) -> None:
        rules.remove(self._deps.store, fault_id)
        LOG.info("fault rule %s removed", fault_id)
        resp.status = 204


class Clock:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def _show(self, resp: falcon.Response) -> None:
        offset = clock.read_offset(self._deps.store)
        controlled = self._deps.clock
        base = controlled.base if isinstance(controlled, clock.ControlledClock) else controlled
        now = base.now() + offset
        _send(resp, 200, {"clock": {
            "now": now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "offset_seconds": offset.total_seconds(),
        }})  # fmt: skip

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self._show(resp)

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = request_of(req, dict)
        if "advance" in body:
            offset = clock.advance(self._deps.store, float(body["advance"]))
            if offset is None:
                raise ControlError(400, "The clock runs at most a century ahead: reset it.")
            LOG.info("clock advanced %ss: now %ss ahead", body["advance"], offset.total_seconds())
        else:
            clock.reset(self._deps.store)
            LOG.info("clock reset to real time")
        self._show(resp)


class Driver:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def _show(self, resp: falcon.Response) -> None:
        # Read afresh: the request's pinned state predates a change this request made.
        delay = clock.read_state(self._deps.store).driver_delay
        configured = self._deps.config.driver_delay
        _send(resp, 200, {"driver": {
            "delay_seconds": configured if delay is None else delay,
            "configured_seconds": configured, "overridden": delay is not None,
        }})  # fmt: skip

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self._show(resp)

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = request_of(req, dict)
        if "delay_seconds" in body:
            clock.set_driver_delay(self._deps.store, float(body["delay_seconds"]))
            LOG.info("driver delay set to %ss", body["delay_seconds"])
        else:
            clock.set_driver_delay(self._deps.store, None)
            LOG.info("driver delay reset to the configured %ss", self._deps.config.driver_delay)
        self._show(resp)


def create_app(deps: CloudDeps) -> falcon.App[falcon.Request, falcon.Response]:
    app: falcon.App[falcon.Request, falcon.Response] = falcon.App(middleware=[
        TokenAuthMiddleware(tokens=deps.tokens, public_url=deps.config.public_url,
                            is_public=lambda req: False),
        enforcer(SERVICE, check_responses=deps.config.check_responses, caller_of=_caller,
                 read_body=_reader(deps.config.max_request_body_size), invalid=_invalid),
    ])  # fmt: skip
    app.req_options.strip_url_path_trailing_slash = True
    errors.install(app)
    mount(app, SERVICE, {
        "/v1/faults": Faults(deps),
        "/v1/faults/{fault_id}": Fault(deps),
        "/v1/clock": Clock(deps),
        "/v1/driver": Driver(deps),
    })  # fmt: skip
    return app
