"""`manage seed` and `demo`: many servers across many projects, each service seeding its own
tables through its own code.

Each seeded project gets a member user `demo<N>` (password returned in the result) and the admin
user gets the member role there too. With `admin_project`, bootstrap's admin project takes its
share as well (owned by the admin user), so that the admin's own `list` (no --all-tenants) has
servers to show.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from pocketstack.cloud.compute.seed import seed_servers
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import CloudError
from pocketstack.cloud.identity.seed import SeededProject, admin_owner, ensure_demo_projects
from pocketstack.cloud.image.seed import active_image_ids, ensure_seed_images


class SeedError(CloudError):
    pass


@dataclasses.dataclass(frozen=True)
class SeedResult:
    servers: int
    projects: tuple[SeededProject, ...]


def seed(
    deps: CloudDeps,
    *,
    servers: int,
    projects: int,
    admin_project: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> SeedResult:
    """Adds `servers` servers spread over `projects` demo projects (created when missing),
    and over the admin project too with `admin_project`."""
    if servers < 0 or projects < 1:
        raise SeedError("servers must be >= 0 and projects >= 1")
    seeded = ensure_demo_projects(deps, projects)
    ensure_seed_images(deps)
    owners = [(p.id, p.user_id) for p in seeded]
    if admin_project:
        owners.insert(0, admin_owner(deps))
    seed_servers(
        deps, servers=servers, owners=owners, image_refs=active_image_ids(deps), progress=progress
    )
    return SeedResult(servers=servers, projects=seeded)
