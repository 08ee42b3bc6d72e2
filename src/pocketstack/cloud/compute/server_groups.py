"""GET/POST /os-server-groups, GET/DELETE /os-server-groups/{id}.

A list is the caller's project's groups in creation order (every project's for an admin asking
`all_projects`, whatever its value, as Nova), cut by Nova's `limit` and `offset`; `marker` (the
id of the last group seen) pages by key instead, so that a late page costs what the first does.
"""

from __future__ import annotations

import json
import urllib.parse
import uuid
from collections.abc import Sequence
from typing import Any

import falcon
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.compute import quota_limits, quotas
from pocketstack.cloud.compute.api.server_groups import (
    ALL_PROJECTS,
    LIST_PARAMETERS,
    NewServerGroup,
)
from pocketstack.cloud.compute.listing import MAX_LIMIT
from pocketstack.cloud.compute.microversion import ApiVersion
from pocketstack.cloud.compute.routing import auth_of, refuse_unknown_params, version_of
from pocketstack.cloud.compute.server_group_db import get_group, members_of, not_found, rules_of
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import BadRequest, NotFound
from pocketstack.cloud.inputs import MAX_INT, decimal, shown
from pocketstack.cloud.store.models.server_group import ServerGroup


def view(group: ServerGroup, members: list[str], api: ApiVersion) -> dict[str, Any]:
    body: dict[str, Any] = {"id": group.uuid, "name": group.name}
    if api.at_least("2.64"):
        body["policy"] = group.policy
        body["rules"] = rules_of(group)
    else:
        body["policies"] = [group.policy]
        # Nova's metadata was never used: always empty, and gone from 2.64.
        body["metadata"] = {}
    body["members"] = members
    if api.at_least("2.13"):
        body["project_id"] = group.project_id
        body["user_id"] = group.user_id
    return body


def _count(value: str, name: str) -> int:
    """Nova's non-negative integer of a query (any size: a limit is capped, an offset past the
    end is an empty page)."""
    number = decimal(value, cap=MAX_INT)
    if number is None:
        raise BadRequest(
            f"Invalid input for field/attribute {name}. Value: {shown(value)}."
            f" {shown(value)} does not match '^[0-9]*$'"
        )
    return number


def _query(req: falcon.Request, api: ApiVersion) -> dict[str, str]:
    """The list's parameters, the last value of each (as Nova reads them); every value of limit
    and offset checked; unknown ones refused from 2.75, ignored before."""
    pairs = urllib.parse.parse_qsl(req.query_string, keep_blank_values=True)
    params: dict[str, str] = {}
    for key, value in pairs:
        if key in ("limit", "offset"):
            _count(value, key)
        params[key] = value
    if api.at_least("2.75"):
        refuse_unknown_params(params, LIST_PARAMETERS)
    return params


def _page(session: Session, ctx: RequestContext, params: dict[str, str]) -> Sequence[ServerGroup]:
    stmt = select(ServerGroup)
    if "all_projects" in params and ctx.is_admin:
        if ALL_PROJECTS.check is not None:
            ALL_PROJECTS.check(ctx, ALL_PROJECTS.name)
    else:
        stmt = stmt.where(ServerGroup.project_id == (ctx.project_id or ""))
    marker = params.get("marker")
    if marker is not None:
        # The marker must be a group this same listing shows.
        seen = session.scalars(stmt.where(ServerGroup.uuid == marker)).first()
        if seen is None:
            quoted = marker if len(marker) <= 80 else marker[:77] + "..."
            raise BadRequest(f"marker [{quoted}] not found")
        stmt = stmt.where(ServerGroup.id > seen.id)
    limit = _count(params["limit"], "limit") if "limit" in params else 0
    # 0 (or none) is the most Nova gives, as a larger one.
    limit = min(limit or MAX_LIMIT, MAX_LIMIT)
    offset = _count(params["offset"], "offset") if "offset" in params else 0
    return session.scalars(stmt.order_by(ServerGroup.id).offset(offset).limit(limit)).all()


class ServerGroupList:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx = auth_of(req)
        api = version_of(req)
        params = _query(req, api)
        with self._deps.store.session() as session:
            groups = _page(session, ctx, params)
            members = members_of(session, [g.id for g in groups])
        resp.media = {"server_groups": [view(g, members[g.id], api) for g in groups]}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx = auth_of(req)
        api = version_of(req)
        new = request_of(req, NewServerGroup)
        if new.rules and new.policy != "anti-affinity":
            raise BadRequest("Only anti-affinity policy supports rules.")
        # os-server-groups:create is declared project-scoped: a token without one never gets here.
        assert ctx.project_id is not None
        project_id = ctx.project_id
        group = ServerGroup(
            uuid=str(uuid.uuid4()), name=new.name, project_id=project_id, user_id=ctx.user_id,
            policy=new.policy, rules=json.dumps(new.rules), created_at=self._deps.clock.now(),
        )  # fmt: skip
        with self._deps.store.session(write=True) as session:
            quotas.check_server_groups(
                session,
                project_id=project_id,
                count=lambda: quota_limits.server_group_count(session, project_id),
                user_id=ctx.user_id,
            )
            session.add(group)
            session.flush()
        resp.media = {"server_group": view(group, [], api)}


class ServerGroupItem:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, server_group_id: str) -> None:
        ctx = auth_of(req)
        with self._deps.store.session() as session:
            group = get_group(session, ctx, server_group_id)
            members = members_of(session, [group.id])[group.id]
        resp.media = {"server_group": view(group, members, version_of(req))}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, server_group_id: str) -> None:
        ctx = auth_of(req)
        with self._deps.store.session(write=True) as session:
            group = get_group(session, ctx, server_group_id)
            # Conditional: of two concurrent deletes, the second finds nothing to delete. The
            # members go with the group (ON DELETE CASCADE); the servers stay.
            gone = session.execute(delete(ServerGroup).where(ServerGroup.id == group.id))
            if getattr(gone, "rowcount", 0) == 0:
                raise NotFound(not_found(server_group_id))
        resp.status = falcon.HTTP_204
