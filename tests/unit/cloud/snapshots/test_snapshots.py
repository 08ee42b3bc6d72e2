"""Snapshots on SQLite, PostgreSQL and MariaDB: what a restore puts back is what the API shows,
tokens follow their users and keys, names and modes are checked."""

from __future__ import annotations

import dataclasses
import json
import stat
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.snapshots import ops
from pocketstack.cloud.snapshots.layout import SnapshotError, SnapshotNotFound, path_of
from pocketstack.cloud.store.models.identity import Project
from tests.unit.cloud.snapshots.helpers import Api, api


@pytest.fixture
def cloud(cloud_deps_any_db: CloudDeps) -> Api:
    return api(cloud_deps_any_db)


def test_restore_shows_the_snapshots_state(cloud: Api) -> None:
    deps, admin = cloud.deps, cloud.admin()
    cloud.user(admin, "kept", "kept-password")
    cloud.server(admin, "vm-before")
    cloud.network(admin, "net-before")
    kept_image = cloud.image(admin, "img-before", b"before" * 100)
    ops.take(deps.config, "s1", deps.store)
    before = cloud.state(admin)

    cloud.user(admin, "gone", "gone-password")
    cloud.server(admin, "vm-after")
    cloud.network(admin, "net-after")
    new_image = cloud.image(admin, "img-after", b"after")
    deleted = cloud.call("DELETE", f"/image/v2/images/{kept_image}", admin)
    assert deleted.status_code == 204, deleted.text
    assert cloud.state(admin) != before

    ops.restore(deps.config, "s1", deps.store)
    assert cloud.state(admin) == before
    assert {"vm-before"} <= before["servers"]
    assert "kept" in before["users"]
    # The data of an image deleted since is back; that of one made since is gone.
    data = cloud.call("GET", f"/image/v2/images/{kept_image}/file", admin)
    assert data.status_code == 200
    assert data.content == b"before" * 100
    images = deps.config.data_dir / "images"
    assert (images / kept_image).exists()
    assert not (images / new_image).exists()
    # New rows after a restore take ids the restored ones do not have (PostgreSQL's sequences).
    cloud.server(admin, "vm-next")
    cloud.network(admin, "net-next")
    assert "vm-next" in cloud.names(admin, "/compute/v2.1/servers?all_tenants=1", "servers")


def test_tokens_follow_their_users(cloud: Api) -> None:
    deps, admin = cloud.deps, cloud.admin()
    ops.take(deps.config, "s1", deps.store)
    cloud.user(admin, "later", "later-password")
    later = cloud.login("later", "later-password", project=None)
    assert cloud.call("GET", "/identity/v3/auth/projects", later).status_code == 200

    ops.restore(deps.config, "s1", deps.store)
    assert cloud.call("GET", "/identity/v3/auth/projects", later).status_code == 401
    # The admin's token of before the snapshot is as good as ever.
    assert cloud.call("GET", "/compute/v2.1/servers", admin).status_code == 200


def test_keys_are_put_back_and_every_worker_uses_them(cloud: Api) -> None:
    deps, admin = cloud.deps, cloud.admin()
    ops.take(deps.config, "s1", deps.store)
    # Two rotations keeping two keys: the key that signed `admin` is gone.
    deps.keys.rotate(max_active_keys=2)
    deps.keys.rotate(max_active_keys=2)
    assert cloud.call("GET", "/compute/v2.1/servers", admin).status_code == 401
    rotated = cloud.admin()

    ops.restore(deps.config, "s1", deps.store)
    # The running app (this process's key cache) took the restored keys at once.
    assert cloud.call("GET", "/compute/v2.1/servers", admin).status_code == 200
    assert cloud.call("GET", "/compute/v2.1/servers", rotated).status_code == 401


def test_rows_of_one_transaction_are_all_in_or_all_out(cloud: Api) -> None:
    deps = cloud.deps
    stop = threading.Event()
    failures: list[BaseException] = []

    written: list[int] = []

    def write_batch(batch: int) -> None:
        with deps.store.session(write=True) as session:
            parent = Project(id=f"p{batch:04d}".ljust(32, "0"), name=f"batch-{batch}",
                             domain_id="default")  # fmt: skip
            session.add(parent)
            session.flush()
            for child in range(3):
                session.add(Project(id=f"c{batch:04d}{child}".ljust(32, "0"),
                                    name=f"batch-{batch}-{child}", domain_id="default",
                                    parent_id=parent.id))  # fmt: skip

    def write() -> None:
        batch = 0
        try:
            while not stop.is_set():
                if _written_unless_deadlocked(write_batch, batch):
                    batch += 1
                    written.append(batch)
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    admin = cloud.admin()
    reads: list[int] = []

    def read() -> None:
        while not stop.is_set():
            reads.append(cloud.call("GET", "/identity/v3/projects", admin).status_code)

    threads = [threading.Thread(target=write), threading.Thread(target=read)]
    for thread in threads:
        thread.start()
    try:
        taken = []
        for n in range(3):
            # Each snapshot while the writer is at it: a few batches in, more to come.
            _wait_for(written, 3 * (n + 1))
            taken.append(ops.take(deps.config, f"during-{n}", deps.store))
        ops.restore(deps.config, "during-1", deps.store)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert not failures, failures
    assert reads
    assert set(reads) == {200}

    def batches(children: dict[str, int]) -> None:
        assert children, "the writer wrote nothing while the snapshots were taken"
        assert set(children.values()) == {3}, children

    for manifest in taken:
        copy = create_engine(f"sqlite:///{path_of(deps.config, manifest.name) / 'database.sqlite'}")
        with copy.connect() as conn:
            batches(_children(conn))
        copy.dispose()
    with deps.store.session() as session:
        batches(_children(session.connection()))


def _wait_for(written: list[int], batches: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while len(written) < batches:
        assert time.monotonic() < deadline, "the writer made no progress"
        time.sleep(0.01)


def _written_unless_deadlocked(write: Callable[[int], None], batch: int) -> bool:
    """InnoDB ends a writer's transaction that waits on a restore's row and gap locks in a
    deadlock with it (the restore, having changed more rows, is never the one chosen): the
    writer's transaction is rolled back whole, which is what this test checks."""
    try:
        write(batch)
    except OperationalError as exc:
        if getattr(exc.orig, "args", (None,))[0] != 1213:
            raise
        return False
    return True


def _children(conn: Connection) -> dict[str, int]:
    """Children per parent of the writer's batches."""
    rows = conn.execute(
        select(Project.parent_id, func.count())
        .where(Project.parent_id.like("p%"))
        .group_by(Project.parent_id)
    )
    return {str(parent): int(count) for parent, count in rows}


@pytest.mark.parametrize("name", ["", ".", "..", "../x", "a/b", ".hidden", "x" * 65, "sp ace",
                                  "é", "a\x00b"])  # fmt: skip
def test_names_that_are_not_plainly_names_are_refused(cloud_deps: CloudDeps, name: str) -> None:
    with pytest.raises(SnapshotError, match="invalid snapshot name"):
        ops.take(cloud_deps.config, name, cloud_deps.store)
    with pytest.raises(SnapshotError, match="invalid snapshot name"):
        ops.restore(cloud_deps.config, name, cloud_deps.store)
    assert not (cloud_deps.config.data_dir / "snapshots").exists() or not any(
        p for p in (cloud_deps.config.data_dir / "snapshots").iterdir() if p.name != ".lock"
    )


def test_snapshot_is_private_and_listed(cloud_deps: CloudDeps) -> None:
    api(cloud_deps).image(api(cloud_deps).admin(), "img", b"data")
    ops.take(cloud_deps.config, "private-1", cloud_deps.store)
    ops.take(cloud_deps.config, "private-1", cloud_deps.store)  # replaced whole
    root = cloud_deps.config.data_dir / "snapshots"
    seen = 0
    for path in [root, *root.rglob("*")]:
        want = 0o700 if path.is_dir() else 0o600
        assert stat.S_IMODE(path.stat().st_mode) == want, path
        seen += 1
    assert seen > 8
    assert [m.name for m in ops.listing(cloud_deps.config)] == ["private-1"]
    assert sorted(p.name for p in root.iterdir()) == [".lock", "private-1"]


def test_restore_of_another_schema_touches_nothing(cloud_deps: CloudDeps) -> None:
    config = cloud_deps.config
    ops.take(config, "s1", cloud_deps.store)
    manifest = path_of(config, "s1") / "manifest.json"
    raw = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**raw, "revision": "0001_identity"}))
    cloud_deps.keys.rotate()
    keys_before = sorted(p.name for p in config.key_repository.iterdir())
    with pytest.raises(SnapshotError, match="schema revision 0001_identity"):
        ops.restore(config, "s1", cloud_deps.store)
    assert sorted(p.name for p in config.key_repository.iterdir()) == keys_before
    with pytest.raises(SnapshotNotFound):
        ops.restore(config, "never-taken", cloud_deps.store)


def test_first_start_keeps_the_bootstrap_state_and_reset_goes_back(tmp_path: Path) -> None:
    from pocketstack.cloud.config import load_config
    from pocketstack.cloud.deps import build_deps
    from pocketstack.cloud.serving.firststart import initialise

    config = load_config(data_dir=tmp_path / "cloud", port=8799)
    config = dataclasses.replace(config, bcrypt_rounds=4)
    assert initialise(config, admin_password="first-password").bootstrap_snapshot
    # A second start finds users: the snapshot of the first stays.
    assert not initialise(config, admin_password="first-password").bootstrap_snapshot
    deps = build_deps(config)
    try:
        cloud = api(deps)
        admin = cloud.login("admin", "first-password")
        cloud.user(admin, "someone", "someone-password")
        cloud.server(admin, "vm")
        ops.reset(config, deps.store, admin_password="first-password")
        state = cloud.state(admin)
        assert state["servers"] == set()
        assert "someone" not in state["users"]
    finally:
        deps.store.dispose()


def test_what_a_crashed_snapshot_left_is_cleared(cloud_deps: CloudDeps) -> None:
    root = cloud_deps.config.data_dir / "snapshots"
    (root / ".s1.partial-dead").mkdir(parents=True)
    (root / ".s1.partial-dead" / "database.sqlite").write_bytes(b"half")
    (root / ".s0.old-123").mkdir()
    ops.take(cloud_deps.config, "s1", cloud_deps.store)
    assert sorted(p.name for p in root.iterdir()) == [".lock", "s1"]


def test_a_token_revoked_since_the_snapshot_stays_revoked(cloud: Api) -> None:
    deps, admin = cloud.deps, cloud.admin()
    other = cloud.admin()
    ops.take(deps.config, "s1", deps.store)
    revoked = cloud.call("DELETE", "/identity/v3/auth/tokens", admin,
                         headers={"X-Subject-Token": other})  # fmt: skip
    assert revoked.status_code == 204, revoked.text
    ops.restore(deps.config, "s1", deps.store)
    assert cloud.call("GET", "/compute/v2.1/servers", other).status_code == 401
    assert cloud.call("GET", "/compute/v2.1/servers", admin).status_code == 200
