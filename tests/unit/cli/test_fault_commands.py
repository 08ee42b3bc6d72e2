"""`pocketstack fault add|list|clear`, `clock advance` and `driver delay` against a cloud with
the test controls on (in-process), and what a cloud without them answers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from pocketstack.cloud.app import WSGIApp, create_cloud_app
from tests.fixtures.cloud import OffsetClock, make_deps
from tests.unit.cli.conftest import Runner


@pytest.fixture
def cloud_app(tmp_path: Path, clock: OffsetClock) -> Iterator[WSGIApp]:
    """The `cloud_app` the CLI's runner drives, here with the test controls on."""
    data_dir = tmp_path / "cloud"
    data_dir.mkdir(mode=0o700)
    deps = make_deps(data_dir=data_dir, db_url=f"sqlite:///{data_dir / 'ps.db'}", clock=clock,
                     settings={"test_controls": True})  # fmt: skip
    yield create_cloud_app(deps)
    deps.store.dispose()


def test_add_list_and_clear(run_cli: Runner) -> None:
    added = run_cli("fault", "add", "compute", "error", "--status", "503", "--times", "2",
                    "--method", "get", "--path", "/v2.1/servers*", "-f", "json")  # fmt: skip
    assert added.code == 0, added.err
    rule = json.loads(added.out)
    assert rule["status"] == 503
    assert rule["method"] == "GET"
    assert rule["times_left"] == 2
    listed = run_cli("fault", "list", "-f", "json")
    assert [(r["ID"], r["Times Left"]) for r in json.loads(listed.out)] == [(rule["id"], 2)]
    # The CLI's own `list` retries a 503, as keystoneauth does: it rides out two of them...
    assert run_cli("list").code == 0
    assert json.loads(run_cli("fault", "list", "-f", "json").out)[0]["Injected"] == 2
    # ... and reports one that does not go away.
    assert run_cli("fault", "add", "compute", "error", "--status", "503").code == 0
    failed = run_cli("list")
    assert failed.code == 1
    assert "503" in failed.err
    assert run_cli("fault", "clear").code == 0
    assert json.loads(run_cli("fault", "list", "-f", "json").out) == []
    assert run_cli("list").code == 0


def test_clear_one_rule_and_a_missing_one(run_cli: Runner) -> None:
    rule = json.loads(run_cli("fault", "add", "image", "drop", "-f", "json").out)
    kept = json.loads(run_cli("fault", "add", "network", "latency", "--seconds", "1",
                              "-f", "json").out)  # fmt: skip
    assert run_cli("fault", "clear", rule["id"]).code == 0
    assert [r["ID"] for r in json.loads(run_cli("fault", "list", "-f", "json").out)] == [kept["id"]]
    missing = run_cli("fault", "clear", rule["id"])
    assert missing.code == 1
    assert f"No fault rule {rule['id']}" in missing.err


def test_a_refused_rule_says_why(run_cli: Runner) -> None:
    refused = run_cli("fault", "add", "compute", "error")
    assert refused.code == 1
    assert "needs a status" in refused.err


def test_clock_advance_and_reset(run_cli: Runner) -> None:
    moved = run_cli("clock", "advance", "120", "-f", "json")
    assert moved.code == 0, moved.err
    assert json.loads(moved.out)["offset_seconds"] == 120
    back = run_cli("clock", "advance", "--reset", "-f", "json")
    assert json.loads(back.out)["offset_seconds"] == 0
    assert run_cli("clock", "advance").code == 1


def test_driver_delay_and_reset(run_cli: Runner) -> None:
    set_ = run_cli("driver", "delay", "30", "-f", "json")
    assert set_.code == 0, set_.err
    assert json.loads(set_.out) == {"delay_seconds": 30, "configured_seconds": 0,
                                    "overridden": True}  # fmt: skip
    back = run_cli("driver", "delay", "--reset", "-f", "json")
    assert json.loads(back.out)["overridden"] is False
    assert run_cli("driver", "delay").code == 1
    assert run_cli("driver", "delay", "--", "-1").code == 1


def test_past_the_tokens_expiry_the_cli_logs_in_again(run_cli: Runner) -> None:
    assert run_cli("list").code == 0
    assert run_cli("clock", "advance", "7200").code == 0
    # The cached token expired on the cloud's clock: the CLI's next command logs in again.
    again = run_cli("fault", "list", "-f", "json")
    assert again.code == 0, again.err
