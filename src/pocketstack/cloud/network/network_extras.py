"""What extensions add to a network's view, read for a page at once: its provider segment
(shown to admins only, as Neutron's get_network:provider:* rules), its availability zone hints,
and the zones of the DHCP agents hosting it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.network import availability_zones, dhcp_scheduling, provider


def shows_provider(ctx: RequestContext) -> bool:
    return ctx.is_admin


def fill(
    session: Session, ctx: RequestContext, views: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """`views` with the extensions' attributes as `ctx` is shown them."""
    ids = [v["id"] for v in views]
    segments = provider.segments_of(session, ids) if shows_provider(ctx) else {}
    hints = availability_zones.hints_of(session, ids)
    hosting = dhcp_scheduling.hosting(session, ids)
    filled: list[dict[str, Any]] = []
    for view in views:
        network_id = view["id"]
        extra: dict[str, Any] = {}
        if shows_provider(ctx):
            extra.update(provider.view_of(segments.get(network_id)))
        zones = {a.availability_zone for a in hosting.get(network_id, []) if a.availability_zone}
        extra["availability_zone_hints"] = hints.get(network_id, [])
        extra["availability_zones"] = sorted(zones)
        filled.append({**view, **extra})
    return filled
