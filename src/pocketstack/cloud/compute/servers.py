"""The /servers resources: list, detail, show, create, update, delete."""

from __future__ import annotations

import datetime as dt
import secrets
import string
import urllib.parse
from collections.abc import Sequence
from typing import Any

import falcon
from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.compute import (
    action_log,
    driver,
    policy,
    server_db,
    server_group_db,
    server_ports,
    states,
)
from pocketstack.cloud.compute.listing import parse_server_query
from pocketstack.cloud.compute.requests import Keep, ServerCreate, ServerUpdate
from pocketstack.cloud.compute.routing import Links, auth_of, version_of
from pocketstack.cloud.compute.server_build import create_servers
from pocketstack.cloud.compute.views import (
    ServerRenderer,
    server_detail,
    server_index,
    server_update_view,
)
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import Conflict, NotFound
from pocketstack.cloud.image import snapshots
from pocketstack.cloud.network import sg_for_servers
from pocketstack.cloud.store.models.compute import Instance


def not_found(server_id: str) -> NotFound:
    return NotFound(f"Instance {server_id} could not be found.")


def get_server(
    session: Session, ctx: RequestContext, server_id: str, *, lock: bool = False
) -> Instance:
    """A live server the caller may see; 404 otherwise (also for other projects' servers).

    Upstream answers 403 for a server of another project, which tells a caller that it exists;
    a 404 discloses nothing. `lock` holds the server's row until the transaction ends: writes of
    what hangs off a server (tags, metadata) then run one at a time per server, so that limits
    are counted right and two identical requests never insert the same row (SQLite's write
    transactions are serial anyway).
    """
    stmt = select(Instance).where(Instance.uuid == server_id, Instance.deleted.is_(False))
    if lock:
        stmt = stmt.with_for_update()
    row = session.scalars(stmt).first()
    if row is None or not policy.can_see_project(ctx, row.project_id):
        raise not_found(server_id)
    return row


def settle_if_delayed(deps: CloudDeps) -> None:
    """Finishes what is due: delayed transitions, and reclaims of soft-deleted servers."""
    reclaim_after = deps.config.reclaim_instance_interval
    # The test controls may hold a build (controls/servers.py) whatever the driver's delay.
    if deps.driver_delay <= 0 and reclaim_after <= 0 and not deps.config.test_controls:
        return
    now = deps.clock.now()
    with deps.store.session() as session:
        if not driver.anything_due(session, now):
            return
    with deps.store.session(write=True) as session:
        driver.settle(session, now, reclaim_after=reclaim_after)


def detail_of(
    session: Session, row: Instance, *, req: falcon.Request, show: bool
) -> dict[str, Any]:
    api = version_of(req)
    detail = server_detail(
        row,
        api=api,
        ctx=auth_of(req),
        links=Links(req),
        tags=server_db.load_tags(session, [row.id])[row.id],
        metadata=server_db.load_metadata(session, [row.id])[row.id],
        show=show,
        addresses=server_ports.live_addresses(session, [(row.uuid, row.addresses)]).get(row.uuid),
    )
    if "server_groups" in detail:  # 2.71: the group the server is in, if any
        detail["server_groups"] = server_group_db.group_ids_of(session, [row.uuid])[row.uuid]
    sg_for_servers.put_groups_in_views(session, auth_of(req), [detail])
    return detail


def _next_link(req: falcon.Request, collection: str, last_id: str) -> str:
    pairs = [(k, v) for k, v in urllib.parse.parse_qsl(req.query_string, keep_blank_values=True)]
    pairs = [p for p in pairs if p[0] != "marker"] + [("marker", last_id)]
    pairs.sort(key=lambda p: p[0])
    return f"{Links(req).collection(collection)}?{urllib.parse.urlencode(pairs)}"


class ServerList:
    """GET /servers and /servers/detail; POST /servers."""

    def __init__(self, deps: CloudDeps, *, detail: bool) -> None:
        self._deps = deps
        self._detail = detail

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx = auth_of(req)
        api = version_of(req)
        pairs = urllib.parse.parse_qsl(req.query_string, keep_blank_values=True)
        query = parse_server_query(pairs, api=api, ctx=ctx, detail=self._detail)
        settle_if_delayed(self._deps)
        links = Links(req)
        with self._deps.store.session() as session:
            rows: Sequence[server_db.ServerFields | server_db.ServerSummary]
            if self._detail:
                renderer = ServerRenderer(api=api, ctx=ctx, links=links)
                rows = details = server_db.list_servers(session, query, unread=renderer.unread())
                ids = [r.id for r in details]
                tags = server_db.load_tags(session, ids) if api.at_least("2.26") else {}
                metadata = server_db.load_metadata(session, ids)
                no_tags: list[str] = []
                cached = [(r.uuid, r.addresses) for r in details]
                live = server_ports.live_addresses(session, cached)
                servers = [
                    renderer.detail(r, tags=tags.get(r.id, no_tags), metadata=metadata[r.id],
                                    addresses=live.get(r.uuid))
                    for r in details
                ]  # fmt: skip
                sg_for_servers.put_groups_in_views(session, ctx, servers)
            else:
                rows = summaries = server_db.list_server_summaries(session, query)
                servers = [server_index(r, links) for r in summaries]
        body: dict[str, Any] = {"servers": servers}
        if rows and len(rows) == query.limit:
            collection = "servers/detail" if self._detail else "servers"
            body["servers_links"] = [
                {"rel": "next", "href": _next_link(req, collection, rows[-1].uuid)}
            ]
        resp.media = body

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx = auth_of(req)
        spec = request_of(req, ServerCreate)
        if spec.host is not None or spec.hypervisor_hostname is not None:
            policy.admin_api(ctx, "compute:servers:create:requested_destination")
        admin_pass = _password() if spec.admin_pass is None else spec.admin_pass
        links = Links(req)
        # Placement then sees the room that due deletes and reclaims free.
        settle_if_delayed(self._deps)
        now = self._deps.clock.now()
        with self._deps.store.session(write=True) as session:
            created = create_servers(
                session, spec, ctx=ctx, now=now, delay=self._deps.driver_delay,
                test_controls=self._deps.config.test_controls,
            )  # fmt: skip
            for row in created.rows:
                _log(req, session, row, "create", now)
        resp.status = falcon.HTTP_202
        if spec.return_reservation_id:
            resp.media = {"reservation_id": created.reservation_id}
            return
        server: dict[str, Any] = {
            "id": created.first_id,
            "links": links.pair("servers", created.first_id),
            "OS-DCF:diskConfig": "AUTO" if spec.auto_disk_config else "MANUAL",
            "security_groups": [{"name": name} for name in spec.security_groups],
            "adminPass": admin_pass,
        }
        resp.set_header("Location", links.self_href("servers", created.first_id))
        resp.media = {"server": server}


def _password() -> str:
    # Nova's generated admin password: 12 letters and digits.
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(12))


class ServerItem:
    """GET/PUT/DELETE /servers/{server_id}."""

    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, server_id: str) -> None:
        ctx = auth_of(req)
        settle_if_delayed(self._deps)
        with self._deps.store.session() as session:
            row = get_server(session, ctx, server_id)
            resp.media = {"server": detail_of(session, row, req=req, show=True)}

    def on_put(self, req: falcon.Request, resp: falcon.Response, server_id: str) -> None:
        ctx = auth_of(req)
        api = version_of(req)
        update = request_of(req, ServerUpdate)
        with self._deps.store.session(write=True) as session:
            row = get_server(session, ctx, server_id)
            _apply(row, update)
            row.updated_at = self._deps.clock.now()
            session.flush()
            view = server_update_view(
                row, api=api, ctx=ctx, links=Links(req),
                tags=server_db.load_tags(session, [row.id])[row.id],
                metadata=server_db.load_metadata(session, [row.id])[row.id],
            )  # fmt: skip
        resp.media = {"server": view}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, server_id: str) -> None:
        ctx = auth_of(req)
        # A build that is due has ended (and ran) before the delete looks at the server.
        settle_if_delayed(self._deps)
        now = self._deps.clock.now()
        with self._deps.store.session(write=True) as session:
            row = get_server(session, ctx, server_id)
            check_not_locked(ctx, row)
            if row.shelved_image_id is not None:
                # Nova deletes a shelved server's image with it.
                snapshots.delete(self._deps, session, row.shelved_image_id)
                row.shelved_image_id = None
            config = self._deps.config
            if config.test_controls and _delete_fails(session, row, now):
                _log(req, session, row, "delete", now)
                resp.status = falcon.HTTP_204
                return
            # Nova soft-deletes only a server that ran once on a host; any other goes at once.
            ran = row.launched_at is not None and row.host is not None
            if config.reclaim_instance_interval > 0 and ran:
                driver.soft_delete(
                    row, now=now, delay=self._deps.driver_delay,
                    reclaim_after=config.reclaim_instance_interval,
                )  # fmt: skip
                _log(req, session, row, "delete", now, event="compute_soft_delete_instance")
                resp.status = falcon.HTTP_204
                return
            if self._deps.driver_delay > 0:
                driver.start_transition(
                    row, states.DELETING, now=now, delay=self._deps.driver_delay
                )
            else:
                driver.mark_deleted(row, now)
            _log(req, session, row, "delete", now)
        resp.status = falcon.HTTP_204


def _delete_fails(session: Session, row: Instance, now: dt.datetime) -> bool:
    """A test-controls rule failing this delete: the server is left in ERROR with the fault,
    as Nova's compute leaves one whose termination failed."""
    from pocketstack.cloud.controls.servers import on_delete

    fault = on_delete(session, row.uuid, row.project_id)
    if fault is None:
        return False
    row.vm_state = states.ERROR
    row.task_state = None
    row.transition_due_at = None
    driver.record_fault(row, now=now, message=fault)
    return True


def _log(
    req: falcon.Request,
    session: Session,
    row: Instance,
    action: str,
    now: dt.datetime,
    *,
    event: str | None = None,
) -> None:
    action_log.record(
        session, instance_uuid=row.uuid, action=action, ctx=auth_of(req),
        request_id=getattr(req.context, "request_id", ""), now=now, host=row.host,
        done=row.task_state is None, event=event,
    )  # fmt: skip


def _apply(row: Instance, update: ServerUpdate) -> None:
    if update.name is not None:
        row.display_name = update.name
    if update.description is not Keep.KEEP:
        row.display_description = update.description
    if update.hostname is not None:
        row.hostname = update.hostname
    if update.access_ip_v4 is not None:
        row.access_ip_v4 = update.access_ip_v4
    if update.access_ip_v6 is not None:
        row.access_ip_v6 = update.access_ip_v6
    if update.auto_disk_config is not None:
        row.auto_disk_config = update.auto_disk_config


def check_not_locked(ctx: RequestContext, row: Instance) -> None:
    if row.locked and not ctx.is_admin:
        raise Conflict(f"Instance {row.uuid} is locked")
