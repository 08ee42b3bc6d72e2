"""POST /servers/{id}/action: power and lock actions, checked against the server's state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import falcon

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.compute import driver, policy, states
from pocketstack.cloud.compute.bodies import invalid, optional_text, read_json
from pocketstack.cloud.compute.microversion import ApiVersion
from pocketstack.cloud.compute.routing import auth_of, version_of
from pocketstack.cloud.compute.servers import check_not_locked, get_server
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import BadRequest, Conflict
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
        api = version_of(req)
        body = read_json(req, max_size=self._deps.config.max_request_body_size)
        if not isinstance(body, dict) or len(body) != 1:
            raise BadRequest("Malformed request body")
        ((action, arg),) = body.items()
        handler = self._handler(action)
        with self._deps.store.session(write=True) as session:
            # Locked: two concurrent actions must not both pass the state check.
            row = get_server(session, ctx, server_id, lock=True)
            handler(ctx, api, row, arg)
        resp.status = falcon.HTTP_202

    def _handler(self, action: str) -> Callable[[RequestContext, ApiVersion, Instance, Any], None]:
        if action in _POWER_ACTIONS:
            return lambda ctx, api, row, arg: self._power(action, ctx, row, arg)
        if action == "reboot":
            return self._reboot
        if action == "lock":
            return self._lock
        if action == "unlock":
            return self._unlock
        raise BadRequest(f"There is no such action: {action}")

    def _now(self) -> Any:
        return self._deps.clock.now()

    def _power(self, action: str, ctx: RequestContext, row: Instance, arg: Any) -> None:
        rule, vm_states, task = _POWER_ACTIONS[action]
        policy.project_member_or_admin(ctx, f"os_compute_api:{rule}")
        if arg is not None and arg != {}:
            raise invalid(action, arg, f"{arg!r} is not of type 'null'")
        check_not_locked(ctx, row)
        _check_state(_ACTION_NAMES.get(action, action), row, vm_states)
        driver.start_transition(row, task, now=self._now(), delay=self._deps.config.driver_delay)

    def _reboot(self, ctx: RequestContext, api: ApiVersion, row: Instance, arg: Any) -> None:
        policy.project_member_or_admin(ctx, "os_compute_api:servers:reboot")
        if not isinstance(arg, dict) or "type" not in arg:
            raise BadRequest("'type' is a required property")
        kind = arg["type"]
        if not isinstance(kind, str) or kind.upper() not in ("SOFT", "HARD"):
            raise invalid("type", kind, f"{kind!r} is not one of ['HARD', 'Hard', 'SOFT', 'Soft']")
        check_not_locked(ctx, row)
        if kind.upper() == "SOFT":
            _check_state("reboot", row, (states.ACTIVE,))
            task = states.REBOOTING
        else:
            if row.vm_state not in _HARD_REBOOT_STATES:
                raise _invalid_state("reboot", row, "vm_state", row.vm_state)
            task = states.REBOOTING_HARD
        driver.start_transition(row, task, now=self._now(), delay=self._deps.config.driver_delay)

    def _lock(self, ctx: RequestContext, api: ApiVersion, row: Instance, arg: Any) -> None:
        policy.project_member_or_admin(ctx, "os_compute_api:os-lock-server:lock")
        reason: str | None = None
        if isinstance(arg, dict) and arg:
            if not api.at_least("2.73") or set(arg) != {"locked_reason"}:
                raise BadRequest(
                    "Additional properties are not allowed"
                    f" ({', '.join(repr(k) for k in arg)} was unexpected)"
                )
            reason = optional_text("locked_reason", arg["locked_reason"])
        elif arg not in (None, {}):
            raise invalid("lock", arg, f"{arg!r} is not of type 'object', 'null'")
        if not row.locked:
            row.locked = True
            row.locked_by = (
                "admin" if ctx.is_admin and row.project_id != ctx.project_id else "owner"
            )
            row.locked_reason = reason
            row.updated_at = self._now()

    def _unlock(self, ctx: RequestContext, api: ApiVersion, row: Instance, arg: Any) -> None:
        policy.project_member_or_admin(ctx, "os_compute_api:os-lock-server:unlock")
        if arg not in (None, {}):
            raise invalid("unlock", arg, f"{arg!r} is not of type 'null'")
        if row.locked and row.locked_by == "admin":
            policy.admin_api(ctx, "os_compute_api:os-lock-server:unlock:unlock_override")
        if row.locked:
            row.locked = False
            row.locked_by = None
            row.locked_reason = None
            row.updated_at = self._now()
