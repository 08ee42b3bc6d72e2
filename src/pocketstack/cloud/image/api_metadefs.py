"""The metadata definitions catalog's operations declared (Glance v2 /v2/metadefs)."""

from __future__ import annotations

from pocketstack.cloud.api.operation import JSON, Operation


def operations() -> tuple[Operation, ...]:
    return ()


def schemas() -> dict[str, JSON]:
    """The named response schemas the part's operations refer to."""
    return {}
