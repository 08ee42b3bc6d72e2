"""A namespace's tags (/v2/metadefs/namespaces/{namespace}/tags): names, created one at a time
or as a list that replaces (or, with `X-Openstack-Append: true`, adds to) the namespace's."""

from __future__ import annotations

import datetime as dt
import urllib.parse
from typing import Any

import falcon
from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import Session

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import BadRequest, Conflict
from pocketstack.cloud.image import metadefs_common as common
from pocketstack.cloud.image import metadefs_schema as schema
from pocketstack.cloud.image.metadefs_objects import check_name
from pocketstack.cloud.inputs import decimal
from pocketstack.cloud.store.models.metadef import MetadefNamespace, MetadefTag

_READ_ONLY = ("created_at", "updated_at")
_TRUE = ("1", "t", "true", "on", "y", "yes")
MAX_LIMIT = 1000


def duplicate(namespace: str, name: str) -> Conflict:
    return Conflict(
        f"A metadata tag with name={name} already exists in namespace={namespace}. (Please"
        " note that metadata tag names are case insensitive)."
    )


def new_tag(ns: MetadefNamespace, name: str, now: dt.datetime) -> MetadefTag:
    check_name("tag", name)
    return MetadefTag(namespace_id=ns.id, name=name, created_at=now, updated_at=now)


def first_repeated(names: list[str]) -> str | None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            return name
        seen.add(name)
    return None


def _view(tag: MetadefTag) -> dict[str, Any]:
    return {"name": tag.name, **common.stamps(tag)}


def _find(session: Session, ns: MetadefNamespace, name: str) -> MetadefTag:
    return common.find_held(session, ns, MetadefTag, name)


def _page(session: Session, ns: MetadefNamespace, params: dict[str, str]) -> list[MetadefTag]:
    """The namespace's tags in creation order (newest first unless `sort_dir=asc`), after the
    `marker` tag, at most `limit` of them."""
    sort_dir = params.get("sort_dir", "desc")
    if sort_dir not in ("asc", "desc"):
        raise BadRequest(f"Invalid sort direction: {sort_dir}")
    desc = sort_dir == "desc"
    stmt = select(MetadefTag).where(MetadefTag.namespace_id == ns.id)
    if params.get("marker"):
        marker = _find(session, ns, params["marker"])
        created, ident = MetadefTag.created_at, MetadefTag.id
        if desc:
            after = or_(
                created < marker.created_at, and_(created == marker.created_at, ident < marker.id)
            )
        else:
            after = or_(
                created > marker.created_at, and_(created == marker.created_at, ident > marker.id)
            )
        stmt = stmt.where(after)
    if desc:
        stmt = stmt.order_by(MetadefTag.created_at.desc(), MetadefTag.id.desc())
    else:
        stmt = stmt.order_by(MetadefTag.created_at, MetadefTag.id)
    if params.get("limit"):
        limit = decimal(params["limit"], cap=MAX_LIMIT)
        if limit is None:
            raise BadRequest("limit param must be an integer")
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


class Tags:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, namespace: str) -> None:
        ctx = req.context.auth
        params = dict(urllib.parse.parse_qsl(req.query_string, keep_blank_values=True))
        with self._deps.store.session() as session:
            ns = common.find_namespace(
                session, ctx, namespace, "get_metadef_tags", common.namespace_reader
            )
            resp.media = {"tags": [{"name": t.name} for t in _page(session, ns, params)]}

    def on_post(self, req: falcon.Request, resp: falcon.Response, namespace: str) -> None:
        ctx = req.context.auth
        limit = self._deps.config.max_request_body_size
        body = schema.read(req, limit, schema.TAGS, _READ_ONLY)
        names = [t["name"] for t in body.get("tags", [])]
        append = req.get_header("X-Openstack-Append", default="").strip().lower() in _TRUE
        with self._deps.store.session(write=True) as session:
            ns = common.find_namespace(session, ctx, namespace, "add_metadef_tags", common.admin)
            repeated = first_repeated(names)
            if repeated is not None:
                raise duplicate(namespace, repeated)
            if names:
                if not append:
                    session.execute(delete(MetadefTag).where(MetadefTag.namespace_id == ns.id))
                now = self._deps.clock.now()
                session.add_all([new_tag(ns, name, now) for name in names])
                common.flush_or_refuse(session, duplicate(namespace, ", ".join(names)))
        resp.status = falcon.HTTP_201
        resp.media = {"tags": [{"name": name} for name in names]}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, namespace: str) -> None:
        ctx = req.context.auth
        with self._deps.store.session(write=True) as session:
            common.delete_all_held(session, ctx, namespace, "delete_metadef_tags", MetadefTag)
        resp.status = falcon.HTTP_204


class TagItem:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(
        self, req: falcon.Request, resp: falcon.Response, namespace: str, tag_name: str
    ) -> None:
        ctx = req.context.auth
        with self._deps.store.session() as session:
            ns = common.find_namespace(
                session, ctx, namespace, "get_metadef_tag", common.namespace_reader
            )
            resp.media = _view(_find(session, ns, tag_name))

    def on_post(
        self, req: falcon.Request, resp: falcon.Response, namespace: str, tag_name: str
    ) -> None:
        ctx = req.context.auth
        with self._deps.store.session(write=True) as session:
            # Glance looks the namespace up, then checks the name, then the rule.
            ns = common.find_namespace(session, ctx, namespace, "", lambda c, n: None)
            schema.check(schema.TAG, {"name": tag_name})
            common.admin(ctx, "add_metadef_tag")
            tag = new_tag(ns, tag_name, self._deps.clock.now())
            session.add(tag)
            common.flush_or_refuse(session, duplicate(namespace, tag_name))
            view = _view(tag)
        resp.status = falcon.HTTP_201
        resp.media = view

    def on_put(
        self, req: falcon.Request, resp: falcon.Response, namespace: str, tag_name: str
    ) -> None:
        ctx = req.context.auth
        limit = self._deps.config.max_request_body_size
        body = schema.read(req, limit, schema.TAG, _READ_ONLY)
        with self._deps.store.session(write=True) as session:
            ns = common.find_namespace(session, ctx, namespace, "modify_metadef_tag", common.admin)
            tag = _find(session, ns, tag_name)
            tag.name = body["name"]
            tag.updated_at = self._deps.clock.now()
            refusal = common.update_conflict("tag", namespace, body["name"])
            common.flush_or_refuse(session, refusal)
            resp.media = _view(tag)

    def on_delete(
        self, req: falcon.Request, resp: falcon.Response, namespace: str, tag_name: str
    ) -> None:
        ctx = req.context.auth
        with self._deps.store.session(write=True) as session:
            common.delete_held(session, ctx, namespace, "delete_metadef_tag", MetadefTag, tag_name)
        resp.status = falcon.HTTP_204
