"""GET /limits: the caller's project's absolute limits and usage (no rate limits, as Nova since
Newton); an admin may ask for another project's with `tenant_id`."""

from __future__ import annotations

import urllib.parse

import falcon

from pocketstack.cloud.compute import quota_limits
from pocketstack.cloud.compute.api.quotas import absolute_names
from pocketstack.cloud.compute.quota_sets import checked_project
from pocketstack.cloud.compute.routing import auth_of, refuse_unknown_params, version_of
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import Forbidden

OTHER_PROJECT_RULE = "os_compute_api:limits:other_project"


class Limits:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx = auth_of(req)
        api = version_of(req)
        pairs = urllib.parse.parse_qsl(req.query_string, keep_blank_values=True)
        if api.at_least("2.75"):
            refuse_unknown_params((k for k, _ in pairs), {"tenant_id"})
        tenants = [v for k, v in pairs if k == "tenant_id"]
        project_id = ctx.project_id
        if tenants:
            # Whatever project it names, even the caller's own, tenant_id is the admin's.
            if not ctx.is_admin:
                raise Forbidden(f"Policy doesn't allow {OTHER_PROJECT_RULE} to be performed.")
            project_id = checked_project(tenants[-1])
        if project_id is None:
            # os_compute_api:limits is project-scoped: a token without a project has no limits.
            raise Forbidden("Policy doesn't allow os_compute_api:limits to be performed.")
        with self._deps.store.session() as session:
            limits = quota_limits.project_limits(session, project_id)
            in_use = quota_limits.usage(session, project_id)
        absolute_limits, used = absolute_names(api)
        absolute = {name: limits[quota] for name, quota in absolute_limits}
        absolute.update({name: in_use[quota] for name, quota in used})
        resp.media = {"limits": {"rate": [], "absolute": absolute}}
