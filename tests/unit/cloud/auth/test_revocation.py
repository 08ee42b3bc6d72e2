"""Revocation events by scope, pruning, and the validation query's plan, on every backend."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import column, func, insert, select, table, text

from pocketstack.cloud.auth import tokens as tokens_module
from pocketstack.cloud.auth.keys import KeyRepository
from pocketstack.cloud.auth.revocation import REVOCATION_QUERIES, Grant, TokenScope
from pocketstack.cloud.auth.tokens import IssuedToken, TokenProvider, TokenRevoked
from pocketstack.cloud.clock import FrozenClock
from pocketstack.cloud.store.base import UTCDateTime
from pocketstack.cloud.store.db import Store
from pocketstack.cloud.store.models.identity import Domain, Project, RevocationEvent, User
from pocketstack.cloud.store.upgrade import upgrade


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC))


def make_provider(db_url: str, tmp_path: Path, clock: FrozenClock) -> TokenProvider:
    store = Store(db_url)
    upgrade(store.engine)
    keys = KeyRepository(tmp_path / "keys")
    keys.setup()
    return TokenProvider(keys=keys, clock=clock, store=store, expiration=3600)


@pytest.fixture
def provider(db_url: str, tmp_path: Path, clock: FrozenClock) -> Iterator[TokenProvider]:
    """Once per backend: SQLite, PostgreSQL, MariaDB."""
    made = make_provider(db_url, tmp_path, clock)
    yield made
    made.store.dispose()


def alive(provider: TokenProvider, token: IssuedToken) -> bool:
    try:
        provider.validate(token.token_id)
    except TokenRevoked:
        return False
    return True


def issue(provider: TokenProvider, user: str, **scope: str | bool) -> IssuedToken:
    project_id = scope.get("project_id")
    domain_id = scope.get("domain_id")
    return provider.issue(
        user_id=user,
        methods=["password"],
        project_id=project_id if isinstance(project_id, str) else None,
        domain_id=domain_id if isinstance(domain_id, str) else None,
        system=scope.get("system") is True,
        roles=["member"],
    )


def test_a_removed_project_grant_ends_that_users_tokens_on_that_project_only(
    provider: TokenProvider, clock: FrozenClock
) -> None:
    on_p1 = issue(provider, "u1", project_id="p1")
    on_p2 = issue(provider, "u1", project_id="p2")
    unscoped = issue(provider, "u1")
    on_domain = issue(provider, "u1", domain_id="p1")
    system = issue(provider, "u1", system=True)
    other_user_on_p1 = issue(provider, "u2", project_id="p1")
    clock.advance(0.001)
    provider.revoke_grants([Grant(user_id="u1", target_type="project", target_id="p1")])
    assert not alive(provider, on_p1)
    for token in (on_p2, unscoped, on_domain, system, other_user_on_p1):
        assert alive(provider, token), token.payload
    clock.advance(0.001)
    assert alive(provider, issue(provider, "u1", project_id="p1"))


def test_a_removed_domain_or_system_grant_ends_only_tokens_scoped_there(
    provider: TokenProvider, clock: FrozenClock
) -> None:
    on_d1 = issue(provider, "u1", domain_id="d1")
    on_d2 = issue(provider, "u1", domain_id="d2")
    project_named_d1 = issue(provider, "u1", project_id="d1")
    system = issue(provider, "u1", system=True)
    unscoped = issue(provider, "u1")
    other_system = issue(provider, "u2", system=True)
    clock.advance(0.001)
    provider.revoke_grants([Grant(user_id="u1", target_type="domain", target_id="d1")])
    assert not alive(provider, on_d1)
    assert all(alive(provider, t) for t in (on_d2, project_named_d1, system, unscoped))
    provider.revoke_grants([Grant(user_id="u1", target_type="system", target_id="all")])
    assert not alive(provider, system)
    assert all(alive(provider, t) for t in (on_d2, project_named_d1, unscoped, other_system))


def test_a_user_wide_event_still_ends_every_scope(
    provider: TokenProvider, clock: FrozenClock
) -> None:
    tokens = [
        issue(provider, "u1", project_id="p1"),
        issue(provider, "u1", domain_id="d1"),
        issue(provider, "u1", system=True),
        issue(provider, "u1"),
    ]
    clock.advance(0.001)
    provider.revoke_user("u1")
    assert not any(alive(provider, t) for t in tokens)


def _directory(provider: TokenProvider) -> None:
    with provider.store.session(write=True) as session:
        session.add_all([Domain(id="default", name="Default"), Domain(id="d1", name="D1")])
        session.flush()
        session.add_all(
            [
                Project(id="p-default", name="a", domain_id="default"),
                Project(id="p-d1", name="b", domain_id="d1"),
                Project(id="p2-d1", name="c", domain_id="d1"),
            ]
        )
        session.add_all(
            [
                User(id="u-default", name="x", domain_id="default"),
                User(id="u-d1", name="y", domain_id="d1"),
            ]
        )


def test_a_disabled_domain_ends_tokens_on_it_its_projects_and_of_its_users(
    provider: TokenProvider, clock: FrozenClock
) -> None:
    _directory(provider)
    dead = [
        # A Default-domain user's tokens on the domain's projects, and on the domain itself.
        issue(provider, "u-default", project_id="p-d1"),
        issue(provider, "u-default", project_id="p2-d1"),
        issue(provider, "u-default", domain_id="d1"),
        # The domain's own users, wherever their tokens are scoped.
        issue(provider, "u-d1", project_id="p-default"),
        issue(provider, "u-d1", domain_id="default"),
        issue(provider, "u-d1"),
    ]
    kept = [
        issue(provider, "u-default", project_id="p-default"),
        issue(provider, "u-default", domain_id="default"),
        issue(provider, "u-default", system=True),
        issue(provider, "u-default"),
    ]
    clock.advance(0.001)
    provider.revoke_domain("d1")
    assert [alive(provider, t) for t in dead] == [False] * len(dead)
    assert [alive(provider, t) for t in kept] == [True] * len(kept)
    clock.advance(0.001)
    assert alive(provider, issue(provider, "u-default", project_id="p-d1"))


def _count(provider: TokenProvider) -> int:
    with provider.store.session() as session:
        return session.scalar(select(func.count()).select_from(RevocationEvent)) or 0


def test_prune_forgets_only_events_older_than_two_token_lifetimes(
    provider: TokenProvider, clock: FrozenClock
) -> None:
    old = issue(provider, "u1")
    provider.revoke_token(old.payload)
    clock.advance(2 * 3600 + 1)
    recent = issue(provider, "u2")
    provider.revoke_token(recent.payload)
    # The second revocation pruned the first event on its way (more than PRUNE_INTERVAL later).
    assert _count(provider) == 1
    assert provider.prune() == 0
    assert not alive(provider, recent)


def test_revocations_prune_at_most_every_interval(
    provider: TokenProvider, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    pruned: list[dt.datetime] = []
    real_prune = provider.prune

    def counting_prune() -> int:
        pruned.append(clock.now())
        return real_prune()

    monkeypatch.setattr(provider, "prune", counting_prune)
    for _ in range(5):
        provider.revoke_user("u1")
        clock.advance(1)
    assert len(pruned) == 1
    clock.advance(tokens_module.PRUNE_INTERVAL)
    provider.revoke_project("p1")
    provider.revoke_domain("d1")
    assert len(pruned) == 2


def test_events_written_before_the_scope_columns_keep_their_meaning(
    db_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    store = Store(db_url)
    upgrade(store.engine, revision="0002_compute")
    now = clock.now()
    # The table as 0002 made it: no domain_id, no system.
    events = table(
        "revocation_event",
        column("user_id"),
        column("project_id"),
        column("issued_before", UTCDateTime()),
        column("revoked_at", UTCDateTime()),
    )
    with store.engine.begin() as conn:
        for user_id, project_id in (("u1", None), (None, "p1")):
            conn.execute(
                insert(events).values(
                    user_id=user_id, project_id=project_id, issued_before=now, revoked_at=now
                )
            )
    store.dispose()
    provider = make_provider(db_url, tmp_path, clock)  # upgrades to head
    try:
        clock.advance(-1)
        assert not alive(provider, issue(provider, "u1", system=True))
        assert not alive(provider, issue(provider, "u2", project_id="p1"))
        assert alive(provider, issue(provider, "u2", domain_id="d1"))
    finally:
        provider.store.dispose()


def test_every_arm_of_the_validation_query_is_answered_from_an_index(
    provider: TokenProvider,
) -> None:
    """One indexed query per validation: no plan may scan the events table."""
    dialect = provider.store.engine.dialect.name
    if dialect == "mysql":
        pytest.skip("MariaDB picks a full scan of a tiny table whatever its indexes")
    params = {
        "audit_id": "a",
        "user_id": "u",
        "project_id": "p",
        "domain_id": "d",
        "issued_at": "2026-01-01 00:00:00",
    }
    with provider.store.engine.connect() as conn:
        if dialect == "postgresql":
            # Whatever the table's size: is there a plan without a sequential scan at all?
            conn.execute(text("SET enable_seqscan = off"))
        for scope in TokenScope:
            compiled = REVOCATION_QUERIES[scope].compile(conn)
            values = compiled.construct_params(params)
            if dialect == "sqlite":
                positional = tuple(values[name] for name in compiled.positiontup or ())
                plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", positional).all()
                lines = [str(row[-1]) for row in plan]
                assert not any(line.startswith("SCAN") for line in lines), (scope, lines)
            else:
                plan = conn.exec_driver_sql(f"EXPLAIN {compiled}", values).all()
                lines = [str(row[0]) for row in plan]
                assert not any("Seq Scan" in line for line in lines), (scope, lines)
        if dialect == "postgresql":
            conn.execute(text("RESET enable_seqscan"))
