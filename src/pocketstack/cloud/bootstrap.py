"""First-run set-up of a cloud's contents: identity (admin, roles, catalog), flavors, an image."""

from __future__ import annotations

from pocketstack.cloud.deps import CloudDeps


def bootstrap(deps: CloudDeps, *, admin_password: str) -> None:
    """Idempotent: running it again changes nothing but endpoint URLs, the admin password, what
    the admin needs re-enabled, and revocation events too old to matter."""
    from pocketstack.cloud.compute.bootstrap import bootstrap_compute
    from pocketstack.cloud.identity.bootstrap import bootstrap_identity
    from pocketstack.cloud.image.bootstrap import bootstrap_image

    bootstrap_identity(deps, admin_password=admin_password)
    bootstrap_compute(deps)
    bootstrap_image(deps)
    # Every start prunes; a running cloud prunes after revocations (TokenProvider).
    deps.tokens.prune()
