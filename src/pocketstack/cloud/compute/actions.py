"""POST /servers/{id}/action: power and lock actions, checked against the server's state."""

from __future__ import annotations

import datetime as dt

import falcon

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.compute import driver, policy, states
from pocketstack.cloud.compute.requests import Lock, Reboot
from pocketstack.cloud.compute.requests import ServerAction as ActionRequest
from pocketstack.cloud.compute.routing import auth_of
from pocketstack.cloud.compute.servers import check_not_locked, get_server
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import Conflict
from pocketstack.cloud.store.models.compute import Instance

# action -> (policy rule, allowed vm_states, task_state to start)
_POWER_ACTIONS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "os-stop": ("servers:stop", (states.ACTIVE, states.ERROR), states.POWERING_OFF),
    "os-start": ("servers:start", (states.STOPPED,), states.POWERING_ON),
    "pause": ("os-pause-server:pause", (states.ACTIVE,), states.PAUSING),
    "unpause": ("os-pause-server:unpause", (states.PAUSED,), states.UNPAUSING),
    "suspend": ("os-suspend-server:suspend", (states.ACTIVE,), states.SUSPENDING),
    "resume": ("os-suspend-server:resume", (states.SUSPENDED,), states.RESUMING),
}
_ACTION_NAMES = {"os-stop": "stop", "os-start": "start"}
_HARD_REBOOT_STATES = (states.ACTIVE, states.STOPPED, states.PAUSED, states.SUSPENDED, states.ERROR)


def _invalid_state(action: str, row: Instance, attr: str, value: str | None) -> Conflict:
    return Conflict(f"Cannot '{action}' instance {row.uuid} while it is in {attr} {value}")


def _check_state(action: str, row: Instance, vm_states: tuple[str, ...]) -> None:
    if row.vm_state not in vm_states:
        raise _invalid_state(action, row, "vm_state", row.vm_state)
    if row.task_state is not None:
        raise _invalid_state(action, row, "task_state", row.task_state)


class ServerAction:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_post(self, req: falcon.Request, resp: falcon.Response, server_id: str) -> None:
        ctx = auth_of(req)
        action = request_of(req, ActionRequest)
        with self._deps.store.session(write=True) as session:
            # Locked: two concurrent actions must not both pass the state check.
            row = get_server(session, ctx, server_id, lock=True)
            if isinstance(action, Reboot):
                self._reboot(ctx, row, action)
            elif isinstance(action, Lock):
                self._lock(ctx, row, action)
            elif action.name == "unlock":
                self._unlock(ctx, row)
            else:
                self._power(action.name, ctx, row)
        resp.status = falcon.HTTP_202

    def _now(self) -> dt.datetime:
        return self._deps.clock.now()

    def _power(self, action: str, ctx: RequestContext, row: Instance) -> None:
        rule, vm_states, task = _POWER_ACTIONS[action]
        policy.project_member_or_admin(ctx, f"os_compute_api:{rule}")
        check_not_locked(ctx, row)
        _check_state(_ACTION_NAMES.get(action, action), row, vm_states)
        driver.start_transition(row, task, now=self._now(), delay=self._deps.config.driver_delay)

    def _reboot(self, ctx: RequestContext, row: Instance, reboot: Reboot) -> None:
        policy.project_member_or_admin(ctx, "os_compute_api:servers:reboot")
        check_not_locked(ctx, row)
        if reboot.hard:
            if row.vm_state not in _HARD_REBOOT_STATES:
                raise _invalid_state("reboot", row, "vm_state", row.vm_state)
            task = states.REBOOTING_HARD
        else:
            _check_state("reboot", row, (states.ACTIVE,))
            task = states.REBOOTING
        driver.start_transition(row, task, now=self._now(), delay=self._deps.config.driver_delay)

    def _lock(self, ctx: RequestContext, row: Instance, lock: Lock) -> None:
        policy.project_member_or_admin(ctx, "os_compute_api:os-lock-server:lock")
        if not row.locked:
            row.locked = True
            row.locked_by = (
                "admin" if ctx.is_admin and row.project_id != ctx.project_id else "owner"
            )
            row.locked_reason = lock.reason
            row.updated_at = self._now()

    def _unlock(self, ctx: RequestContext, row: Instance) -> None:
        policy.project_member_or_admin(ctx, "os_compute_api:os-lock-server:unlock")
        if row.locked and row.locked_by == "admin":
            policy.admin_api(ctx, "os_compute_api:os-lock-server:unlock:unlock_override")
        if row.locked:
            row.locked = False
            row.locked_by = None
            row.locked_reason = None
            row.updated_at = self._now()
