"""POST /v3/users/{id}/password: a user changes their own password with the original one."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path
from typing import Any

from pocketstack.cloud.deps import CloudDeps
from tests.fixtures.cloud import OffsetClock, create_user, make_deps
from tests.unit.cloud.identity.conftest import IDENTITY, Client, build


def _change(client: Client, user_id: str, original: str, new: str, **kw: Any) -> Any:
    body = {"user": {"original_password": original, "password": new}}
    return client.post(f"/v3/users/{user_id}/password", json=body, **kw)


def _login(client: Client, name: str, password: str) -> int:
    return client.password_token(user=name, password=password, project="p1").status_code


def test_a_user_changes_their_password_without_a_token(client: Client, deps: CloudDeps) -> None:
    alice = create_user(deps, name="alice", project_name="p1", password="old-pw")
    token = client.password_token(user="alice", password="old-pw", project="p1")
    old_token = str(token.headers["X-Subject-Token"])
    changed = _change(client, alice.id, "old-pw", "new-pw")
    assert changed.status_code == 204
    assert changed.text == ""
    assert _login(client, "alice", "old-pw") == 401
    assert _login(client, "alice", "new-pw") == 201
    # Every token the user held has ended (404 to whoever checks it, 401 to its holder).
    admin = client.admin_token()
    assert client.get("/v3/auth/tokens", token=admin, subject=old_token).status_code == 404
    assert client.get("/v3/auth/projects", token=old_token).status_code == 401


def test_with_the_users_own_token_as_openstackclient_sends_it(
    client: Client, deps: CloudDeps
) -> None:
    alice = create_user(deps, name="alice", project_name="p1", password="old-pw")
    token = str(
        client.password_token(user="alice", password="old-pw", project="p1").headers[
            "X-Subject-Token"
        ]
    )
    assert _change(client, alice.id, "old-pw", "new-pw", token=token).status_code == 204
    assert _login(client, "alice", "new-pw") == 201


def test_a_wrong_original_or_unknown_user_is_the_generic_401(
    client: Client, deps: CloudDeps
) -> None:
    alice = create_user(deps, name="alice", project_name="p1", password="old-pw")
    wrong = _change(client, alice.id, "not-it", "new-pw")
    unknown = _change(client, "no-such-user", "not-it", "new-pw")
    for refused in (wrong, unknown):
        assert refused.status_code == 401
        assert refused.json["error"]["message"] == (
            "The request you have made requires authentication."
        )
        assert refused.headers["WWW-Authenticate"] == f'Keystone uri="{IDENTITY}/v3"'
    assert _login(client, "alice", "old-pw") == 201


def test_a_disabled_user_cannot_change_their_password(client: Client, deps: CloudDeps) -> None:
    alice = create_user(deps, name="alice", project_name="p1", password="old-pw")
    admin = client.admin_token()
    disable = {"user": {"enabled": False}}
    assert (
        client.request("PATCH", f"/v3/users/{alice.id}", json=disable, token=admin).status_code
        == 200
    )
    assert _change(client, alice.id, "old-pw", "new-pw").status_code == 401


def test_bodies_are_validated(client: Client, deps: CloudDeps) -> None:
    alice = create_user(deps, name="alice", project_name="p1", password="old-pw")
    path = f"/v3/users/{alice.id}/password"
    for body in (
        {},
        {"user": {"password": "x"}},
        {"user": {"original_password": "old-pw"}},
        {"user": {"original_password": "old-pw", "password": None}},
        {"user": {"original_password": "old-pw", "password": "x", "name": "y"}},
    ):
        refused = client.post(path, json=body)
        assert refused.status_code == 400, body
    assert client.get(path).status_code == 405
    assert _login(client, "alice", "old-pw") == 201


def test_wrong_originals_count_towards_the_lockout(tmp_path: Path, clock: OffsetClock) -> None:
    deps = build(tmp_path, clock, lockout_failure_attempts=2, lockout_duration=600)
    try:
        client = Client(deps)
        alice = create_user(deps, name="alice", project_name="p1", password="old-pw")
        for _ in range(2):
            assert _change(client, alice.id, "guess", "new-pw").status_code == 401
        # Locked: the right original is refused too, and the password stays.
        assert _change(client, alice.id, "old-pw", "new-pw").status_code == 401
        clock.advance(601)
        assert _change(client, alice.id, "old-pw", "new-pw").status_code == 204
    finally:
        deps.store.dispose()


def test_wrong_originals_are_throttled_like_logins(tmp_path: Path, clock: OffsetClock) -> None:
    deps = build(tmp_path, clock, login_failures_per_user=3)
    try:
        client = Client(deps)
        alice = create_user(deps, name="alice", project_name="p1", password="old-pw")
        statuses = [_change(client, alice.id, "guess", "new-pw").status_code for _ in range(5)]
        assert statuses[:3] == [401, 401, 401]
        assert statuses[3:] == [429, 429]
    finally:
        deps.store.dispose()


def test_of_two_changes_from_the_same_original_one_wins(
    db_url: str, tmp_path: Path, clock: OffsetClock
) -> None:
    data_dir = tmp_path / "cloud"
    data_dir.mkdir(mode=0o700)
    deps = make_deps(data_dir=data_dir, db_url=db_url, clock=clock)
    try:
        client = Client(deps)
        alice = create_user(deps, name="alice", project_name="p1", password="old-pw")
        start = threading.Barrier(2)
        statuses: dict[str, int] = {}

        def change(new: str) -> None:
            start.wait()
            statuses[new] = _change(client, alice.id, "old-pw", new).status_code

        threads = [threading.Thread(target=change, args=(pw,)) for pw in ("pw-a", "pw-b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        # Whatever the interleaving: the second check sees the first change (a wrong original)
        # or loses the compare-and-set. Only the winner's password works.
        assert Counter(statuses.values()) == {204: 1, 401: 1}
        works = [pw for pw in ("pw-a", "pw-b", "old-pw") if _login(client, "alice", pw) == 201]
        assert [statuses[pw] for pw in works] == [204]
    finally:
        deps.store.dispose()
