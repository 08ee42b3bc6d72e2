"""Rebuild, change the admin password, trigger a crash dump, read the console, reset the state:
the actions that change a server in place."""

from __future__ import annotations

import json

import falcon
from sqlalchemy import delete

from pocketstack.cloud.compute import keypair_db, policy, quotas, server_db, states
from pocketstack.cloud.compute.action_requests import (
    ChangePassword,
    ConsoleOutput,
    Rebuild,
    ResetState,
)
from pocketstack.cloud.compute.actions_base import (
    Call,
    Entry,
    Reply,
    check_host,
    check_state,
    generated_password,
)
from pocketstack.cloud.compute.requests import Keep, ServerAction
from pocketstack.cloud.compute.routing import Links, version_of
from pocketstack.cloud.compute.servers import check_not_locked
from pocketstack.cloud.compute.views import server_update_view
from pocketstack.cloud.errors import BadRequest, Conflict
from pocketstack.cloud.image import lookup
from pocketstack.cloud.store.models.compute import InstanceMetadata

_REBUILD_STATES = (states.ACTIVE, states.STOPPED, states.ERROR)
_CRASH_DUMP_STATES = (states.ACTIVE, states.PAUSED, states.RESCUED, states.RESIZED, states.ERROR)


def _rebuild(call: Call, action: ServerAction) -> Reply | None:
    assert isinstance(action, Rebuild)
    call.member("servers:rebuild")
    row, session = call.row, call.session
    check_state("rebuild", row, _REBUILD_STATES)
    image = lookup.find_visible(
        session, action.image_id, project_id=call.ctx.project_id, is_admin=call.ctx.is_admin
    )
    if image is None:
        raise BadRequest(f"Cannot find requested image {action.image_id}")
    if not image.active:
        raise BadRequest(f"Image {image.id} is not active.")
    if image.min_ram > row.memory_mb:
        raise BadRequest("Flavor's memory is too small for requested image.")
    if image.min_disk > row.root_gb > 0:
        raise BadRequest("Flavor's disk is too small for requested image.")
    if isinstance(action.key_name, str) and not keypair_db.has_keypair(
        session, user_id=call.ctx.user_id, name=action.key_name
    ):
        raise BadRequest("Invalid key_name provided.")
    quotas.check_injected_files(
        session, project_id=row.project_id, user_id=row.user_id, files=action.personality
    )
    row.image_ref = image.id
    row.image_properties = json.dumps(
        {k: v for k, v in image.properties.items() if v is not None}, ensure_ascii=False
    )
    if action.server_name is not None:
        row.display_name = action.server_name
    if action.metadata is not None:
        quotas.check_metadata_items(
            session, project_id=row.project_id, user_id=row.user_id, count=len(action.metadata)
        )
        session.execute(delete(InstanceMetadata).where(InstanceMetadata.instance_id == row.id))
        for key, value in action.metadata.items():
            session.add(InstanceMetadata(instance_id=row.id, key=key, value=value))
    if action.access_ip_v4 is not None:
        row.access_ip_v4 = action.access_ip_v4
    if action.access_ip_v6 is not None:
        row.access_ip_v6 = action.access_ip_v6
    if action.auto_disk_config is not None:
        row.auto_disk_config = action.auto_disk_config
    if action.description is not Keep.KEEP:
        row.display_description = action.description
    if action.key_name is not Keep.KEEP:
        row.key_name = action.key_name
    if action.user_data is not Keep.KEEP:
        row.user_data = action.user_data
    if action.hostname is not None:
        row.hostname = action.hostname
    call.start(states.REBUILDING)
    session.flush()
    # Nova answers a rebuild with the view an update gets: reduced before 2.75.
    server = server_update_view(
        row, api=version_of(call.req), ctx=call.ctx, links=Links(call.req),
        tags=server_db.load_tags(session, [row.id])[row.id],
        metadata=server_db.load_metadata(session, [row.id])[row.id],
    )  # fmt: skip
    server["adminPass"] = action.admin_pass or generated_password()
    # What only a rebuild's answer adds: the key from 2.54, the user data from 2.57.
    api = version_of(call.req)
    if api.at_least("2.54"):
        server["key_name"] = row.key_name
    if api.at_least("2.57"):
        server["user_data"] = row.user_data
    # Nova's rebuild view leaves the extended user data out (it gives `user_data` instead).
    server.pop("OS-EXT-SRV-ATTR:user_data", None)
    return Reply(falcon.HTTP_202, {"server": server})


def _change_password(call: Call, action: ServerAction) -> Reply | None:
    assert isinstance(action, ChangePassword)
    call.member("os-admin-password")
    check_state("changePassword", call.row, (states.ACTIVE,))
    call.start(states.UPDATING_PASSWORD)
    return None


def _trigger_crash_dump(call: Call, action: ServerAction) -> Reply | None:
    call.member("servers:trigger_crash_dump")
    check_host("trigger_crash_dump", call.row)
    check_state("trigger_crash_dump", call.row, _CRASH_DUMP_STATES)
    # The fake hypervisor's guest "dumps" at once: nothing about the server changes.
    return None


def _reset_state(call: Call, action: ServerAction) -> Reply | None:
    assert isinstance(action, ResetState)
    call.admin("os-admin-actions:reset_state")
    row = call.row
    row.vm_state = states.ACTIVE if action.state == "active" else states.ERROR
    row.task_state = None
    row.transition_due_at = None
    row.updated_at = call.now
    return None


def _inject_network_info(call: Call, action: ServerAction) -> Reply | None:
    call.admin("os-admin-actions:inject_network_info")
    check_not_locked(call.ctx, call.row)
    # The fake hypervisor has no guest agent to push the network info to: nothing changes, but a
    # server no host took has nowhere to send it.
    check_host("injectNetworkInfo", call.row)
    return None


def console_lines(call: Call) -> list[str]:
    """A stable, made-up boot log: the same server always shows the same text."""
    row = call.row
    lines = [
        "[    0.000000] Linux version 5.15.0-fake (pocketstack fake hypervisor)",
        "[    0.000000] Command line: root=LABEL=cloudimg-rootfs console=ttyS0",
        f"[    0.000000] Memory: {row.memory_mb * 1024}K available",
        f"[    0.010000] smpboot: Allowing {row.vcpus} CPUs",
    ]
    lines += [f"[    {0.1 * n:.6f}] fake: device probe {n} done" for n in range(1, 17)]
    lines += [
        "Starting network...",
        "udhcpc: lease obtained, lease time 86400",
        "checking http://169.254.169.254/2009-04-04/instance-id",
        f"instance-id: {row.uuid}",
        f"hostname: {row.hostname}",
        "=== system information ===",
        f"Platform: pocketstack fake ({row.flavor_name})",
        "=== sshd host keys ===",
        "-----BEGIN SSH HOST KEY KEYS-----",
        "-----END SSH HOST KEY KEYS-----",
        "login as 'cirros' user. default password: 'gocubsgo'. use 'sudo' for root.",
        f"{row.hostname} login: ",
    ]
    return lines


def _console_output(call: Call, action: ServerAction) -> Reply | None:
    assert isinstance(action, ConsoleOutput)
    policy.project_member_or_admin(call.ctx, "os_compute_api:os-console-output")
    if call.row.host is None:
        raise Conflict(f"Instance {call.row.uuid} has not been started")
    lines = console_lines(call)
    if action.length is not None:
        lines = lines[-action.length :] if action.length else []
    return Reply(falcon.HTTP_200, {"output": "\n".join(lines)})


HANDLERS: dict[str, Entry] = {
    "rebuild": Entry(_rebuild, "rebuild"),
    "changePassword": Entry(_change_password, "changePassword"),
    "trigger_crash_dump": Entry(_trigger_crash_dump, "trigger_crash_dump"),
    "os-resetState": Entry(_reset_state, "resetState"),
    "injectNetworkInfo": Entry(_inject_network_info, None),
    "os-getConsoleOutput": Entry(_console_output, None),
}
