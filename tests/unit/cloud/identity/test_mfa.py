"""Multi-factor auth rules (the user options `multi_factor_auth_rules` and
`multi_factor_auth_enabled`) and auth receipts: a 401 with a receipt when the methods that
succeeded meet no rule, and the token once the receipt comes back with the missing method."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures.cloud import OffsetClock
from tests.unit.cloud.identity.conftest import Client
from tests.unit.cloud.identity.test_totp import SECRET, TOKENS, Alice, _alice, passcode

RECEIPT = "Openstack-Auth-Receipt"
GENERIC = "The request you have made requires authentication."


def _options(alice: Alice, admin: str, **options: Any) -> dict[str, Any]:
    body = {"user": {"options": options}}
    result = alice.client.request("PATCH", f"/v3/users/{alice.id}", json=body, token=admin)
    assert result.status_code == 200, result.text
    shown: dict[str, Any] = result.json["user"]["options"]
    return shown


def _password(alice: Alice, *, receipt: str | None = None) -> Any:
    user = {"id": alice.id, "password": "pw"}
    body = {
        "auth": {
            "identity": {"methods": ["password"], "password": {"user": user}},
            "scope": {"project": {"name": "proj", "domain": {"id": "default"}}},
        }
    }
    headers = {RECEIPT: receipt} if receipt else None
    return alice.client.post(TOKENS, json=body, headers=headers)


def _totp(alice: Alice, code: str, *, receipt: str | None = None) -> Any:
    body = {
        "auth": {
            "identity": {"methods": ["totp"], "totp": {"user": {"id": alice.id, "passcode": code}}},
            "scope": {"project": {"name": "proj", "domain": {"id": "default"}}},
        }
    }
    headers = {RECEIPT: receipt} if receipt else None
    return alice.client.post(TOKENS, json=body, headers=headers)


@pytest.fixture
def alice(client: Client, clock: OffsetClock) -> Alice:
    return _alice(client, clock)


@pytest.fixture
def mfa_alice(client: Client, clock: OffsetClock) -> Alice:
    alice = _alice(client, clock)
    shown = _options(
        alice,
        client.admin_token(),
        multi_factor_auth_enabled=True,
        multi_factor_auth_rules=[["password", "totp"]],
    )
    assert shown == {
        "multi_factor_auth_enabled": True,
        "multi_factor_auth_rules": [["password", "totp"]],
    }
    return alice


def test_options_are_kept_shown_and_unset_with_null(alice: Alice) -> None:
    admin = alice.client.admin_token()
    _options(alice, admin, multi_factor_auth_rules=[["password", "totp"]], lock_password=True)
    shown = _options(alice, admin, lock_password=None, multi_factor_auth_enabled=False)
    assert shown == {
        "multi_factor_auth_rules": [["password", "totp"]],
        "multi_factor_auth_enabled": False,
    }
    got = alice.client.get(f"/v3/users/{alice.id}", token=admin).json["user"]["options"]
    assert got == shown
    listed = alice.client.get("/v3/users", token=admin, query="name=alice").json["users"]
    assert listed[0]["options"] == shown
    bad = {"user": {"options": {"multi_factor_auth_rules": [[]]}}}
    refused = alice.client.request("PATCH", f"/v3/users/{alice.id}", json=bad, token=admin)
    assert refused.status_code == 400


def test_one_method_gets_a_receipt_and_the_other_with_it_a_token(
    mfa_alice: Alice, clock: OffsetClock
) -> None:
    first = _password(mfa_alice)
    assert first.status_code == 401, first.text
    receipt = first.headers[RECEIPT]
    body = first.json
    assert "error" not in body
    assert body["required_auth_methods"] == [["password", "totp"]]
    assert body["receipt"]["methods"] == ["password"]
    assert body["receipt"]["user"] == {
        "id": mfa_alice.id,
        "name": "alice",
        "domain": {"id": "default", "name": "Default"},
    }
    assert body["receipt"]["expires_at"] > body["receipt"]["issued_at"]

    second = _totp(mfa_alice, passcode(clock), receipt=receipt)
    assert second.status_code == 201, second.text
    assert sorted(second.json["token"]["methods"]) == ["password", "totp"]
    # Without the receipt, the passcode alone is one factor again.
    alone = _totp(mfa_alice, passcode(clock))
    assert alone.status_code == 401
    assert alone.json["receipt"]["methods"] == ["totp"]
    # A rescope of the two-factor token keeps its methods, so it meets the rule.
    token_id = second.headers["X-Subject-Token"]
    body2 = {"auth": {"identity": {"methods": ["token"], "token": {"id": token_id}}}}
    rescoped = mfa_alice.client.post(TOKENS, json=body2)
    assert rescoped.status_code == 201, rescoped.text
    assert sorted(rescoped.json["token"]["methods"]) == ["password", "token", "totp"]


def test_both_methods_in_one_request_need_no_receipt(mfa_alice: Alice, clock: OffsetClock) -> None:
    named = {"id": mfa_alice.id}
    body = {
        "auth": {
            "identity": {
                "methods": ["password", "totp"],
                "password": {"user": {**named, "password": "pw"}},
                "totp": {"user": {**named, "passcode": passcode(clock)}},
            }
        }
    }
    result = mfa_alice.client.post(TOKENS, json=body)
    assert result.status_code == 201, result.text
    assert RECEIPT not in result.headers


def test_a_bad_expired_or_foreign_receipt_is_the_generic_401(
    mfa_alice: Alice, client: Client, clock: OffsetClock
) -> None:
    receipt = _password(mfa_alice).headers[RECEIPT]
    for wrong in ("not-a-receipt", receipt[:-4] + "AAAA", client.admin_token()):
        refused = _totp(mfa_alice, passcode(clock), receipt=wrong)
        assert refused.status_code == 401
        assert refused.json["error"]["message"] == GENERIC
    # Another user's receipt (bob has rules too).
    admin = client.admin_token()
    bob = client.post("/v3/users", json={"user": {"name": "bob", "password": "pw2"}}, token=admin)
    bob_id = bob.json["user"]["id"]
    client.request(
        "PATCH",
        f"/v3/users/{bob_id}",
        token=admin,
        json={"user": {"options": {"multi_factor_auth_rules": [["password", "totp"]]}}},
    )
    bob_login = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"id": bob_id, "password": "pw2"}},
            }
        }
    }
    bobs = client.post(TOKENS, json=bob_login)
    assert bobs.status_code == 401
    foreign = _totp(mfa_alice, passcode(clock), receipt=bobs.headers[RECEIPT])
    assert foreign.status_code == 401
    assert foreign.json["error"]["message"] == GENERIC
    # Past Keystone's default [receipt] expiration (300 s), a receipt is worth nothing.
    clock.advance(301)
    expired = _totp(mfa_alice, passcode(clock), receipt=receipt)
    assert expired.status_code == 401
    assert expired.json["error"]["message"] == GENERIC


def test_rules_disabled_or_naming_only_other_methods_let_one_method_through(
    mfa_alice: Alice,
) -> None:
    admin = mfa_alice.client.admin_token()
    _options(mfa_alice, admin, multi_factor_auth_enabled=False)
    assert _password(mfa_alice).status_code == 201
    # Enabled again, with a rule whose second method this cloud does not offer: Keystone counts
    # only the methods it has, so the password alone meets it.
    _options(
        mfa_alice,
        admin,
        multi_factor_auth_enabled=None,
        multi_factor_auth_rules=[["password", "mapped"], ["totp", "token"]],
    )
    assert _password(mfa_alice).status_code == 201
    _options(mfa_alice, admin, multi_factor_auth_rules=[["totp", "application_credential"]])
    refused = _password(mfa_alice)
    assert refused.status_code == 401
    assert refused.json["required_auth_methods"] == []


def test_an_application_credential_alone_is_one_factor(mfa_alice: Alice) -> None:
    client = mfa_alice.client
    # The credential is made with a two-factor token.
    both = {
        "auth": {
            "identity": {
                "methods": ["password", "totp"],
                "password": {"user": {"id": mfa_alice.id, "password": "pw"}},
                "totp": {"user": {"id": mfa_alice.id, "passcode": passcode_now(mfa_alice)}},
            },
            "scope": {"project": {"name": "proj", "domain": {"id": "default"}}},
        }
    }
    token = client.post(TOKENS, json=both).headers["X-Subject-Token"]
    made = client.post(
        f"/v3/users/{mfa_alice.id}/application_credentials",
        json={"application_credential": {"name": "ci"}},
        token=token,
    )
    assert made.status_code == 201, made.text
    cred = made.json["application_credential"]
    by_cred = {
        "auth": {
            "identity": {
                "methods": ["application_credential"],
                "application_credential": {"id": cred["id"], "secret": cred["secret"]},
            }
        }
    }
    refused = client.post(TOKENS, json=by_cred)
    assert refused.status_code == 401
    assert refused.json["receipt"]["methods"] == ["application_credential"]
    # The credential with a receipt for the password: still no rule met (password and totp).
    receipt = _password(mfa_alice).headers[RECEIPT]
    again = client.post(TOKENS, json=by_cred, headers={RECEIPT: receipt})
    assert again.status_code == 401
    assert sorted(again.json["receipt"]["methods"]) == ["application_credential", "password"]


def passcode_now(alice: Alice) -> str:
    clock = alice.client.deps.clock
    assert isinstance(clock, OffsetClock)
    return passcode(clock, secret=SECRET)


def test_v2_password_login_is_refused_to_a_user_whose_rules_want_more(mfa_alice: Alice) -> None:
    client = mfa_alice.client
    v2 = {"auth": {"passwordCredentials": {"username": "alice", "password": "pw"}}}
    assert client.post("/v2.0/tokens", json=v2).status_code == 401
    admin = client.admin_token()
    _options(mfa_alice, admin, multi_factor_auth_enabled=False)
    assert client.post("/v2.0/tokens", json=v2).status_code == 200


def test_a_disabled_user_gets_the_generic_401_not_a_receipt(mfa_alice: Alice) -> None:
    admin = mfa_alice.client.admin_token()
    disabled = {"user": {"enabled": False}}
    path = f"/v3/users/{mfa_alice.id}"
    assert mfa_alice.client.request("PATCH", path, json=disabled, token=admin).status_code == 200
    refused = _password(mfa_alice)
    assert refused.status_code == 401
    assert RECEIPT not in refused.headers
    assert refused.json["error"]["message"] == GENERIC
