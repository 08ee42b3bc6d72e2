"""Evacuate: rebuild a server on another host when its own host's compute service is down.

As Nova, only a server whose compute service is down (forced down through os-services) may be
evacuated, to a host the admin names (checked by the scheduler, or taken as given with `force`
from 2.29 to 2.67) or one the scheduler picks among the others. The move is recorded as an
`evacuation` migration, `done` once the rebuild on the new host is over. Until 2.14 the answer
carries the new admin password; from 2.95 the server ends stopped whatever it was.
"""

from __future__ import annotations

import falcon
from sqlalchemy import select

from pocketstack.cloud.compute import driver, fleet, server_ports, states
from pocketstack.cloud.compute.action_requests import Evacuate
from pocketstack.cloud.compute.actions_base import (
    Call,
    Entry,
    Reply,
    check_host,
    check_state,
    generated_password,
)

# The one writer of a move's migration row and the one placement of a moved server.
from pocketstack.cloud.compute.actions_resize import (
    NoValidHost,
    flavor_copy,
    place_move,
    record_migration,
)
from pocketstack.cloud.compute.requests import ServerAction
from pocketstack.cloud.compute.routing import version_of
from pocketstack.cloud.errors import BadRequest, NotFound
from pocketstack.cloud.store.models.fleet import ComputeService

_EVACUABLE = (states.ACTIVE, states.STOPPED, states.ERROR)


def _password(action: Evacuate, *, before_214: bool) -> str | None:
    if not before_214:
        return action.admin_pass or generated_password()
    if action.admin_pass is not None:
        if action.on_shared_storage:
            raise BadRequest("admin password can't be changed on existing disk")
        return action.admin_pass
    # On shared storage the server keeps its disk, and so its password.
    return None if action.on_shared_storage else generated_password()


def _source_is_up(call: Call, host: str) -> bool:
    """Whether the compute service of the server's host still reports; a service deleted since
    reports nothing (Nova would not find it: there is nothing in use to protect)."""
    service = call.session.scalars(
        select(ComputeService).where(
            ComputeService.host == host,
            ComputeService.binary == fleet.COMPUTE,
            ComputeService.deleted.is_(False),
        )
    ).first()
    return service is not None and fleet.is_up(service)


def _evacuate(call: Call, action: ServerAction) -> Reply | None:
    assert isinstance(action, Evacuate)
    call.admin("os-evacuate")
    row, api = call.row, version_of(call.req)
    if action.force and not action.host:
        raise BadRequest("Can't force to a non-provided destination")
    password = _password(action, before_214=not api.at_least("2.14"))
    if action.host is not None and action.host not in fleet.compute_hosts(call.session):
        raise NotFound(f"Compute host {action.host} not found.")
    # Nova compares even when neither is set: a server on no host cannot be evacuated.
    if row.host == action.host:
        raise BadRequest("The target host can't be the same one.")
    check_state("evacuate", row, _EVACUABLE)
    # A server no host took, sent to a named host: Nova fails looking up its host's service
    # (a 500); nothing runs anywhere to evacuate, so it is refused as not ready.
    check_host("evacuate", row)
    assert row.host is not None
    if _source_is_up(call, row.host):
        raise BadRequest(f"Compute service of {row.host} is still in use.")
    if action.force and action.host is not None:
        # Forced: no scheduler, so neither room nor the target's state is looked at.
        host = action.host
    else:
        hosts = [action.host] if action.host is not None else None
        try:
            host = place_move(call, hosts=hosts, exclude=row.host)
        except NoValidHost:
            _no_valid_host(call)
            return _answer(api.at_least("2.14"), password)
    delayed = call.deps.driver_delay > 0
    # Nova's evacuation migration goes from accepted to done when the rebuild is over; the
    # migrations API settles it with the server's transition (compute/migration_db.py).
    record_migration(call, kind="evacuation", status="accepted" if delayed else "done",
            new_flavor=flavor_copy(row), host=host)  # fmt: skip
    row.host = row.node = host
    server_ports.rebind(call.session, row, call.now)
    if api.at_least("2.95"):
        # The server ends stopped: rebuilt, then not started.
        row.power_state = states.SHUTDOWN
    elif row.vm_state == states.ERROR:
        # A rebuild brings a server in error back running.
        row.power_state = states.RUNNING
    call.start(states.REBUILDING)
    return _answer(api.at_least("2.14"), password)


def _no_valid_host(call: Call) -> None:
    """Nova's API has accepted the evacuation before its conductor asks the scheduler: a server
    no host can take ends in ERROR with the scheduler's fault, still on its dead host, and the
    evacuation's migration in `error`."""
    row = call.row
    record_migration(call, kind="evacuation", status="error", new_flavor=flavor_copy(row),
            host=None)  # fmt: skip
    row.vm_state, row.task_state = states.ERROR, None
    driver.record_fault(row, now=call.now, message=fleet.NO_VALID_HOST)


def _answer(since_214: bool, password: str | None) -> Reply:
    # Nova answers 200 (not the 202 of its other asynchronous actions), with no body from 2.14.
    if not since_214:
        return Reply(falcon.HTTP_200, {"adminPass": password})
    return Reply(falcon.HTTP_200)


HANDLERS: dict[str, Entry] = {
    "evacuate": Entry(_evacuate, "evacuate"),
}
