"""The provider extension: each network's segment (type, physical network, segmentation id),
checked as ML2's type drivers check an admin's request, and allocated as ML2 allocates a tenant
network's.

Tenant networks are vxlan: the agents here are devstack's ML2/Open vSwitch ones (agents.py),
whose tenant network type is vxlan (geneve is what ML2/OVN gives, and OVN runs no DHCP or L3
agent). Their VNIs come from the whole VNI space, lowest free first, so that no number of
networks a quota allows can exhaust it (Neutron answers an exhausted range 503).

Race-free: the unique (type, physical network, id) of the segments decides; an insert another
writer beat is retried with the next free id, and a given id already taken is a 409.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from pocketstack.cloud.network import faults
from pocketstack.cloud.network.attributes import UNSET
from pocketstack.cloud.store.models.network_agent import NetworkSegment

NETWORK_TYPE = "provider:network_type"
PHYSICAL_NETWORK = "provider:physical_network"
SEGMENTATION_ID = "provider:segmentation_id"
ATTRIBUTES = (NETWORK_TYPE, PHYSICAL_NETWORK, SEGMENTATION_ID)
FLAT = "flat"
VLAN = "vlan"
VXLAN = "vxlan"
GENEVE = "geneve"
TENANT_TYPE = VXLAN
# The ids each tunnel type may carry (VNIs are 24 bits).
TUNNEL_MAX = {VXLAN: 2**24 - 1, GENEVE: 2**24 - 1}
VLAN_MAX = 4094
# ML2's limit on a physical network's name.
MAX_PHYSNET = 64
# How "none" is stored (see the model): no physical network, no segmentation id.
NO_PHYSNET = ""
NO_ID = 0


@dataclasses.dataclass(frozen=True)
class Segment:
    network_type: str
    physical_network: str | None
    segmentation_id: int | None


def _given(item: dict[str, Any], name: str) -> Any:
    value = item.get(name, UNSET)
    return None if value is UNSET else value


def requested(item: dict[str, Any]) -> Segment | None:
    """The segment a create asks for (None: a tenant network), checked as ML2 checks it."""
    kind = _given(item, NETWORK_TYPE)
    physnet = _given(item, PHYSICAL_NETWORK)
    seg_id = _given(item, SEGMENTATION_ID)
    if kind is None:
        if physnet is not None or seg_id is not None:
            raise faults.invalid_input("network_type required")
        return None
    if kind == FLAT:
        if seg_id is not None:
            raise faults.invalid_input("segmentation_id specified for flat provider network")
        if not physnet:
            raise faults.invalid_input("physical_network required for flat provider network")
    elif kind == VLAN:
        if not physnet:
            raise faults.invalid_input("physical_network required for VLAN provider network")
        if seg_id is not None and not 1 <= seg_id <= VLAN_MAX:
            raise faults.invalid_input(f"segmentation_id out of range (1 through {VLAN_MAX})")
    elif kind in TUNNEL_MAX:
        if physnet:
            raise faults.invalid_input(f"provider:physical_network specified for {kind} network")
        if seg_id is not None and not 1 <= seg_id <= TUNNEL_MAX[kind]:
            raise faults.invalid_input(
                f"segmentation_id out of range (1 through {TUNNEL_MAX[kind]})"
            )
    else:
        raise faults.invalid_input(f"network_type value '{kind}' not supported")
    return Segment(kind, physnet, seg_id)


def _in_use(segment: Segment) -> faults.NeutronError:
    if segment.network_type == FLAT:
        return faults.conflict("FlatNetworkInUse",
                               "Unable to create the flat network. Physical network"
                               f" {segment.physical_network} is in use.")  # fmt: skip
    if segment.network_type == VLAN:
        return faults.conflict("VlanIdInUse",
                               f"Unable to create the network. The VLAN"
                               f" {segment.segmentation_id} on physical network"
                               f" {segment.physical_network} is in use.")  # fmt: skip
    return faults.conflict("TunnelIdInUse",
                           f"Unable to create the network. The tunnel ID"
                           f" {segment.segmentation_id} is in use.")  # fmt: skip


def _insert(session: Session, network_id: str, kind: str, physnet: str, seg_id: int) -> bool:
    try:
        with session.begin_nested():
            session.add(
                NetworkSegment(
                    network_id=network_id,
                    network_type=kind,
                    physical_network=physnet,
                    segmentation_id=seg_id,
                )
            )
    except IntegrityError:
        return False
    return True


def _lowest_free(session: Session, kind: str, physnet: str, start: int, high: int) -> int | None:
    """The lowest id from `start` to `high` no segment of the type (and physical network)
    has: index lookups on the unique key."""
    if start > high:
        return None
    same = (NetworkSegment.network_type == kind, NetworkSegment.physical_network == physnet)
    if not session.scalar(select(exists().where(*same, NetworkSegment.segmentation_id == start))):
        return start
    after = aliased(NetworkSegment)
    gap: int | None = session.scalar(
        select(func.min(NetworkSegment.segmentation_id + 1)).where(
            *same, NetworkSegment.segmentation_id >= start,
            NetworkSegment.segmentation_id < high,
            ~exists().where(after.network_type == kind, after.physical_network == physnet,
                            after.segmentation_id == NetworkSegment.segmentation_id + 1),
        )
    )  # fmt: skip
    return gap


def _allocate(session: Session, network_id: str, kind: str, physnet: str, high: int) -> None:
    start = 1
    while True:
        candidate = _lowest_free(session, kind, physnet, start, high)
        if candidate is None:
            raise faults.conflict("NoNetworkAvailable",
                                  "Unable to create the network. No tenant network is"
                                  " available for allocation.")  # fmt: skip
        if _insert(session, network_id, kind, physnet, candidate):
            return
        # Taken meanwhile by another writer (perhaps not yet visible here): further on.
        start = candidate + 1


def assign(session: Session, network_id: str, segment: Segment | None) -> None:
    """The new network's segment: the one asked for, else a tenant one (the network's row is
    flushed in this session)."""
    if segment is None:
        _allocate(session, network_id, TENANT_TYPE, NO_PHYSNET, TUNNEL_MAX[TENANT_TYPE])
        return
    physnet = segment.physical_network or NO_PHYSNET
    if segment.segmentation_id is None and segment.network_type != FLAT:
        high = VLAN_MAX if segment.network_type == VLAN else TUNNEL_MAX[segment.network_type]
        _allocate(session, network_id, segment.network_type, physnet, high)
        return
    if not _insert(session, network_id, segment.network_type, physnet,
                   segment.segmentation_id or NO_ID):  # fmt: skip
        raise _in_use(segment)


def segments_of(session: Session, network_ids: list[str]) -> dict[str, Segment]:
    if not network_ids:
        return {}
    rows = session.scalars(select(NetworkSegment).where(NetworkSegment.network_id.in_(network_ids)))
    return {row.network_id: Segment(row.network_type, row.physical_network or None,
                                    row.segmentation_id or None) for row in rows}  # fmt: skip


def view_of(segment: Segment | None) -> dict[str, Any]:
    if segment is None:
        return {name: None for name in ATTRIBUTES}
    return {NETWORK_TYPE: segment.network_type, PHYSICAL_NETWORK: segment.physical_network,
            SEGMENTATION_ID: segment.segmentation_id}  # fmt: skip
