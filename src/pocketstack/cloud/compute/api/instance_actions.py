"""The instance action log (os-instance-actions) declared."""

from __future__ import annotations

from pocketstack.cloud.api.operation import JSON, Operation, Versioned
from pocketstack.cloud.api.shapes import NSTR, STR, arr, obj, query, ref
from pocketstack.cloud.compute.api.common import READ_ERRORS, READER, rule

_ACTION: JSON = {
    "action": STR,
    "instance_uuid": STR,
    "message": NSTR,
    "project_id": STR,
    "request_id": STR,
    "start_time": STR,
    "user_id": STR,
}
_REQUIRED = tuple(_ACTION)


def _action(version_258: bool, events: JSON | None = None) -> JSON:
    fields = dict(_ACTION)
    if version_258:
        fields["updated_at"] = NSTR
    if events is not None:
        fields["events"] = arr(events)
    return obj(fields, required=_REQUIRED, closed=True)


def operations() -> tuple[Operation, ...]:
    event = obj(
        {
            "event": STR,
            "start_time": STR,
            "finish_time": NSTR,
            "result": NSTR,
            "traceback": NSTR,
            "hostId": STR,
            "host": STR,
            "details": NSTR,
        },
        required=("event", "start_time", "finish_time", "result"),
        closed=True,
    )
    listing = (
        Versioned(obj({"instanceActions": arr(_action(False))}, closed=True), None, (2, 57)),
        Versioned(
            obj(
                {"instanceActions": arr(_action(True)), "links": arr(ref("ComputeLink"))},
                required=("instanceActions",),
                closed=True,
            ),
            (2, 58),
        ),
    )
    one = (
        Versioned(obj({"instanceAction": _action(False, event)}, closed=True), None, (2, 57)),
        Versioned(obj({"instanceAction": _action(True, event)}, closed=True), (2, 58)),
    )
    return (
        Operation(method="GET", path="/servers/{server_id}/os-instance-actions",
                  summary="List a server's actions (paged, changes-since from 2.58)",
                  policy=rule("os-instance-actions:list", READER), status=(200,),
                  response=listing, errors=READ_ERRORS,
                  parameters=tuple(query(n) for n in ("limit", "marker", "changes-since",
                                                      "changes-before"))),
        Operation(method="GET", path="/servers/{server_id}/os-instance-actions/{request_id}",
                  summary="Show a server's action with its events",
                  policy=rule("os-instance-actions:show", READER), status=(200,),
                  response=one, errors=READ_ERRORS),
    )  # fmt: skip
