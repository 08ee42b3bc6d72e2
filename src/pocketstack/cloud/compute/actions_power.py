"""The power and lock actions: os-start, os-stop, pause, unpause, suspend, resume, reboot, lock,
unlock."""

from __future__ import annotations

from pocketstack.cloud.compute import policy, states
from pocketstack.cloud.compute.actions_base import (
    Call,
    Entry,
    Reply,
    check_host,
    check_state,
    invalid_state,
)
from pocketstack.cloud.compute.requests import Lock, Reboot, ServerAction

# action -> (policy rule, allowed vm_states, task_state to start, name in messages and the log)
_POWER: dict[str, tuple[str, tuple[str, ...], str, str]] = {
    "os-stop": ("servers:stop", (states.ACTIVE, states.ERROR), states.POWERING_OFF, "stop"),
    "os-start": ("servers:start", (states.STOPPED,), states.POWERING_ON, "start"),
    "pause": ("os-pause-server:pause", (states.ACTIVE,), states.PAUSING, "pause"),
    "unpause": ("os-pause-server:unpause", (states.PAUSED,), states.UNPAUSING, "unpause"),
    "suspend": ("os-suspend-server:suspend", (states.ACTIVE,), states.SUSPENDING, "suspend"),
    "resume": ("os-suspend-server:resume", (states.SUSPENDED,), states.RESUMING, "resume"),
}
_HARD_REBOOT_STATES = (states.ACTIVE, states.STOPPED, states.PAUSED, states.SUSPENDED, states.ERROR)
# Nova's ALLOW_REBOOT: a hard reboot may interrupt only these tasks (never a delete, a resize, a
# rebuild or a migration, which it would otherwise overwrite).
_HARD_REBOOT_TASKS = (None, states.REBOOTING, states.REBOOTING_HARD, states.PAUSING,
                      states.UNPAUSING, states.SUSPENDING, states.RESUMING)  # fmt: skip
# The actions Nova refuses (409) on a server that has no host (one no host would take).
_NEEDS_HOST = ("os-stop", "os-start")


def _power(call: Call, action: ServerAction) -> Reply | None:
    rule, vm_states, task, name = _POWER[action.name]
    call.member(rule)
    if action.name in _NEEDS_HOST:
        check_host(name, call.row)
    check_state(name, call.row, vm_states)
    call.start(task)
    return None


def _reboot(call: Call, action: ServerAction) -> Reply | None:
    assert isinstance(action, Reboot)
    call.member("servers:reboot")
    row = call.row
    if action.hard:
        if row.vm_state not in _HARD_REBOOT_STATES:
            raise invalid_state("reboot", row, "vm_state", row.vm_state)
        if row.task_state not in _HARD_REBOOT_TASKS:
            raise invalid_state("reboot", row, "task_state", row.task_state)
        task = states.REBOOTING_HARD
    else:
        check_state("reboot", row, (states.ACTIVE,))
        task = states.REBOOTING
    call.start(task)
    return None


def _lock(call: Call, action: ServerAction) -> Reply | None:
    assert isinstance(action, Lock)
    ctx, row = call.ctx, call.row
    policy.project_member_or_admin(ctx, "os_compute_api:os-lock-server:lock")
    owner = row.project_id == ctx.project_id
    # As Nova: the owner locking a locked server changes nothing; an admin of another project
    # takes the lock over, and the owner then needs unlock_override to undo it.
    if not (row.locked and owner):
        row.locked = True
        row.locked_by = "owner" if owner else "admin"
        row.locked_reason = action.reason
        row.updated_at = call.now
    return None


def _unlock(call: Call, action: ServerAction) -> Reply | None:
    ctx, row = call.ctx, call.row
    policy.project_member_or_admin(ctx, "os_compute_api:os-lock-server:unlock")
    if row.locked and row.locked_by == "admin":
        policy.admin_api(ctx, "os_compute_api:os-lock-server:unlock:unlock_override")
    if row.locked:
        row.locked = False
        row.locked_by = None
        row.locked_reason = None
        row.updated_at = call.now
    return None


HANDLERS: dict[str, Entry] = {
    **{name: Entry(_power, spec[3]) for name, spec in _POWER.items()},
    "reboot": Entry(_reboot, "reboot"),
    "lock": Entry(_lock, "lock"),
    "unlock": Entry(_unlock, "unlock"),
}
