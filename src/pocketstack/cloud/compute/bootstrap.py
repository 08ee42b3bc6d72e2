"""First-run compute contents: the usual m1.tiny .. m1.xlarge flavors and the fleet's services."""

from __future__ import annotations

from pocketstack.cloud.compute.flavors import ensure_m1_flavors
from pocketstack.cloud.compute.fleet import ensure_services
from pocketstack.cloud.deps import CloudDeps


def bootstrap_compute(deps: CloudDeps) -> None:
    """Idempotent: existing flavors (same id or name) are left alone."""
    with deps.store.session(write=True) as session:
        ensure_m1_flavors(session, deps.clock.now())
        ensure_services(session, deps.config.hosts, deps.clock.now())
