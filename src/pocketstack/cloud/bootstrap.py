"""First-run set-up of a cloud's contents: identity (admin, roles, catalog), flavors, an image."""

from __future__ import annotations

from pocketstack.cloud.deps import CloudDeps


def bootstrap(deps: CloudDeps, *, admin_password: str) -> None:
    """Idempotent: running it again changes nothing but endpoint URLs and the admin password."""
    from pocketstack.cloud.compute.bootstrap import bootstrap_compute
    from pocketstack.cloud.identity.bootstrap import bootstrap_identity
    from pocketstack.cloud.image.bootstrap import bootstrap_image

    bootstrap_identity(deps, admin_password=admin_password)
    bootstrap_compute(deps)
    bootstrap_image(deps)
