"""Nova's deferred delete actions: restore a soft-deleted server, or delete one at once
(forceDelete). A DELETE soft-deletes when `reclaim_instance_interval` is above 0 (servers.py)
and the driver reclaims the server once the interval has passed (driver.settle); both actions
are served whatever the interval, as in Nova."""

from __future__ import annotations

from pocketstack.cloud.compute import policy, quotas, states
from pocketstack.cloud.compute.actions_base import Call, Entry, Reply, check_state
from pocketstack.cloud.compute.requests import ServerAction
from pocketstack.cloud.errors import Conflict


def _restore(call: Call, action: ServerAction) -> Reply | None:
    row = call.row
    policy.project_member_or_admin(call.ctx, "os_compute_api:os-deferred-delete:restore")
    # Nova's restore answers a lock, and a server that never ran, with its state conflict
    # that names no state.
    unnamed = Conflict(f"Instance {row.uuid} is in an invalid state for 'restore'")
    if row.locked and not call.ctx.is_admin:
        raise unnamed
    check_state("restore", row, (states.SOFT_DELETED,))
    if row.launched_at is None:
        raise unnamed
    # A soft-deleted server counts for nothing (quota_limits.instance_usage): coming back, it
    # needs room again, as Nova checks one more server of its flavor (403 when over).
    quotas.claim_instances(
        call.session, project_id=row.project_id, user_id=row.user_id,
        vcpus=row.vcpus, memory_mb=row.memory_mb,
    )  # fmt: skip
    row.deleted_at = None
    if row.host is not None:
        call.start(states.RESTORING)
        return None
    # Nova's restore of a server on no host: back to ACTIVE in the database alone.
    row.vm_state = states.ACTIVE
    row.task_state = None
    row.transition_due_at = None
    row.updated_at = call.now
    return None


def _force_delete(call: Call, action: ServerAction) -> Reply | None:
    """Nova's force_delete: any vm_state and any task (a SOFT_DELETED server above all, but an
    ACTIVE one too); refused only when locked. A server already being deleted is left to it;
    one being soft-deleted is deleted for good instead."""
    call.member("os-deferred-delete:force")
    if call.row.task_state != states.DELETING:
        call.start(states.DELETING)
    return None


HANDLERS: dict[str, Entry] = {
    "restore": Entry(_restore, "restore"),
    # Nova records a force delete as the delete it is.
    "forceDelete": Entry(_force_delete, "delete"),
}
