"""What each start of the network service does before it answers (create_app): the agents
register (agents.py), and every network without a segment gets one. Networks made before
segments existed, or by the bootstrap, have none: devstack's `public` network is flat on the
`public` physical network, every other one a tenant (vxlan) network.

Workers start at once: each network is taken under its row lock, its segment looked for with a
locking read (which sees rows other transactions committed), and a segment another writer
inserted first is skipped.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.network import agents, bootstrap, faults, provider
from pocketstack.cloud.store import retry
from pocketstack.cloud.store.models.network import Network
from pocketstack.cloud.store.models.network_agent import NetworkSegment

_BATCH = 500


def start(deps: CloudDeps) -> None:
    # Run again if the database gives the transaction up to a rival's.
    agents.register(deps)
    retry.on_transient_errors(_segment_networks)(deps)


def _segment_networks(deps: CloudDeps) -> None:
    with deps.store.session(write=True) as session:
        _segment_all(session)


def _segment_all(session: Session) -> None:
    # Keyset through the networks without a segment: each pass starts after the last one seen,
    # so a network that could not be given one is never read again (and no list of those done
    # grows into the statement).
    last = ""
    while True:
        stmt = (
            select(Network.id)
            .where(Network.id.not_in(select(NetworkSegment.network_id)), Network.id > last)
            .order_by(Network.id)
        )
        batch = list(session.scalars(stmt.limit(_BATCH)))
        if not batch:
            return
        for network_id in batch:
            _segment_one(session, network_id)
        last = batch[-1]


def _segment_one(session: Session, network_id: str) -> None:
    net = session.scalars(select(Network).where(Network.id == network_id).with_for_update()).first()
    segmented = select(NetworkSegment.network_id).where(NetworkSegment.network_id == network_id)
    if net is None or session.scalars(segmented.with_for_update()).first() is not None:
        return
    if net.id == bootstrap.PUBLIC_NETWORK_ID and net.external:
        public = provider.Segment(provider.FLAT, agents.PUBLIC_PHYSNET, None)
        try:
            provider.assign(session, net.id, public)
            return
        except faults.NeutronError:
            # An admin's flat network took `public` first: a tenant segment instead.
            pass
    provider.assign(session, net.id, None)
