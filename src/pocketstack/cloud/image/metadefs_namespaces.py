"""Namespaces (/v2/metadefs/namespaces): list, create (with what it holds), show (with what it
holds, properties prefixed for a resource type on request), replace, delete."""

from __future__ import annotations

import urllib.parse
from typing import Any

import falcon
from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import Session

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import BadRequest, Conflict, NotFound
from pocketstack.cloud.image import metadefs_common as common
from pocketstack.cloud.image import metadefs_objects as objects
from pocketstack.cloud.image import metadefs_properties as properties
from pocketstack.cloud.image import metadefs_resource_types as resource_types
from pocketstack.cloud.image import metadefs_schema as schema
from pocketstack.cloud.image import metadefs_tags as tags
from pocketstack.cloud.inputs import decimal
from pocketstack.cloud.store.models.metadef import (
    MetadefNamespace,
    MetadefNamespaceResourceType,
    MetadefObject,
    MetadefProperty,
    MetadefResourceType,
    MetadefTag,
)

DEFAULT_LIMIT = 25
MAX_LIMIT = 1000
_READ_ONLY = ("self", "schema", "created_at", "updated_at")
# The keys a listing sorts by (each with created_at and the row's id after it, for paging).
_SORT_KEYS = {
    "created_at": MetadefNamespace.created_at,
    "updated_at": MetadefNamespace.updated_at,
    "namespace": MetadefNamespace.namespace,
}


def _duplicate(name: str) -> Conflict:
    return Conflict(f"The metadata definition namespace={name} already exists.")


def _after(marker: MetadefNamespace, key: str, desc: bool) -> Any:
    """The rows after `marker` in the order (key, created_at, id)."""
    columns = [_SORT_KEYS[key]] + ([MetadefNamespace.created_at] if key != "created_at" else [])
    columns.append(MetadefNamespace.id)
    values = [getattr(marker, c.key) for c in columns]
    clauses = []
    for i, column in enumerate(columns):
        same = [columns[j] == values[j] for j in range(i)]
        beyond = column < values[i] if desc else column > values[i]
        clauses.append(and_(*same, beyond))
    return or_(*clauses)


def _listing(session: Session, ctx: RequestContext, params: dict[str, str]) -> Any:
    key = params.get("sort_key", "created_at")
    if key not in _SORT_KEYS:
        raise BadRequest(f"Invalid sort key: {key}")
    sort_dir = params.get("sort_dir", "desc")
    if sort_dir not in ("asc", "desc"):
        raise BadRequest(f"Invalid sort direction: {sort_dir}")
    limit = DEFAULT_LIMIT
    if "limit" in params:
        number = decimal(params["limit"], cap=MAX_LIMIT)
        if number is None:
            raise BadRequest("limit param must be an integer")
        limit = number
    stmt = select(MetadefNamespace)
    visible = common.visible_clause(ctx)
    if visible is not None:
        stmt = stmt.where(visible)
    visibility = params.get("visibility")
    if visibility:
        if visibility not in ("public", "private"):
            raise BadRequest(f"Invalid visibility value: {visibility}")
        stmt = stmt.where(MetadefNamespace.visibility == visibility)
    if params.get("resource_types"):
        wanted = params["resource_types"].split(",")
        stmt = stmt.where(
            MetadefNamespace.id.in_(
                select(MetadefNamespaceResourceType.namespace_id)
                .join(
                    MetadefResourceType,
                    MetadefNamespaceResourceType.resource_type_id == MetadefResourceType.id,
                )
                .where(MetadefResourceType.name.in_(wanted))
            )
        )
    desc = sort_dir == "desc"
    if params.get("marker"):
        marker = common.find_namespace(
            session,
            ctx,
            params["marker"],
            "get_metadef_namespace",
            common.namespace_reader,
            missing=f"Metadata definition namespace={params['marker']} was not found.",
        )
        stmt = stmt.where(_after(marker, key, desc))
    columns = [_SORT_KEYS[key], MetadefNamespace.created_at, MetadefNamespace.id]
    stmt = stmt.order_by(*(c.desc() if desc else c.asc() for c in columns)).limit(limit)
    return list(session.scalars(stmt)), limit


def _prefixed(detail: dict[str, Any], prefix: str) -> None:
    if "properties" in detail:
        detail["properties"] = {prefix + k: v for k, v in detail["properties"].items()}
    for obj in detail.get("objects", []):
        if "properties" in obj:
            obj["properties"] = {prefix + k: v for k, v in obj["properties"].items()}
        if obj.get("required"):
            obj["required"] = [prefix + name for name in obj["required"]]


def _detail(session: Session, ns: MetadefNamespace, resource_type: str | None) -> dict[str, Any]:
    """The namespace with what it holds, as its show answers it."""
    detail = common.namespace_view(ns)
    objs = session.scalars(
        select(MetadefObject).where(MetadefObject.namespace_id == ns.id).order_by(MetadefObject.id)
    ).all()
    if objs:
        detail["objects"] = [common.object_view(ns.namespace, o) for o in objs]
    links = common.associations(session, ns)
    if links:
        detail["resource_type_associations"] = links
    props = session.scalars(
        select(MetadefProperty)
        .where(MetadefProperty.namespace_id == ns.id)
        .order_by(MetadefProperty.id)
    ).all()
    if props:
        detail["properties"] = {p.name: properties.definition(p) for p in props}
    if resource_type:
        prefix = next((a.get("prefix") for a in links if a["name"] == resource_type), None)
        if prefix:
            _prefixed(detail, prefix)
    names = session.scalars(
        select(MetadefTag.name).where(MetadefTag.namespace_id == ns.id).order_by(MetadefTag.id)
    ).all()
    if names:
        detail["tags"] = [{"name": n} for n in names]
    return detail


class Namespaces:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx: RequestContext = req.context.auth
        params = dict(urllib.parse.parse_qsl(req.query_string, keep_blank_values=True))
        with self._deps.store.session() as session:
            found, limit = _listing(session, ctx, params)
            views = []
            for ns in found:
                view = common.namespace_view(ns)
                links = common.associations(session, ns)
                if links:
                    view["resource_type_associations"] = links
                views.append(view)
        rest = [(k, v) for k, v in params.items() if k != "marker"]
        first = "/v2/metadefs/namespaces"
        body: dict[str, Any] = {
            "namespaces": views,
            "first": f"{first}?{urllib.parse.urlencode(rest)}" if rest else first,
            "schema": "/v2/schemas/metadefs/namespaces",
        }
        if found and len(found) == limit:
            marker = [*rest, ("marker", found[-1].namespace)]
            body["next"] = f"{first}?{urllib.parse.urlencode(marker)}"
        resp.media = body

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx: RequestContext = req.context.auth
        limit = self._deps.config.max_request_body_size
        body = schema.read(req, limit, schema.NAMESPACE, _READ_ONLY)
        name = body["namespace"]
        now = self._deps.clock.now()
        ns = MetadefNamespace(
            namespace=name,
            display_name=body.get("display_name"),
            description=body.get("description"),
            visibility=body.get("visibility") or "private",
            protected=bool(body.get("protected")),
            owner=body.get("owner") or ctx.project_id,
            created_at=now,
            updated_at=now,
        )
        for kind, items in (
            ("objects", body.get("objects")),
            ("resource_type_associations", body.get("resource_type_associations")),
        ):
            for item in items or []:
                if "name" not in item:
                    raise BadRequest(
                        f"Invalid input for field/attribute {kind}. Mandatory field missing: name"
                    )
        for obj in body.get("objects", []):
            objects.check_properties(obj.get("properties"))
        with self._deps.store.session(write=True) as session:
            exists = select(MetadefNamespace.id).where(MetadefNamespace.namespace == name)
            if session.scalars(exists).first() is not None:
                raise _duplicate(name)
            session.add(ns)
            common.flush_or_refuse(session, _duplicate(name))
            view = common.namespace_view(ns) | self._contents(session, ns, body)
        resp.status = falcon.HTTP_201
        resp.set_header("Location", f"/v2/metadefs/namespaces/{name}")
        resp.media = view

    def _contents(
        self, session: Session, ns: MetadefNamespace, body: dict[str, Any]
    ) -> dict[str, Any]:
        """Creates what the new namespace holds; what the create answers of it: the request's
        own items, as Glance echoes them."""
        now = self._deps.clock.now()
        shown: dict[str, Any] = {}
        links = body.get("resource_type_associations")
        if links:
            for link in links:
                resource_types.associate(session, ns, link, now)
            shown["resource_type_associations"] = links
        objs = body.get("objects")
        if objs:
            repeated = tags.first_repeated([o["name"] for o in objs])
            if repeated is not None:
                raise objects.duplicate(ns.namespace, repeated)
            session.add_all([objects.new_object(ns, o, now) for o in objs])
            shown["objects"] = objs
        names = [t["name"] for t in body.get("tags") or [] if "name" in t]
        if names:
            repeated = tags.first_repeated(names)
            if repeated is not None:
                raise tags.duplicate(ns.namespace, repeated)
            session.add_all([tags.new_tag(ns, n, now) for n in names])
            shown["tags"] = [{"name": n} for n in names]
        props = body.get("properties")
        if props:
            session.add_all([properties.new_property(ns, k, v, now) for k, v in props.items()])
            shown["properties"] = props
        session.flush()
        return shown


class NamespaceItem:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, namespace: str) -> None:
        ctx: RequestContext = req.context.auth
        params = dict(urllib.parse.parse_qsl(req.query_string, keep_blank_values=True))
        with self._deps.store.session() as session:
            ns = session.scalars(
                select(MetadefNamespace).where(MetadefNamespace.namespace == namespace)
            ).one_or_none()
            # Glance answers its bare 404 whether the namespace is missing or not the caller's.
            if ns is None or not common.is_visible(ns, ctx):
                raise NotFound("The resource could not be found.")
            common.namespace_reader(ctx, "get_metadef_namespace")
            resp.media = _detail(session, ns, params.get("resource_type"))

    def on_put(self, req: falcon.Request, resp: falcon.Response, namespace: str) -> None:
        ctx: RequestContext = req.context.auth
        limit = self._deps.config.max_request_body_size
        body = schema.read(req, limit, schema.NAMESPACE, _READ_ONLY)
        with self._deps.store.session(write=True) as session:
            ns = common.find_namespace(
                session, ctx, namespace, "modify_metadef_namespace", common.admin
            )
            # A replacement: what the body leaves out takes its default, as on create.
            ns.namespace = body["namespace"]
            ns.display_name = body.get("display_name")
            ns.description = body.get("description")
            ns.visibility = body.get("visibility") or "private"
            ns.protected = bool(body.get("protected"))
            ns.owner = body.get("owner") or ctx.project_id
            ns.updated_at = self._deps.clock.now()
            refusal = Conflict(
                "Invalid update. It would result in a duplicate metadata definition"
                f" namespace with the same name of {body['namespace']}"
            )
            common.flush_or_refuse(session, refusal)
            resp.media = common.namespace_view(ns)

    def on_delete(self, req: falcon.Request, resp: falcon.Response, namespace: str) -> None:
        ctx: RequestContext = req.context.auth
        with self._deps.store.session(write=True) as session:
            ns = common.find_namespace(
                session, ctx, namespace, "delete_metadef_namespace", common.admin
            )
            common.refuse_if_protected(ns, common.namespace_protected(ns))
            # The contents go with it (their foreign keys cascade too).
            session.execute(delete(MetadefObject).where(MetadefObject.namespace_id == ns.id))
            session.execute(delete(MetadefProperty).where(MetadefProperty.namespace_id == ns.id))
            session.execute(delete(MetadefTag).where(MetadefTag.namespace_id == ns.id))
            session.execute(
                delete(MetadefNamespaceResourceType).where(
                    MetadefNamespaceResourceType.namespace_id == ns.id
                )
            )
            session.delete(ns)
        resp.status = falcon.HTTP_204
