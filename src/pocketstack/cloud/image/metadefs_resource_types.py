"""Resource types (/v2/metadefs/resource_types) and a namespace's associations with them
(/v2/metadefs/namespaces/{namespace}/resource_types): which kinds of resource (images,
flavors, volumes, ...) a namespace's properties apply to, and with what prefix."""

from __future__ import annotations

import datetime as dt
from typing import Any

import falcon
from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import Conflict, NotFound
from pocketstack.cloud.image import metadefs_common as common
from pocketstack.cloud.image import metadefs_schema as schema
from pocketstack.cloud.image.metadefs_objects import check_name
from pocketstack.cloud.store.models.metadef import (
    MetadefNamespace,
    MetadefNamespaceResourceType,
    MetadefResourceType,
)

_READ_ONLY = ("created_at", "updated_at")


def duplicate(namespace: str, name: str) -> Conflict:
    return Conflict(
        f"The metadata definition resource-type association of resource-type={name} to"
        f" namespace={namespace} already exists."
    )


def resource_type(session: Session, name: str, now: dt.datetime) -> MetadefResourceType:
    """The resource type `name`, created on its first association as Glance does. Of two
    requests creating the same one, the second's insert is refused (a 409 for its caller)."""
    check_name("resource type", name)
    found = session.scalars(
        select(MetadefResourceType).where(MetadefResourceType.name == name)
    ).one_or_none()
    if found is None:
        found = MetadefResourceType(name=name, protected=False, created_at=now, updated_at=now)
        session.add(found)
        session.flush()
    return found


def associate(
    session: Session, ns: MetadefNamespace, body: dict[str, Any], now: dt.datetime
) -> dict[str, Any]:
    """Associates `ns` with the type `body` names; the association's view."""
    for key in ("prefix", "properties_target"):
        if body.get(key) is not None:
            check_name(key, body[key])
    rt = resource_type(session, body["name"], now)
    link = MetadefNamespaceResourceType(
        resource_type_id=rt.id,
        namespace_id=ns.id,
        prefix=body.get("prefix"),
        properties_target=body.get("properties_target"),
        created_at=now,
        updated_at=now,
    )
    refusal = duplicate(ns.namespace, rt.name)
    if session.get(MetadefNamespaceResourceType, (rt.id, ns.id)) is not None:
        raise refusal
    session.add(link)
    common.flush_or_refuse(session, refusal)
    return common.association_view(rt, link)


class ResourceTypes:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        with self._deps.store.session() as session:
            types = session.scalars(select(MetadefResourceType).order_by(MetadefResourceType.id))
            resp.media = {"resource_types": [{"name": t.name, **common.stamps(t)} for t in types]}


class Associations:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, namespace: str) -> None:
        ctx = req.context.auth
        with self._deps.store.session() as session:
            ns = common.find_namespace(
                session, ctx, namespace, "list_metadef_resource_types", common.namespace_reader
            )
            resp.media = {"resource_type_associations": common.associations(session, ns)}

    def on_post(self, req: falcon.Request, resp: falcon.Response, namespace: str) -> None:
        ctx = req.context.auth
        limit = self._deps.config.max_request_body_size
        body = schema.read(req, limit, schema.ASSOCIATION, _READ_ONLY)
        with self._deps.store.session(write=True) as session:
            ns = common.find_namespace(
                session, ctx, namespace, "add_metadef_resource_type_association", common.admin
            )
            view = associate(session, ns, body, self._deps.clock.now())
        resp.status = falcon.HTTP_201
        resp.media = view


class AssociationItem:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_delete(
        self, req: falcon.Request, resp: falcon.Response, namespace: str, resource_type: str
    ) -> None:
        ctx = req.context.auth
        with self._deps.store.session(write=True) as session:
            ns = common.find_namespace(
                session,
                ctx,
                namespace,
                "remove_metadef_resource_type_association",
                common.admin,
            )
            link = common.association_of(session, ns, resource_type)
            if link is None:
                raise NotFound(f"Failed to find resource type {resource_type} to delete")
            common.refuse_if_protected(
                ns,
                f"Metadata definition resource-type-association {resource_type} is protected"
                " and cannot be deleted.",
            )
            session.delete(link)
        resp.status = falcon.HTTP_204
