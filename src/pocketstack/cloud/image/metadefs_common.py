"""What every part of the metadata definitions catalog shares: who sees a namespace, Glance's
policy defaults for metadefs (glance/policies/metadef.py), the lookups in its words, and the
views of what a namespace holds."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.errors import Conflict, Forbidden, NotFound
from pocketstack.cloud.image.images import isotime
from pocketstack.cloud.store.models.metadef import (
    InNamespace,
    MetadefNamespace,
    MetadefNamespaceResourceType,
    MetadefObject,
    MetadefProperty,
    MetadefResourceType,
    MetadefTag,
)

# An object, a property definition or a tag: what a lookup of one answers.
Held = TypeVar("Held", bound=InNamespace)
# What Glance's messages call each.
KINDS: dict[type[InNamespace], str] = {
    MetadefObject: "object",
    MetadefProperty: "property",
    MetadefTag: "tag",
}

NS_SCHEMA = "/v2/schemas/metadefs/namespace"
OBJECT_SCHEMA = "/v2/schemas/metadefs/object"


def deny(name: str) -> Forbidden:
    return Forbidden(f"You are not authorized to complete {name} action.")


def admin(ctx: RequestContext, name: str) -> None:
    """`rule:metadef_admin`: every change to the catalog is an admin's."""
    if not ctx.is_admin:
        raise deny(name)


def reader(ctx: RequestContext, name: str) -> None:
    """`admin or (role:reader and project_id:%(project_id)s)` with no namespace to check: the
    token's own project."""
    if not ctx.is_admin and (ctx.project_id is None or not ctx.can_read):
        raise deny(name)


def is_visible(ns: MetadefNamespace, ctx: RequestContext) -> bool:
    return (
        ctx.is_admin
        or ns.visibility == "public"
        or (ns.owner is not None and ns.owner == ctx.project_id)
    )


def visible_clause(ctx: RequestContext) -> Any:
    """The namespaces `ctx` may see, for a listing; None: all of them."""
    if ctx.is_admin:
        return None
    if ctx.project_id is None:
        return MetadefNamespace.visibility == "public"
    return or_(MetadefNamespace.visibility == "public", MetadefNamespace.owner == ctx.project_id)


def namespace_reader(ctx: RequestContext, name: str) -> None:
    """`admin or (role:reader and (project_id:%(project_id)s or 'public':%(visibility)s))` for
    a namespace already known to be visible."""
    if not ctx.is_admin and not ctx.can_read:
        raise deny(name)


def find_namespace(
    session: Session,
    ctx: RequestContext,
    name: str,
    rule: str,
    check: Callable[[RequestContext, str], None],
    *,
    missing: str | None = None,
) -> MetadefNamespace:
    """The namespace `name`, looked up before the rule is checked, as Glance does: one the
    caller may not see is not found (404), one it sees but may not act on is forbidden."""
    ns = session.scalars(
        select(MetadefNamespace).where(MetadefNamespace.namespace == name)
    ).one_or_none()
    if ns is None or not is_visible(ns, ctx):
        raise NotFound(f"Namespace {name} not found" if missing is None else missing)
    check(ctx, rule)
    return ns


def stamps(row: Any) -> dict[str, str]:
    return {"created_at": isotime(row.created_at), "updated_at": isotime(row.updated_at)}


def present(view: dict[str, Any]) -> dict[str, Any]:
    """Glance leaves out the attributes that have no value."""
    return {k: v for k, v in view.items() if v is not None}


def namespace_view(ns: MetadefNamespace) -> dict[str, Any]:
    return present(
        {
            "namespace": ns.namespace,
            "display_name": ns.display_name,
            "description": ns.description,
            "visibility": ns.visibility,
            "protected": ns.protected,
            "owner": ns.owner,
            **stamps(ns),
            "self": f"/v2/metadefs/namespaces/{ns.namespace}",
            "schema": NS_SCHEMA,
        }
    )


def object_view(namespace: str, obj: MetadefObject) -> dict[str, Any]:
    return present(
        {
            "name": obj.name,
            "description": obj.description,
            "required": json.loads(obj.required),
            "properties": json.loads(obj.properties),
            **stamps(obj),
            "self": f"/v2/metadefs/namespaces/{namespace}/objects/{obj.name}",
            "schema": OBJECT_SCHEMA,
        }
    )


def association_view(
    resource_type: MetadefResourceType, link: MetadefNamespaceResourceType
) -> dict[str, Any]:
    return present(
        {
            "name": resource_type.name,
            "prefix": link.prefix,
            "properties_target": link.properties_target,
            **stamps(link),
        }
    )


def associations(session: Session, ns: MetadefNamespace) -> list[dict[str, Any]]:
    rows = session.execute(
        select(MetadefResourceType, MetadefNamespaceResourceType)
        .join(
            MetadefNamespaceResourceType,
            MetadefNamespaceResourceType.resource_type_id == MetadefResourceType.id,
        )
        .where(MetadefNamespaceResourceType.namespace_id == ns.id)
        .order_by(MetadefNamespaceResourceType.created_at, MetadefResourceType.id)
    )
    return [association_view(rt, link) for rt, link in rows]


def refuse_if_protected(ns: MetadefNamespace, message: str) -> None:
    if ns.protected:
        raise Forbidden(message)


def namespace_protected(ns: MetadefNamespace) -> str:
    return f"Metadata definition namespace {ns.namespace} is protected and cannot be deleted."


def association_of(
    session: Session, ns: MetadefNamespace, resource_type: str
) -> MetadefNamespaceResourceType | None:
    """The namespace's association with the resource type named `resource_type`, if any."""
    return session.scalars(
        select(MetadefNamespaceResourceType)
        .join(
            MetadefResourceType,
            MetadefNamespaceResourceType.resource_type_id == MetadefResourceType.id,
        )
        .where(
            MetadefNamespaceResourceType.namespace_id == ns.id,
            MetadefResourceType.name == resource_type,
        )
    ).one_or_none()


def find_held(session: Session, ns: MetadefNamespace, model: type[Held], name: str) -> Held:
    """The namespace's object, property or tag `name`; 404 in Glance's words."""
    found = session.scalars(
        select(model).where(model.namespace_id == ns.id, model.name == name)
    ).one_or_none()
    if found is None:
        raise NotFound(
            f"The metadata definition {KINDS[model]} with name={name} was not found in"
            f" namespace={ns.namespace}."
        )
    return found


def delete_held(
    session: Session,
    ctx: RequestContext,
    namespace: str,
    rule: str,
    model: type[InNamespace],
    name: str,
) -> None:
    """Deletes one of the namespace's objects, properties or tags: Glance checks the item
    exists before it refuses a protected namespace's."""
    ns = find_namespace(session, ctx, namespace, rule, admin)
    found = find_held(session, ns, model, name)
    refuse_if_protected(
        ns, f"Metadata definition {KINDS[model]} {found.name} is protected and cannot be deleted."
    )
    session.delete(found)


def delete_all_held(
    session: Session, ctx: RequestContext, namespace: str, rule: str, model: type[InNamespace]
) -> None:
    """Deletes all the namespace's objects, properties or tags: refused for a protected
    namespace with the refusal of the namespace's own delete, as Glance words it."""
    ns = find_namespace(session, ctx, namespace, rule, admin)
    refuse_if_protected(ns, namespace_protected(ns))
    session.execute(delete(model).where(model.namespace_id == ns.id))


def flush_or_refuse(session: Session, refusal: Conflict) -> None:
    """Flushes what the request wrote; a unique constraint's refusal (the name was taken, maybe
    by a concurrent request) is the 409 `refusal` rather than a 500."""
    try:
        session.flush()
    except IntegrityError:
        raise refusal from None


def update_conflict(what: str, namespace: str, name: str) -> Conflict:
    """The 409 of renaming an object, property or tag (`what`: Glance's words for it) to a name
    the namespace already holds."""
    return Conflict(
        f"Invalid update. It would result in a duplicate metadata {what} with the same"
        f" name={name} in namespace={namespace}."
    )
