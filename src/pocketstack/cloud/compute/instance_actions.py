"""GET /servers/{id}/os-instance-actions and .../{request_id}: the instance action log.

Newest first, paged from 2.58 by keyset on (created_at, id) with the marker a request id; the
events of an action by policy and microversion (traceback, host and details for admins).
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from typing import Any

import falcon
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.compute import policy
from pocketstack.cloud.compute.listing import parse_time
from pocketstack.cloud.compute.microversion import ApiVersion
from pocketstack.cloud.compute.routing import Links, auth_of, version_of
from pocketstack.cloud.compute.servers import settle_if_delayed
from pocketstack.cloud.compute.views import host_id
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import BadRequest, NotFound
from pocketstack.cloud.inputs import decimal, shown
from pocketstack.cloud.store.models.compute import Instance
from pocketstack.cloud.store.models.instance_action import InstanceAction, InstanceActionEvent

MAX_LIMIT = 1000


def _time(when: dt.datetime | None) -> str | None:
    if when is None:
        return None
    return when.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def _server(session: Session, ctx: RequestContext, api: ApiVersion, server_id: str) -> Instance:
    stmt = select(Instance).where(Instance.uuid == server_id)
    # From 2.21 the log of a deleted server can be read too.
    if not api.at_least("2.21"):
        stmt = stmt.where(Instance.deleted.is_(False))
    row = session.scalars(stmt).first()
    if row is None or not policy.can_see_project(ctx, row.project_id):
        raise NotFound(f"Instance {server_id} could not be found.")
    return row


def _action_view(action: InstanceAction, api: ApiVersion) -> dict[str, Any]:
    view: dict[str, Any] = {
        "action": action.action,
        "instance_uuid": action.instance_uuid,
        "message": action.message,
        "project_id": action.project_id,
        "request_id": action.request_id,
        "start_time": _time(action.start_time),
        "user_id": action.user_id,
    }
    if api.at_least("2.58"):
        view["updated_at"] = _time(action.updated_at)
    return view


def _event_view(
    event: InstanceActionEvent, api: ApiVersion, *, admin: bool, project_id: str
) -> dict[str, Any]:
    view: dict[str, Any] = {
        "event": event.event,
        "start_time": _time(event.start_time),
        "finish_time": _time(event.finish_time),
        "result": event.result,
    }
    if admin:
        view["traceback"] = event.traceback
    if api.at_least("2.62"):
        view["hostId"] = host_id(project_id, event.host) if event.host else ""
        if admin:
            view["host"] = event.host or ""
    if api.at_least("2.84") and admin:
        view["details"] = event.details
    return view


def _limit(value: str) -> int:
    number = decimal(value, cap=MAX_LIMIT)
    if number is None:
        raise BadRequest(
            f"Invalid input for query parameters limit. Value: {shown(value)}. "
            f"{shown(value)} does not match '^[0-9]*$'"
        )
    return number


class InstanceActions:
    """GET /servers/{server_id}/os-instance-actions."""

    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, server_id: str) -> None:
        ctx, api = auth_of(req), version_of(req)
        params = dict(urllib.parse.parse_qsl(req.query_string, keep_blank_values=True))
        paged = api.at_least("2.58")
        limit = _limit(params["limit"]) if paged and "limit" in params else MAX_LIMIT
        settle_if_delayed(self._deps)
        with self._deps.store.session() as session:
            row = _server(session, ctx, api, server_id)
            stmt = select(InstanceAction).where(InstanceAction.instance_uuid == row.uuid)
            if paged and "changes-since" in params:
                since = parse_time("changes-since", params["changes-since"])
                stmt = stmt.where(InstanceAction.updated_at >= since)
            if api.at_least("2.66") and "changes-before" in params:
                before = parse_time("changes-before", params["changes-before"])
                stmt = stmt.where(InstanceAction.updated_at <= before)
            if paged and "marker" in params:
                marker = session.scalars(
                    select(InstanceAction).where(
                        InstanceAction.instance_uuid == row.uuid,
                        InstanceAction.request_id == params["marker"],
                    )
                ).first()
                if marker is None:
                    raise BadRequest(f"Marker {params['marker']} could not be found.")
                # The plain bound lets the (instance_uuid, created_at, id) index start at the
                # marker; the OR alone is a filter over every earlier action of the server.
                stmt = stmt.where(
                    InstanceAction.created_at <= marker.created_at,
                    or_(
                        InstanceAction.created_at < marker.created_at,
                        and_(
                            InstanceAction.created_at == marker.created_at,
                            InstanceAction.id < marker.id,
                        ),
                    )
                )
            actions = session.scalars(
                stmt.order_by(InstanceAction.created_at.desc(), InstanceAction.id.desc()).limit(
                    limit
                )
            ).all()
            body: dict[str, Any] = {"instanceActions": [_action_view(a, api) for a in actions]}
        if paged and actions and len(actions) == limit:
            query = urllib.parse.urlencode({"limit": limit, "marker": actions[-1].request_id})
            href = Links(req).collection(f"servers/{server_id}/os-instance-actions")
            body["links"] = [{"rel": "next", "href": f"{href}?{query}"}]
        resp.media = body


class InstanceActionItem:
    """GET /servers/{server_id}/os-instance-actions/{request_id}."""

    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(
        self, req: falcon.Request, resp: falcon.Response, server_id: str, request_id: str
    ) -> None:
        ctx, api = auth_of(req), version_of(req)
        settle_if_delayed(self._deps)
        with self._deps.store.session() as session:
            row = _server(session, ctx, api, server_id)
            action = session.scalars(
                select(InstanceAction).where(
                    InstanceAction.instance_uuid == row.uuid,
                    InstanceAction.request_id == request_id,
                )
            ).first()
            if action is None:
                raise NotFound(
                    f"Action for request_id {request_id} on instance {server_id} not found"
                )
            view = _action_view(action, api)
            # Before 2.51 only those the events rule allows (admins) see the events at all.
            if ctx.is_admin or api.at_least("2.51"):
                events = session.scalars(
                    select(InstanceActionEvent)
                    .where(InstanceActionEvent.action_id == action.id)
                    .order_by(InstanceActionEvent.id)
                ).all()
                view["events"] = [
                    _event_view(e, api, admin=ctx.is_admin, project_id=row.project_id)
                    for e in events
                ]
        resp.media = {"instanceAction": view}
