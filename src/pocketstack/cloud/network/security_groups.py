"""`/v2.0/security-groups`: list, create (one or a bulk list), show, update, delete.

A project's `default` group is made on its first use, as Neutron's
_ensure_default_security_group does: its first list of groups or rules, its first group, network
or port, or an admin acting for it (sg_store.ensure_default). Only that group is called
`default`; its name stays, and only an admin deletes it (the project's next request makes
another). A group a port is in is not deleted, nor made stateless or stateful.
"""

from __future__ import annotations

import falcon
from sqlalchemy import select

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.network import (
    access,
    attributes,
    faults,
    listing,
    policy,
    quotas,
    sg_store,
    tags,
)
from pocketstack.cloud.network.body import Creates, Update
from pocketstack.cloud.network.networks import owner_of
from pocketstack.cloud.network.sg_views import group_views
from pocketstack.cloud.store.models.network_security import SecurityGroup

LISTABLE = listing.Listable(
    collection="security_groups",
    attributes=attributes.SECURITY_GROUP,
    id_column=SecurityGroup.id,
    updated_column=SecurityGroup.updated_at,
    tagged=True,
    columns={
        "id": SecurityGroup.id, "name": SecurityGroup.name,
        "project_id": SecurityGroup.project_id, "description": SecurityGroup.description,
        "stateful": SecurityGroup.stateful, "created_at": SecurityGroup.created_at,
        "updated_at": SecurityGroup.updated_at,
        "revision_number": SecurityGroup.revision_number,
    },
)  # fmt: skip


def ensure_listed_default(deps: CloudDeps, ctx: RequestContext, query: listing.ListQuery) -> None:
    """Listing groups or rules makes the default group of the project the list is for: the
    project filtered on (its first), else the caller's (none for a caller without a project)."""
    if ctx.project_id is None:
        return
    wanted = query.filters.get("project_id")
    project = str(wanted[0]) if wanted else ctx.project_id
    sg_store.ensure_default(deps.store, ctx, project, deps.clock.now())


class SecurityGroupList:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx: RequestContext = req.context.auth
        query = listing.parse(req.query_string, LISTABLE)
        ensure_listed_default(self._deps, ctx, query)
        stmt = select(SecurityGroup).where(access.visible_groups(ctx),
                                           *listing.where(LISTABLE, query.filters))  # fmt: skip
        with self._deps.store.session() as session:
            marker = None
            if query.limit is not None and query.marker is not None:
                marker = listing.marker_of(access.group(session, ctx, query.marker), LISTABLE)
            rows = listing.keyset_page(session, stmt, LISTABLE, query, marker)
            views = group_views(session, rows)
        resp.media = listing.page_body(req, query, "security_groups", views, [r.id for r in rows])

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx: RequestContext = req.context.auth
        new = request_of(req, Creates)
        now = self._deps.clock.now()
        projects = [owner_of(ctx, item) for item in new.items]
        for project in dict.fromkeys(projects):
            sg_store.ensure_default(self._deps.store, ctx, project, now)
        with self._deps.store.session(write=True) as session:
            quotas.claim(session, "security_group", projects)
            made = [
                sg_store.new_group(session, project=project, name=item["name"],
                                   description=item["description"],
                                   stateful=item["stateful"], now=now)
                for item, project in zip(new.items, projects, strict=True)
            ]  # fmt: skip
            views = group_views(session, made)
        resp.status = falcon.HTTP_201
        resp.media = {"security_groups": views} if new.bulk else {"security_group": views[0]}


class SecurityGroupItem:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, security_group_id: str) -> None:
        with self._deps.store.session() as session:
            group = access.group(session, req.context.auth, security_group_id)
            view = group_views(session, [group])[0]
        resp.media = {"security_group": listing.select_fields(view, listing.show_fields(req))}

    def on_put(self, req: falcon.Request, resp: falcon.Response, security_group_id: str) -> None:
        ctx: RequestContext = req.context.auth
        changes = request_of(req, Update).changes
        with self._deps.store.session(write=True) as session:
            group = access.group(session, ctx, security_group_id, lock=access.UPDATE)
            if not policy.changes_group(ctx, group):
                raise faults.policy_refused("update_security_group")
            if "stateful" in changes and changes["stateful"] != group.stateful:
                sg_store.check_unused(session, group)
            if "name" in changes and group.name == sg_store.DEFAULT_NAME:
                raise faults.conflict("SecurityGroupCannotUpdateDefault",
                                      "Updating default security group not allowed.")  # fmt: skip
            for name in ("name", "description", "stateful"):
                if name in changes:
                    setattr(group, name, changes[name])
            group.revision_number += 1
            group.updated_at = self._deps.clock.now()
            session.flush()
            view = group_views(session, [group])[0]
        resp.media = {"security_group": view}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, security_group_id: str) -> None:
        ctx: RequestContext = req.context.auth
        with self._deps.store.session(write=True) as session:
            group = access.group(session, ctx, security_group_id, lock=access.UPDATE)
            if not policy.changes_group(ctx, group):
                raise faults.policy_refused("delete_security_group")
            sg_store.check_unused(session, group)
            if group.name == sg_store.DEFAULT_NAME and not ctx.is_admin:
                raise faults.conflict(
                    "SecurityGroupCannotRemoveDefault",
                    "Insufficient rights for removing default security group.",
                )
            # Its rules, the rules naming it as remote and its default marker go with it (the
            # keys' cascades).
            tags.forget(session, [group.id])
            session.delete(group)
        resp.status = falcon.HTTP_204
