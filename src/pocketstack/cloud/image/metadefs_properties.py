"""A namespace's property definitions (/v2/metadefs/namespaces/{namespace}/properties): each a
name and a JSON-schema-like description (type, title, enum, ...) of the values it takes."""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
from typing import Any

import falcon
from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import Conflict, NotFound
from pocketstack.cloud.image import metadefs_common as common
from pocketstack.cloud.image import metadefs_schema as schema
from pocketstack.cloud.image.metadefs_objects import check_name, stored
from pocketstack.cloud.store.models.metadef import MetadefNamespace, MetadefProperty


def definition(prop: MetadefProperty) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(prop.json_schema)
    return found


def new_property(
    ns: MetadefNamespace, name: str, described: dict[str, Any], now: dt.datetime
) -> MetadefProperty:
    check_name("property", name)
    described = {k: v for k, v in described.items() if k != "name"}
    return MetadefProperty(
        namespace_id=ns.id,
        name=name,
        json_schema=stored("property", json.dumps(described)),
        created_at=now,
        updated_at=now,
    )


def duplicate(namespace: str, name: str) -> Conflict:
    return Conflict(
        f"A metadata definition property with name={name} already exists in namespace={namespace}."
    )


def _find(session: Session, ns: MetadefNamespace, name: str) -> MetadefProperty:
    return common.find_held(session, ns, MetadefProperty, name)


def _unprefixed(session: Session, ns: MetadefNamespace, name: str, resource_type: str) -> str:
    """`name` as the namespace defines it, when asked for as `resource_type` shows it: with
    the prefix the namespace's association with that type gives its properties."""
    link = common.association_of(session, ns, resource_type)
    if link is None:
        raise NotFound(
            "The metadata definition resource-type association of"
            f" resource-type={resource_type} to namespace={ns.namespace}, was not found."
        )
    if link.prefix and name.startswith(link.prefix):
        return name[len(link.prefix) :]
    raise NotFound(
        f"Property {name} does not start with the expected resource type association prefix"
        f" of '{link.prefix}'."
    )


def _read(req: falcon.Request, deps: CloudDeps) -> dict[str, Any]:
    return schema.read(req, deps.config.max_request_body_size, schema.PROPERTY, ())


class Properties:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, namespace: str) -> None:
        ctx = req.context.auth
        with self._deps.store.session() as session:
            ns = common.find_namespace(
                session, ctx, namespace, "get_metadef_properties", common.namespace_reader
            )
            props = session.scalars(
                select(MetadefProperty)
                .where(MetadefProperty.namespace_id == ns.id)
                .order_by(MetadefProperty.id)
            )
            resp.media = {"properties": {p.name: definition(p) for p in props}}

    def on_post(self, req: falcon.Request, resp: falcon.Response, namespace: str) -> None:
        ctx = req.context.auth
        body = _read(req, self._deps)
        with self._deps.store.session(write=True) as session:
            ns = common.find_namespace(
                session, ctx, namespace, "add_metadef_property", common.admin
            )
            prop = new_property(ns, body["name"], body, self._deps.clock.now())
            session.add(prop)
            common.flush_or_refuse(session, duplicate(namespace, body["name"]))
        resp.status = falcon.HTTP_201
        resp.media = {"name": prop.name, **definition(prop)}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, namespace: str) -> None:
        ctx = req.context.auth
        with self._deps.store.session(write=True) as session:
            common.delete_all_held(
                session, ctx, namespace, "delete_metadef_namespace", MetadefProperty
            )
        resp.status = falcon.HTTP_204


class PropertyItem:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(
        self, req: falcon.Request, resp: falcon.Response, namespace: str, property_name: str
    ) -> None:
        ctx = req.context.auth
        params = dict(urllib.parse.parse_qsl(req.query_string, keep_blank_values=True))
        with self._deps.store.session() as session:
            ns = common.find_namespace(
                session, ctx, namespace, "get_metadef_property", common.namespace_reader
            )
            name = property_name
            if params.get("resource_type"):
                name = _unprefixed(session, ns, name, params["resource_type"])
            prop = _find(session, ns, name)
            resp.media = {"name": prop.name, **definition(prop)}

    def on_put(
        self, req: falcon.Request, resp: falcon.Response, namespace: str, property_name: str
    ) -> None:
        ctx = req.context.auth
        body = _read(req, self._deps)
        with self._deps.store.session(write=True) as session:
            ns = common.find_namespace(
                session, ctx, namespace, "modify_metadef_property", common.admin
            )
            prop = _find(session, ns, property_name)
            replaced = new_property(ns, body["name"], body, self._deps.clock.now())
            prop.name = replaced.name
            prop.json_schema = replaced.json_schema
            prop.updated_at = replaced.updated_at
            refusal = common.update_conflict("definition property", namespace, body["name"])
            common.flush_or_refuse(session, refusal)
            resp.media = {"name": prop.name, **definition(prop)}

    def on_delete(
        self, req: falcon.Request, resp: falcon.Response, namespace: str, property_name: str
    ) -> None:
        ctx = req.context.auth
        with self._deps.store.session(write=True) as session:
            common.delete_held(
                session, ctx, namespace, "remove_metadef_property", MetadefProperty, property_name
            )
        resp.status = falcon.HTTP_204
