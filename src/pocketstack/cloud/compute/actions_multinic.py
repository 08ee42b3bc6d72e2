"""addFixedIp and removeFixedIp (os-multinic, up to 2.43; Nova removed them in 2.44): one more
address for the server on a network it is on, or one of its addresses less, through the
network service (network/fixed_ips_for_compute.py); the server's addresses follow.

Nova casts both to the compute host: a network the server is not on changes nothing and the
request was still accepted (202), as there; an address the server does not have is Nova's 400.
"""

from __future__ import annotations

from pocketstack.cloud.compute import policy, server_ports
from pocketstack.cloud.compute.action_requests import FixedIpChange
from pocketstack.cloud.compute.actions_base import Call, Entry, Reply
from pocketstack.cloud.compute.requests import ServerAction
from pocketstack.cloud.compute.routing import microversion_of
from pocketstack.cloud.compute.servers import check_not_locked
from pocketstack.cloud.errors import BadRequest, NotFound
from pocketstack.cloud.network import fixed_ips_for_compute

LAST = (2, 43)


def _change(call: Call, action: ServerAction, rule: str) -> FixedIpChange:
    assert isinstance(action, FixedIpChange)
    version = microversion_of(call.req)
    if version is not None and version > LAST:
        raise NotFound(f"API version {version[0]}.{version[1]} is not supported on this method.")
    policy.project_member_or_admin(call.ctx, f"os_compute_api:os-multinic:{rule}")
    check_not_locked(call.ctx, call.row)
    return action


def _add(call: Call, action: ServerAction) -> Reply | None:
    change = _change(call, action, "add")
    assert change.network_id is not None
    if fixed_ips_for_compute.add_fixed_ip(call.session, call.row.uuid, change.network_id):
        server_ports.refresh(call.session, call.row)
    return None


def _remove(call: Call, action: ServerAction) -> Reply | None:
    change = _change(call, action, "remove")
    assert change.address is not None
    if not fixed_ips_for_compute.remove_fixed_ip(call.session, call.row.uuid, change.address):
        raise BadRequest(
            f"Instance {call.row.uuid} does not have fixed IP '{change.address}'."
        )
    server_ports.refresh(call.session, call.row)
    return None


HANDLERS: dict[str, Entry] = {
    "addFixedIp": Entry(_add, "addFixedIp"),
    "removeFixedIp": Entry(_remove, "removeFixedIp"),
}
