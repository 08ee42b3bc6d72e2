"""Scale-out: two `pocketstack serve` instances on different ports, one PostgreSQL database and one
Fernet key repository (each data directory's `fernet-keys` is a symlink to a shared directory),
behave as one cloud: tokens from either work on both, a revocation on one is honoured by the other
at once, servers made through one are seen through the other, and a key rotation while both run
(and both are busy validating) breaks no token that is still within its lifetime.
"""

from __future__ import annotations

import dataclasses
import http.client
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pocketstack.cloud.auth.keys import KeyRepository
from tests.fixtures.databases import make_database
from tests.fixtures.server import clean_env, pocketstack_command
from tests.reliability.conftest import (
    Served,
    ServeStarter,
    issue_password_token,
    password_auth,
    report_figure,
)

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

SERVERS = "/compute/v2.1/servers"


@dataclasses.dataclass(frozen=True)
class Pair:
    a: Served
    b: Served
    keys: Path

    @property
    def both(self) -> tuple[Served, Served]:
        return (self.a, self.b)


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    root = tmp_path_factory.mktemp("scale-out")
    database = make_database("postgresql", root)
    db_url = next(database)
    keys = root / "shared-fernet-keys"
    keys.mkdir(mode=0o700)
    starter = ServeStarter()
    try:
        first, second = root / "node-a", root / "node-b"
        for data_dir in (first, second):
            data_dir.mkdir(mode=0o700)
            (data_dir / "fernet-keys").symlink_to(keys, target_is_directory=True)
        a = starter(first, db_url=db_url)
        # The same admin password, or node b's first start would reset it under node a.
        shutil.copy2(first / "admin-password", second / "admin-password")
        os.chmod(second / "admin-password", 0o600)
        b = starter(second, db_url=db_url)
        yield Pair(a, b, keys)
    finally:
        starter.stop_all()
        database.close()


def _member(pair: Pair) -> tuple[str, str, str]:
    """(name, password, project id) of a fresh member, made through node a."""
    admin = pair.a.admin_token()
    tag = os.urandom(4).hex()
    project = pair.a.request(
        "POST",
        "/identity/v3/projects",
        token=admin,
        body={"project": {"name": f"p-{tag}", "domain_id": "default"}},
    ).json()["project"]["id"]
    user = pair.a.request(
        "POST",
        "/identity/v3/users",
        token=admin,
        body={"user": {"name": f"u-{tag}", "password": tag * 4, "domain_id": "default"}},
    ).json()["user"]["id"]
    member = pair.a.request("GET", "/identity/v3/roles?name=member", token=admin).json()
    grant = pair.a.request(
        "PUT",
        f"/identity/v3/projects/{project}/users/{user}/roles/{member['roles'][0]['id']}",
        token=admin,
    )
    assert grant.status == 204
    return f"u-{tag}", tag * 4, project


def _token(node: Served, who: tuple[str, str, str]) -> str:
    name, password, project = who
    return issue_password_token(node.base_url, name, password, project_id=project)


def _works(node: Served, token: str) -> dict[str, int]:
    return {
        "compute": node.request("GET", SERVERS, token=token).status,
        "identity": node.request(
            "GET", "/identity/v3/auth/tokens?nocatalog", token=token,
            headers={"X-Subject-Token": token},
        ).status,
    }  # fmt: skip


OK = {"compute": 200, "identity": 200}
REFUSED = {"compute": 401, "identity": 401}


def test_a_token_from_either_node_is_valid_on_both(pair: Pair) -> None:
    who = _member(pair)
    for issuer in pair.both:
        token = _token(issuer, who)
        for node in pair.both:
            assert _works(node, token) == OK, (issuer.base_url, node.base_url)


def test_a_revocation_on_one_node_is_honoured_by_the_other_at_once(pair: Pair) -> None:
    who = _member(pair)
    for revoker, other in (pair.both, pair.both[::-1]):
        token = _token(other, who)
        assert _works(other, token) == OK
        revoked = revoker.request(
            "DELETE", "/identity/v3/auth/tokens", token=token, headers={"X-Subject-Token": token}
        )
        assert revoked.status == 204
        # No waiting, no cache to expire: the very next request on the other node refuses it.
        assert _works(other, token) == REFUSED
        assert _works(revoker, token) == REFUSED
    # A user disabled through node b loses the tokens node a issued.
    token = _token(pair.a, who)
    admin = pair.b.admin_token()
    users = pair.b.request("GET", f"/identity/v3/users?name={who[0]}", token=admin).json()
    disabled = pair.b.request(
        "PATCH",
        f"/identity/v3/users/{users['users'][0]['id']}",
        token=admin,
        body={"user": {"enabled": False}},
    )
    assert disabled.status == 200
    assert _works(pair.a, token) == REFUSED
    refused = pair.a.request(
        "POST", "/identity/v3/auth/tokens", body=password_auth(who[0], who[1], project_id=who[2])
    )
    assert refused.status == 401


def test_a_server_made_through_one_node_is_seen_through_the_other(pair: Pair) -> None:
    who = _member(pair)
    token = _token(pair.a, who)
    image = pair.b.request("GET", "/image/v2/images", token=token).json()["images"][0]["id"]
    created = pair.a.request(
        "POST",
        SERVERS,
        token=token,
        body={
            "server": {"name": "shared", "imageRef": image, "flavorRef": "1", "networks": "auto"}
        },
    )
    assert created.status == 202, created
    sid = created.json()["server"]["id"]
    listed = pair.b.request("GET", f"{SERVERS}/detail", token=token).json()["servers"]
    assert [s["id"] for s in listed] == [sid]
    assert pair.b.request("GET", f"{SERVERS}/{sid}", token=token).status == 200
    renamed = pair.b.request(
        "PUT", f"{SERVERS}/{sid}", token=token, body={"server": {"name": "renamed-on-b"}}
    )
    assert renamed.status == 200
    assert pair.a.request("GET", f"{SERVERS}/{sid}", token=token).json()["server"]["name"] == (
        "renamed-on-b"
    )
    assert pair.b.request("DELETE", f"{SERVERS}/{sid}", token=token).status == 204
    assert pair.a.request("GET", f"{SERVERS}/{sid}", token=token).status == 404
    assert pair.a.request("GET", SERVERS, token=token).json()["servers"] == []


@dataclasses.dataclass
class Hammer:
    """Validates tokens on both nodes in a loop (bounded in time) and keeps every failure."""

    pair: Pair
    tokens: list[str]
    stop: threading.Event = dataclasses.field(default_factory=threading.Event)
    failures: list[str] = dataclasses.field(default_factory=list)
    checks: int = 0

    def run(self, deadline: float) -> None:
        while not self.stop.is_set() and time.monotonic() < deadline:
            for node in self.pair.both:
                for token in self.tokens:
                    try:
                        status = node.request("GET", SERVERS, token=token).status
                    except (OSError, http.client.HTTPException) as exc:
                        self.failures.append(f"{node.base_url}: {exc!r}")
                        continue
                    self.checks += 1
                    if status != 200:
                        self.failures.append(f"{node.base_url}: {status}")


def _rotate(data_dir: Path) -> str:
    result = subprocess.run(
        [*pocketstack_command(), "manage", "fernet-rotate", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_key_rotation_while_both_run_breaks_no_live_token(pair: Pair) -> None:
    who = _member(pair)
    before = [_token(node, who) for node in pair.both]
    checks = 0
    for rotation, rotate_on in enumerate((pair.a, pair.b), start=1):
        hammer = Hammer(pair, list(before))
        worker = threading.Thread(target=hammer.run, args=(time.monotonic() + 30,), daemon=True)
        worker.start()
        time.sleep(0.3)
        _rotate(rotate_on.data_dir)
        # Tokens minted with the new primary, on either node, right after the rotation.
        after = [_token(node, who) for node in pair.both]
        for token in after + before:
            for node in pair.both:
                assert _works(node, token) == OK, (rotation, node.base_url)
        time.sleep(0.3)
        hammer.stop.set()
        worker.join(timeout=30)
        assert not hammer.failures, (rotation, hammer.failures[:5])
        assert hammer.checks > 0
        checks += hammer.checks
        # Keystone's contract with 3 active keys: a token survives one rotation, so the next
        # round holds the tokens minted between the two.
        before = after
    assert sorted(os.listdir(pair.keys)) == ["0", "2", "3"]
    report_figure(
        f"scale-out: {checks} token validations on two nodes across two rotations, none refused"
    )


def test_reading_keys_while_another_node_rotates_never_fails() -> None:
    """The race the rotation above can hit: a node lists the key directory, another node's
    rotation deletes the oldest key, the first node reads it. A request must never fail for it."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "keys"
        rotating = KeyRepository(path)
        rotating.setup()
        deadline = time.monotonic() + 1.5
        errors: list[str] = []
        reads = 0

        def rotate() -> None:
            while time.monotonic() < deadline:
                rotating.rotate(max_active_keys=3)

        thread = threading.Thread(target=rotate, daemon=True)
        thread.start()
        reader = KeyRepository(path)
        while time.monotonic() < deadline:
            try:
                fernet = reader.fernet()
                fernet.decrypt(fernet.encrypt(b"x"))
                reads += 1
            except Exception as exc:  # any failure is the bug
                errors.append(repr(exc))
        thread.join(timeout=10)
    assert reads > 0
    assert not errors, errors[:3]
