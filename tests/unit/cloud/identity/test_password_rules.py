"""Keystone's [security_compliance] password rules (config.py, password_rules.py): expiry, the
history and minimum age of a user's own change, the expression, and the read-only config route
that tells clients the expression."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import falcon.testing
import pytest

from pocketstack.cloud.config import CloudConfig, ConfigError
from tests.fixtures.cloud import ADMIN_PASSWORD, OffsetClock, make_deps
from tests.unit.cloud.identity.conftest import Client

DAY = 86400
COMPLIANCE = "/v3/domains/default/config/security_compliance"


@pytest.fixture
def strict(db_url: str, tmp_path: Path, clock: OffsetClock) -> Iterator[Client]:
    # On each database: the history is kept and trimmed in rows.
    deps = make_deps(data_dir=tmp_path, db_url=db_url, clock=clock, settings={
        "password_expires_days": 30, "unique_last_password_count": 3,
        "minimum_password_age": 1, "password_regex": r"^(?=.*\d).{8,}$",
        "password_regex_description": "at least 8 characters, one of them a digit",
    })  # fmt: skip
    yield Client(deps)
    deps.store.dispose()


def _user(client: Client, admin: str, password: str = "first-pass1") -> dict[str, Any]:
    created = client.post(
        "/v3/users", json={"user": {"name": "pat", "password": password}}, token=admin
    )
    assert created.status_code == 201, created.text
    user: dict[str, Any] = created.json["user"]
    return user


def _change(client: Client, user_id: str, original: str, new: str) -> falcon.testing.Result:
    body = {"user": {"original_password": original, "password": new}}
    return client.post(f"/v3/users/{user_id}/password", json=body)


def _login(client: Client, password: str) -> falcon.testing.Result:
    return client.password_token(user="pat", password=password, project=None)


def test_the_expression_binds_every_password_set(strict: Client) -> None:
    admin = strict.admin_token()
    weak = strict.post("/v3/users", json={"user": {"name": "pat", "password": "short"}},
                       token=admin)  # fmt: skip
    assert weak.status_code == 400
    assert "at least 8 characters, one of them a digit" in weak.json["error"]["message"]
    user = _user(strict, admin)
    reset = strict.request("PATCH", f"/v3/users/{user['id']}",
                           json={"user": {"password": "no digits here"}}, token=admin)  # fmt: skip
    assert reset.status_code == 400
    assert _change(strict, user["id"], "first-pass1", "nodigits!!").status_code == 400


def test_passwords_expire_and_can_still_be_changed(strict: Client, clock: OffsetClock) -> None:
    admin = strict.admin_token()
    user = _user(strict, admin)
    assert user["password_expires_at"] is not None
    assert _login(strict, "first-pass1").status_code == 201
    clock.advance(31 * DAY)
    expired = _login(strict, "first-pass1")
    assert expired.status_code == 401
    assert "expired" in expired.json["error"]["message"]
    # A wrong password is still the generic answer: expiry is told only to the password's owner.
    wrong = _login(strict, "not-the-pass1")
    assert wrong.json["error"]["message"] == "The request you have made requires authentication."
    assert _change(strict, user["id"], "first-pass1", "second-pass2").status_code == 204
    assert _login(strict, "second-pass2").status_code == 201


def test_own_changes_keep_to_history_and_minimum_age(strict: Client, clock: OffsetClock) -> None:
    admin = strict.admin_token()
    user = _user(strict, admin)
    too_soon = _change(strict, user["id"], "first-pass1", "second-pass2")
    assert too_soon.status_code == 400
    assert "minimum password age" in too_soon.json["error"]["message"]
    clock.advance(DAY + 1)
    assert _change(strict, user["id"], "first-pass1", "second-pass2").status_code == 204
    clock.advance(DAY + 1)
    # The last three passwords, the new one counted: neither the current nor the one before.
    for reused in ("second-pass2", "first-pass1"):
        refused = _change(strict, user["id"], "second-pass2", reused)
        assert refused.status_code == 400, reused
        assert "previous password" in refused.json["error"]["message"]
    assert _change(strict, user["id"], "second-pass2", "third-pass3").status_code == 204
    clock.advance(DAY + 1)
    assert _change(strict, user["id"], "third-pass3", "fourth-pass4").status_code == 204
    clock.advance(DAY + 1)
    # Three changes on, the first password may come back.
    assert _change(strict, user["id"], "fourth-pass4", "first-pass1").status_code == 204


def test_an_administrators_reset_is_not_held_to_the_rules_of_own_changes(strict: Client) -> None:
    admin = strict.admin_token()
    user = _user(strict, admin)
    path = f"/v3/users/{user['id']}"
    for password in ("first-pass1", "first-pass1"):
        reset = strict.request("PATCH", path, json={"user": {"password": password}}, token=admin)
        assert reset.status_code == 200, reset.text
    assert _login(strict, "first-pass1").status_code == 201


def test_the_expression_is_readable_by_any_user_of_the_default_domain(strict: Client) -> None:
    admin = strict.admin_token()
    _user(strict, admin)
    token = _login(strict, "first-pass1").headers["X-Subject-Token"]
    shown = strict.get(COMPLIANCE, token=token)
    assert shown.status_code == 200, shown.text
    assert shown.json == {"config": {
        "password_regex": r"^(?=.*\d).{8,}$",
        "password_regex_description": "at least 8 characters, one of them a digit",
    }}  # fmt: skip
    one = strict.get(f"{COMPLIANCE}/password_regex_description", token=token)
    assert one.json == {"config": {
        "password_regex_description": "at least 8 characters, one of them a digit"
    }}  # fmt: skip
    assert strict.get(f"{COMPLIANCE}/lockout_duration", token=token).status_code == 403
    other = "/v3/domains/elsewhere/config/security_compliance"
    assert strict.get(other, token=token).status_code == 403
    assert strict.get(COMPLIANCE).status_code == 401
    # The other groups stay the administrators'.
    assert strict.get("/v3/domains/default/config/identity", token=token).status_code == 403


def test_off_by_default(client: Client, clock: OffsetClock) -> None:
    admin = client.admin_token()
    user = _user(client, admin, password="x")
    assert user["password_expires_at"] is None
    clock.advance(3650 * DAY)
    assert client.password_token(password=ADMIN_PASSWORD).status_code == 201
    assert _change(client, user["id"], "x", "x").status_code == 204
    shown = client.get(COMPLIANCE, token=client.admin_token())
    assert shown.json == {"config": {"password_regex": None, "password_regex_description": None}}


def test_bad_settings_are_refused(tmp_path: Path) -> None:
    for bad in ({"password_regex": "("}, {"password_expires_days": 0},
                {"unique_last_password_count": -1}):  # fmt: skip
        with pytest.raises(ConfigError):
            CloudConfig(data_dir=tmp_path, db_url="sqlite://", **bad)  # type: ignore[arg-type]


def test_user_options_bend_the_rules(strict: Client, clock: OffsetClock) -> None:
    admin = strict.admin_token()
    user = _user(strict, admin)
    path = f"/v3/users/{user['id']}"
    options = {"ignore_password_expiry": True, "lock_password": True}
    set_ = strict.request("PATCH", path, json={"user": {"options": options}}, token=admin)
    assert set_.status_code == 200, set_.text
    assert set_.json["user"]["password_expires_at"] is None
    locked = _change(strict, user["id"], "first-pass1", "second-pass2")
    assert locked.status_code == 403
    assert "locked" in locked.json["error"]["message"]
    # An administrator still resets it.
    reset = strict.request("PATCH", path, json={"user": {"password": "second-pass2"}},
                           token=admin)  # fmt: skip
    assert reset.status_code == 200
    clock.advance(31 * DAY)
    assert _login(strict, "second-pass2").status_code == 201


def test_ignore_lockout_failure_attempts(tmp_path: Path, clock: OffsetClock) -> None:
    from tests.unit.cloud.identity.conftest import build

    deps = build(tmp_path, clock, lockout_failure_attempts=2, lockout_duration=600)
    try:
        client = Client(deps)
        admin = client.admin_token()
        user = _user(client, admin)
        for _ in range(3):
            assert _login(client, "wrong-pass1").status_code == 401
        assert _login(client, "first-pass1").status_code == 401  # locked out
        options = {"ignore_lockout_failure_attempts": True}
        client.request("PATCH", f"/v3/users/{user['id']}", json={"user": {"options": options}},
                       token=admin)  # fmt: skip
        assert _login(client, "first-pass1").status_code == 201
    finally:
        deps.store.dispose()
