"""The `same_host` and `different_host` scheduler hints (Nova's SameHost and DifferentHost
filters, which devstack enables). A server keeps the hints it was booted with, and Nova's
scheduler applies them again whenever the server moves, so creates and moves share this."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.cloud.compute import fleet
from pocketstack.cloud.store.models.compute import Instance


def narrowed(session: Session, hints_json: str | None, hosts: list[str] | None) -> list[str] | None:
    """The candidates narrowed by the hints: a host with any of the `same_host` servers, a host
    with none of the `different_host` ones. None (any host) when no hint applies. Naming only
    deleted or unplaced servers for `same_host` leaves no host, as in Nova."""
    hints = json.loads(hints_json or "{}")
    if not isinstance(hints, dict):
        return hosts
    same, different = _uuids(hints.get("same_host")), _uuids(hints.get("different_host"))
    if not same and not different:
        return hosts
    candidates = set(hosts) if hosts is not None else fleet.compute_hosts(session)
    if same:
        candidates &= _hosts_of(session, same)
    if different:
        candidates -= _hosts_of(session, different)
    return sorted(candidates)


def _uuids(hint: object) -> list[str]:
    if isinstance(hint, str):
        return [hint] if hint else []
    return [item for item in hint if isinstance(item, str)] if isinstance(hint, list) else []


def _hosts_of(session: Session, uuids: list[str]) -> set[str]:
    rows = session.scalars(
        select(Instance.host).where(Instance.uuid.in_(uuids), Instance.deleted.is_(False))
    )
    return {host for host in rows if host}
