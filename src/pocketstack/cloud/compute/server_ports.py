"""A server's ports, from the network service (network/for_compute.py), as Nova's
allocate_for_instance and deallocate_for_instance get them from Neutron.

The instance row keeps what its ports were given as its `addresses` cache (and its ip4/ip6
columns for the list filters), as Nova keeps its network info cache: listing servers never asks
the network service. Each cache entry also names its port, and whether the user gave it (a port
kept, only unbound, when the server goes).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.compute.requests import NetworkRequest
from pocketstack.cloud.network import fip_for_compute, for_compute
from pocketstack.cloud.store.models.compute import Instance

AUTO = "auto"
NONE = "none"


def requested_nics(
    session: Session,
    ctx: RequestContext,
    networks: str | tuple[NetworkRequest, ...],
    *,
    project_id: str,
    count: int,
) -> list[for_compute.Nic]:
    """The interfaces a create asks for, checked (Nova's validate_networks): `none` none,
    `auto` (or no `networks` before 2.37) one on the only network the project may use."""
    if networks == NONE:
        return []
    if isinstance(networks, str):
        return [for_compute.Nic(network_id=for_compute.auto_network(session, project_id))]
    nics = [for_compute.Nic(network_id=n.uuid if n.port is None else None, port_id=n.port,
                            fixed_ip=n.fixed_ip) for n in networks]  # fmt: skip
    for_compute.check_nics(session, ctx, project_id, nics, count)
    return nics


def attach(
    session: Session,
    row: Instance,
    nics: Sequence[for_compute.Nic],
    *,
    group_ids: Sequence[str],
    now: dt.datetime,
) -> None:
    """Ports for the placed server, in the order asked for, and its addresses cache from them."""
    if not nics:
        return
    assert row.host is not None
    binding = for_compute.Binding(
        server_uuid=row.uuid, project_id=row.project_id, host=row.host,
        availability_zone=row.availability_zone or "", security_group_ids=tuple(group_ids),
    )  # fmt: skip
    ports = for_compute.allocate(session, nics, binding, now)
    given = {n.port_id for n in nics if n.port_id is not None}
    _cache(row, _entries(session, ports, given))


def _entries(session: Session, ports: Sequence[for_compute.PortInfo], given: set[str],
             tag: str | None = None) -> list[dict[str, Any]]:  # fmt: skip
    names = for_compute.network_names(session, [p.network_id for p in ports])
    entries: list[dict[str, Any]] = []
    for port in ports:
        for _subnet, address in port.fixed_ips:
            entries.append({
                "network": names.get(port.network_id, port.network_id), "addr": address,
                "version": 6 if ":" in address else 4, "mac": port.mac_address, "type": "fixed",
                "port": port.id, "preexisting": port.id in given,
            })  # fmt: skip
            if tag is not None:
                entries[-1]["tag"] = tag
    return entries


def _cache(row: Instance, entries: list[dict[str, Any]]) -> None:
    row.addresses = json.dumps(entries)
    row.ip4 = " ".join(str(e["addr"]) for e in entries if e["version"] == 4)
    row.ip6 = " ".join(str(e["addr"]) for e in entries if e["version"] == 6)


def add_interface(session: Session, row: Instance, nic: for_compute.Nic, *, tag: str | None,
                  now: dt.datetime) -> for_compute.PortInfo:  # fmt: skip
    """One more port for a running server (Nova's attach_interface): a new one on a network,
    in the project's default group, or the port given; its addresses join the cache."""
    assert row.host is not None
    # A port Neutron makes with no group named is in the project's default group.
    groups = () if nic.port_id is not None else tuple(
        for_compute.group_ids(session, row.project_id, ["default"], now)
    )
    binding = for_compute.Binding(
        server_uuid=row.uuid, project_id=row.project_id, host=row.host,
        availability_zone=row.availability_zone or "", security_group_ids=groups,
    )  # fmt: skip
    (port,) = for_compute.allocate(session, [nic], binding, now)
    given = {port.id} if nic.port_id is not None else set()
    _cache(row, json.loads(row.addresses or "[]") + _entries(session, [port], given, tag))
    return port


def refresh(session: Session, row: Instance) -> None:
    """The cache rebuilt from the server's ports as they are now (an address added or removed
    on one of them), each port keeping its place, whether it was given, and its tag."""
    old = json.loads(row.addresses or "[]")
    order = list(dict.fromkeys(str(e["port"]) for e in old if "port" in e))
    given = {str(e["port"]) for e in old if e.get("preexisting")}
    tags = interface_tags(row)
    ports = sorted(for_compute.ports_of_server(session, row.uuid),
                   key=lambda p: order.index(p.id) if p.id in order else len(order))  # fmt: skip
    entries: list[dict[str, Any]] = []
    for port in ports:
        entries += _entries(session, [port], given, tags.get(port.id))
    _cache(row, entries)


def interface_tags(row: Instance) -> dict[str, str | None]:
    """The tag each port was attached with (2.49), by port."""
    return {str(e["port"]): e.get("tag") for e in json.loads(row.addresses or "[]")
            if "port" in e}  # fmt: skip


def drop_interface(session: Session, row: Instance, port_id: str, now: dt.datetime) -> bool:
    """The port off the server (deleted if made for it, unbound if given); False when the
    server has no such port."""
    entries = json.loads(row.addresses or "[]")
    given = any(e.get("port") == port_id and e.get("preexisting") for e in entries)
    if not for_compute.detach(session, row.uuid, port_id, now, preexisting=given):
        return False
    _cache(row, [e for e in entries if e.get("port") != port_id])
    return True


def release(session: Session, row: Instance, now: dt.datetime) -> None:
    """The server's ports released: those made for it deleted, those given unbound. A server
    with none (booted with `none`, or seeded with cached addresses only) has nothing to free."""
    entries = json.loads(row.addresses or "[]")
    given = {str(e["port"]) for e in entries if e.get("preexisting")}
    for_compute.release(session, row.uuid, now, preexisting=given)


def rebind(session: Session, row: Instance, now: dt.datetime) -> None:
    """The server's ports follow it to the host a move (or an offload) left it on."""
    for_compute.rebind(session, row.uuid, host=row.host,
                       availability_zone=row.availability_zone or "", now=now)  # fmt: skip


def show_floating(row: Instance, floating: str, fixed: str, port_id: str) -> None:
    """The floating address after the fixed one it maps to, as Nova's cache lists it (gone
    from any other fixed address first: one floating IP is on one address)."""
    entries = [e for e in json.loads(row.addresses or "[]")
               if not (e.get("type") == "floating" and e["addr"] == floating)]  # fmt: skip
    _insert_floating(entries, floating, fixed, port_id)
    row.addresses = json.dumps(entries)


def _insert_floating(entries: list[dict[str, Any]], floating: str, fixed: str,
                     port_id: str) -> None:  # fmt: skip
    for index, entry in enumerate(entries):
        if entry.get("type", "fixed") == "fixed" and entry["addr"] == fixed \
                and entry.get("port") == port_id:  # fmt: skip
            entries.insert(index + 1, {**entry, "addr": floating, "version": 4,
                                       "type": "floating"})  # fmt: skip
            return


def drop_floating(row: Instance, floating: str) -> None:
    entries = [e for e in json.loads(row.addresses or "[]")
               if not (e.get("type") == "floating" and e["addr"] == floating)]  # fmt: skip
    row.addresses = json.dumps(entries)


def live_addresses(session: Session, servers: Sequence[tuple[str, str]]) -> dict[str, str]:
    """The addresses of these (uuid, cached addresses) servers as their ports are now, for
    those where the floating IPs differ from the cache: a floating IP associated or moved
    through the network API reaches the views at once (Neutron tells Nova by an event; here
    the views ask). One query for all of them."""
    current: dict[str, list[fip_for_compute.Association]] = {}
    for association in fip_for_compute.floating_of_servers(session, [u for u, _ in servers]):
        current.setdefault(association.server_uuid, []).append(association)
    changed: dict[str, str] = {}
    for uuid, raw in servers:
        fips = current.get(uuid, [])
        if not fips and '"floating"' not in raw:
            continue
        entries = [e for e in json.loads(raw or "[]") if e.get("type") != "floating"]
        for fip in fips:
            _insert_floating(entries, fip.floating_address, fip.fixed_address, fip.port_id)
        live = json.dumps(entries)
        if json.loads(live) != json.loads(raw or "[]"):
            changed[uuid] = live
    return changed
