"""What a port's create or update may set, by Neutron's attribute policy (create_port:<attr>,
update_port:<attr>), and the rules between a port's attributes (port security, address pairs,
security groups, MAC addresses)."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Set
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.network import attributes, faults, policy
from pocketstack.cloud.store.models.network import Network
from pocketstack.cloud.store.models.network_port import Port

# Neutron's base_mac: OpenStack's own prefix, the rest random.
BASE_MAC = (0xFA, 0x16, 0x3E)
# Random MACs tried before giving up on a network whose prefix space is that crowded.
MAC_ATTEMPTS = 16
_RANDOM = random.SystemRandom()
MAX_ADDRESS_PAIRS = 10

Check = Callable[[RequestContext, Network, str], bool]


def _privileged(ctx: RequestContext, net: Network, project: str) -> bool:
    return policy.is_privileged(ctx)


def _net_owner(ctx: RequestContext, net: Network, project: str) -> bool:
    return policy.is_privileged(ctx) or policy.owns_network(ctx, net)


def _net_owner_or_shared(ctx: RequestContext, net: Network, project: str) -> bool:
    return _net_owner(ctx, net, project) or net.shared


def _service(ctx: RequestContext, net: Network, project: str) -> bool:
    return policy.is_service(ctx)


def _project_member(ctx: RequestContext, net: Network, project: str) -> bool:
    return policy.is_privileged(ctx) or policy.writes(ctx, project)


_CREATE: Mapping[str, Check] = {
    "mac_address": _net_owner,
    "port_security_enabled": _net_owner,
    "binding:host_id": _privileged,
    "binding:profile": _service,
    "binding:vnic_type": _project_member,
    "allowed_address_pairs": _net_owner,
    "device_id": _project_member,
}
_UPDATE: Mapping[str, Check] = {**_CREATE, "fixed_ips": _net_owner, "mac_address": _privileged}


def _fixed_ip_rules(action: str, fixed_ips: Any, check: Check, ctx: RequestContext,
                    net: Network, project: str) -> list[str]:  # fmt: skip
    refused: list[str] = []
    allowed = _net_owner_or_shared if action == "create_port" else check
    if not allowed(ctx, net, project):
        refused.append("fixed_ips")
    for fixed in fixed_ips or []:
        if "ip_address" in fixed and not _net_owner(ctx, net, project):
            refused.append("fixed_ips:ip_address")
        if "subnet_id" in fixed and not _net_owner_or_shared(ctx, net, project):
            refused.append("fixed_ips:subnet_id")
    return list(dict.fromkeys(refused))


def check_attributes(
    action: str, ctx: RequestContext, net: Network, project: str, values: Mapping[str, Any],
    explicit: Set[str],
) -> None:  # fmt: skip
    """403 for the attributes set explicitly (and, on a create, not to their default) that the
    caller may not set on this network."""
    rules = _CREATE if action == "create_port" else _UPDATE
    defaults = attributes.PORT
    refused: list[str] = []
    for name in sorted(explicit):
        if action == "create_port" and values.get(name) == defaults[name].default:
            continue
        if name == "fixed_ips":
            refused += _fixed_ip_rules(action, values[name], _UPDATE["fixed_ips"], ctx, net,
                                       project)  # fmt: skip
        elif name == "device_owner":
            # `not rule:network_device`: only the network's owner may claim a network:* port.
            owner = str(values[name])
            if owner.startswith("network:") and not _net_owner(ctx, net, project):
                refused.append(name)
        elif name in rules and not rules[name](ctx, net, project):
            refused.append(name)
    policy.refuse_attributes(action, refused)


def random_mac() -> str:
    # The system's generator, not the module's: a process that seeds `random` (a test
    # framework, a user's script around an in-process cloud) must not replay the same MACs.
    tail = [_RANDOM.randrange(256) for _ in range(3)]
    return ":".join(f"{octet:02x}" for octet in (*BASE_MAC, *tail))


def mac_in_use(network_id: str, mac: str) -> faults.NeutronError:
    return faults.conflict(
        "MacAddressInUse",
        f"Unable to complete operation for network {network_id}. The mac address {mac} is in use.",
    )


def insert_port(session: Session, port: Port, *, mac_given: bool = False) -> bool:
    """Inserts the port, its MAC unique on its network by constraint: a MAC taken is the
    client's 409 when they chose it, else another random one. False when MAC_ATTEMPTS random
    ones were all taken (each caller words that failure for its own API)."""
    for _ in range(MAC_ATTEMPTS):
        try:
            with session.begin_nested():
                session.add(port)
            return True
        except IntegrityError:
            if port in session:
                session.expunge(port)
            if mac_given:
                raise mac_in_use(port.network_id, port.mac_address) from None
            port.mac_address = random_mac()
    return False


def no_free_mac(network_id: str) -> faults.NeutronError:
    return faults.NeutronError(
        503,
        "MacAddressGenerationFailure",
        f"Unable to generate unique mac on network {network_id}.",
    )


def check_security(port_security: bool, pairs: list[Any]) -> None:
    """Address pairs need port security."""
    if len(pairs) > MAX_ADDRESS_PAIRS:
        raise faults.bad_request(
            f"The number of allowed address pair exceeds the maximum {MAX_ADDRESS_PAIRS}.",
            kind="AllowedAddressPairExhausted",
        )
    if pairs and not port_security:
        raise faults.conflict(
            "AddressPairAndPortSecurityRequired",
            "Port Security must be enabled in order to have allowed address pairs on a port.",
        )


def is_trusted(device_owner: str) -> bool:
    """Neutron's is_port_trusted: a network:* port (DHCP, router) is in no security group."""
    return device_owner.startswith("network:")


def groups_need_security() -> faults.NeutronError:
    return faults.bad_request("Port security must be enabled and port must have an IP address in"
                              " order to use security groups.",
                              kind="PortSecurityAndIPRequiredForSecurityGroups")  # fmt: skip


def has_groups() -> faults.NeutronError:
    return faults.conflict("PortSecurityPortHasSecurityGroup", "Port has security group"
                           " associated. Cannot disable port security or IP address until"
                           " security group is removed.")  # fmt: skip
