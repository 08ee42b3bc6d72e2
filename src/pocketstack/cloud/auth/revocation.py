"""Revocation events: what each kind of change kills, and the one query a validation runs.

An event kills the tokens issued before its time that match every field it sets:

- `audit_id`: that one token, or every token an application credential or a trust issued (its
  id);
- `user_id` alone: every token of the user, and every token of a trust the user is a party to;
- a scope — `project_id`, `domain_id` or `system` — alone: every token scoped there; with
  `user_id`: only that user's tokens scoped there (a removed grant, as Keystone revokes by user
  and project).

A token's payload knows its user and scope but not the domains of either, so disabling a domain
writes an event for its scope, one for each of its users and one for each of its projects: one
statement each, and validation stays one indexed query over the events.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, false, insert, literal, null, or_, select
from sqlalchemy.orm import Session

from pocketstack.cloud.store.base import UTCDateTime
from pocketstack.cloud.store.models.identity import Project, RevocationEvent, User
from pocketstack.cloud.store.models.trust import Trust


class TokenScope(enum.Enum):
    UNSCOPED = "unscoped"
    PROJECT = "project"
    DOMAIN = "domain"
    SYSTEM = "system"


def _revocation_query(scope: TokenScope) -> Select[int]:
    """One OR of arms that each start with an indexed equality, so that each arm can be answered
    from an index (SQLite's multi-index OR, PostgreSQL's bitmap OR, MariaDB's index merge)."""
    event = RevocationEvent
    live = event.issued_before >= bindparam("issued_at", type_=UTCDateTime())
    this_user = event.user_id == bindparam("user_id")
    no_scope = event.project_id.is_(None) & event.domain_id.is_(None)
    # None (a token of no application credential) matches nothing.
    credential = bindparam("credential_id", None, type_=event.audit_id.type)
    # None (a token of no trust) matches nothing, as above.
    trust = bindparam("trust_id", None, type_=event.audit_id.type)
    trust_user = bindparam("trust_user_id", None, type_=event.user_id.type)
    arms: list[ColumnElement[bool]] = [
        event.audit_id == bindparam("audit_id"),
        event.audit_id == credential,
        # Bounded by time: a trustor who regains a lost role may use the trust again.
        (event.audit_id == trust) & live,
        # The trust's other user revoked as a whole (the token's own user is the next arm's).
        (event.user_id == trust_user) & no_scope & event.system.is_(False) & live,
    ]
    if scope is TokenScope.SYSTEM:
        # The user's every token, or their system-scoped ones.
        arms.append(this_user & no_scope & live)
    else:
        arms.append(this_user & no_scope & event.system.is_(False) & live)
    everyone_or_this_user = event.user_id.is_(None) | this_user
    if scope is TokenScope.PROJECT:
        arms.append((event.project_id == bindparam("project_id")) & everyone_or_this_user & live)
    elif scope is TokenScope.DOMAIN:
        arms.append((event.domain_id == bindparam("domain_id")) & everyone_or_this_user & live)
    return select(event.id).where(or_(*arms)).limit(1)


# Built once at import: a validation runs one of these in every request of every service.
REVOCATION_QUERIES = {scope: _revocation_query(scope) for scope in TokenScope}


@dataclasses.dataclass(frozen=True, kw_only=True)
class Grant:
    """A (user, target) pair whose tokens scoped to the target carry a role that went away."""

    user_id: str
    target_type: str  # "project", "domain" or "system"
    target_id: str


def _grant_event(grant: Grant, *, now: dt.datetime) -> dict[str, Any]:
    row: dict[str, Any] = {
        "user_id": grant.user_id,
        "project_id": None,
        "domain_id": None,
        "system": False,
        "issued_before": now,
        "revoked_at": now,
    }
    if grant.target_type == "project":
        row["project_id"] = grant.target_id
    elif grant.target_type == "domain":
        row["domain_id"] = grant.target_id
    elif grant.target_type == "system":
        row["system"] = True
    else:
        raise ValueError(f"unknown grant target {grant.target_type!r}")
    return row


def record_grants(session: Session, grants: Iterable[Grant], *, now: dt.datetime) -> None:
    """The users' tokens scoped where they lost a role, and the tokens of the trusts through
    which they delegated a role there (a trustee's token names the trustee, not the trustor)."""
    unique = list(dict.fromkeys(grants))
    rows = [_grant_event(g, now=now) for g in unique]
    if rows:
        session.execute(insert(RevocationEvent), rows)
    stamp = literal(now, UTCDateTime())
    for grant in unique:
        if grant.target_type != "project":
            continue
        session.execute(
            insert(RevocationEvent).from_select(
                ["audit_id", "system", "issued_before", "revoked_at"],
                select(Trust.id, false(), stamp, stamp).where(
                    (Trust.trustor_user_id == grant.user_id) & (Trust.project_id == grant.target_id)
                ),
            )
        )


def record_domain(session: Session, domain_id: str, *, now: dt.datetime) -> None:
    """Tokens scoped to the domain, to any of its projects, or held by any of its users."""
    session.add(
        RevocationEvent(domain_id=domain_id, system=False, issued_before=now, revoked_at=now)
    )
    stamp = literal(now, UTCDateTime())
    columns = ["project_id", "user_id", "system", "issued_before", "revoked_at"]
    # Server-side INSERT ... SELECT: a domain of many users costs no round trip per user.
    session.execute(
        insert(RevocationEvent).from_select(
            columns,
            select(Project.id, null(), false(), stamp, stamp).where(Project.domain_id == domain_id),
        )
    )
    session.execute(
        insert(RevocationEvent).from_select(
            columns,
            select(null(), User.id, false(), stamp, stamp).where(User.domain_id == domain_id),
        )
    )
