"""Quota checks under concurrency, on SQLite, PostgreSQL and MariaDB: many server creates of one
project, each on its own connection and thread, started together, never hold more than the
limit, and an admin lowering a limit meanwhile never ends below what is in use. Each create
waits between its check and its insert, so that without the lock they would overlap."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pocketstack.cloud.compute import quotas
from pocketstack.cloud.compute.quota_limits import project_limits
from pocketstack.cloud.compute.quota_updates import update_limits
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import BadRequest, Forbidden
from pocketstack.cloud.store.models.compute import Instance
from pocketstack.cloud.store.models.quota import QuotaLock

WORKERS = 10
# Between the check and the insert: far longer than the check itself takes.
HOLD_S = 0.05
WHEN = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def _instance(project: str, user: str, vcpus: int, memory_mb: int) -> Instance:
    return Instance(
        uuid=str(uuid.uuid4()), project_id=project, user_id=user, display_name="racer",
        flavor_id="1", flavor_name="m1.tiny", vcpus=vcpus, memory_mb=memory_mb, root_gb=1,
        vm_state="building", created_at=WHEN, updated_at=WHEN,
    )  # fmt: skip


@dataclasses.dataclass
class Outcome:
    created: int = 0
    refused: list[str] = dataclasses.field(default_factory=list)
    errors: list[BaseException] = dataclasses.field(default_factory=list)


def _race(deps: CloudDeps, jobs: list[Callable[[Session], int]]) -> Outcome:
    """Runs every job in its own thread and write transaction, all released at once."""
    outcome = Outcome()
    mutex = threading.Lock()
    start = threading.Barrier(len(jobs))

    def run(job: Callable[[Session], int]) -> None:
        start.wait()
        try:
            with deps.store.session(write=True) as session:
                made = job(session)
            with mutex:
                outcome.created += made
        except (Forbidden, BadRequest) as refusal:
            with mutex:
                outcome.refused.append(refusal.message)
        except BaseException as exc:  # any other failure is the test's to report
            with mutex:
                outcome.errors.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert outcome.errors == []
    return outcome


def _create(project: str, user: str, *, vcpus: int = 1, memory_mb: int = 512,
            count: int = 1) -> Callable[[Session], int]:  # fmt: skip
    def job(session: Session) -> int:
        allowed = quotas.claim_instances(
            session, project_id=project, user_id=user, vcpus=vcpus, memory_mb=memory_mb,
            min_count=1, max_count=count,
        )  # fmt: skip
        time.sleep(HOLD_S)
        for _ in range(allowed):
            session.add(_instance(project, user, vcpus, memory_mb))
        return allowed

    return job


def _live(deps: CloudDeps, project: str) -> tuple[int, int, int]:
    with deps.store.session() as session:
        count, cores, ram = session.execute(
            select(func.count(Instance.id), func.coalesce(func.sum(Instance.vcpus), 0),
                   func.coalesce(func.sum(Instance.memory_mb), 0))
            .where(Instance.project_id == project, Instance.deleted.is_(False))
        ).one()  # fmt: skip
    return int(count), int(cores), int(ram)


def _set(deps: CloudDeps, project: str, **values: int) -> None:
    with deps.store.session(write=True) as session:
        update_limits(session, project_id=project, user_id=None, values=values, force=True)


def test_concurrent_creates_never_exceed_the_instances_limit(cloud_deps_any_db: CloudDeps) -> None:
    deps = cloud_deps_any_db
    project = uuid.uuid4().hex  # a project never checked before: its lock row does not exist
    _set(deps, project, instances=4)
    outcome = _race(deps, [_create(project, f"user{i}") for i in range(WORKERS)])
    assert outcome.created == 4
    assert _live(deps, project)[0] == 4
    assert len(outcome.refused) == WORKERS - 4
    assert outcome.refused[0] == (
        "Quota exceeded for instances: Requested 1, but already used 4 of 4 instances"
    )
    with deps.store.session() as session:
        taken = session.scalar(
            select(QuotaLock.taken).where(QuotaLock.scope == f"project:{project}")
        )
    # The forced update and the four creates committed their bump; the refused ones rolled back.
    assert taken == 1 + 4


def test_concurrent_creates_never_exceed_cores_or_ram(cloud_deps_any_db: CloudDeps) -> None:
    deps = cloud_deps_any_db
    project = uuid.uuid4().hex
    _set(deps, project, cores=7, ram=100_000)
    outcome = _race(deps, [_create(project, "u", vcpus=2) for _ in range(WORKERS)])
    assert (outcome.created, _live(deps, project)[1]) == (3, 6)
    project = uuid.uuid4().hex
    _set(deps, project, ram=2048)
    # Multiple create (max_count 2, min_count 1): the last one gets what is left.
    outcome = _race(deps, [_create(project, "u", memory_mb=768, count=2) for _ in range(WORKERS)])
    assert _live(deps, project)[2] <= 2048
    assert outcome.created == 2


def test_a_limit_lowered_during_creates_never_ends_below_usage(
    cloud_deps_any_db: CloudDeps,
) -> None:
    deps = cloud_deps_any_db
    project = uuid.uuid4().hex

    def lower(session: Session) -> int:
        time.sleep(HOLD_S / 2)
        update_limits(session, project_id=project, user_id=None, values={"instances": 3},
                      force=False)  # fmt: skip
        return 0

    outcome = _race(deps, [_create(project, "u") for _ in range(6)] + [lower])
    with deps.store.session() as session:
        limit = project_limits(session, project)["instances"]
    live = _live(deps, project)[0]
    assert live <= limit
    if limit == 3:  # the admin's update took the lock while at most 3 servers were in use
        assert len(outcome.refused) == 3
    else:  # it came after more than 3 creates and was refused, naming their usage
        assert live == 6
        assert outcome.refused[0].startswith("Quota limit 3 for instances must be greater")
    assert outcome.created == _live(deps, project)[0]


def test_a_quota_check_refuses_a_deferred_sqlite_transaction(cloud_deps: CloudDeps) -> None:
    with (
        pytest.raises(RuntimeError, match="needs a write session"),
        cloud_deps.store.session() as session,
    ):
        quotas.claim_instances(session, project_id="p", user_id="u", vcpus=1, memory_mb=1)
