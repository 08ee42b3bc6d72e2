"""Nova's vm_state/task_state/power_state vocabulary and the API status derived from them."""

from __future__ import annotations

# vm states
ACTIVE = "active"
BUILDING = "building"
PAUSED = "paused"
SUSPENDED = "suspended"
STOPPED = "stopped"
RESCUED = "rescued"
RESIZED = "resized"
SOFT_DELETED = "soft-delete"
DELETED = "deleted"
ERROR = "error"
SHELVED = "shelved"
SHELVED_OFFLOADED = "shelved_offloaded"

# task states used by the fake driver
SPAWNING = "spawning"
POWERING_OFF = "powering-off"
POWERING_ON = "powering-on"
REBOOTING = "rebooting"
REBOOTING_HARD = "rebooting_hard"
PAUSING = "pausing"
UNPAUSING = "unpausing"
SUSPENDING = "suspending"
RESUMING = "resuming"
DELETING = "deleting"
REBUILDING = "rebuilding"
MIGRATING = "migrating"
RESIZE_PREP = "resize_prep"
RESIZE_REVERTING = "resize_reverting"
SHELVING = "shelving"
SHELVING_OFFLOADING = "shelving_offloading"
UNSHELVING = "unshelving"
RESCUING = "rescuing"
UNRESCUING = "unrescuing"
UPDATING_PASSWORD = "updating_password"
SOFT_DELETING = "soft-deleting"
RESTORING = "restoring"
IMAGE_SNAPSHOT = "image_snapshot"
IMAGE_BACKUP = "image_backup"

# power states
NOSTATE = 0
RUNNING = 1
POWER_PAUSED = 3
SHUTDOWN = 4
CRASHED = 6
POWER_SUSPENDED = 7

DEFAULT = "default"

# vm_state -> {task_state or "default": API status}
STATE_MAP: dict[str, dict[str, str]] = {
    ACTIVE: {
        DEFAULT: "ACTIVE",
        REBOOTING: "REBOOT",
        "reboot_pending": "REBOOT",
        "reboot_started": "REBOOT",
        REBOOTING_HARD: "HARD_REBOOT",
        "reboot_pending_hard": "HARD_REBOOT",
        "reboot_started_hard": "HARD_REBOOT",
        "updating_password": "PASSWORD",
        "rebuilding": "REBUILD",
        "rebuild_block_device_mapping": "REBUILD",
        "rebuild_spawning": "REBUILD",
        "migrating": "MIGRATING",
        "resize_prep": "RESIZE",
        "resize_migrating": "RESIZE",
        "resize_migrated": "RESIZE",
        "resize_finish": "RESIZE",
    },
    BUILDING: {DEFAULT: "BUILD"},
    STOPPED: {
        DEFAULT: "SHUTOFF",
        "resize_prep": "RESIZE",
        "resize_migrating": "RESIZE",
        "resize_migrated": "RESIZE",
        "resize_finish": "RESIZE",
        "rebuilding": "REBUILD",
        "rebuild_block_device_mapping": "REBUILD",
        "rebuild_spawning": "REBUILD",
    },
    RESIZED: {DEFAULT: "VERIFY_RESIZE", "resize_reverting": "REVERT_RESIZE"},
    PAUSED: {DEFAULT: "PAUSED", "migrating": "MIGRATING"},
    SUSPENDED: {DEFAULT: "SUSPENDED"},
    RESCUED: {DEFAULT: "RESCUE"},
    ERROR: {
        DEFAULT: "ERROR",
        "rebuilding": "REBUILD",
        "rebuild_block_device_mapping": "REBUILD",
        "rebuild_spawning": "REBUILD",
    },
    DELETED: {DEFAULT: "DELETED"},
    SOFT_DELETED: {DEFAULT: "SOFT_DELETED"},
    SHELVED: {DEFAULT: "SHELVED"},
    SHELVED_OFFLOADED: {DEFAULT: "SHELVED_OFFLOADED"},
}

PROGRESS_STATUSES = frozenset(
    {"ACTIVE", "BUILD", "REBUILD", "RESIZE", "VERIFY_RESIZE", "MIGRATING"}
)
FAULT_STATUSES = frozenset({"ERROR", "DELETED"})


def status_of(vm_state: str, task_state: str | None, *, deleted: bool = False) -> str:
    if deleted:
        return "DELETED"
    task_map = STATE_MAP.get(vm_state)
    if task_map is None:
        return "UNKNOWN"
    return task_map.get(task_state or DEFAULT, task_map[DEFAULT])


def states_for_statuses(statuses: list[str]) -> tuple[list[str], list[str]]:
    """The vm_states and task_states (with "default") whose status is any of `statuses`."""
    wanted = {s.lower() for s in statuses}
    vm_states: set[str] = set()
    task_states: set[str] = set()
    for vm_state, task_map in STATE_MAP.items():
        for task_state, status in task_map.items():
            if status.lower() in wanted:
                vm_states.add(vm_state)
                task_states.add(task_state)
    return sorted(vm_states), sorted(task_states)
