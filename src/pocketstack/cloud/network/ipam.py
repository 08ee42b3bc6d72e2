"""IP address management: a port's addresses chosen or checked, and stored race-free.

Every allocation on a subnet happens with that subnet's row locked (`lock_subnets`, FOR UPDATE
on PostgreSQL and MariaDB; SQLite's write transaction holds the whole database), so two ports
created at once never pick the same free address; the (subnet_id, ip_address) unique constraint
is the last word all the same, and an address asked for by a client that is already taken is
that constraint's refusal (409), never a check before the insert. Locks are taken in subnet id
order, after the network's, so two transactions never wait on each other.

Which addresses a port gets follows Neutron's IPAM: without `fixed_ips`, one address from the
IPv4 subnets and one from the stateful IPv6 subnets (the first with a free address, the lowest
free one), and on every SLAAC or DHCPv6-stateless subnet the EUI-64 address computed from the
port's MAC.
"""

from __future__ import annotations

import dataclasses
import hashlib
import ipaddress
import json
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pocketstack.cloud.network import faults, subnet_rules
from pocketstack.cloud.network.values import parse_ip
from pocketstack.cloud.store.models.network import Subnet
from pocketstack.cloud.store.models.network_port import IPAllocation, Port

ROUTER_OWNERS = (
    "network:router_interface",
    "network:ha_router_replicated_interface",
    "network:router_interface_distributed",
    "network:router_centralized_snat",
)


@dataclasses.dataclass(frozen=True)
class Want:
    """One address a port is to get: on one of `subnets` (the first with room), at `address`
    when one is named."""

    subnets: tuple[Subnet, ...]
    address: str | None = None
    # Named by the client (allocated before the rest); a SLAAC address is computed instead.
    named: bool = False


@dataclasses.dataclass(frozen=True)
class Allocated:
    subnet_id: str
    ip_address: str


def lock_subnets(session: Session, network_id: str) -> list[Subnet]:
    """The network's subnets, locked for allocation until the transaction ends."""
    stmt = select(Subnet).where(Subnet.network_id == network_id).order_by(Subnet.id)
    locked = stmt.with_for_update().execution_options(populate_existing=True)
    return list(session.scalars(locked))


def eui64(cidr: str, mac: str) -> str:
    """The SLAAC address of `mac` on the /64 `cidr` (RFC 4291, appendix A)."""
    octets = bytes(int(part, 16) for part in mac.split(":"))
    interface = bytes([octets[0] ^ 0x02, octets[1], octets[2], 0xFF, 0xFE, *octets[3:]])
    prefix = int(ipaddress.IPv6Network(cidr).network_address)
    return str(ipaddress.IPv6Address(prefix | int.from_bytes(interface, "big")))


def is_auto(subnet: Subnet) -> bool:
    return subnet_rules.is_auto_address(subnet.ipv6_ra_mode, subnet.ipv6_address_mode)


def valid_on(subnet: Subnet, address: str, device_owner: str) -> bool:
    """Neutron's check_subnet_ip: inside the CIDR, never an IPv4 network or broadcast address,
    an IPv6 network address only for a router's port (or one of unknown owner)."""
    net = ipaddress.ip_network(subnet.cidr)
    ip = parse_ip(address)
    if ip.version != net.version or ip not in net:
        return False
    if net.version == 4:
        return ip not in (net.network_address, net.broadcast_address)
    return device_owner in (*ROUTER_OWNERS, "") or ip != net.network_address


def _subnet_for(
    fixed: dict[str, str], subnets: Sequence[Subnet], network_id: str, device_owner: str,
    exists: bool,
) -> Subnet:  # fmt: skip
    if not subnets:
        raise faults.invalid_input("IP allocation requires subnets for network")
    if "subnet_id" in fixed:
        subnet = next((s for s in subnets if s.id == fixed["subnet_id"]), None)
        if subnet is None:
            if not exists:
                shown = fixed["subnet_id"]
                raise faults.not_found("SubnetNotFound", f"Subnet {shown} could not be found.")
            raise faults.invalid_input(
                f"Failed to create port on network {network_id}, because fixed_ips included"
                f" invalid subnet {fixed['subnet_id']}"
            )
        if "ip_address" in fixed and not valid_on(subnet, fixed["ip_address"], device_owner):
            raise faults.bad_request(
                f"IP address {fixed['ip_address']} is not a valid IP for the specified subnet.",
                kind="InvalidIpForSubnet",
            )
        return subnet
    if "ip_address" not in fixed:
        raise faults.invalid_input("IP allocation requires subnet_id or ip_address")
    for subnet in subnets:
        if valid_on(subnet, fixed["ip_address"], device_owner):
            return subnet
    raise faults.bad_request(
        f"IP address {fixed['ip_address']} is not a valid IP for any of the subnets on the"
        " specified network.",
        kind="InvalidIpForNetwork",
    )


def _auto_wants(subnets: Sequence[Subnet], mac: str, device_owner: str,
                skip: set[str]) -> list[Want]:  # fmt: skip
    if device_owner in ROUTER_OWNERS:
        return []
    return [Want((s,), eui64(s.cidr, mac)) for s in subnets if is_auto(s) and s.id not in skip]


def wants_for_fixed(
    session: Session, fixed_ips: Sequence[dict[str, str]], subnets: Sequence[Subnet], *,
    network_id: str, mac: str, device_owner: str,
) -> list[Want]:  # fmt: skip
    """What a port asking for `fixed_ips` gets (Neutron's _test_fixed_ips_for_port), before the
    automatic addresses of its network's SLAAC subnets."""
    wants: list[Want] = []
    for fixed in fixed_ips:
        exists = "subnet_id" not in fixed or session.get(Subnet, fixed["subnet_id"]) is not None
        subnet = _subnet_for(fixed, subnets, network_id, device_owner, exists)
        address = fixed.get("ip_address")
        if address is not None:
            automatic = is_auto(subnet) and device_owner not in ROUTER_OWNERS
            if automatic and address != eui64(subnet.cidr, mac):
                raise faults.invalid_input(
                    f"IPv6 address {address} cannot be directly assigned to a port on subnet"
                    f" {subnet.id} as the subnet is configured for automatic addresses"
                )
            wants.append(Want((subnet,), address, named=True))
        elif device_owner in ROUTER_OWNERS or not is_auto(subnet):
            wants.append(Want((subnet,)))
    return wants


def plan(
    session: Session, fixed_ips: Sequence[dict[str, str]] | None, subnets: Sequence[Subnet], *,
    network_id: str, mac: str, device_owner: str,
) -> list[Want]:  # fmt: skip
    """Every address a new port gets: `fixed_ips` None when the create named none."""
    if fixed_ips is None:
        v4 = tuple(s for s in subnets if s.ip_version == 4)
        v6 = tuple(s for s in subnets if s.ip_version == 6 and not is_auto(s))
        wants = [Want(group) for group in (v4, v6) if group]
    else:
        wants = wants_for_fixed(session, fixed_ips, subnets, network_id=network_id, mac=mac,
                                device_owner=device_owner)  # fmt: skip
    handled = {w.subnets[0].id for w in wants if len(w.subnets) == 1}
    return wants + _auto_wants(subnets, mac, device_owner, handled)


# Candidates checked per query: one round trip finds the first free address in most subnets.
_WINDOW = 32


def _fingerprint(subnet: Subnet) -> str:
    return hashlib.blake2s(subnet.allocation_pools.encode(), digest_size=8).hexdigest()


def _hint(subnet: Subnet) -> int:
    """The position (counted through the pools in their order) before which every address is
    taken; 0 when there is no hint or the pools changed since it was written."""
    fingerprint, _, position = (subnet.ipam_hint or "").partition(":")
    return int(position) if fingerprint == _fingerprint(subnet) else 0


def _candidates(pools: Sequence[subnet_rules.Pool], position: int) -> list[tuple[int, int]]:
    """Up to _WINDOW (position, address) pairs from `position` on."""
    found: list[tuple[int, int]] = []
    offset = 0
    for start, end in pools:
        size = end - start + 1
        if position < offset + size:
            first = start + max(position - offset, 0)
            last = min(end, first + _WINDOW - len(found) - 1)
            found += [(offset + value - start, value) for value in range(first, last + 1)]
            if len(found) == _WINDOW:
                break
        offset += size
    return found


def _position_of(pools: Sequence[subnet_rules.Pool], value: int) -> int | None:
    offset = 0
    for start, end in pools:
        if start <= value <= end:
            return offset + value - start
        offset += end - start + 1
    return None


def _insert(session: Session, row: IPAllocation) -> bool:
    """Stores `row`; False when its address is taken (the unique constraint refused it)."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


def _address(subnet: Subnet, value: int) -> str:
    return str(ipaddress.IPv4Address(value) if subnet.ip_version == 4
               else ipaddress.IPv6Address(value))  # fmt: skip


def allocate(
    session: Session, wants: Sequence[Want], *, port_id: str, network_id: str
) -> list[Allocated]:
    """Stores the addresses of `wants` for the port (its subnets locked by the caller); a named
    address first, as Neutron orders them, so that a free one is never given away before."""
    done: list[Allocated] = []
    for want in sorted(wants, key=lambda w: not w.named):
        if want.address is not None:
            subnet = want.subnets[0]
            row = IPAllocation(port_id=port_id, subnet_id=subnet.id, network_id=network_id,
                               ip_address=want.address)  # fmt: skip
            if not _insert(session, row):
                raise faults.conflict(
                    "IpAddressAlreadyAllocated",
                    f"IP address {want.address} already allocated in subnet {subnet.id}",
                )
            done.append(Allocated(subnet.id, want.address))
            continue
        done.append(_any(session, want, port_id=port_id, network_id=network_id))
    return done


def _any(session: Session, want: Want, *, port_id: str, network_id: str) -> Allocated:
    """The lowest free address of the first subnet of `want` with room. The search starts at
    the subnet's hint, so a port create reads a window of allocations, not every one of them
    (a bulk create would otherwise cost the square of its size)."""
    for subnet in want.subnets:
        pools = subnet_rules.pools_of(json.loads(subnet.allocation_pools))
        found = _search(session, subnet, pools, _hint(subnet), port_id=port_id,
                        network_id=network_id)  # fmt: skip
        if found is None and _hint(subnet) > 0:
            # An address freed below the hint by a way that did not move it back: the whole
            # pool once more, rather than a subnet wrongly full.
            found = _search(session, subnet, pools, 0, port_id=port_id, network_id=network_id)
        if found is not None:
            return found
    raise faults.conflict(
        "IpAddressGenerationFailure", f"No more IP addresses available on network {network_id}."
    )


def _search(session: Session, subnet: Subnet, pools: Sequence[subnet_rules.Pool], position: int,
            *, port_id: str, network_id: str) -> Allocated | None:  # fmt: skip
    while batch := _candidates(pools, position):
        texts = {value: _address(subnet, value) for _, value in batch}
        taken = set(session.scalars(select(IPAllocation.ip_address).where(
            IPAllocation.subnet_id == subnet.id,
            IPAllocation.ip_address.in_(list(texts.values())))))  # fmt: skip
        for at, value in batch:
            address = texts[value]
            if address in taken:
                continue
            row = IPAllocation(port_id=port_id, subnet_id=subnet.id,
                               network_id=network_id, ip_address=address)  # fmt: skip
            if _insert(session, row):
                subnet.ipam_hint = f"{_fingerprint(subnet)}:{at + 1}"
                return Allocated(subnet.id, address)
            # Taken meanwhile (the subnet's lock makes this rare): the next one.
        position = batch[-1][0] + 1
    return None


def freed(subnet: Subnet | None, address: str) -> None:
    """The subnet's hint moved back to `address` when it was below it (the subnet locked by the
    caller): the next port gets the lowest free address again."""
    if subnet is None or subnet.ipam_hint is None:
        return
    pools = subnet_rules.pools_of(json.loads(subnet.allocation_pools))
    position = _position_of(pools, int(parse_ip(address)))
    if position is not None and position < _hint(subnet):
        subnet.ipam_hint = f"{_fingerprint(subnet)}:{position}"


def add_auto_addresses(session: Session, subnet: Subnet) -> None:
    """A new SLAAC or DHCPv6-stateless subnet: every port of its network (but a router's) gets
    its EUI-64 address there, as Neutron's add_auto_addrs_on_network_ports does. A port deleted
    meanwhile is skipped (its insert refused)."""
    if not is_auto(subnet):
        return
    ports = session.execute(
        select(Port.id, Port.mac_address).where(
            Port.network_id == subnet.network_id, Port.device_owner.not_in(ROUTER_OWNERS)
        )
    )
    for port_id, mac in ports.all():
        row = IPAllocation(port_id=port_id, subnet_id=subnet.id, network_id=subnet.network_id,
                           ip_address=eui64(subnet.cidr, mac))  # fmt: skip
        _insert(session, row)


def release(session: Session, port_id: str, subnet_ids: Sequence[str] | None = None) -> None:
    """Frees the port's addresses (on `subnet_ids` only, when given), and moves each subnet's
    hint back to a freed address below it, so the next port still gets the lowest free one."""
    stmt = select(IPAllocation).where(IPAllocation.port_id == port_id)
    if subnet_ids is not None:
        stmt = stmt.where(IPAllocation.subnet_id.in_(list(subnet_ids)))
    rows = list(session.scalars(stmt))
    if not rows:
        return
    # Locked before the rows go, in id order as every allocation locks them: a release and a
    # create on one subnet take turns instead of each holding what the other waits for.
    ids = sorted({row.subnet_id for row in rows})
    subnets = select(Subnet).where(Subnet.id.in_(ids)).order_by(Subnet.id).with_for_update()
    locked = list(session.scalars(subnets.execution_options(populate_existing=True)))
    by_id = {subnet.id: subnet for subnet in locked}
    for row in rows:
        session.delete(row)
        freed(by_id.get(row.subnet_id), row.ip_address)
    session.flush()
