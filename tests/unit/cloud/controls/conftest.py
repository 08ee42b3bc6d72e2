"""A cloud with the test controls on (in-process WSGI), with an admin's and a member's token."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from falcon import testing

from pocketstack.cloud.app import create_cloud_app
from pocketstack.cloud.deps import CloudDeps
from tests.fixtures.cloud import OffsetClock, admin_token, create_user, issue_token, make_deps

Headers = dict[str, str]


@dataclasses.dataclass
class Controlled:
    deps: CloudDeps
    client: testing.TestClient
    admin: Headers
    member: Headers
    member_project: str

    def add(self, **fault: Any) -> dict[str, Any]:
        result = self.client.simulate_post(
            "/pocketstack/v1/faults", headers=self.admin, json={"fault": fault}
        )
        assert result.status_code == 201, result.text
        made: dict[str, Any] = result.json["fault"]
        return made


def build(deps: CloudDeps) -> Controlled:
    member = create_user(deps, name="alice", project_name="alpha")
    return Controlled(
        deps=deps,
        client=testing.TestClient(create_cloud_app(deps)),
        admin={"X-Auth-Token": admin_token(deps)},
        member={"X-Auth-Token": issue_token(deps, user_id=member.id,
                                            project_id=member.project_id)},
        member_project=member.project_id,
    )  # fmt: skip


def _deps(
    tmp_path: Path, db_url: str, clock: OffsetClock, settings: dict[str, Any] | None = None
) -> CloudDeps:
    data_dir = tmp_path / "cloud"
    data_dir.mkdir(mode=0o700)
    return make_deps(data_dir=data_dir, db_url=db_url, clock=clock,
                     settings={"test_controls": True, **(settings or {})})  # fmt: skip


@pytest.fixture
def controlled(tmp_path: Path, clock: OffsetClock) -> Iterator[Controlled]:
    deps = _deps(tmp_path, f"sqlite:///{tmp_path / 'controls.db'}", clock)
    yield build(deps)
    deps.store.dispose()


@pytest.fixture
def controlled_any_db(tmp_path: Path, db_url: str, clock: OffsetClock) -> Iterator[Controlled]:
    deps = _deps(tmp_path, db_url, clock)
    yield build(deps)
    deps.store.dispose()


@pytest.fixture
def controlled_reclaiming(tmp_path: Path, clock: OffsetClock) -> Iterator[Controlled]:
    """Deleted servers are soft-deleted and reclaimed an hour later (Nova's deferred delete)."""
    deps = _deps(tmp_path, f"sqlite:///{tmp_path / 'controls.db'}", clock,
                 {"reclaim_instance_interval": 3600})  # fmt: skip
    yield build(deps)
    deps.store.dispose()


@pytest.fixture
def controlled_delayed(tmp_path: Path, clock: OffsetClock) -> Iterator[Controlled]:
    """The driver configured with a minute's delay."""
    deps = _deps(tmp_path, f"sqlite:///{tmp_path / 'controls.db'}", clock, {"driver_delay": 60})
    yield build(deps)
    deps.store.dispose()
