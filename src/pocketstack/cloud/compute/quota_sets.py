"""/os-quota-sets/{project_id} (show, update, revert, defaults, detail) and
/os-quota-class-sets/{class_name} (show, update), as Nova's database quota driver answers them."""

from __future__ import annotations

import urllib.parse
from typing import Any

import falcon

from pocketstack.cloud.api.enforce import operation_of
from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.compute import quota_limits
from pocketstack.cloud.compute.api.quotas import ClassUpdate, QuotaUpdate
from pocketstack.cloud.compute.microversion import ApiVersion
from pocketstack.cloud.compute.quota_updates import (
    delete_limits,
    update_class_limits,
    update_limits,
)
from pocketstack.cloud.compute.routing import auth_of, refuse_unknown_params, version_of
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import BadRequest, Forbidden

# Nova's columns for project, user and quota class names.
MAX_ID = 255


def _pairs(req: falcon.Request) -> list[tuple[str, str]]:
    return urllib.parse.parse_qsl(req.query_string, keep_blank_values=True)


def query_user(req: falcon.Request, *, last: bool = False) -> str | None:
    """The `user_id` query (Nova reads the first one, the detail view the last); from 2.75 any
    other query parameter is refused."""
    api = version_of(req)
    pairs = _pairs(req)
    if api.at_least("2.75"):
        refuse_unknown_params((k for k, _ in pairs), {"user_id"})
    users = [v for k, v in pairs if k == "user_id"]
    if not users:
        return None
    user = users[-1] if last else users[0]
    if len(user) > MAX_ID:
        raise BadRequest(
            f"Invalid input for query parameters user_id. Value: {user[:40]}... It is longer than"
            f" {MAX_ID} characters."
        )
    return user or None


def checked_project(project_id: str) -> str:
    # No project here has a longer id; Nova asks Keystone and answers the same 400.
    if len(project_id) > MAX_ID:
        raise BadRequest(f"Project ID {project_id[:40]}... is not a valid project.")
    return project_id


def reader_of(req: falcon.Request, ctx: RequestContext, project_id: str) -> None:
    """Nova's PROJECT_READER_OR_ADMIN on the target: an admin, or a reader of that project."""
    if ctx.is_admin or (ctx.can_read and ctx.project_id == project_id):
        return
    op = operation_of(req)
    name = op.policy.name if op is not None and op.policy is not None else "os-quota-sets"
    raise Forbidden(f"Policy doesn't allow {name} to be performed.")


def quota_set(
    resources: tuple[str, ...], values: dict[str, Any], ident: str | None
) -> dict[str, Any]:
    body: dict[str, Any] = {} if ident is None else {"id": ident}
    body.update({r: values[r] for r in resources})
    return body


class QuotaSet:
    """GET/PUT/DELETE /os-quota-sets/{project_id}."""

    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, project_id: str) -> None:
        ctx = auth_of(req)
        project_id = checked_project(project_id)
        reader_of(req, ctx, project_id)
        user = query_user(req)
        with self._deps.store.session() as session:
            limits = quota_limits.limits_for(session, project_id, user)
        resources = quota_limits.quota_set_resources(version_of(req))
        resp.media = {"quota_set": quota_set(resources, limits, project_id)}

    def on_put(self, req: falcon.Request, resp: falcon.Response, project_id: str) -> None:
        project_id = checked_project(project_id)
        user = query_user(req)
        update = request_of(req, QuotaUpdate)
        with self._deps.store.session(write=True) as session:
            update_limits(
                session, project_id=project_id, user_id=user, values=update.values,
                force=update.force,
            )  # fmt: skip
            limits = quota_limits.limits_for(session, project_id, user)
        resources = quota_limits.quota_set_resources(version_of(req))
        resp.media = {"quota_set": quota_set(resources, limits, None)}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, project_id: str) -> None:
        project_id = checked_project(project_id)
        user = query_user(req)
        with self._deps.store.session(write=True) as session:
            delete_limits(session, project_id=project_id, user_id=user)
        resp.status = falcon.HTTP_202


class QuotaDefaults:
    """GET /os-quota-sets/{project_id}/defaults: the 'default' class over the built-ins."""

    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, project_id: str) -> None:
        project_id = checked_project(project_id)
        with self._deps.store.session() as session:
            limits = quota_limits.class_limits(session, quota_limits.DEFAULT_CLASS)
        resources = quota_limits.quota_set_resources(version_of(req))
        resp.media = {"quota_set": quota_set(resources, limits, project_id)}


class QuotaDetail:
    """GET /os-quota-sets/{project_id}/detail: limit, in_use and reserved (always 0)."""

    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, project_id: str) -> None:
        ctx = auth_of(req)
        project_id = checked_project(project_id)
        reader_of(req, ctx, project_id)
        user = query_user(req, last=True)
        with self._deps.store.session() as session:
            limits = quota_limits.limits_for(session, project_id, user)
            in_use = quota_limits.usage(session, project_id, user)
        details = {r: {"in_use": in_use[r], "limit": limits[r], "reserved": 0} for r in limits}
        resources = quota_limits.quota_set_resources(version_of(req))
        resp.media = {"quota_set": quota_set(resources, details, project_id)}


def _class_name(class_name: str) -> str:
    if len(class_name) > MAX_ID:
        raise BadRequest(f"quota_class_name has {len(class_name)} characters, more than {MAX_ID}.")
    return class_name


class QuotaClassSet:
    """GET/PUT /os-quota-class-sets/{class_name}."""

    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def _shown(self, api: ApiVersion, limits: dict[str, int], ident: str | None) -> dict[str, Any]:
        resources = quota_limits.class_set_resources(api)
        return {"quota_class_set": quota_set(resources, limits, ident)}

    def on_get(self, req: falcon.Request, resp: falcon.Response, class_name: str) -> None:
        with self._deps.store.session() as session:
            limits = quota_limits.class_limits(session, class_name)
        resp.media = self._shown(version_of(req), limits, class_name)

    def on_put(self, req: falcon.Request, resp: falcon.Response, class_name: str) -> None:
        class_name = _class_name(class_name)
        update = request_of(req, ClassUpdate)
        with self._deps.store.session(write=True) as session:
            update_class_limits(session, class_name, update.values)
            limits = quota_limits.class_limits(session, class_name)
        resp.media = self._shown(version_of(req), limits, None)
