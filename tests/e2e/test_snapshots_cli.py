"""`pocketstack manage snapshot / restore / reset / snapshots` as a user runs them, against a
real `pocketstack serve` (gunicorn, two workers) that keeps serving meanwhile."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_serving import cli, http, password_token
from tests.fixtures.server import LiveCloud, running_cloud

pytestmark = pytest.mark.e2e

# Enough requests that both workers answer some (each keeps its own Fernet key cache).
ROUNDS = 8


@pytest.fixture
def cloud(tmp_path: Path) -> Iterator[LiveCloud]:
    with running_cloud(tmp_path) as live:
        yield live


def _manage(cloud: LiveCloud, *args: str) -> str:
    done = cli("manage", *args, "--data-dir", str(cloud.data_dir))
    assert done.returncode == 0, done.stderr
    return done.stdout


def _user(cloud: LiveCloud, admin: str, name: str) -> str:
    status, _, body = http("POST", f"{cloud.base_url}/identity/v3/users",
                           body={"user": {"name": name, "password": f"{name}-pw",
                                          "domain_id": "default"}},
                           headers={"X-Auth-Token": admin})  # fmt: skip
    assert status == 201, body
    status, headers, body = http("POST", f"{cloud.base_url}/identity/v3/auth/tokens", body={
        "auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": name, "password": f"{name}-pw", "domain": {"id": "default"}}}}}})  # fmt: skip
    assert status == 201, body
    return headers["x-subject-token"]


def _statuses(cloud: LiveCloud, token: str, path: str) -> set[int]:
    return {http("GET", f"{cloud.base_url}{path}", headers={"X-Auth-Token": token})[0]
            for _ in range(ROUNDS)}  # fmt: skip


def _user_names(cloud: LiveCloud, admin: str) -> set[str]:
    status, _, body = http("GET", f"{cloud.base_url}/identity/v3/users",
                           headers={"X-Auth-Token": admin})  # fmt: skip
    assert status == 200, body
    return {u["name"] for u in json.loads(body)["users"]}


def test_snapshot_restore_and_reset_while_serving(cloud: LiveCloud) -> None:
    assert "bootstrap" in _manage(cloud, "snapshots")
    admin = password_token(cloud.base_url, cloud.admin_password)
    early = _user(cloud, admin, "early")
    out = _manage(cloud, "snapshot", "e2e")
    assert out.startswith("snapshot e2e: ")
    assert str(cloud.data_dir / "snapshots" / "e2e") in out
    late = _user(cloud, admin, "late")
    assert {"early", "late"} <= _user_names(cloud, admin)

    assert "restored snapshot e2e" in _manage(cloud, "restore", "e2e")
    names = _user_names(cloud, admin)
    assert "early" in names
    assert "late" not in names
    # Every worker: the token of a user the snapshot lacks is dead, the others live.
    assert _statuses(cloud, late, "/identity/v3/auth/projects") == {401}
    assert _statuses(cloud, early, "/identity/v3/auth/projects") == {200}
    assert _statuses(cloud, admin, "/compute/v2.1/servers") == {200}

    assert "reset the cloud to its bootstrap state" in _manage(cloud, "reset")
    assert "early" not in _user_names(cloud, admin)
    assert _statuses(cloud, early, "/identity/v3/auth/projects") == {401}
    # The admin still logs in, and the catalog names the address the cloud answers at.
    fresh = password_token(cloud.base_url, cloud.admin_password)
    status, _, body = http("GET", f"{cloud.base_url}/identity/v3/auth/catalog",
                           headers={"X-Auth-Token": fresh})  # fmt: skip
    assert status == 200
    assert cloud.base_url.encode() in body
    listed = _manage(cloud, "snapshots").splitlines()
    assert listed[0].split() == ["NAME", "TAKEN", "DATABASE", "ROWS"]
    assert sorted(line.split()[0] for line in listed[1:]) == ["bootstrap", "e2e"]


def test_bad_names_and_missing_snapshots_are_refused(cloud: LiveCloud) -> None:
    for name in ("../escape", ".hidden", "a/b"):
        done = cli("manage", "snapshot", name, "--data-dir", str(cloud.data_dir))
        assert done.returncode == 1
        assert "invalid snapshot name" in done.stderr
    done = cli("manage", "restore", "never", "--data-dir", str(cloud.data_dir))
    assert done.returncode == 1
    assert "no snapshot 'never'" in done.stderr
    assert not (cloud.data_dir / "escape").exists()
