"""The network agents a devstack-like ML2/Open vSwitch deployment runs, as records: an Open
vSwitch agent on each compute host, and the DHCP, L3 and metadata agents on the controller.

The hosts are compute's (compute/fleet.py): the configured `[[hosts]]` whose services compute
registered, and its controller. Each start of the cloud registers the agents again, as
Neutron's agents report themselves when they start: a missing one is made (so an agent an admin
deleted comes back on the next start), an existing one keeps its admin state and description
and gets a new `started_at`. Registrations race (every worker starts at once): the unique
(agent_type, host) decides which insert wins.

Liveness: nothing here is a separate process that could stop reporting. What each agent would
do (hand out addresses, route, proxy metadata) is done, as data, by the cloud process answering
the request; so an agent is alive exactly when the cloud answers, and its heartbeat is the
moment of the answer rather than a stored time that would go stale while the cloud still works.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import false, func, insert, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from pocketstack.cloud.compute import fleet
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.network import faults, listing, values
from pocketstack.cloud.network.attributes import Attr
from pocketstack.cloud.store import retry
from pocketstack.cloud.store.models.network_agent import NetworkAgent

OVS = "Open vSwitch agent"
DHCP = "DHCP agent"
L3 = "L3 agent"
METADATA = "Metadata agent"
# Neutron's [AGENT] availability_zone default.
DEFAULT_ZONE = "nova"
# Devstack's ML2/OVS: the external bridge on physical network `public`, vxlan tunnels.
PUBLIC_PHYSNET = "public"


@dataclasses.dataclass(frozen=True)
class Kind:
    agent_type: str
    binary: str
    topic: str
    # Whether the agent has an availability zone (DHCP and L3 agents only, as in Neutron).
    zoned: bool
    configurations: Mapping[str, Any]


OVS_KIND = Kind(OVS, "neutron-openvswitch-agent", "N/A", False, {
    "bridge_mappings": {PUBLIC_PHYSNET: "br-ex"}, "integration_bridge": "br-int",
    "tunnel_types": ["vxlan"], "l2_population": False, "arp_responder_enabled": False,
    "enable_distributed_routing": False, "datapath_type": "system",
})  # fmt: skip
DHCP_KIND = Kind(DHCP, "neutron-dhcp-agent", "dhcp_agent", True, {
    "dhcp_driver": "neutron.agent.linux.dhcp.Dnsmasq", "dhcp_lease_duration": 86400,
    "log_agent_heartbeats": False,
})  # fmt: skip
L3_KIND = Kind(L3, "neutron-l3-agent", "l3_agent", True, {
    "agent_mode": "legacy", "handle_internal_only_routers": True,
    "interface_driver": "openvswitch", "log_agent_heartbeats": False,
})  # fmt: skip
METADATA_KIND = Kind(METADATA, "neutron-metadata-agent", "N/A", False, {
    "log_agent_heartbeats": False, "nova_metadata_port": 8775,
})  # fmt: skip
CONTROLLER_KINDS = (DHCP_KIND, L3_KIND, METADATA_KIND)


def wanted(compute_hosts: set[str]) -> list[tuple[Kind, str]]:
    """Every agent the fleet runs: (kind, host)."""
    found = [(OVS_KIND, host) for host in sorted(compute_hosts)]
    return found + [(kind, fleet.CONTROLLER) for kind in CONTROLLER_KINDS]


# Agents inserted per statement at a start (executemany).
_INSERT_BATCH = 1000


def register(deps: CloudDeps) -> None:
    """Idempotent and safe to run concurrently (see the module's docstring). The agents there
    are read at once and only the missing ones written, in batches: a start with 100,000 hosts
    costs a few statements, not two per host. A batch a rival worker wrote into first, or that
    the database gave up (MariaDB's gap locks), is done again one agent at a time."""
    now = deps.clock.now()
    with deps.store.session() as session:
        hosts = fleet.compute_hosts(session)
        rows = session.execute(select(NetworkAgent.agent_type, NetworkAgent.host)).all()
        have = {(agent_type, host) for agent_type, host in rows}
    retry.on_transient_errors(_mark_started)(deps, now)
    missing = [(kind, host) for kind, host in wanted(hosts) if (kind.agent_type, host) not in have]
    for start in range(0, len(missing), _INSERT_BATCH):
        chunk = missing[start : start + _INSERT_BATCH]
        try:
            retry.on_transient_errors(_insert_all)(deps, chunk, now)
        except IntegrityError:
            for kind, host in chunk:
                retry.on_transient_errors(_register_one)(deps, kind, host, now)


def _mark_started(deps: CloudDeps, now: dt.datetime) -> None:
    # Every agent runs inside this cloud's processes: they all (re)started with it.
    with deps.store.session(write=True) as session:
        session.execute(update(NetworkAgent).values(started_at=now))


def _row(kind: Kind, host: str, now: dt.datetime) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()), "agent_type": kind.agent_type, "binary": kind.binary,
        "topic": kind.topic, "host": host,
        "availability_zone": DEFAULT_ZONE if kind.zoned else None,
        "admin_state_up": True, "description": "",
        "configurations": json.dumps(dict(kind.configurations)),
        "created_at": now, "started_at": now,
    }  # fmt: skip


def _insert_all(deps: CloudDeps, chunk: list[tuple[Kind, str]], now: dt.datetime) -> None:
    with deps.store.session(write=True) as session:
        session.execute(insert(NetworkAgent), [_row(kind, host, now) for kind, host in chunk])


def _register_one(deps: CloudDeps, kind: Kind, host: str, now: dt.datetime) -> None:
    try:
        with deps.store.session(write=True) as session:
            started = session.execute(
                update(NetworkAgent)
                .where(NetworkAgent.agent_type == kind.agent_type, NetworkAgent.host == host)
                .values(started_at=now)
            )
            if getattr(started, "rowcount", 0):
                return
            session.execute(insert(NetworkAgent), [_row(kind, host, now)])
    except IntegrityError:
        # Another worker registered it first.
        return


def _agent_time(when: dt.datetime) -> str:
    """Neutron shows an agent's times as the database gives them: "2017-09-12 19:39:56"."""
    return when.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def agent_view(agent: NetworkAgent, now: dt.datetime) -> dict[str, Any]:
    return {
        "id": agent.id,
        "agent_type": agent.agent_type,
        "binary": agent.binary,
        "topic": agent.topic,
        "host": agent.host,
        "admin_state_up": agent.admin_state_up,
        "created_at": _agent_time(agent.created_at),
        "started_at": _agent_time(agent.started_at),
        "heartbeat_timestamp": _agent_time(now),
        "alive": True,
        "configurations": json.loads(agent.configurations),
        "description": agent.description,
        "availability_zone": agent.availability_zone,
    }


def _same(value: str) -> str:
    return value


def _query_bool(value: str) -> bool:
    return values.boolean(value)


def _text(value: Any) -> str | None:
    """type:string_or_none."""
    return None if value is None else values.string(value, 255)


AGENT: Mapping[str, Attr] = {
    "id": Attr(query=_same, sortable=True),
    "agent_type": Attr(query=_same, sortable=True),
    "binary": Attr(query=_same, sortable=True),
    "topic": Attr(query=_same, sortable=True),
    "host": Attr(query=_same, sortable=True),
    "admin_state_up": Attr(put=True, check=values.boolean,
                           schema={"type": ["boolean", "string", "integer"]}, query=_query_bool,
                           sortable=True),
    "created_at": Attr(sortable=True),
    "started_at": Attr(sortable=True),
    "heartbeat_timestamp": Attr(),
    "alive": Attr(query=_query_bool),
    "configurations": Attr(),
    "description": Attr(put=True, check=_text, schema={"type": ["string", "null"]}, query=_same,
                        sortable=True),
    "availability_zone": Attr(query=_same, sortable=True),
}  # fmt: skip


def _insensitive(name: str) -> listing.FilterHook:
    """Devstack's Neutron runs on MySQL, whose default collation matches strings regardless of
    case; clients rely on it (tempest asks for agent_type "DHCP Agent")."""
    column = getattr(NetworkAgent, name)

    def hook(wanted_values: list[Any]) -> ColumnElement[bool]:
        return func.lower(column).in_([str(v).lower() for v in wanted_values])

    return hook


def _alive(wanted_values: list[Any]) -> ColumnElement[bool]:
    # Every agent is alive (see the module's docstring).
    return true() if True in wanted_values else false()


LISTABLE = listing.Listable(
    collection="agents",
    attributes=AGENT,
    id_column=NetworkAgent.id,
    # Agents have no updated_at; changed_since is read against their start.
    updated_column=NetworkAgent.started_at,
    columns={
        "id": NetworkAgent.id, "agent_type": NetworkAgent.agent_type,
        "binary": NetworkAgent.binary, "topic": NetworkAgent.topic, "host": NetworkAgent.host,
        "admin_state_up": NetworkAgent.admin_state_up, "created_at": NetworkAgent.created_at,
        "started_at": NetworkAgent.started_at, "description": NetworkAgent.description,
        "availability_zone": NetworkAgent.availability_zone,
    },
    hooks={**{name: _insensitive(name) for name in ("agent_type", "binary", "topic", "host")},
           "alive": _alive},
    nullable=frozenset({"availability_zone"}),
)  # fmt: skip


def agent_missing(agent_id: str) -> faults.NeutronError:
    return faults.not_found("AgentNotFound", f"Agent {agent_id} could not be found.")


def find(session: Session, agent_id: str, *, lock: bool = False) -> NetworkAgent:
    stmt = select(NetworkAgent).where(NetworkAgent.id == agent_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    found = session.scalars(stmt).first()
    if found is None:
        raise agent_missing(agent_id)
    return found
