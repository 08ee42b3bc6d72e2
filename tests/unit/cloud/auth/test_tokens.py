from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from pocketstack.cloud.auth.keys import KeyRepository
from pocketstack.cloud.auth.tokens import (
    TokenExpired,
    TokenInvalid,
    TokenProvider,
    TokenRevoked,
)
from pocketstack.cloud.clock import FrozenClock
from pocketstack.cloud.store.db import Store
from pocketstack.cloud.store.models.identity import RevocationEvent
from pocketstack.cloud.store.upgrade import upgrade


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC))


@pytest.fixture
def provider(tmp_path: Path, clock: FrozenClock) -> Iterator[TokenProvider]:
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    upgrade(store.engine)
    keys = KeyRepository(tmp_path / "keys")
    keys.setup()
    yield TokenProvider(keys=keys, clock=clock, store=store, expiration=3600)
    store.dispose()


def test_round_trip_keeps_every_field(provider: TokenProvider) -> None:
    issued = provider.issue(
        user_id="u1", methods=["password"], project_id="p1", roles=["member", "reader"]
    )
    payload = provider.validate(issued.token_id)
    assert payload == issued.payload
    assert payload.methods == ("password",)
    assert payload.roles == ("member", "reader")
    assert payload.expires_at - payload.issued_at == dt.timedelta(hours=1)
    assert "=" not in issued.token_id
    assert len(payload.audit_id) == 22


def test_expired_token_is_refused(provider: TokenProvider, clock: FrozenClock) -> None:
    token = provider.issue(user_id="u1", methods=["password"]).token_id
    clock.advance(3600)
    with pytest.raises(TokenExpired):
        provider.validate(token)


@pytest.mark.parametrize(
    "mangle", [lambda t: t[:-2] + "AA", lambda t: "x" + t, lambda t: "", lambda t: "é" * 10]
)
def test_tampered_token_is_refused(provider: TokenProvider, mangle) -> None:  # type: ignore[no-untyped-def]
    token = provider.issue(user_id="u1", methods=["password"]).token_id
    with pytest.raises(TokenInvalid):
        provider.validate(mangle(token))


@pytest.mark.parametrize("stray", [" ", "\t", "\n", "\r\n", "+", "/", ".", "=", "%20", "\x00"])
def test_characters_outside_the_token_alphabet_are_refused_anywhere(
    provider: TokenProvider, stray: str
) -> None:
    # base64 decoding as Fernet does it skips such characters: whether the token then decrypts
    # must not depend on the cryptography release or on where the character lands.
    token = provider.issue(user_id="u1", methods=["password"]).token_id
    for at in (0, 1, 10, len(token) // 2, len(token) - 1, len(token)):
        with pytest.raises(TokenInvalid):
            provider.validate(token[:at] + stray + token[at:])


def test_padded_tokens_are_accepted_and_wrong_padding_refused(provider: TokenProvider) -> None:
    # Role names of growing length walk the token's length through every residue mod 4.
    residues = set()
    for size in range(1, 40):
        token = provider.issue(user_id="u1", methods=["password"], roles=["r" * size]).token_id
        residues.add(len(token) % 4)
        padded = token + "=" * (-len(token) % 4)
        assert provider.validate(padded).roles == ("r" * size,)
        if padded == token:
            with pytest.raises(TokenInvalid):
                provider.validate(token + "==")
        else:
            with pytest.raises(TokenInvalid):
                provider.validate(padded + "=")
    assert residues == {0, 2, 3}


def test_truncated_to_whole_blocks_or_below_the_minimum_is_refused(
    provider: TokenProvider,
) -> None:
    token = provider.issue(user_id="u1", methods=["password"]).token_id
    for cut in (4, 16, 22, 64):
        with pytest.raises(TokenInvalid):
            provider.validate(token[:-cut])
    with pytest.raises(TokenInvalid):
        provider.validate("A" * 97)


def test_token_from_another_key_repository_is_refused(
    provider: TokenProvider, tmp_path: Path
) -> None:
    other_keys = KeyRepository(tmp_path / "other")
    other_keys.setup()
    other = TokenProvider(keys=other_keys, clock=provider.clock, store=provider.store)
    with pytest.raises(TokenInvalid):
        provider.validate(other.issue(user_id="u1", methods=["password"]).token_id)


def test_revoking_one_token_leaves_the_others(provider: TokenProvider) -> None:
    a = provider.issue(user_id="u1", methods=["password"])
    b = provider.issue(user_id="u1", methods=["password"])
    provider.revoke_token(a.payload)
    with pytest.raises(TokenRevoked):
        provider.validate(a.token_id)
    assert provider.validate(b.token_id).user_id == "u1"


def test_revoking_a_user_kills_earlier_tokens_only(
    provider: TokenProvider, clock: FrozenClock
) -> None:
    before = provider.issue(user_id="u1", methods=["password"], project_id="p1")
    other_user = provider.issue(user_id="u2", methods=["password"], project_id="p1")
    clock.advance(0.000001)
    provider.revoke_user("u1")
    clock.advance(0.000001)
    after = provider.issue(user_id="u1", methods=["password"], project_id="p1")
    with pytest.raises(TokenRevoked):
        provider.validate(before.token_id)
    provider.validate(after.token_id)
    provider.validate(other_user.token_id)


def test_revoking_a_project_kills_its_tokens(provider: TokenProvider) -> None:
    scoped = provider.issue(user_id="u1", methods=["password"], project_id="p1")
    elsewhere = provider.issue(user_id="u1", methods=["password"], project_id="p2")
    provider.revoke_project("p1")
    with pytest.raises(TokenRevoked):
        provider.validate(scoped.token_id)
    provider.validate(elsewhere.token_id)


def test_rescoped_token_keeps_expiry_and_audit_chain(
    provider: TokenProvider, clock: FrozenClock
) -> None:
    parent = provider.issue(user_id="u1", methods=["password"])
    clock.advance(60)
    child = provider.issue(
        user_id="u1",
        methods=["token"],
        project_id="p1",
        audit_ids=parent.payload.audit_ids,
        expires_at=parent.payload.expires_at,
    )
    assert child.payload.expires_at == parent.payload.expires_at
    assert child.payload.audit_ids[1] == parent.payload.audit_id
    assert child.payload.audit_id != parent.payload.audit_id


def test_token_survives_key_rotation_while_key_is_kept(provider: TokenProvider) -> None:
    token = provider.issue(user_id="u1", methods=["password"]).token_id
    provider.keys.rotate(max_active_keys=3)
    assert provider.validate(token).user_id == "u1"
    provider.keys.rotate(max_active_keys=3)
    with pytest.raises(TokenInvalid):
        provider.validate(token)


def test_prune_forgets_only_old_events(provider: TokenProvider, clock: FrozenClock) -> None:
    old = provider.issue(user_id="u1", methods=["password"])
    provider.revoke_token(old.payload)
    clock.advance(3 * 3600)
    recent = provider.issue(user_id="u2", methods=["password"])
    provider.revoke_token(recent.payload)
    # That revocation pruned already (the first in PRUNE_INTERVAL): the old event is gone.
    assert provider.prune() == 0
    with provider.store.session() as session:
        left = session.scalars(select(RevocationEvent.audit_id)).all()
    assert left == [recent.payload.audit_id]
    with pytest.raises(TokenRevoked):
        provider.validate(recent.token_id)
