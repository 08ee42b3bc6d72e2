"""The security group actions: addSecurityGroup and removeSecurityGroup (every microversion).

As Nova does, they change the groups of the server's ports in the network service
(network/sg_for_compute.py), in the transaction that holds the server; the server's state and
lock do not matter, and the instance action log does not record them."""

from __future__ import annotations

from pocketstack.cloud.compute import policy
from pocketstack.cloud.compute.action_requests import SecurityGroupChange
from pocketstack.cloud.compute.actions_base import Call, Entry, Reply
from pocketstack.cloud.compute.api.security_groups import ADD, REMOVE
from pocketstack.cloud.compute.requests import ServerAction
from pocketstack.cloud.errors import BadRequest
from pocketstack.cloud.network import sg_for_servers


def _group(call: Call, action: ServerAction, rule: str) -> str:
    assert isinstance(action, SecurityGroupChange)
    policy.project_member_or_admin(call.ctx, f"os_compute_api:{rule}")
    if not action.group.strip():
        raise BadRequest("Security group name cannot be empty")
    return action.group


def _add(call: Call, action: ServerAction) -> Reply | None:
    group = _group(call, action, ADD)
    sg_for_servers.add_to_server(call.session, call.ctx, call.now, call.row.uuid, group)
    return None


def _remove(call: Call, action: ServerAction) -> Reply | None:
    group = _group(call, action, REMOVE)
    sg_for_servers.remove_from_server(call.session, call.ctx, call.now, call.row.uuid, group)
    return None


HANDLERS: dict[str, Entry] = {
    "addSecurityGroup": Entry(_add, logged_as=None),
    "removeSecurityGroup": Entry(_remove, logged_as=None),
}
