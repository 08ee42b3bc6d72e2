"""Which DHCP agents host which networks (Neutron's dhcp_agent_scheduler).

Neutron schedules a network on a DHCP agent when its first DHCP-enabled subnet (or port)
appears, and again when a DHCP agent starts and finds networks nobody hosts (its
network_auto_schedule). Here a network with a DHCP-enabled subnet that was never scheduled is
*pending*: it counts as hosted by the default DHCP agent (the first one up, by host), which is
what Neutron's scheduler would have chosen, whichever path made the subnet (the API, the
bootstrap). The first change that concerns a pending network (an admin adding or removing it,
an agent changed or deleted) records that choice (`settle`), and from then on only the recorded
bindings count: an admin's removal sticks, as in Neutron.

Reading therefore never writes, and recording is race-free: the scheduled marker and the
binding are keyed by the network (and agent), and a second writer's insert is refused by the
database and skipped.
"""

from __future__ import annotations

import collections
from collections.abc import Collection, Iterable

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from pocketstack.cloud.network import agents, faults
from pocketstack.cloud.store.models.network import Network, Subnet
from pocketstack.cloud.store.models.network_agent import DhcpBinding, DhcpScheduled, NetworkAgent

_BATCH = 500


def default_agent(session: Session) -> NetworkAgent | None:
    stmt = (
        select(NetworkAgent)
        .where(NetworkAgent.agent_type == agents.DHCP, NetworkAgent.admin_state_up.is_(True))
        .order_by(NetworkAgent.host, NetworkAgent.id)
        .limit(1)
    )
    return session.scalars(stmt).first()


def _pending() -> ColumnElement[bool]:
    """Networks with a DHCP-enabled subnet that were never scheduled."""
    return and_(
        Network.id.in_(select(Subnet.network_id).where(Subnet.enable_dhcp.is_(True))),
        Network.id.not_in(select(DhcpScheduled.network_id)),
    )


def hosted_by(session: Session, agent: NetworkAgent) -> ColumnElement[bool]:
    """The networks `agent` hosts, as a condition on Network."""
    recorded = Network.id.in_(
        select(DhcpBinding.network_id).where(DhcpBinding.agent_id == agent.id)
    )
    chosen = default_agent(session)
    if chosen is None or chosen.id != agent.id:
        return recorded
    return or_(recorded, _pending())


def _pending_among(session: Session, network_ids: Collection[str]) -> set[str]:
    if not network_ids:
        return set()
    stmt = select(Network.id).where(Network.id.in_(list(network_ids)), _pending())
    return set(session.scalars(stmt))


def hosting(session: Session, network_ids: Collection[str]) -> dict[str, list[NetworkAgent]]:
    """The agents hosting each of the networks, by host."""
    found: dict[str, list[NetworkAgent]] = collections.defaultdict(list)
    if not network_ids:
        return found
    rows = session.execute(
        select(DhcpBinding.network_id, NetworkAgent)
        .join(NetworkAgent, NetworkAgent.id == DhcpBinding.agent_id)
        .where(DhcpBinding.network_id.in_(list(network_ids)))
        .order_by(NetworkAgent.host, NetworkAgent.id)
    )
    for network_id, agent in rows:
        found[network_id].append(agent)
    pending = _pending_among(session, network_ids)
    chosen = default_agent(session) if pending else None
    if chosen is not None:
        for network_id in pending:
            found[network_id].append(chosen)
    return found


def _record(session: Session, network_id: str, agent_id: str | None) -> bool:
    """The network marked scheduled and, if an agent is named, bound to it; False if another
    writer (or an earlier binding) got there first."""
    try:
        with session.begin_nested():
            session.add(DhcpScheduled(network_id=network_id))
    except IntegrityError:
        pass
    if agent_id is None:
        return True
    try:
        with session.begin_nested():
            session.add(DhcpBinding(agent_id=agent_id, network_id=network_id))
    except IntegrityError:
        return False
    return True


def settle(session: Session, network_ids: Iterable[str] | None = None) -> None:
    """Records the default agent's hosting of pending networks (of `network_ids`, or all)."""
    chosen = default_agent(session)
    if chosen is None:
        return
    if network_ids is not None:
        for network_id in sorted(_pending_among(session, set(network_ids))):
            _record(session, network_id, chosen.id)
        return
    # Rows another writer recorded may stay invisible to this transaction's snapshot: skipped.
    done: set[str] = set()
    while True:
        stmt = select(Network.id).where(_pending()).order_by(Network.id)
        if done:
            stmt = stmt.where(Network.id.not_in(done))
        batch = list(session.scalars(stmt.limit(_BATCH)))
        if not batch:
            return
        for network_id in batch:
            _record(session, network_id, chosen.id)
        done.update(batch)


def add(session: Session, agent_id: str, network_id: str) -> None:
    """An admin's scheduling of a network on a DHCP agent."""
    agent = agents.find(session, agent_id, lock=True)
    if agent.agent_type != agents.DHCP or not agent.admin_state_up:
        raise faults.not_found("InvalidDHCPAgent",
                               f"Agent {agent_id} is not a valid DHCP Agent or has been"
                               " disabled")  # fmt: skip
    settle(session, [network_id])
    if not _record(session, network_id, agent.id):
        raise faults.conflict("NetworkHostedByDHCPAgent",
                              f"The network {network_id} has been already hosted by the DHCP"
                              f" Agent {agent_id}.")  # fmt: skip


def remove(session: Session, agent_id: str, network_id: str) -> None:
    agent = agents.find(session, agent_id, lock=True)
    settle(session, [network_id])
    binding = (DhcpBinding.agent_id == agent.id, DhcpBinding.network_id == network_id)
    gone = session.execute(delete(DhcpBinding).where(*binding))
    if not getattr(gone, "rowcount", 0):
        raise faults.conflict("NetworkNotHostedByDhcpAgent",
                              f"The network {network_id} is not hosted by the DHCP agent"
                              f" {agent_id}.")  # fmt: skip
