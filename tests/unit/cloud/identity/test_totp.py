"""The `totp` auth method: passcodes from a user's `totp` credentials, computed here as an
authenticator app would, against the cloud's clock; alone, with a password, and with a token."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP

from tests.fixtures.cloud import ADMIN_PASSWORD, OffsetClock
from tests.unit.cloud.identity.conftest import Client, build

SECRET = base64.b32encode(b"twenty-byte-secret!!").decode("ascii").rstrip("=")
OTHER_SECRET = base64.b32encode(b"another-20-byte-key!").decode("ascii").rstrip("=")
TOKENS = "/v3/auth/tokens"


def passcode(clock: OffsetClock, *, steps_back: int = 0, secret: str = SECRET) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key, 6, SHA1(), 30)
    return totp.generate(int(clock.now().timestamp()) - 30 * steps_back).decode("ascii")


def mid_step(clock: OffsetClock) -> None:
    """Move the cloud's clock to 15 s into a 30 s step: a code made now stays in its step for
    the whole of a test's next requests."""
    into = clock.now().timestamp() % 30
    clock.advance((15 - into) % 30)


def totp_auth(user: dict[str, Any], code: Any, *, project: str | None = "proj") -> dict[str, Any]:
    auth: dict[str, Any] = {
        "identity": {"methods": ["totp"], "totp": {"user": {**user, "passcode": code}}}
    }
    if project is not None:
        auth["scope"] = {"project": {"name": project, "domain": {"id": "default"}}}
    return {"auth": auth}


class Alice:
    """A user with the member role on `proj`, a password and a totp credential."""

    def __init__(self, client: Client, admin: str) -> None:
        self.client = client
        made = client.post(
            "/v3/users", json={"user": {"name": "alice", "password": "pw"}}, token=admin
        )
        self.id = str(made.json["user"]["id"])
        proj = client.post("/v3/projects", json={"project": {"name": "proj"}}, token=admin)
        member = client.get("/v3/roles", token=admin, query="name=member").json["roles"][0]["id"]
        grant = f"/v3/projects/{proj.json['project']['id']}/users/{self.id}/roles/{member}"
        assert client.request("PUT", grant, token=admin).status_code == 204
        self.add_credential(admin, SECRET)

    def add_credential(self, token: str, blob: str) -> None:
        body = {"credential": {"user_id": self.id, "type": "totp", "blob": blob}}
        assert self.client.post("/v3/credentials", json=body, token=token).status_code == 201

    def login(self, code: Any, **by: Any) -> Any:
        user = by or {"id": self.id}
        return self.client.post(TOKENS, json=totp_auth(user, code))


def _alice(client: Client, clock: OffsetClock) -> Alice:
    mid_step(clock)
    return Alice(client, client.admin_token())


@pytest.fixture
def alice(client: Client, clock: OffsetClock) -> Alice:
    return _alice(client, clock)


def test_current_passcode_gets_a_scoped_token_whose_methods_say_totp(
    alice: Alice, clock: OffsetClock
) -> None:
    result = alice.login(passcode(clock))
    assert result.status_code == 201, result.text
    token = result.json["token"]
    assert token["methods"] == ["totp"]
    assert token["user"]["id"] == alice.id
    assert token["project"]["name"] == "proj"
    issued = result.headers["X-Subject-Token"]
    shown = alice.client.get(TOKENS, token=issued, subject=issued)
    assert shown.status_code == 200
    assert shown.json["token"]["methods"] == ["totp"]


def test_user_by_name_and_domain(alice: Alice, clock: OffsetClock) -> None:
    by_domain_id = alice.login(passcode(clock), name="alice", domain={"id": "default"})
    assert by_domain_id.status_code == 201, by_domain_id.text
    by_domain_name = alice.login(passcode(clock), name="alice", domain={"name": "Default"})
    assert by_domain_name.status_code == 201, by_domain_name.text


def test_previous_window_accepted_older_and_wrong_refused(alice: Alice, clock: OffsetClock) -> None:
    assert alice.login(passcode(clock, steps_back=1)).status_code == 201
    for code in (passcode(clock, steps_back=2), passcode(clock, steps_back=-1)):
        refused = alice.login(code)
        assert refused.status_code == 401
        assert refused.json["error"]["message"] == (
            "The request you have made requires authentication."
        )
    current = passcode(clock)
    wrong = f"{(int(current) + 1) % 1_000_000:06d}"
    assert alice.login(wrong).status_code == 401
    # The code of another secret, or the right code for another user, is no use either.
    assert alice.login(passcode(clock, secret=OTHER_SECRET)).status_code == 401


def test_a_code_ages_out_as_the_clock_moves(alice: Alice, clock: OffsetClock) -> None:
    code = passcode(clock)
    clock.advance(30)
    assert alice.login(code).status_code == 201
    clock.advance(30)
    assert alice.login(code).status_code == 401


@pytest.fixture
def strict(tmp_path: Path, clock: OffsetClock) -> Iterator[Client]:
    deps = build(tmp_path, clock, totp_included_previous_windows=0)
    yield Client(deps)
    deps.store.dispose()


def test_no_previous_window_when_configured_so(strict: Client, clock: OffsetClock) -> None:
    alice = _alice(strict, clock)
    assert alice.login(passcode(clock, steps_back=1)).status_code == 401
    assert alice.login(passcode(clock)).status_code == 201


def test_any_of_the_users_totp_credentials_will_do(alice: Alice, clock: OffsetClock) -> None:
    admin = alice.client.admin_token()
    # Blobs that are no usable secret (not base32; under 128 bits) are passed over.
    alice.add_credential(admin, "not base32 at all!")
    alice.add_credential(admin, base64.b32encode(b"short").decode())
    alice.add_credential(admin, OTHER_SECRET)
    assert alice.login(passcode(clock, secret=OTHER_SECRET)).status_code == 201
    assert alice.login(passcode(clock)).status_code == 201


def test_unknown_user_missing_or_odd_passcode_are_401(alice: Alice, clock: OffsetClock) -> None:
    assert alice.login(passcode(clock), id="no-such-user").status_code == 401
    assert alice.login(passcode(clock), name="nobody", domain={"id": "default"}).status_code == 401
    assert alice.login(int(passcode(clock)) or 1).status_code == 401
    assert alice.login(None).status_code == 401
    body = totp_auth({"id": alice.id}, "x")
    del body["auth"]["identity"]["totp"]["user"]["passcode"]
    assert alice.client.post(TOKENS, json=body).status_code == 401


@pytest.mark.parametrize(
    ("totp", "message"),
    [
        ({}, "Expecting to find user in totp."),
        ({"user": {"passcode": "123456"}}, "Expecting to find id or name in user."),
        ({"user": {"name": "alice", "passcode": "1"}}, "Expecting to find domain in user."),
        (
            {"user": {"name": "alice", "domain": {}, "passcode": "1"}},
            "Expecting to find id or name in domain.",
        ),
    ],
)
def test_payload_without_a_user_is_400(alice: Alice, totp: dict[str, Any], message: str) -> None:
    body = {"auth": {"identity": {"methods": ["totp"], "totp": totp}}}
    result = alice.client.post(TOKENS, json=body)
    assert result.status_code == 400, result.text
    assert result.json["error"]["message"].startswith(message)


def _password_and_totp(user: str, password: str, code: str) -> dict[str, Any]:
    named = {"name": user, "domain": {"id": "default"}}
    return {
        "auth": {
            "identity": {
                "methods": ["password", "totp"],
                "password": {"user": {**named, "password": password}},
                "totp": {"user": {**named, "passcode": code}},
            },
            "scope": {"project": {"name": "proj", "domain": {"id": "default"}}},
        }
    }


def test_password_and_totp_together(alice: Alice, clock: OffsetClock) -> None:
    client = alice.client
    both = client.post(TOKENS, json=_password_and_totp("alice", "pw", passcode(clock)))
    assert both.status_code == 201, both.text
    assert sorted(both.json["token"]["methods"]) == ["password", "totp"]
    assert (
        client.post(TOKENS, json=_password_and_totp("alice", "no", passcode(clock))).status_code
        == 401
    )
    wrong_code = _password_and_totp("alice", "pw", passcode(clock, secret=OTHER_SECRET))
    assert client.post(TOKENS, json=wrong_code).status_code == 401
    # Both methods must name the same user.
    body = _password_and_totp("alice", "pw", passcode(clock))
    body["auth"]["identity"]["password"]["user"]["name"] = "admin"
    body["auth"]["identity"]["password"]["user"]["password"] = ADMIN_PASSWORD
    assert client.post(TOKENS, json=body).status_code == 401


def test_token_and_totp_together(alice: Alice, clock: OffsetClock) -> None:
    client = alice.client
    first = alice.login(passcode(clock))
    token_id = first.headers["X-Subject-Token"]
    auth = totp_auth({"id": alice.id}, passcode(clock))
    auth["auth"]["identity"]["methods"] = ["token", "totp"]
    auth["auth"]["identity"]["token"] = {"id": token_id}
    again = client.post(TOKENS, json=auth)
    assert again.status_code == 201, again.text
    assert sorted(again.json["token"]["methods"]) == ["token", "totp"]
    # Another user's token with alice's passcode: refused.
    auth["auth"]["identity"]["token"] = {"id": client.admin_token()}
    assert client.post(TOKENS, json=auth).status_code == 401


@pytest.fixture
def locking(tmp_path: Path, clock: OffsetClock) -> Iterator[Client]:
    deps = build(tmp_path, clock, lockout_failure_attempts=3, lockout_duration=60)
    yield Client(deps)
    deps.store.dispose()


def test_wrong_passcodes_do_not_lock_the_password_out(locking: Client, clock: OffsetClock) -> None:
    alice = _alice(locking, clock)
    for _ in range(4):
        assert alice.login(passcode(clock, secret=OTHER_SECRET)).status_code == 401
    named = {"name": "alice", "domain": {"id": "default"}, "password": "pw"}
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": named}}}}
    assert locking.post(TOKENS, json=body).status_code == 201


def test_wrong_passcodes_are_throttled(alice: Alice, clock: OffsetClock) -> None:
    limit = alice.client.deps.config.login_failures_per_user
    codes = [passcode(clock, secret=OTHER_SECRET)] * limit
    assert all(alice.login(code).status_code == 401 for code in codes)
    refused = alice.login(passcode(clock))
    assert refused.status_code == 429
