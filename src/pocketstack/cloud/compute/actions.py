"""POST /servers/{id}/action: a registry of the actions, each family in its own module
(actions_power, actions_rebuild, actions_resize, actions_shelve); each action is checked
against the server's state there and recorded in the instance action log here."""

from __future__ import annotations

import falcon

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.compute import (
    action_log,
    actions_deferred_delete,
    actions_evacuate,
    actions_floating_ips,
    actions_images,
    actions_multinic,
    actions_power,
    actions_rebuild,
    actions_resize,
    actions_security_groups,
    actions_shelve,
)
from pocketstack.cloud.compute.actions_base import Call, Entry
from pocketstack.cloud.compute.requests import ServerAction as ActionRequest
from pocketstack.cloud.compute.routing import auth_of
from pocketstack.cloud.compute.servers import get_server, settle_if_delayed
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import BadRequest

REGISTRY: dict[str, Entry] = {
    **actions_power.HANDLERS,
    **actions_rebuild.HANDLERS,
    **actions_resize.HANDLERS,
    **actions_shelve.HANDLERS,
    **actions_deferred_delete.HANDLERS,
    **actions_evacuate.HANDLERS,
    **actions_security_groups.HANDLERS,
    **actions_floating_ips.HANDLERS,
    **actions_images.HANDLERS,
    **actions_multinic.HANDLERS,
}


class ServerAction:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_post(self, req: falcon.Request, resp: falcon.Response, server_id: str) -> None:
        ctx = auth_of(req)
        action = request_of(req, ActionRequest)
        entry = REGISTRY.get(action.name)
        if entry is None:
            raise BadRequest(f"There is no such action: {action.name}")
        # A transition that is due is over before the state check looks at the server.
        settle_if_delayed(self._deps)
        now = self._deps.clock.now()
        with self._deps.store.session(write=True) as session:
            # Locked: two concurrent actions must not both pass the state check.
            row = get_server(session, ctx, server_id, lock=True)
            # The event ran where the server was (an offloaded server has no host after).
            ran_on = row.host
            call = Call(deps=self._deps, ctx=ctx, req=req, session=session, row=row, now=now)
            reply = entry.handler(call, action)
            if entry.logged_as is not None:
                action_log.record(
                    session, instance_uuid=row.uuid, action=entry.logged_as, ctx=ctx,
                    request_id=getattr(req.context, "request_id", ""), now=now,
                    host=row.host or ran_on, done=row.task_state is None,
                )  # fmt: skip
        if reply is None:
            resp.status = falcon.HTTP_202
            return
        resp.status = reply.status
        for name, value in (reply.headers or {}).items():
            resp.set_header(name, value)
        if reply.body is not None:
            resp.media = reply.body
