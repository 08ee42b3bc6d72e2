"""First-run set-up of a cloud's contents: identity (admin, roles, catalog), flavors, an image,
the public and private networks."""

from __future__ import annotations

from pocketstack.cloud.deps import CloudDeps


def bootstrap(deps: CloudDeps, *, admin_password: str, contents: bool = True) -> None:
    """Idempotent: running it again changes nothing but endpoint URLs, the admin password, what
    the admin needs re-enabled, and revocation events too old to matter. `contents=False`: the
    identity part only, for a database this same version bootstrapped whole (the pytest
    plugin's cached one, testing/database_cache.py), whose flavors, image and networks a second
    run would leave as they are."""
    from pocketstack.cloud.identity.bootstrap import bootstrap_identity

    bootstrap_identity(deps, admin_password=admin_password)
    if contents:
        _contents(deps)
    # Every start prunes; a running cloud prunes after revocations (TokenProvider).
    deps.tokens.prune()


def _contents(deps: CloudDeps) -> None:
    from pocketstack.cloud.compute.bootstrap import bootstrap_compute
    from pocketstack.cloud.image.bootstrap import bootstrap_image
    from pocketstack.cloud.network.bootstrap import bootstrap_network

    bootstrap_compute(deps)
    bootstrap_image(deps)
    # After identity's: its admin project owns the networks.
    bootstrap_network(deps)
