"""Role inference: which roles holding some roles gives (Keystone's implied roles), and which
of them a token or an effective assignment shows.

Holding a role gives every role its rules reach, transitively. Keystone accepts a cycle of
rules and simply stops where it has been, so the expansion here is a recursive UNION (not
UNION ALL), which ends on a cycle as well. Domain-specific roles are then dropped: they only
ever count for the global roles they imply.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from sqlalchemy import CTE, Select, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from pocketstack.cloud.store.models.identity_roles import ImpliedRole, RoleDomain

Reader = Session | Connection


def reachable(seed: Select[str], name: str = "reachable_role") -> CTE:
    """The seed's role ids and every role their rules imply, as a CTE with one `role_id`."""
    start = select(seed.subquery().c[0].label("role_id"))
    found = start.cte(name, recursive=True)
    return found.union(
        select(ImpliedRole.implied_role_id.label("role_id")).join(
            found, ImpliedRole.prior_role_id == found.c.role_id
        )
    )


def global_reachable(seed: Select[str]) -> Select[str]:
    """What reachable() finds, less the domain-specific roles: the roles a token carries."""
    found = reachable(seed)
    return select(found.c.role_id).where(found.c.role_id.not_in(select(RoleDomain.role_id)))


def implied_by(session: Reader, role_ids: Collection[str]) -> dict[str, set[str]]:
    """For each of `role_ids`, every role it implies (itself excluded unless a cycle comes
    back to it): a query per level of rules."""
    if not role_ids:
        return {}
    edges: dict[str, set[str]] = {}
    frontier = set(role_ids)
    seen: set[str] = set()
    # One query per level of rules; a role once expanded is not asked about again.
    while frontier:
        seen |= frontier
        rows = session.execute(
            select(ImpliedRole.prior_role_id, ImpliedRole.implied_role_id).where(
                ImpliedRole.prior_role_id.in_(frontier)
            )
        ).all()
        for prior, implied in rows:
            edges.setdefault(prior, set()).add(implied)
        frontier = {implied for _, implied in rows} - seen
    return {role_id: _closure(edges, role_id) for role_id in role_ids}


def _closure(edges: dict[str, set[str]], role_id: str) -> set[str]:
    found: set[str] = set()
    stack = list(edges.get(role_id, ()))
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(edges.get(current, ()))
    return found


def implying(session: Reader, role_id: str) -> set[str]:
    """The role and every role whose rules lead to it: whoever holds one of them holds it."""
    found = {role_id}
    frontier = {role_id}
    while frontier:
        priors = set(
            session.execute(
                select(ImpliedRole.prior_role_id).where(ImpliedRole.implied_role_id.in_(frontier))
            ).scalars()
        )
        frontier = priors - found
        found |= priors
    return found


def domains_of(session: Reader, role_ids: Iterable[str]) -> dict[str, str]:
    """The domain of each domain-specific role among `role_ids` (global ones are absent)."""
    wanted = list(set(role_ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(RoleDomain.role_id, RoleDomain.domain_id).where(RoleDomain.role_id.in_(wanted))
    ).all()
    return {role_id: domain_id for role_id, domain_id in rows}
