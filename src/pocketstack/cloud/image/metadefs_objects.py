"""A namespace's objects (/v2/metadefs/namespaces/{namespace}/objects): named groups of
property definitions, with the names among them an object requires."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import falcon
from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import BadRequest, Conflict
from pocketstack.cloud.image import metadefs_common as common
from pocketstack.cloud.image import metadefs_schema as schema
from pocketstack.cloud.inputs import TEXT_BYTES, too_big_for_text
from pocketstack.cloud.store.models.metadef import MetadefNamespace, MetadefObject

_READ_ONLY = ("self", "schema", "created_at", "updated_at")


def check_name(kind: str, name: str) -> None:
    """A name the schema leaves unbounded (a key, an item of a list) but the table holds in
    80 characters."""
    if len(name) > schema.NAME_MAX:
        raise BadRequest(f"The metadata definition {kind} name {name[:80]}... is longer than"
                         f" {schema.NAME_MAX} characters.")  # fmt: skip


def stored(kind: str, text: str) -> str:
    """`text` if the TEXT column it goes to holds it on every backend (65,535 bytes on
    MariaDB); a 400 rather than one backend's refusal."""
    if too_big_for_text(text):
        raise BadRequest(
            f"The metadata definition {kind} is too long to store: at most {TEXT_BYTES} bytes"
            " of UTF-8."
        )
    return text


def check_properties(properties: dict[str, Any] | None) -> None:
    for name, definition in (properties or {}).items():
        check_name("property", name)
        schema.check(schema.PROPERTY_UNNAMED, definition)


def duplicate(namespace: str, name: str) -> Conflict:
    return Conflict(
        f"A metadata definition object with name={name} already exists in namespace={namespace}."
    )


def new_object(ns: MetadefNamespace, body: dict[str, Any], now: dt.datetime) -> MetadefObject:
    check_name("object", body["name"])
    stored("object's description", body.get("description") or "")
    return MetadefObject(
        namespace_id=ns.id,
        name=body["name"],
        description=body.get("description"),
        required=stored("object's required list", json.dumps(body.get("required"))),
        properties=stored("object's properties", json.dumps(body.get("properties"))),
        created_at=now,
        updated_at=now,
    )


def _find(session: Session, ns: MetadefNamespace, name: str) -> MetadefObject:
    return common.find_held(session, ns, MetadefObject, name)


def _read(req: falcon.Request, deps: CloudDeps) -> dict[str, Any]:
    body = schema.read(req, deps.config.max_request_body_size, schema.OBJECT, _READ_ONLY)
    check_properties(body.get("properties"))
    return body


class Objects:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, namespace: str) -> None:
        ctx = req.context.auth
        with self._deps.store.session() as session:
            ns = common.find_namespace(
                session, ctx, namespace, "get_metadef_objects", common.namespace_reader
            )
            objects = session.scalars(
                select(MetadefObject)
                .where(MetadefObject.namespace_id == ns.id)
                .order_by(MetadefObject.created_at, MetadefObject.id)
            )
            views = [common.object_view(namespace, o) for o in objects]
        # Glance's link here has no leading slash.
        resp.media = {"objects": views, "schema": "v2/schemas/metadefs/objects"}

    def on_post(self, req: falcon.Request, resp: falcon.Response, namespace: str) -> None:
        ctx = req.context.auth
        # Glance reads the body before it looks the namespace up.
        body = _read(req, self._deps)
        with self._deps.store.session(write=True) as session:
            ns = common.find_namespace(session, ctx, namespace, "add_metadef_object", common.admin)
            obj = new_object(ns, body, self._deps.clock.now())
            session.add(obj)
            common.flush_or_refuse(session, duplicate(namespace, body["name"]))
            view = common.object_view(namespace, obj)
        resp.status = falcon.HTTP_201
        resp.media = view

    def on_delete(self, req: falcon.Request, resp: falcon.Response, namespace: str) -> None:
        ctx = req.context.auth
        with self._deps.store.session(write=True) as session:
            common.delete_all_held(
                session, ctx, namespace, "delete_metadef_namespace", MetadefObject
            )
        resp.status = falcon.HTTP_204


class ObjectItem:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(
        self, req: falcon.Request, resp: falcon.Response, namespace: str, object_name: str
    ) -> None:
        ctx = req.context.auth
        with self._deps.store.session() as session:
            ns = common.find_namespace(
                session, ctx, namespace, "get_metadef_object", common.namespace_reader
            )
            resp.media = common.object_view(namespace, _find(session, ns, object_name))

    def on_put(
        self, req: falcon.Request, resp: falcon.Response, namespace: str, object_name: str
    ) -> None:
        ctx = req.context.auth
        body = _read(req, self._deps)
        with self._deps.store.session(write=True) as session:
            ns = common.find_namespace(
                session, ctx, namespace, "modify_metadef_object", common.admin
            )
            obj = _find(session, ns, object_name)
            # What the body leaves out is cleared, as Glance's update does.
            replaced = new_object(ns, body, self._deps.clock.now())
            obj.name = replaced.name
            obj.description = replaced.description
            obj.required = replaced.required
            obj.properties = replaced.properties
            obj.updated_at = self._deps.clock.now()
            refusal = common.update_conflict("definition object", namespace, body["name"])
            common.flush_or_refuse(session, refusal)
            resp.media = common.object_view(namespace, obj)

    def on_delete(
        self, req: falcon.Request, resp: falcon.Response, namespace: str, object_name: str
    ) -> None:
        ctx = req.context.auth
        with self._deps.store.session(write=True) as session:
            common.delete_held(
                session, ctx, namespace, "delete_metadef_object", MetadefObject, object_name
            )
        resp.status = falcon.HTTP_204
