"""Who may use a private flavor: GET /flavors/{id}/os-flavor-access, and POST
/flavors/{id}/action with addTenantAccess or removeTenantAccess (admins only).

A grant is a row of flavor_project, unique by its key: a second grant is the database's refusal
(409), never a look before the insert.
"""

from __future__ import annotations

from typing import Any

import falcon
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.compute import policy
from pocketstack.cloud.compute.flavor_requests import AccessChange
from pocketstack.cloud.compute.flavors import get_flavor
from pocketstack.cloud.compute.routing import auth_of, version_of
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import BadRequest, Conflict, NotFound
from pocketstack.cloud.store.models.compute import Flavor, FlavorProject

# The longest project id stored; a longer one names no project (Nova asks Keystone).
_MAX_PROJECT_ID = 64
_RULES = {
    True: "os_compute_api:os-flavor-access:add_tenant_access",
    False: "os_compute_api:os-flavor-access:remove_tenant_access",
}


def access_list(session: Session, flavor_id: str) -> dict[str, Any]:
    projects = session.scalars(
        select(FlavorProject.project_id)
        .where(FlavorProject.flavor_id == flavor_id)
        .order_by(FlavorProject.project_id)
    )
    return {"flavor_access": [{"flavor_id": flavor_id, "tenant_id": p} for p in projects]}


class FlavorAccessList:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, flavor_id: str) -> None:
        with self._deps.store.session() as session:
            flavor = get_flavor(session, auth_of(req), flavor_id)
            if flavor.is_public:
                raise NotFound("Access list not available for public flavors.")
            resp.media = access_list(session, flavor.id)


class FlavorAction:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_post(self, req: falcon.Request, resp: falcon.Response, flavor_id: str) -> None:
        ctx = auth_of(req)
        change = request_of(req, AccessChange)
        # Each action has its own rule, checked once the body names it (as Nova does).
        policy.admin_api(ctx, _RULES[change.add])
        if change.add:
            resp.media = self._add(req, flavor_id, change.project_id)
        else:
            resp.media = self._remove(req, flavor_id, change.project_id)

    def _add(self, req: falcon.Request, flavor_id: str, project_id: str) -> dict[str, Any]:
        if len(project_id) > _MAX_PROJECT_ID:
            raise BadRequest(f"Project ID {project_id} is not a valid project.")
        ctx = auth_of(req)
        try:
            with self._deps.store.session(write=True) as session:
                flavor = get_flavor(session, ctx, flavor_id)
                if flavor.is_public and version_of(req).at_least("2.7"):
                    raise Conflict("Can not add access to a public flavor.")
                session.add(FlavorProject(flavor_id=flavor.id, project_id=project_id))
                session.flush()
                return access_list(session, flavor.id)
        except IntegrityError:
            # The grant exists already, or the flavor went away meanwhile (its foreign key).
            with self._deps.store.session() as fresh:
                flavor = get_flavor(fresh, ctx, flavor_id)
            raise Conflict(
                f"Flavor access already exists for flavor {flavor.id} and project"
                f" {project_id} combination."
            ) from None

    def _remove(self, req: falcon.Request, flavor_id: str, project_id: str) -> dict[str, Any]:
        with self._deps.store.session(write=True) as session:
            flavor: Flavor = get_flavor(session, auth_of(req), flavor_id)
            removed = session.execute(
                delete(FlavorProject).where(
                    FlavorProject.flavor_id == flavor.id, FlavorProject.project_id == project_id
                )
            )
            if not getattr(removed, "rowcount", 0):
                raise NotFound(
                    f"Flavor access not found for {flavor.id} / {project_id} combination."
                )
            return access_list(session, flavor.id)
