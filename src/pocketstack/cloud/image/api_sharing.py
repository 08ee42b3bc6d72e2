"""The sharing operations declared: image members, tags, and the schemas (Glance v2)."""

from __future__ import annotations

from pocketstack.cloud.api.operation import JSON, Operation


def operations() -> tuple[Operation, ...]:
    return ()


def schemas() -> dict[str, JSON]:
    """The named response schemas the part's operations refer to."""
    return {}
