"""POST /os-server-external-events: what Neutron, Cinder, Ironic and Cyborg tell Nova of a
server, taken per event as Nova takes it.

Each event is answered with its code: 404 for a server that does not exist, 400 for an event
that needs a tag and has none (volume-extended, power-update, accelerator-request-bound), 422 for
a server on no host (nothing to deliver it to), else 200; the whole answer is 200 when every
event was taken, 207 otherwise.

What a taken event does here, with no network or volume service behind this cloud:
- network-changed, network-vif-*: nothing to refresh (the fake driver's addresses are its own);
  Nova records no action for them either.
- volume-extended: recorded as Nova's `extend_volume` action; no volume is ever attached here, so
  its compute event ends as Nova's does for a volume not attached: a success that changes
  nothing.
- power-update (POWER_ON, POWER_OFF): recorded as a `start` or `stop` action whose event is
  compute_power_update, and the server is powered on or off when its state allows (stopped, or
  active, with no task), else left as it is, as Nova's compute manager does; another tag is
  dropped after the event is answered 200, as Nova does.
- accelerator-request-bound, volume-reimaged: what a build or a reimage waits for; nothing here
  waits, so they are taken and dropped.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import falcon
from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.compute import action_log, driver, states
from pocketstack.cloud.compute.api.external_events import Event, ExternalEvents
from pocketstack.cloud.compute.routing import auth_of
from pocketstack.cloud.compute.servers import settle_if_delayed
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.store.models.compute import Instance

TAG_REQUIRED = frozenset({"volume-extended", "power-update", "accelerator-request-bound"})
POWER_ON = "POWER_ON"
POWER_OFF = "POWER_OFF"
# tag -> (action recorded, task, (vm_state, power_state) the server must be in)
_POWER: dict[str, tuple[str, str, tuple[str, int]]] = {
    POWER_ON: ("start", states.POWERING_ON, (states.STOPPED, states.SHUTDOWN)),
    POWER_OFF: ("stop", states.POWERING_OFF, (states.ACTIVE, states.RUNNING)),
}


def _answer(event: Event, code: int) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "name": event.name,
        "server_uuid": event.server_uuid,
        "status": "completed" if code == 200 else "failed",
        "code": code,
    }
    if event.tag is not None:
        answer["tag"] = event.tag
    return answer


def _code(event: Event, row: Instance | None) -> int:
    if row is None:
        return 404
    if event.name in TAG_REQUIRED and event.tag is None:
        return 400
    return 422 if row.host is None else 200


class _Delivery:
    """The taken events of one request, delivered to their servers in its transaction."""

    def __init__(self, deps: CloudDeps, req: falcon.Request, session: Session) -> None:
        self._deps = deps
        self._ctx: RequestContext = auth_of(req)
        self._request_id: str = getattr(req.context, "request_id", "")
        self._session = session
        self._now: dt.datetime = deps.clock.now()

    def _record(self, row: Instance, action: str, *, event: str | None, done: bool) -> None:
        action_log.record(
            self._session, instance_uuid=row.uuid, action=action, ctx=self._ctx,
            request_id=self._request_id, now=self._now, host=row.host, done=done, event=event,
        )  # fmt: skip

    def deliver(self, event: Event, row: Instance) -> None:
        if event.name == "volume-extended":
            self._record(row, "extend_volume", event=None, done=True)
        elif event.name == "power-update" and event.tag in _POWER:
            self._power(row, event.tag)

    def _power(self, row: Instance, tag: str) -> None:
        action, task, (vm_state, power_state) = _POWER[tag]
        if row.task_state is None and (row.vm_state, row.power_state) == (vm_state, power_state):
            if tag == POWER_OFF:
                row.progress = 0
            driver.start_transition(row, task, now=self._now, delay=self._deps.driver_delay)
        self._record(row, action, event="compute_power_update", done=row.task_state is None)


class ServerExternalEvents:
    """POST /os-server-external-events."""

    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        events = request_of(req, ExternalEvents).events
        settle_if_delayed(self._deps)
        wanted = sorted({e.server_uuid for e in events})
        answers = []
        with self._deps.store.session(write=True) as session:
            # Locked, in one order: an event may change its server (power-update). Deleted
            # servers too: Nova takes an event for one (the network service reports its port
            # gone after the delete) and delivers nothing.
            rows = {
                row.uuid: row
                for row in session.scalars(
                    select(Instance)
                    .where(Instance.uuid.in_(wanted))
                    .order_by(Instance.uuid)
                    .with_for_update()
                )
            }
            delivery = _Delivery(self._deps, req, session)
            for event in events:
                row = rows.get(event.server_uuid)
                code = _code(event, row)
                if code == 200 and row is not None and not row.deleted:
                    delivery.deliver(event, row)
                answers.append(_answer(event, code))
        resp.status = falcon.HTTP_200 if all(a["code"] == 200 for a in answers) else falcon.HTTP_207
        resp.media = {"events": answers}
