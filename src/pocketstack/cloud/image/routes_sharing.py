"""Sharing images: members, tags, and the schemas clients read (Glance v2)."""

from __future__ import annotations

from pocketstack.cloud.deps import CloudDeps


def routes(deps: CloudDeps) -> dict[str, object]:
    """The part's URI templates and the falcon resources that serve them."""
    return {}
