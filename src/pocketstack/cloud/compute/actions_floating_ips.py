"""The floating IP actions: addFloatingIp and removeFloatingIp (up to 2.43; Nova removed them
in 2.44).

As Nova does, they associate the floating IP with one of the server's fixed addresses in the
network service (network/fip_for_compute.py), in the transaction that holds the server, and
change the addresses cache of the servers concerned with it; the server's state and lock do not
matter, and the instance action log does not record them."""

from __future__ import annotations

import ipaddress
import json

from pocketstack.cloud.compute import policy, server_ports
from pocketstack.cloud.compute.action_requests import FloatingIpChange
from pocketstack.cloud.compute.actions_base import Call, Entry, Reply
from pocketstack.cloud.compute.api.floating_ips import ACTIONS_LAST, ADD, REMOVE
from pocketstack.cloud.compute.floating_ips import forget
from pocketstack.cloud.compute.requests import ServerAction
from pocketstack.cloud.compute.routing import microversion_of
from pocketstack.cloud.errors import BadRequest, NotFound
from pocketstack.cloud.network import fip_for_compute


def _change(call: Call, action: ServerAction, rule: str) -> FloatingIpChange:
    assert isinstance(action, FloatingIpChange)
    version = microversion_of(call.req)
    if version is not None and version > ACTIONS_LAST:
        raise NotFound(f"API version {version[0]}.{version[1]} is not supported on this method.")
    policy.project_member_or_admin(call.ctx, f"os_compute_api:{rule}")
    return action


def _fixed_address(call: Call, action: FloatingIpChange) -> str:
    """Nova's choice from the server's cached addresses: the one asked for, else the first
    IPv4 one."""
    entries = json.loads(call.row.addresses or "[]")
    if not entries:
        raise BadRequest("Instance network is not ready yet")
    fixed = [str(e["addr"]) for e in entries if e.get("type", "fixed") == "fixed"]
    if not fixed:
        raise BadRequest("No fixed IPs associated to instance")
    if action.fixed_address is not None:
        if action.fixed_address not in fixed:
            raise BadRequest("Specified fixed address not assigned to instance")
        return action.fixed_address
    v4 = [a for a in fixed if ipaddress.ip_address(a).version == 4]
    if not v4:
        raise BadRequest(f"Unable to associate floating IP {action.address} to any fixed IPs"
                         f" for instance {call.row.uuid}. Instance has no fixed IPv4 addresses"
                         " to associate.")  # fmt: skip
    return v4[0]


def _add(call: Call, action: ServerAction) -> Reply | None:
    change = _change(call, action, ADD)
    fixed = _fixed_address(call, change)
    now_on, was = fip_for_compute.associate(call.session, call.ctx, call.now, call.row.uuid,
                                            change.address, fixed)  # fmt: skip
    forget(call.session, was, call.row)
    server_ports.show_floating(call.row, now_on.floating_address, now_on.fixed_address,
                               now_on.port_id)  # fmt: skip
    return None


def _remove(call: Call, action: ServerAction) -> Reply | None:
    change = _change(call, action, REMOVE)
    was = fip_for_compute.disassociate(call.session, call.ctx, call.now, call.row.uuid,
                                       change.address)  # fmt: skip
    server_ports.drop_floating(call.row, was.floating_address)
    return None


HANDLERS: dict[str, Entry] = {
    "addFloatingIp": Entry(_add, logged_as=None),
    "removeFloatingIp": Entry(_remove, logged_as=None),
}
