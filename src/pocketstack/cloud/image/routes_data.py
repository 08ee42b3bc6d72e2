"""The image data: upload, download, staging and import, deactivate/reactivate (Glance v2)."""

from __future__ import annotations

from pocketstack.cloud.deps import CloudDeps


def routes(deps: CloudDeps) -> dict[str, object]:
    """The part's URI templates and the falcon resources that serve them."""
    return {}
