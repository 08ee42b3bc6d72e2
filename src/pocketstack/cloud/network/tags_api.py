"""`/v2.0/<collection>/{id}/tags[/{tag}]` (Neutron's standard-attr-tag) for networks, subnets,
ports, routers, floating IPs, security groups and subnet pools: list, replace, clear, check, add,
remove.

Policy (neutron/conf/policies/*.py, `get_<collection>_tags` and the like): whoever sees the
resource reads its tags; whoever may update it changes them. A resource the caller may not see
is missing (404); one they see but may not change is PolicyNotAuthorized (403). A change of the
tags is a change of the resource: its revision_number and updated_at move.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import falcon
from sqlalchemy.orm import Session

from pocketstack.cloud.api.operation import Microversion
from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.network import access, faults, l3_views, policy, subnetpool_access, tags


@dataclasses.dataclass(frozen=True)
class Target:
    row: Any
    may_change: bool


Find = Callable[[Session, RequestContext, str, bool], Target]


def _network(session: Session, ctx: RequestContext, rid: str, lock: bool) -> Target:
    net = access.network(session, ctx, rid, lock=access.UPDATE if lock else None)
    return Target(net, policy.changes_network(ctx, net))


def _subnet(session: Session, ctx: RequestContext, rid: str, lock: bool) -> Target:
    subnet, net = access.subnet(session, ctx, rid, lock=access.UPDATE if lock else None)
    return Target(subnet, policy.changes_subnet(ctx, subnet, net))


def _port(session: Session, ctx: RequestContext, rid: str, lock: bool) -> Target:
    port, _net = access.port(session, ctx, rid, lock=lock)
    return Target(port, policy.updates_port(ctx, port))


def _router(session: Session, ctx: RequestContext, rid: str, lock: bool) -> Target:
    router = l3_views.router(session, ctx, rid, lock=access.UPDATE if lock else None)
    return Target(router, l3_views.changes(ctx, router.project_id))


def _floatingip(session: Session, ctx: RequestContext, rid: str, lock: bool) -> Target:
    fip = l3_views.floatingip(session, ctx, rid, lock=access.UPDATE if lock else None)
    return Target(fip, l3_views.changes(ctx, fip.project_id))


def _group(session: Session, ctx: RequestContext, rid: str, lock: bool) -> Target:
    group = access.group(session, ctx, rid, lock=access.UPDATE if lock else None)
    return Target(group, policy.changes_group(ctx, group))


def _subnetpool(session: Session, ctx: RequestContext, rid: str, lock: bool) -> Target:
    pool = subnetpool_access.pool(session, ctx, rid, lock=access.UPDATE if lock else None)
    return Target(pool, subnetpool_access.changes(ctx, pool))


@dataclasses.dataclass(frozen=True)
class Kind:
    """A taggable resource: its collection in the path, its name in Neutron's messages and its
    policy rules' names."""

    collection: str
    singular: str
    rules: str
    find: Find

    @property
    def id_field(self) -> str:
        """The id's name in the resource's routes (falcon wants one name per position)."""
        return f"{self.singular}_id"


KINDS = (
    Kind("networks", "network", "networks", _network),
    Kind("subnets", "subnet", "subnets", _subnet),
    Kind("ports", "port", "ports", _port),
    Kind("routers", "router", "routers", _router),
    Kind("floatingips", "floatingip", "floatingips", _floatingip),
    Kind("security-groups", "security_group", "security_groups", _group),
    Kind("subnetpools", "subnetpool", "subnetpools", _subnetpool),
)


def _resource_id(req: falcon.Request, resp: falcon.Response, resource: Any,
                 params: dict[str, Any]) -> None:  # fmt: skip
    """The route's `<singular>_id` handed to the responders as `resource_id`."""
    params["resource_id"] = params.pop(resource.kind.id_field)


@dataclasses.dataclass(frozen=True)
class NewTags:
    tags: list[str]


def parse_tags(body: Any, version: Microversion | None) -> NewTags:
    return NewTags(tags.check_tags(body))


def _not_found(kind: Kind, resource_id: str, tag: str) -> faults.NeutronError:
    return faults.not_found("TagNotFound", f"Tag {tag} could not be found for {kind.singular}"
                            f" {resource_id}.")  # fmt: skip


class _Base:
    def __init__(self, deps: CloudDeps, kind: Kind) -> None:
        self._deps = deps
        self.kind = kind

    def _changing(self, session: Session, ctx: RequestContext, resource_id: str,
                  rule: str) -> Target:  # fmt: skip
        target = self.kind.find(session, ctx, resource_id, True)
        if not target.may_change:
            raise faults.policy_refused(f"{rule}_{self.kind.rules}_tags")
        return target

    def _changed(self, target: Target) -> None:
        target.row.revision_number += 1
        target.row.updated_at = self._deps.clock.now()


@falcon.before(_resource_id)
class TagList(_Base):
    def on_get(self, req: falcon.Request, resp: falcon.Response, resource_id: str) -> None:
        with self._deps.store.session() as session:
            self.kind.find(session, req.context.auth, resource_id, False)
            resp.media = {"tags": tags.tags_of(session, [resource_id])[resource_id]}

    def on_put(self, req: falcon.Request, resp: falcon.Response, resource_id: str) -> None:
        wanted = request_of(req, NewTags).tags
        with self._deps.store.session(write=True) as session:
            target = self._changing(session, req.context.auth, resource_id, "update")
            if tags.replace(session, resource_id, wanted):
                self._changed(target)
            resp.media = {"tags": tags.tags_of(session, [resource_id])[resource_id]}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, resource_id: str) -> None:
        with self._deps.store.session(write=True) as session:
            target = self._changing(session, req.context.auth, resource_id, "delete")
            if tags.remove(session, resource_id):
                self._changed(target)
        resp.status = falcon.HTTP_204


@falcon.before(_resource_id)
class TagItem(_Base):
    def on_get(self, req: falcon.Request, resp: falcon.Response, resource_id: str,
               tag: str) -> None:  # fmt: skip
        with self._deps.store.session() as session:
            self.kind.find(session, req.context.auth, resource_id, False)
            if not tags.has(session, resource_id, tag):
                raise _not_found(self.kind, resource_id, tag)
        resp.status = falcon.HTTP_204

    def on_put(self, req: falcon.Request, resp: falcon.Response, resource_id: str,
               tag: str) -> None:  # fmt: skip
        tags.check_tag(tag)
        with self._deps.store.session(write=True) as session:
            target = self._changing(session, req.context.auth, resource_id, "create")
            if tags.add(session, resource_id, tag):
                self._changed(target)
        resp.status = falcon.HTTP_201

    def on_delete(self, req: falcon.Request, resp: falcon.Response, resource_id: str,
                  tag: str) -> None:  # fmt: skip
        with self._deps.store.session(write=True) as session:
            target = self._changing(session, req.context.auth, resource_id, "delete")
            if not tags.remove(session, resource_id, tag):
                raise _not_found(self.kind, resource_id, tag)
            self._changed(target)
        resp.status = falcon.HTTP_204


def routes(deps: CloudDeps) -> dict[str, object]:
    found: dict[str, object] = {}
    for kind in KINDS:
        base = f"/v2.0/{kind.collection}/{{{kind.id_field}}}/tags"
        found[base] = TagList(deps, kind)
        found[f"{base}/{{tag}}"] = TagItem(deps, kind)
    return found
