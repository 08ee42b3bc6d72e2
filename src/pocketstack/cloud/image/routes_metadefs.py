"""The metadata definitions catalog (Glance v2 /v2/metadefs)."""

from __future__ import annotations

from pocketstack.cloud.deps import CloudDeps


def routes(deps: CloudDeps) -> dict[str, object]:
    """The part's URI templates and the falcon resources that serve them."""
    return {}
