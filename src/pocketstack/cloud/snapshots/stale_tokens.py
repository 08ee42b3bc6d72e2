"""The tokens a restore makes stale, revoked in the restore's own transaction.

A Fernet token carries its user, scope and role names; a validation checks only the keys, the
expiry and the revocation events (auth/tokens.py). After a restore, a token issued since the
snapshot may name a user, project or role assignment that the restored state lacks. The restore
compares what tokens depend on, in the live rows about to go and in the snapshot's, and writes a
revocation event for each difference:

- a user gone, or changed (domain, enabled, password), or whose role assignments differ
  (direct, or through a group whose members or assignments differ): all the user's tokens;
- a project or domain gone or changed: every token scoped to it;
- an application credential, a trust or an OAuth1 access token gone: every token it issued.

And the revocations recorded since the snapshot are carried over: a token revoked stays revoked.

Tokens of users whose state is the same are kept, whenever they were issued: they say what the
restored state says. Every worker checks the events on each request, so none serves a stale one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from pocketstack.cloud.store.models.application_credential import ApplicationCredential
from pocketstack.cloud.store.models.identity import (
    Domain,
    GroupRoleAssignment,
    Project,
    RevocationEvent,
    Role,
    RoleAssignment,
    User,
    UserGroupMembership,
)
from pocketstack.cloud.store.models.oauth1 import OAuthAccessToken
from pocketstack.cloud.store.models.trust import Trust

Grants = frozenset[tuple[str, str, str]]
_EVENT_FIELDS = (
    RevocationEvent.audit_id, RevocationEvent.user_id, RevocationEvent.project_id,
    RevocationEvent.domain_id, RevocationEvent.system, RevocationEvent.issued_before,
    RevocationEvent.revoked_at,
)  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Identity:
    users: dict[str, tuple[Any, ...]]
    user_grants: dict[str, Grants]
    memberships: dict[str, frozenset[str]]
    group_grants: dict[str, Grants]
    projects: dict[str, tuple[Any, ...]]
    domains: dict[str, tuple[Any, ...]]
    issuers: frozenset[str]
    revocations: frozenset[tuple[Any, ...]]


def read(conn: Connection) -> Identity:
    """What tokens depend on, as `conn` sees it; role assignments by role name (tokens carry
    names)."""
    roles: dict[str, str] = {row[0]: row[1] for row in conn.execute(select(Role.id, Role.name))}
    user_grants: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    for tt, ti, user, role in conn.execute(select(RoleAssignment.target_type,
            RoleAssignment.target_id, RoleAssignment.user_id, RoleAssignment.role_id)):  # fmt: skip
        user_grants[user].add((tt, ti, roles.get(role, role)))
    group_grants: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    for tt, ti, group, role in conn.execute(select(GroupRoleAssignment.target_type,
            GroupRoleAssignment.target_id, GroupRoleAssignment.group_id,
            GroupRoleAssignment.role_id)):  # fmt: skip
        group_grants[group].add((tt, ti, roles.get(role, role)))
    memberships: dict[str, set[str]] = defaultdict(set)
    for group, user in conn.execute(select(UserGroupMembership.group_id,
                                           UserGroupMembership.user_id)):  # fmt: skip
        memberships[user].add(group)
    users = {row[0]: tuple(row[1:]) for row in conn.execute(
        select(User.id, User.domain_id, User.enabled, User.password_hash))}  # fmt: skip
    projects = {row[0]: tuple(row[1:]) for row in conn.execute(
        select(Project.id, Project.domain_id, Project.enabled))}  # fmt: skip
    domains = {row[0]: tuple(row[1:]) for row in conn.execute(select(Domain.id, Domain.enabled))}
    issuers = {row[0] for row in conn.execute(select(ApplicationCredential.id))}
    issuers |= {row[0] for row in conn.execute(select(Trust.id))}
    issuers |= {row[0] for row in conn.execute(select(OAuthAccessToken.id))}
    revocations = frozenset(tuple(row) for row in conn.execute(select(*_EVENT_FIELDS)))
    return Identity(
        users=users,
        user_grants={k: frozenset(v) for k, v in user_grants.items()},
        memberships={k: frozenset(v) for k, v in memberships.items()},
        group_grants={k: frozenset(v) for k, v in group_grants.items()},
        projects=projects, domains=domains, issuers=frozenset(issuers), revocations=revocations,
    )  # fmt: skip


def _stale_users(live: Identity, kept: Identity) -> list[str]:
    empty: Grants = frozenset()
    changed_groups = {
        group for group in set(live.group_grants) | set(kept.group_grants)
        if live.group_grants.get(group, empty) != kept.group_grants.get(group, empty)
    }  # fmt: skip
    stale = []
    for user, row in live.users.items():
        groups = live.memberships.get(user, frozenset())
        if (
            kept.users.get(user) != row
            or kept.user_grants.get(user, empty) != live.user_grants.get(user, empty)
            or kept.memberships.get(user, frozenset()) != groups
            or groups & changed_groups
        ):
            stale.append(user)
    return sorted(stale)


def revoke(conn: Connection, live: Identity, kept: Identity, *, now: dt.datetime) -> int:
    """Events for every difference between the `live` state that went and the `kept` one now
    in place; how many."""
    base = {"audit_id": None, "user_id": None, "project_id": None, "domain_id": None,
            "system": False, "issued_before": now, "revoked_at": now}  # fmt: skip
    events = [{**base, "user_id": user} for user in _stale_users(live, kept)]
    events += [{**base, "project_id": p} for p, row in sorted(live.projects.items())
               if kept.projects.get(p) != row]  # fmt: skip
    events += [{**base, "domain_id": d} for d, row in sorted(live.domains.items())
               if kept.domains.get(d) != row]  # fmt: skip
    events += [{**base, "audit_id": i} for i in sorted(live.issuers - kept.issuers)]
    names = [c.key for c in _EVENT_FIELDS]
    events += [dict(zip(names, e, strict=True)) for e in live.revocations - kept.revocations]
    if events:
        conn.execute(insert(RevocationEvent), events)
    return len(events)
