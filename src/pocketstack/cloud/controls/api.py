"""The control API declared (cloud/api/operation.py): fault rules, the clock and the driver's
delay under /pocketstack/v1, every operation for an admin only."""

from __future__ import annotations

from collections.abc import Sequence

from pocketstack.cloud.api.operation import JSON, Operation, PublicPath, Rule, Service
from pocketstack.cloud.api.operation import every_version as each
from pocketstack.cloud.api.shapes import INT, NSTR, STR, arr, json_body, obj, ref
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.controls import clock as clock_state
from pocketstack.cloud.controls import rules
from pocketstack.cloud.controls.errors import ControlError

PREFIX = "/pocketstack"
# Ten years: far enough for any expiry, near enough to stay a datetime.
MAX_ADVANCE = 10 * 366 * 86400


def admin_only(ctx: RequestContext, name: str) -> None:
    if not ctx.is_admin:
        raise ControlError(403, f"The test controls are for an admin ({name}).")


_ADMIN = Rule("pocketstack:test_controls", admin_only)
_ERRORS = (400, 401, 403)


def _nullable(schema: JSON) -> JSON:
    return {**schema, "type": [schema["type"], "null"]}


def _fault_request() -> JSON:
    fault = obj({
        "service": {"enum": sorted(rules.SERVICES)},
        "action": {"enum": list(rules.ACTIONS)},
        "method": {"enum": [*rules.METHODS, None]},
        "path": _nullable({"type": "string", "minLength": 1, "maxLength": 255}),
        "project_id": _nullable({"type": "string", "minLength": 1, "maxLength": 64}),
        "status": _nullable({"type": "integer", "minimum": 400, "maximum": 599}),
        "message": _nullable({"type": "string", "minLength": 1, "maxLength": 255}),
        "seconds": _nullable({"type": "number", "exclusiveMinimum": 0,
                              "maximum": rules.MAX_BUILD}),
        "times": _nullable({"type": "integer", "minimum": 1, "maximum": (1 << 31) - 1}),
    }, required=("service", "action"), closed=True)  # fmt: skip
    return obj({"fault": fault}, closed=True)


def _schemas() -> JSON:
    fault = obj({
        "id": STR, "service": STR, "method": NSTR, "path": NSTR, "project_id": NSTR,
        "action": STR, "status": {"type": ["integer", "null"]}, "message": NSTR,
        "seconds": {"type": ["number", "null"]}, "times_left": {"type": ["integer", "null"]},
        "injected": INT, "created_at": STR,
    })  # fmt: skip
    clock = obj({"now": STR, "offset_seconds": {"type": "number"}})
    seconds = {"type": "number"}
    driver = obj({"delay_seconds": seconds, "configured_seconds": seconds,
                  "overridden": {"type": "boolean"}})  # fmt: skip
    error = obj({"error": obj({"code": INT, "title": STR, "message": STR})})
    return {"TestFault": fault, "TestClock": clock, "TestDriver": driver, "ControlError": error}


_CLOCK_REQUEST = {"oneOf": [
    obj({"advance": {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_ADVANCE}},
        closed=True),
    obj({"reset": {"const": True}}, closed=True),
]}  # fmt: skip

_DRIVER_REQUEST = {"oneOf": [
    obj({"delay_seconds": {"type": "number", "minimum": 0, "maximum": clock_state.MAX_DELAY}},
        closed=True),
    obj({"reset": {"const": True}}, closed=True),
]}  # fmt: skip


def _operations() -> tuple[Operation, ...]:
    one = each(obj({"fault": ref("TestFault")}))
    clock = each(obj({"clock": ref("TestClock")}))
    driver = each(obj({"driver": ref("TestDriver")}))
    return (
        Operation(method="GET", path="/v1/faults", summary="List the fault rules",
                  policy=_ADMIN, status=(200,), errors=_ERRORS,
                  response=each(obj({"faults": arr(ref("TestFault"))}))),
        Operation(method="POST", path="/v1/faults", summary="Add a fault rule", policy=_ADMIN,
                  status=(201,), errors=_ERRORS, response=one,
                  request=each(_fault_request()), parse=rules.parse, headers=("Location",)),
        Operation(method="DELETE", path="/v1/faults", summary="Remove every fault rule",
                  policy=_ADMIN, status=(204,), errors=_ERRORS),
        Operation(method="GET", path="/v1/faults/{fault_id}", summary="Show a fault rule",
                  policy=_ADMIN, status=(200,), errors=(*_ERRORS, 404), response=one),
        Operation(method="DELETE", path="/v1/faults/{fault_id}", summary="Remove a fault rule",
                  policy=_ADMIN, status=(204,), errors=(*_ERRORS, 404)),
        Operation(method="GET", path="/v1/clock", summary="The cloud's time and its offset",
                  policy=_ADMIN, status=(200,), errors=_ERRORS, response=clock),
        Operation(method="POST", path="/v1/clock",
                  summary="Move the cloud's time forward, or back to real time",
                  policy=_ADMIN, status=(200,), errors=_ERRORS, response=clock,
                  request=each(_CLOCK_REQUEST)),
        Operation(method="GET", path="/v1/driver", summary="The compute driver's delay",
                  policy=_ADMIN, status=(200,), errors=_ERRORS, response=driver),
        Operation(method="POST", path="/v1/driver",
                  summary="Set the compute driver's delay, or back to the configured one",
                  policy=_ADMIN, status=(200,), errors=_ERRORS, response=driver,
                  request=each(_DRIVER_REQUEST)),
    )  # fmt: skip


def _error_response(code: int) -> JSON:
    return json_body(ref("ControlError"), "The control API's error")


def _public_paths(route: str) -> Sequence[PublicPath]:
    return [PublicPath(f"{PREFIX}{route}")]


SERVICE = Service(
    name="pocketstack",
    operations=_operations(),
    schemas=_schemas(),
    error_response=_error_response,
    public_paths=_public_paths,
)
