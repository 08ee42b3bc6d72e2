"""Server tags (2.26+) and server metadata."""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping

import falcon
import jsonschema
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.compute import quotas, states
from pocketstack.cloud.compute.api.params import MAX_TAGS, TAG
from pocketstack.cloud.compute.requests import MetadataItem, MetadataUpdate, TagsUpdate
from pocketstack.cloud.compute.routing import Links, auth_of
from pocketstack.cloud.compute.servers import get_server
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import BadRequest, Conflict, NotFound
from pocketstack.cloud.store.models.compute import Instance, InstanceMetadata, InstanceTag

_TAGGABLE = (states.ACTIVE, states.PAUSED, states.SUSPENDED, states.STOPPED, states.SHELVED,
             states.SHELVED_OFFLOADED)  # fmt: skip


_TAG = jsonschema.Draft202012Validator(TAG)


def check_tag(tag: str) -> None:
    """A tag named in the path, refused in Nova's words."""
    error = jsonschema.exceptions.best_match(_TAG.iter_errors(tag))
    if error is not None:
        raise BadRequest(
            f"Tag '{tag}' is invalid. It must be a non empty string without characters '/' and"
            f" ','. Validation error message: {error.message}"
        )


def _check_taggable(row: Instance, action: str) -> None:
    if row.vm_state not in _TAGGABLE:
        raise Conflict(
            f"Cannot '{action}' instance {row.uuid} while it is in vm_state {row.vm_state}"
        )


def _tags(session: Session, row: Instance) -> list[str]:
    return list(
        session.scalars(
            select(InstanceTag.tag)
            .where(InstanceTag.instance_id == row.id)
            .order_by(InstanceTag.tag)
        )
    )


class ServerTags:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, server_id: str) -> None:
        ctx = auth_of(req)
        with self._deps.store.session() as session:
            resp.media = {"tags": _tags(session, get_server(session, ctx, server_id))}

    def on_put(self, req: falcon.Request, resp: falcon.Response, server_id: str) -> None:
        ctx = auth_of(req)
        tags = request_of(req, TagsUpdate).tags
        with self._deps.store.session(write=True) as session:
            row = get_server(session, ctx, server_id, lock=True)
            _check_taggable(row, "update tags")
            session.execute(delete(InstanceTag).where(InstanceTag.instance_id == row.id))
            for tag in tags:
                session.add(InstanceTag(instance_id=row.id, tag=tag))
            row.updated_at = self._deps.clock.now()
            session.flush()
            resp.media = {"tags": _tags(session, row)}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, server_id: str) -> None:
        ctx = auth_of(req)
        with self._deps.store.session(write=True) as session:
            row = get_server(session, ctx, server_id, lock=True)
            _check_taggable(row, "delete tags")
            session.execute(delete(InstanceTag).where(InstanceTag.instance_id == row.id))
            row.updated_at = self._deps.clock.now()
        resp.status = falcon.HTTP_204


def tag_location(links: Links, server_id: str, tag: str) -> str:
    # Headers go out as Latin-1 and are read as ASCII: a tag of any other character is
    # percent-encoded, as it is in the path that addresses it.
    quoted = urllib.parse.quote(tag, safe="")
    return links.self_href("servers", f"{urllib.parse.quote(server_id, safe='')}/tags/{quoted}")


class ServerTag:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, server_id: str, tag: str) -> None:
        ctx = auth_of(req)
        with self._deps.store.session() as session:
            row = get_server(session, ctx, server_id)
            if session.get(InstanceTag, (row.id, tag)) is None:
                raise NotFound(f"Tag {tag} could not be found.")
        resp.status = falcon.HTTP_204

    def on_put(self, req: falcon.Request, resp: falcon.Response, server_id: str, tag: str) -> None:
        ctx = auth_of(req)
        check_tag(tag)
        with self._deps.store.session(write=True) as session:
            row = get_server(session, ctx, server_id, lock=True)
            _check_taggable(row, "update tag")
            if session.get(InstanceTag, (row.id, tag)) is not None:
                resp.status = falcon.HTTP_204
                return
            if len(_tags(session, row)) >= MAX_TAGS:
                raise BadRequest(f"The number of tags exceeded the per-server limit {MAX_TAGS}")
            session.add(InstanceTag(instance_id=row.id, tag=tag))
            row.updated_at = self._deps.clock.now()
        resp.status = falcon.HTTP_201
        resp.set_header("Location", tag_location(Links(req), server_id, tag))

    def on_delete(
        self, req: falcon.Request, resp: falcon.Response, server_id: str, tag: str
    ) -> None:
        ctx = auth_of(req)
        with self._deps.store.session(write=True) as session:
            row = get_server(session, ctx, server_id, lock=True)
            _check_taggable(row, "delete tag")
            existing = session.get(InstanceTag, (row.id, tag))
            if existing is None:
                raise NotFound(f"Tag {tag} could not be found.")
            session.delete(existing)
            row.updated_at = self._deps.clock.now()
        resp.status = falcon.HTTP_204


def _metadata(session: Session, row: Instance) -> dict[str, str]:
    rows = session.execute(
        select(InstanceMetadata.key, InstanceMetadata.value).where(
            InstanceMetadata.instance_id == row.id
        )
    )
    return {k: v for k, v in rows}


def _set_metadata(
    session: Session, row: Instance, items: Mapping[str, str], *, replace: bool
) -> None:
    """Replace or merge a server's metadata, within the metadata_items quota; the caller holds
    the server's row lock."""
    count = len(items) if replace else len(set(_metadata(session, row)) | set(items))
    quotas.check_metadata_items(
        session, project_id=row.project_id, user_id=row.user_id, count=count
    )
    if replace:
        session.execute(delete(InstanceMetadata).where(InstanceMetadata.instance_id == row.id))
        session.flush()
    for key, value in items.items():
        existing = None if replace else session.get(InstanceMetadata, (row.id, key))
        if existing is None:
            session.add(InstanceMetadata(instance_id=row.id, key=key, value=value))
        else:
            existing.value = value


class ServerMetadata:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, server_id: str) -> None:
        ctx = auth_of(req)
        with self._deps.store.session() as session:
            resp.media = {"metadata": _metadata(session, get_server(session, ctx, server_id))}

    def _write(
        self, req: falcon.Request, resp: falcon.Response, server_id: str, *, replace: bool
    ) -> None:
        ctx = auth_of(req)
        items = request_of(req, MetadataUpdate).items
        with self._deps.store.session(write=True) as session:
            row = get_server(session, ctx, server_id, lock=True)
            _set_metadata(session, row, items, replace=replace)
            row.updated_at = self._deps.clock.now()
            session.flush()
            resp.media = {"metadata": _metadata(session, row)}

    def on_post(self, req: falcon.Request, resp: falcon.Response, server_id: str) -> None:
        self._write(req, resp, server_id, replace=False)

    def on_put(self, req: falcon.Request, resp: falcon.Response, server_id: str) -> None:
        self._write(req, resp, server_id, replace=True)


class ServerMetadataItem:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, server_id: str, key: str) -> None:
        ctx = auth_of(req)
        with self._deps.store.session() as session:
            row = get_server(session, ctx, server_id)
            item = session.get(InstanceMetadata, (row.id, key))
            if item is None:
                raise NotFound("Metadata item was not found")
            resp.media = {"meta": {key: item.value}}

    def on_put(self, req: falcon.Request, resp: falcon.Response, server_id: str, key: str) -> None:
        ctx = auth_of(req)
        item = request_of(req, MetadataItem)
        if item.key != key:
            raise BadRequest("Request body and URI mismatch")
        items = {item.key: item.value}
        with self._deps.store.session(write=True) as session:
            row = get_server(session, ctx, server_id, lock=True)
            _set_metadata(session, row, items, replace=False)
            row.updated_at = self._deps.clock.now()
        resp.media = {"meta": items}

    def on_delete(
        self, req: falcon.Request, resp: falcon.Response, server_id: str, key: str
    ) -> None:
        ctx = auth_of(req)
        with self._deps.store.session(write=True) as session:
            row = get_server(session, ctx, server_id, lock=True)
            item = session.get(InstanceMetadata, (row.id, key))
            if item is None:
                raise NotFound("Metadata item was not found")
            session.delete(item)
            row.updated_at = self._deps.clock.now()
        resp.status = falcon.HTTP_204
