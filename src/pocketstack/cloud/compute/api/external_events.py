"""The external events other services send Nova (os-server-external-events) declared, with the
typed request its responder reads (compute/external_events.py).

Nova's names by microversion: the network events from 2.1, volume-extended from 2.51,
power-update from 2.76, accelerator-request-bound from 2.82, volume-reimaged from 2.93. The
default rule is the service role's or an admin's.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from pocketstack.cloud.api.operation import JSON, Microversion, Operation, Versioned
from pocketstack.cloud.api.shapes import STR, arr, obj
from pocketstack.cloud.compute.api import params as p
from pocketstack.cloud.compute.api.common import SERVICE, WRITE_ERRORS, rule
from pocketstack.cloud.compute.api.requests import by_version

# (name, first microversion)
NAMES: tuple[tuple[str, Microversion], ...] = (
    ("network-changed", (2, 1)),
    ("network-vif-plugged", (2, 1)),
    ("network-vif-unplugged", (2, 1)),
    ("network-vif-deleted", (2, 1)),
    ("volume-extended", (2, 51)),
    ("power-update", (2, 76)),
    ("accelerator-request-bound", (2, 82)),
    ("volume-reimaged", (2, 93)),
)
STATUSES = ("failed", "completed", "in-progress")
# Each band's first microversion (2.1, then where a name is added).
_CHANGES: tuple[Microversion, ...] = tuple(sorted({since for _, since in NAMES}))


@dataclasses.dataclass(frozen=True, kw_only=True)
class Event:
    name: str
    server_uuid: str
    status: str
    # None: not sent (and so not echoed).
    tag: str | None


@dataclasses.dataclass(frozen=True)
class ExternalEvents:
    events: tuple[Event, ...]


def parse_events(body: Any, version: Microversion | None) -> ExternalEvents:
    return ExternalEvents(
        tuple(
            Event(
                name=event["name"],
                server_uuid=event["server_uuid"],
                status=event.get("status", "completed"),
                tag=event.get("tag"),
            )
            for event in body["events"]
        )
    )


def _names(version: Microversion) -> list[str]:
    # The legacy v2 API (2.0) takes 2.1's.
    return [name for name, since in NAMES if since <= max(version, (2, 1))]


def _event(version: Microversion) -> JSON:
    return p.closed(
        {
            "name": {"type": "string", "enum": _names(version)},
            "server_uuid": p.UUID,
            "status": {"type": "string", "enum": list(STATUSES)},
            "tag": {"type": "string", "maxLength": 255},
        },
        required=("name", "server_uuid"),
    )


def _request(version: Microversion) -> JSON:
    events: JSON = {"type": "array", "minItems": 1, "items": _event(version)}
    return p.closed({"events": events}, required=("events",))


def _response(low: Microversion, high: Microversion | None) -> Versioned:
    event = obj(
        {
            "code": {"type": "integer", "enum": [200, 400, 404, 422]},
            "name": {"type": "string", "enum": _names(low)},
            "server_uuid": STR,
            "status": {"type": "string", "enum": list(STATUSES)},
            "tag": {"type": "string", "maxLength": 255},
        },
        required=("code", "name", "server_uuid", "status"),
        closed=True,
    )
    return Versioned(obj({"events": arr(event)}, closed=True), None if low == (2, 1) else low, high)


def _responses() -> tuple[Versioned, ...]:
    bands = []
    for index, low in enumerate(_CHANGES):
        following = _CHANGES[index + 1] if index + 1 < len(_CHANGES) else None
        high = None if following is None else (following[0], following[1] - 1)
        bands.append(_response(low, high))
    return tuple(bands)


def operations() -> tuple[Operation, ...]:
    return (
        Operation(method="POST", path="/os-server-external-events",
                  summary="Send servers events (Neutron's, Cinder's, Ironic's, Cyborg's): 200"
                  " when each was taken, 207 when one was not (each event's code says why)",
                  policy=rule("os-server-external-events:create", SERVICE), status=(200, 207),
                  request=by_version(_request, _CHANGES), parse=parse_events,
                  response=_responses(), errors=WRITE_ERRORS),
    )  # fmt: skip
