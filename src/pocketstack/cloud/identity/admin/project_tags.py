"""/v3/projects/{project_id}/tags: a project's tags, as a list and one by one.

Reading them is for an admin or a token scoped to the project (Keystone's project user);
writing them is for an admin (declared in api.py).
"""

from __future__ import annotations

from urllib.parse import quote

import falcon

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.errors import NotFound
from pocketstack.cloud.identity import project_tags
from pocketstack.cloud.identity.project_tags import TagsUpdate
from pocketstack.cloud.identity.service import Identity
from pocketstack.cloud.identity.web import v3_url
from pocketstack.cloud.store.models.identity import Project


def _may_read(identity: Identity, req: falcon.Request, project_id: str, action: str) -> None:
    ctx = identity.caller(req)
    if not ctx.is_admin and ctx.project_id != project_id:
        identity.admin(req, action)


class ProjectTags:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def _answer(self, req: falcon.Request, resp: falcon.Response, tags: list[str]) -> None:
        resp.media = {"tags": tags, "links": {"self": req.uri}}

    def on_get(self, req: falcon.Request, resp: falcon.Response, project_id: str) -> None:
        _may_read(self.identity, req, project_id, "list_project_tags")
        with self.identity.deps.store.session() as session:
            if session.get(Project, project_id) is None:
                raise NotFound(f"Could not find project: {project_id}.")
            tags = project_tags.tags_of(session, project_id)
        self._answer(req, resp, tags)

    def on_head(self, req: falcon.Request, resp: falcon.Response, project_id: str) -> None:
        self.on_get(req, resp, project_id)

    def on_put(self, req: falcon.Request, resp: falcon.Response, project_id: str) -> None:
        new = request_of(req, TagsUpdate)
        with self.identity.deps.store.session(write=True) as session:
            project_tags.lock_project(session, project_id)
            tags = project_tags.replace(session, project_id, new.tags)
        self._answer(req, resp, tags)

    def on_delete(self, req: falcon.Request, resp: falcon.Response, project_id: str) -> None:
        with self.identity.deps.store.session(write=True) as session:
            project_tags.lock_project(session, project_id)
            project_tags.replace(session, project_id, ())
        resp.status = falcon.HTTP_204


class ProjectTag:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response, project_id: str, tag: str) -> None:
        _may_read(self.identity, req, project_id, "get_project_tag")
        with self.identity.deps.store.session() as session:
            if session.get(Project, project_id) is None:
                raise NotFound(f"Could not find project: {project_id}.")
            if not project_tags.has(session, project_id, tag):
                raise NotFound(f"Could not find project tag: {tag}.")
        resp.status = falcon.HTTP_204

    def on_head(
        self, req: falcon.Request, resp: falcon.Response, project_id: str, tag: str
    ) -> None:
        self.on_get(req, resp, project_id, tag)

    def on_put(self, req: falcon.Request, resp: falcon.Response, project_id: str, tag: str) -> None:
        with self.identity.deps.store.session(write=True) as session:
            project_tags.add(session, project_id, tag)
        resp.status = falcon.HTTP_201
        resp.location = v3_url(req, "projects", project_id, "tags", quote(tag, safe=""))

    def on_delete(
        self, req: falcon.Request, resp: falcon.Response, project_id: str, tag: str
    ) -> None:
        with self.identity.deps.store.session(write=True) as session:
            project_tags.remove(session, project_id, tag)
        resp.status = falcon.HTTP_204
