"""os-aggregates: host aggregates, their hosts and metadata, and the availability zones they make.

As in Nova, an aggregate whose metadata has `availability_zone` puts its hosts in that zone; a
host may be in several aggregates only if their zones agree, and a change that would move a host
holding servers to another zone is refused (the servers' recorded zone would be wrong). Here
"another zone" compares effective zones (compute/fleet.py): the configured zone stands for
Nova's default zone, so joining an aggregate of the zone a host is already in moves nothing.

Statuses as Nova answers them: a host that is no compute host 404; add_host 409 for a host
already there or a zone conflict; remove_host 404 for a host not there, 409 for servers that
would move; update and set_metadata 400 for a zone conflict; delete 400 while hosts remain.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import falcon
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.compute import aggregate_db, fleet, policy
from pocketstack.cloud.compute.aggregate_db import AggregateView, not_found
from pocketstack.cloud.compute.api.aggregates import (
    RULES,
    UUID_SINCE,
    ZONE_KEY,
    AggregateAction,
    AggregateUpdate,
    HostChange,
    ImageCache,
    MetadataChange,
    NewAggregate,
)
from pocketstack.cloud.compute.microversion import ApiVersion
from pocketstack.cloud.compute.requests import Keep
from pocketstack.cloud.compute.routing import auth_of, version_of
from pocketstack.cloud.compute.servers import settle_if_delayed
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import BadRequest, Conflict, NotFound
from pocketstack.cloud.image import lookup
from pocketstack.cloud.inputs import MAX_INT
from pocketstack.cloud.store.models.aggregate import Aggregate, AggregateHost, AggregateMetadata
from pocketstack.cloud.store.models.fleet import ComputeService

_UUID_SINCE = f"{UUID_SINCE[0]}.{UUID_SINCE[1]}"


def _time(when: dt.datetime | None) -> str | None:
    # Nova's aggregates show naive UTC with microseconds.
    if when is None:
        return None
    return when.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def view(aggregate: AggregateView, api: ApiVersion, *, members: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {
        "availability_zone": aggregate.availability_zone,
        "created_at": _time(aggregate.created_at),
        "deleted": False,
        "deleted_at": None,
        "id": aggregate.id,
        "name": aggregate.name,
        "updated_at": _time(aggregate.updated_at),
    }
    if members:
        body["hosts"] = list(aggregate.hosts)
        body["metadata"] = dict(aggregate.metadata)
    if api.at_least(_UUID_SINCE):
        body["uuid"] = aggregate.uuid
    return body


def parse_id(text: str) -> int:
    """The path's id as Nova reads it (an integer, maybe signed); 400 for anything else, 404
    for one no aggregate can have (out of the column's range)."""
    stripped = text.strip()
    digits = stripped[1:] if stripped[:1] in ("+", "-") else stripped
    if not digits or not digits.isascii() or not digits.isdigit():
        raise BadRequest("Invalid input received: id must be an integer")
    digits = digits.lstrip("0") or "0"
    if len(digits) > len(str(MAX_INT)) or int(digits) > MAX_INT or stripped[:1] == "-":
        # No aggregate has a negative id either (tempest asks for -1).
        raise not_found(text)
    return int(digits)


class AggregateList:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        api = version_of(req)
        with self._deps.store.session() as session:
            found = aggregate_db.load(session)
        # Nova does not page aggregates: there are few.
        resp.media = {"aggregates": [view(agg, api) for agg in found]}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        spec = request_of(req, NewAggregate)
        try:
            with self._deps.store.session(write=True) as session:
                row = Aggregate(
                    uuid=str(uuid.uuid4()), name=spec.name, created_at=self._deps.clock.now()
                )
                session.add(row)
                # The name's unique key refuses a duplicate here (a name frees up on delete).
                session.flush()
                if spec.availability_zone:
                    session.add(
                        AggregateMetadata(
                            aggregate_id=row.id, key=ZONE_KEY, value=spec.availability_zone
                        )
                    )
                    session.flush()
                created = aggregate_db.load_one(session, row.id)
        except IntegrityError:
            raise Conflict(f"Aggregate {spec.name} already exists.") from None
        resp.media = {"aggregate": view(created, version_of(req), members=False)}


class AggregateItem:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, aggregate_id: str) -> None:
        ident = parse_id(aggregate_id)
        with self._deps.store.session() as session:
            found = aggregate_db.load_one(session, ident)
        resp.media = {"aggregate": view(found, version_of(req))}

    def on_put(self, req: falcon.Request, resp: falcon.Response, aggregate_id: str) -> None:
        spec = request_of(req, AggregateUpdate)
        ident = parse_id(aggregate_id)
        # Zone moves count the hosts' servers: reclaims that are due happen first.
        settle_if_delayed(self._deps)
        try:
            with self._deps.store.session(write=True) as session:
                row = aggregate_db.lock(session, ident)
                if spec.name is not None:
                    row.name = spec.name
                    session.flush()
                if spec.availability_zone is not Keep.KEEP:
                    zone = spec.availability_zone
                    hosts = _check_zone(session, row, zone, f"Cannot update aggregate {ident}")
                    aggregate_db.set_metadata(session, ident, {ZONE_KEY: zone})
                    fleet.sync_zones(session, hosts, self._deps.config.hosts)
                row.updated_at = self._deps.clock.now()
                session.flush()
                updated = aggregate_db.load_one(session, ident)
        except IntegrityError:
            raise Conflict(f"Aggregate {spec.name} already exists.") from None
        resp.media = {"aggregate": view(updated, version_of(req))}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, aggregate_id: str) -> None:
        ident = parse_id(aggregate_id)
        with self._deps.store.session(write=True) as session:
            row = aggregate_db.lock(session, ident)
            # Under the aggregate's lock: no host joins meanwhile.
            if aggregate_db.hosts_of(session, ident):
                raise BadRequest(
                    f"Cannot remove host from aggregate {ident}. Reason: Host aggregate is not"
                    " empty."
                )
            session.execute(
                delete(AggregateMetadata).where(AggregateMetadata.aggregate_id == ident)
            )
            # The row goes: its name is free for a new aggregate at once.
            session.delete(row)
        resp.status = falcon.HTTP_200


def _check_zone(
    session: Session, row: Aggregate, zone: str | None, refusal: str
) -> list[ComputeService]:
    """Nova's checks of a new zone for an aggregate (400s, prefixed with `refusal`): not empty,
    not in conflict with another aggregate of one of its hosts, and moving no host that holds
    servers to another zone. The aggregate's hosts' services, locked, for the caller to update."""
    if not zone:
        raise BadRequest(
            f"{refusal}. Reason: Aggregate {row.name} does not support empty named availability"
            " zone."
        )
    rows = aggregate_db.lock_compute_hosts(session, aggregate_db.hosts_of(session, row.id))
    others = fleet.aggregate_zones(session, [r.host for r in rows], excluding=row.id)
    conflicting = sorted({z for zones in others.values() for z in zones if z != zone})
    if conflicting:
        zones = repr(conflicting)
        raise BadRequest(
            f"{refusal}. Reason: One or more hosts already in availability zone(s) {zones}."
        )
    moving = [r.host for r in rows if r.availability_zone != zone]
    if aggregate_db.servers_on(session, moving):
        raise BadRequest(f"{refusal}. Reason: One or more hosts contain instances in this zone.")
    return rows


def _moving_servers(verb: str, ident: int, old: str, new: str, count: int) -> Conflict:
    preposition = "to" if verb == "add" else "from"
    return Conflict(
        f"Cannot {verb} host {preposition} aggregate {ident}. Reason: the host's availability"
        f" zone would change from '{old}' to '{new}' while it holds {count} instance(s), and a"
        " server cannot change zones this way; move them away first (shelve_offload and"
        " unshelve move a server to another zone)."
    )


class AggregateActions:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_post(self, req: falcon.Request, resp: falcon.Response, aggregate_id: str) -> None:
        action = request_of(req, AggregateAction)
        settle_if_delayed(self._deps)
        if isinstance(action, HostChange):
            name = "add_host" if action.add else "remove_host"
        else:
            name = "set_metadata"
        # Each action has its own rule, checked once the body names it (as Nova does).
        policy.admin_api(auth_of(req), RULES[name])
        ident = parse_id(aggregate_id)
        if isinstance(action, HostChange) and action.add:
            found = self._add_host(ident, action.host)
        elif isinstance(action, HostChange):
            found = self._remove_host(ident, action.host)
        else:
            assert isinstance(action, MetadataChange)
            found = self._set_metadata(ident, action.metadata)
        resp.media = {"aggregate": view(found, version_of(req))}

    def _add_host(self, ident: int, host: str) -> AggregateView:
        try:
            with self._deps.store.session(write=True) as session:
                aggregate_db.lock(session, ident)
                rows = aggregate_db.lock_compute_hosts(session, [host])
                if not rows:
                    raise NotFound(f"Compute host {host} could not be found.")
                zone = aggregate_db.metadata_of(session, ident).get(ZONE_KEY)
                if zone:
                    others = fleet.aggregate_zones(session, [host], excluding=ident)
                    conflicting = sorted(others.get(host, set()) - {zone})
                    if conflicting:
                        raise Conflict(
                            f"Cannot add host to aggregate {ident}. Reason: One or more hosts"
                            f" already in availability zone(s) {conflicting!r}."
                        )
                    current = rows[0].availability_zone
                    count = aggregate_db.servers_on(session, [host]).get(host, 0)
                    if zone != current and count:
                        raise _moving_servers("add", ident, current, zone, count)
                session.add(AggregateHost(aggregate_id=ident, host=host))
                # A host already there is the unique key's refusal, never a look beforehand.
                session.flush()
                fleet.sync_zones(session, rows, self._deps.config.hosts)
                return aggregate_db.load_one(session, ident)
        except IntegrityError:
            raise Conflict(f"Aggregate {ident} already has host {host}.") from None

    def _remove_host(self, ident: int, host: str) -> AggregateView:
        missing = NotFound(f"Cannot remove host {host} in aggregate {ident}")
        with self._deps.store.session(write=True) as session:
            aggregate_db.lock(session, ident, missing=missing)
            rows = aggregate_db.lock_compute_hosts(session, [host])
            if not rows or host not in aggregate_db.hosts_of(session, ident):
                raise missing
            current = rows[0].availability_zone
            after = fleet.effective_zone(
                fleet.aggregate_zones(session, [host], excluding=ident).get(host),
                fleet.configured_zone(self._deps.config.hosts, host),
            )
            count = aggregate_db.servers_on(session, [host]).get(host, 0)
            if after != current and count:
                raise _moving_servers("remove", ident, current, after, count)
            session.execute(
                delete(AggregateHost).where(
                    AggregateHost.aggregate_id == ident, AggregateHost.host == host
                )
            )
            fleet.sync_zones(session, rows, self._deps.config.hosts)
            return aggregate_db.load_one(session, ident)

    def _set_metadata(self, ident: int, changes: dict[str, str | None]) -> AggregateView:
        with self._deps.store.session(write=True) as session:
            row = aggregate_db.lock(session, ident)
            hosts: list[ComputeService] = []
            if ZONE_KEY in changes:
                refusal = f"Cannot update metadata of aggregate {ident}"
                hosts = _check_zone(session, row, changes[ZONE_KEY], refusal)
            aggregate_db.set_metadata(session, ident, changes)
            fleet.sync_zones(session, hosts, self._deps.config.hosts)
            row.updated_at = self._deps.clock.now()
            session.flush()
            return aggregate_db.load_one(session, ident)


class AggregateImages:
    """POST /os-aggregates/{id}/images (2.81): Nova asks each host to cache the images.

    The fake driver has no image cache, so once the request checks out there is nothing to do:
    the answer is Nova's 202 all the same, as clients wait for nothing after it.
    """

    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_post(self, req: falcon.Request, resp: falcon.Response, aggregate_id: str) -> None:
        spec = request_of(req, ImageCache)
        ident = parse_id(aggregate_id)
        ctx = auth_of(req)
        with self._deps.store.session() as session:
            aggregate_db.load_one(session, ident)
            for image_id in spec.image_ids:
                found = lookup.find_visible(
                    session, image_id, project_id=ctx.project_id, is_admin=ctx.is_admin
                )
                if found is None:
                    raise BadRequest(f"Image {image_id} could not be found.")
        resp.status = falcon.HTTP_202
