"""`PUT /v2.0/routers/{id}/add_extraroutes` and `remove_extraroutes` (Neutron's
extraroute-atomic): routes added to or removed from a router's as one step, so that two
clients editing the same router's routes never lose each other's.

Each call reads the router's routes under its row lock (FOR UPDATE: a concurrent call waits)
and writes the union (or the difference) with the same checks as an update of `routes`: at
most MAX_ROUTES, each nexthop on a subnet the router is connected to. Routes asked to be
removed that the router does not have are ignored, as are routes added twice.
"""

from __future__ import annotations

import json

import falcon

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.network import access, faults, routers
from pocketstack.cloud.network import l3_views as views
from pocketstack.cloud.network.api.l3 import ExtraRoutes

Route = dict[str, str]


def _key(route: Route) -> tuple[str, str]:
    return route["destination"], route["nexthop"]


def combined(held: list[Route], asked: list[Route], action: str) -> list[Route]:
    """The router's routes after the action: held ones first, in their order."""
    if action == "remove":
        gone = {_key(r) for r in asked}
        return [r for r in held if _key(r) not in gone]
    found = list(held)
    known = {_key(r) for r in held}
    for route in asked:
        if _key(route) not in known:
            known.add(_key(route))
            found.append(route)
    return found


class ExtraRoutesAction:
    def __init__(self, deps: CloudDeps, action: str) -> None:
        self._deps = deps
        self._action = action

    def on_put(self, req: falcon.Request, resp: falcon.Response, router_id: str) -> None:
        ctx: RequestContext = req.context.auth
        asked = request_of(req, ExtraRoutes).routes
        with self._deps.store.session(write=True) as session:
            router = views.router(session, ctx, router_id, lock=access.UPDATE)
            if not views.changes(ctx, router.project_id):
                raise faults.policy_refused(f"{self._action}_extraroutes")
            held: list[Route] = json.loads(router.routes)
            wanted = combined(held, asked, self._action)
            if wanted != held:
                if self._action == "add":
                    routers.check_routes(session, router, wanted)
                router.routes = json.dumps(wanted)
                router.revision_number += 1
                router.updated_at = self._deps.clock.now()
            session.flush()
            view = views.router_views(session, [router], ctx)[0]
        resp.media = {"router": view}


def routes(deps: CloudDeps) -> dict[str, object]:
    return {f"/v2.0/routers/{{router_id}}/{action}_extraroutes": ExtraRoutesAction(deps, action)
            for action in ("add", "remove")}  # fmt: skip
