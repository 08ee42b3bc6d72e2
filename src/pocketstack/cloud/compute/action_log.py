"""The instance action log: each request that acts on a server (create, delete, every action)
recorded once under its request id, with the event the fake hypervisor ran for it.

An event is finished in the request when the driver has no delay, otherwise when the driver
settles the transition (driver.settle).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.store.models.instance_action import InstanceAction, InstanceActionEvent

# Nova's action name -> the compute manager method its event is named after.
EVENTS: dict[str, str] = {
    "create": "compute__do_build_and_run_instance",
    "delete": "compute_terminate_instance",
    "stop": "compute_stop_instance",
    "start": "compute_start_instance",
    "reboot": "compute_reboot_instance",
    "pause": "compute_pause_instance",
    "unpause": "compute_unpause_instance",
    "suspend": "compute_suspend_instance",
    "resume": "compute_resume_instance",
    "rebuild": "compute_rebuild_instance",
    "resize": "compute_prep_resize",
    "migrate": "compute_prep_resize",
    "confirmResize": "compute_confirm_resize",
    "revertResize": "compute_revert_resize",
    "shelve": "compute_shelve_instance",
    "shelveOffload": "compute_shelve_offload_instance",
    "unshelve": "compute_unshelve_instance",
    "rescue": "compute_rescue_instance",
    "unrescue": "compute_unrescue_instance",
    "changePassword": "compute_set_admin_password",
    "trigger_crash_dump": "compute_trigger_crash_dump",
    # An evacuation is a rebuild on another host.
    "evacuate": "compute_rebuild_instance",
    "live_migration_force_complete": "compute_live_migration_force_complete",
    "live_migration_cancel": "compute_live_migration_abort",
    "extend_volume": "compute_extend_volume",
    "restore": "compute_restore_instance",
    "createImage": "compute_snapshot_instance",
    "createBackup": "compute_backup_instance",
    "attach_interface": "compute_attach_interface",
    "detach_interface": "compute_detach_interface",
    "addFixedIp": "compute_add_fixed_ip_to_instance",
    "removeFixedIp": "compute_remove_fixed_ip_from_instance",
}


def record(
    session: Session,
    *,
    instance_uuid: str,
    action: str,
    ctx: RequestContext,
    request_id: str,
    now: dt.datetime,
    host: str | None,
    done: bool,
    event: str | None = None,
) -> None:
    """Records `action` of this request on the server, with its event when it has one (lock
    and unlock have none, as in Nova); `event` names it where the action's usual one is not
    what ran (a soft delete is a "delete" whose event is compute_soft_delete_instance)."""
    row = InstanceAction(
        instance_uuid=instance_uuid, request_id=request_id, action=action,
        user_id=ctx.user_id or "", project_id=ctx.project_id or "", message=None,
        start_time=now, finish_time=now if done else None, created_at=now, updated_at=now,
    )  # fmt: skip
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        # One request acting twice on a server (a multi-create never does): the first stands.
        return
    event = event or EVENTS.get(action)
    if event is not None:
        session.add(
            InstanceActionEvent(
                action_id=row.id,
                event=event,
                result="Success" if done else None,
                host=host,
                start_time=now,
                finish_time=now if done else None,
            )
        )


def finish(session: Session, instance_uuids: Sequence[str], now: dt.datetime) -> None:
    """Finishes the unfinished events of these servers' actions (their transitions are done)."""
    pending = select(InstanceAction.id).where(
        InstanceAction.instance_uuid.in_(list(instance_uuids)),
        InstanceAction.finish_time.is_(None),
    )
    session.execute(
        update(InstanceActionEvent)
        .where(
            InstanceActionEvent.action_id.in_(pending), InstanceActionEvent.finish_time.is_(None)
        )
        .values(finish_time=now, result="Success")
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(InstanceAction)
        .where(
            InstanceAction.instance_uuid.in_(list(instance_uuids)),
            InstanceAction.finish_time.is_(None),
        )
        .values(finish_time=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
