"""The fake hypervisor: moves servers through Nova's states, and gives them a host and addresses.

With `driver_delay` 0 every transition completes inside the request that starts it. With a delay,
the request leaves the server in its transitional state (BUILD, task_state powering-off, ...) and
the transition completes on the first request after the delay (`settle`), without any thread.
Addresses and MACs are data only: nothing ever sends traffic to them.
"""

from __future__ import annotations

import datetime as dt
import json
import random

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from pocketstack.cloud.compute import action_log, server_ports, states
from pocketstack.cloud.network import private_network
from pocketstack.cloud.store.models.compute import Instance

# The network service's shared `private` network, where seeded servers' cached addresses are.
NETWORK_NAME = private_network.NAME
NETWORK_ID = private_network.NETWORK_ID
# Seeded servers' addresses: 10.0.0.0/17 and the low end of fd00:10::/64, below the pools
# that real ports on the private network draw from (network/private_network.py).
_V4_SIZE = 1 << 15

# task_state -> (vm_state, power_state) once the transition completes.
OUTCOMES: dict[str, tuple[str, int]] = {
    states.SPAWNING: (states.ACTIVE, states.RUNNING),
    states.POWERING_OFF: (states.STOPPED, states.SHUTDOWN),
    states.POWERING_ON: (states.ACTIVE, states.RUNNING),
    states.REBOOTING: (states.ACTIVE, states.RUNNING),
    states.REBOOTING_HARD: (states.ACTIVE, states.RUNNING),
    states.PAUSING: (states.PAUSED, states.POWER_PAUSED),
    states.UNPAUSING: (states.ACTIVE, states.RUNNING),
    states.SUSPENDING: (states.SUSPENDED, states.SHUTDOWN),
    states.RESUMING: (states.ACTIVE, states.RUNNING),
    states.UNSHELVING: (states.ACTIVE, states.RUNNING),
    states.RESCUING: (states.RESCUED, states.RUNNING),
    states.UNRESCUING: (states.ACTIVE, states.RUNNING),
    states.UPDATING_PASSWORD: (states.ACTIVE, states.RUNNING),
    # Nova's soft delete powers the server off; a restore powers it on.
    states.SOFT_DELETING: (states.SOFT_DELETED, states.SHUTDOWN),
    states.RESTORING: (states.ACTIVE, states.RUNNING),
    # Nova's default shelved_offload_time is 0: a shelved server is offloaded at once.
    states.SHELVING: (states.SHELVED_OFFLOADED, states.NOSTATE),
    states.SHELVING_OFFLOADING: (states.SHELVED_OFFLOADED, states.NOSTATE),
}
# Tasks whose outcome keeps the power state: (vm_state if running, vm_state if not).
POWER_KEEPING: dict[str, tuple[str, str]] = {
    states.REBUILDING: (states.ACTIVE, states.STOPPED),
    states.RESIZE_PREP: (states.RESIZED, states.RESIZED),
    states.RESIZE_REVERTING: (states.ACTIVE, states.STOPPED),
    # Only a running or paused server live-migrates.
    states.MIGRATING: (states.ACTIVE, states.PAUSED),
}
_OFFLOADING = (states.SHELVING, states.SHELVING_OFFLOADING)
# Tasks that leave the server in the state it had.
_STATE_KEEPING = (states.IMAGE_SNAPSHOT, states.IMAGE_BACKUP)


def fixed_addresses(seq: int, *, rng: random.Random | None = None) -> list[dict[str, object]]:
    """A v4 and a v6 address on the private network for the seq-th server, and a MAC."""
    rng = rng or random.Random(seq)
    # Plain arithmetic rather than ipaddress objects: seeding calls this 100k times.
    host = 2 + seq % (_V4_SIZE - 4)
    v4 = f"10.0.{host >> 8}.{host & 0xFF}"
    v6 = f"fd00:10::{2 + seq:x}"
    bits = rng.getrandbits(24)
    mac = f"fa:16:3e:{bits >> 16:02x}:{(bits >> 8) & 0xFF:02x}:{bits & 0xFF:02x}"
    return [
        {"network": NETWORK_NAME, "addr": str(v4), "version": 4, "mac": mac, "type": "fixed"},
        {"network": NETWORK_NAME, "addr": str(v6), "version": 6, "mac": mac, "type": "fixed"},
    ]


def set_addresses(row: Instance, entries: list[dict[str, object]]) -> None:
    row.addresses = json.dumps(entries)
    row.ip4 = " ".join(str(e["addr"]) for e in entries if e["version"] == 4)
    row.ip6 = " ".join(str(e["addr"]) for e in entries if e["version"] == 6)


def _complete(row: Instance, now: dt.datetime, reclaim_after: float = 0.0) -> None:
    task = row.task_state
    row.transition_due_at = None
    if task == states.DELETING:
        mark_deleted(row, now)
        return
    if task is None and row.vm_state == states.SOFT_DELETED:
        _reclaim(row, now, reclaim_after)
        return
    if task in _STATE_KEEPING:
        # The snapshot is uploaded: the server is as it was before.
        row.task_state = None
        row.updated_at = now
        return
    power_state: int | None
    if task in POWER_KEEPING:
        running, off = POWER_KEEPING[task]
        vm_state, power_state = (running if row.power_state == states.RUNNING else off), None
    elif task in OUTCOMES:
        vm_state, power_state = OUTCOMES[task]
    else:
        return
    if task in _OFFLOADING:
        # An offloaded server runs nowhere: no host until it is unshelved.
        row.host = row.node = None
        session = object_session(row)
        if session is not None:
            server_ports.rebind(session, row, now)
    if task == states.SPAWNING:
        row.launched_at = now
        row.progress = 0
    row.vm_state = vm_state
    if power_state is not None:
        row.power_state = power_state
    row.task_state = None
    row.updated_at = now
    if task == states.SOFT_DELETING:
        _reclaim(row, now, reclaim_after)


def _reclaim(row: Instance, now: dt.datetime, reclaim_after: float) -> None:
    """Nova's periodic reclaim, settled lazily: a soft-deleted server is deleted for good once
    `reclaim_after` seconds have passed since its delete (its deleted_at), never when the
    interval is 0; until then its due time waits in transition_due_at (the index settle
    probes). The interval is read when the reclaim is due, so a changed setting applies to
    servers already soft-deleted, as Nova's periodic task reads it on every run."""
    if reclaim_after <= 0:
        return
    due = (row.deleted_at or now) + dt.timedelta(seconds=reclaim_after)
    if due <= now:
        mark_deleted(row, now)
    else:
        row.transition_due_at = due


def soft_delete(row: Instance, *, now: dt.datetime, delay: float, reclaim_after: float) -> None:
    """Nova's deferred delete: powered off and kept as SOFT_DELETED, restorable until it is
    reclaimed `reclaim_after` seconds from now. A delete of a server already being deleted
    changes nothing (Nova ignores it)."""
    if row.task_state in (states.DELETING, states.SOFT_DELETING):
        return
    row.deleted_at = now
    row.progress = 0
    start_transition(row, states.SOFT_DELETING, now=now, delay=delay, reclaim_after=reclaim_after)


def mark_deleted(row: Instance, now: dt.datetime) -> None:
    """The server gone for good (a delete, a force delete, a reclaim), its ports released: every
    way there passes here, with the row in the session of the request or settle that ends it."""
    session = object_session(row)
    if session is not None:
        server_ports.release(session, row, now)
    row.vm_state = states.DELETED
    row.task_state = None
    row.power_state = states.NOSTATE
    row.deleted = True
    row.deleted_at = now
    row.terminated_at = now
    row.transition_due_at = None
    row.updated_at = now


def start_transition(
    row: Instance, task_state: str, *, now: dt.datetime, delay: float, reclaim_after: float = 0.0
) -> None:
    """Begin `task_state`; finish it now when there is no delay."""
    row.task_state = task_state
    row.updated_at = now
    if delay <= 0:
        _complete(row, now, reclaim_after)
    else:
        row.transition_due_at = now + dt.timedelta(seconds=delay)


def schedule(row: Instance, *, host: str, seq: int, networked: bool) -> None:
    """Boot a new server on the host placement chose, with made-up addresses if `networked`
    (what seeding and the driver's own tests use; a server created through the API gets its
    addresses from its ports, compute/server_ports.py).

    A server booted with `networks: none` still runs somewhere: it has a host (and so a hostId),
    only no port.
    """
    row.host = row.node = host
    if networked:
        set_addresses(row, fixed_addresses(seq))


def no_valid_host(row: Instance, *, now: dt.datetime, message: str) -> None:
    """What Nova makes of a server no host can take: ERROR, no host and no addresses, and the
    scheduler's fault (code 500, whose details only admins would see)."""
    row.vm_state = states.ERROR
    row.task_state = None
    row.power_state = states.NOSTATE
    row.host = row.node = None
    record_fault(row, now=now, message=message)


def record_fault(row: Instance, *, now: dt.datetime, message: str) -> None:
    """The scheduler's fault on the server (code 500, whose details only admins would see)."""
    row.fault_code = 500
    row.fault_message = message
    row.fault_details = None
    row.fault_created_at = now
    row.updated_at = now


def anything_due(session: Session, now: dt.datetime) -> bool:
    """Whether settle has work: one indexed probe that a read transaction can run, so that a
    request with nothing due never takes the database's write lock (SQLite's is global)."""
    probe = select(Instance.id).where(
        Instance.transition_due_at.is_not(None), Instance.transition_due_at <= now
    )
    return session.scalars(probe.limit(1)).first() is not None


def settle(session: Session, now: dt.datetime, *, reclaim_after: float = 0.0) -> None:
    """Completes every transition that is due, and reclaims the soft-deleted servers whose
    time has come (one indexed probe when none is)."""
    due = session.scalars(
        select(Instance)
        .where(Instance.transition_due_at.is_not(None), Instance.transition_due_at <= now)
        .with_for_update()
    ).all()
    for row in due:
        _complete(row, now, reclaim_after)
    if due:
        action_log.finish(session, [row.uuid for row in due], now)
