"""Case 4's other kinds of token (issue 17): their set-up through the identity API, the
`--only tokens` knob that refreshes them alone, and how BENCHMARKS.md shows them.

The set-up runs against the real cloud app served over loopback HTTP (the bench's own client
speaks HTTP to a port), not a stand-in: a kind whose token came out without the member role
would make a figure for the wrong thing.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from bench import (
    cases_server,
    genuine_keystone,
    loadgen,
    main,
    report,
    report_tokens,
    token_kinds,
)
from bench.cloud import CloudSpec
from bench.context import QUICK, Context
from bench.procs import BenchError
from bench.venv import REPO_ROOT, BenchVenv

from pocketstack.cloud.app import create_cloud_app
from pocketstack.cloud.bootstrap import bootstrap
from pocketstack.cloud.config import load_config
from pocketstack.cloud.deps import build_deps
from pocketstack.cloud.store.db import Store
from pocketstack.cloud.store.upgrade import upgrade

ADMIN_PASSWORD = "bench-tokens"


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def served(tmp_path: Path) -> Iterator[int]:
    """A bootstrapped cloud (bcrypt 4 rounds, as the bench's) on a loopback port."""
    data_dir = tmp_path / "cloud"
    CloudSpec(data_dir=data_dir, bcrypt_rounds=4).write_config()
    config = dataclasses.replace(load_config(data_dir=data_dir), check_responses=True)
    store = Store(config.db_url)
    try:
        upgrade(store.engine)
    finally:
        store.engine.dispose()
    deps = build_deps(config)
    deps.keys.setup()
    bootstrap(deps, admin_password=ADMIN_PASSWORD)
    server: WSGIServer = make_server("127.0.0.1", 0, create_cloud_app(deps), handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()


def _token(port: int, body: dict[str, Any]) -> dict[str, Any]:
    client = loadgen.Client(port)
    try:
        status, _, payload = client.request("POST", "/identity/v3/auth/tokens", body=body)
    finally:
        client.close()
    assert status == 201, payload
    result: dict[str, Any] = json.loads(payload)["token"]
    return result


def test_each_kind_logs_in_as_its_own_way_with_the_member_role(served: int) -> None:
    bodies = token_kinds.auth_bodies(
        served, "/identity/v3", admin_user="admin", admin_password=ADMIN_PASSWORD
    )
    assert set(bodies) == {key for key, _ in token_kinds.KINDS}
    tokens = {key: _token(served, body) for key, body in bodies.items()}
    for key, token in tokens.items():
        assert {r["name"] for r in token["roles"]} == {"member"}, key
        assert token["project"]["name"] == "admin", key
    assert tokens["app_credential"]["methods"] == ["application_credential"]
    assert "application_credential" in tokens["app_credential"]
    assert "OS-TRUST:trust" in tokens["trust"]
    assert tokens["trust"]["user"]["name"].startswith("bench-trustee-")
    assert tokens["password_group"]["user"]["name"].startswith("bench-grouped-")
    # Twice on one cloud (4 and 12 rounds share none, but a rerun must not collide).
    again = token_kinds.auth_bodies(
        served, "/identity/v3", admin_user="admin", admin_password=ADMIN_PASSWORD
    )
    assert again["app_credential"] != bodies["app_credential"]


def test_a_token_without_the_member_role_is_refused_as_a_figure() -> None:
    with pytest.raises(BenchError, match="password_group token has roles \\['reader'\\]"):
        token_kinds.check_roles("password_group", {"token": {"roles": [{"name": "reader"}]}})


def _latency(median: float, n: int = 30) -> dict[str, Any]:
    return {"median": median, "q1": median * 0.9, "q3": median * 1.1, "min": median,
            "max": median, "n": n}  # fmt: skip


def _server_section() -> dict[str, Any]:
    admin = {"latency_s": _latency(0.005), "bcrypt_check_s": 0.001, "beyond_bcrypt_s": 0.004,
             "server_cpu_s": 0.006, "bcrypt_check_cpu_s": 0.001,
             "server_cpu_beyond_bcrypt_s": 0.005}  # fmt: skip
    kinds = [
        {"rounds": 4, "key": "app_credential", "name": "application-credential token",
         "latency_s": _latency(0.0055), "server_cpu_s": 0.0066},
        {"rounds": 4, "key": "password_group", "name": "group token",
         "latency_s": _latency(0.010), "server_cpu_s": 0.012},
    ]  # fmt: skip
    return {
        "tokens": {"4": admin},
        "token_kinds": kinds,
        "token_run": {"mode": "full", "date": "2026-12-07 15:40 UTC", "git_commit": "abc1234",
                      "git_dirty": True, "load_average_at_start": [2.5, 3.0, 3.5],
                      "load_average_at_end": [2.8, 3.1, 3.4], "cores": 2},
        "errors": [],
    }  # fmt: skip


def test_the_kinds_sit_beside_the_admins_password_token_with_their_ratios() -> None:
    text = report.render(
        {"cases": {"server": _server_section()}}, plots=set(), plots_prefix="bench/results"
    )
    assert "## 4. Server side" in text
    assert (
        "| 4 | application-credential token | **5.5 ms** | 1.1 ms | 30 | 6.6 ms | 5.6 ms | "
        "1.10x | 1.10x |" in text
    )
    assert "| 4 | group token | **10 ms** | 2.0 ms | 30 | 12 ms | 11 ms | 2.00x | 2.00x |" in text
    assert f"| 4 | {report_tokens.ADMIN_PASSWORD} | **5.0 ms** |" in text
    assert "1.00x | 1.00x |" in text
    assert "exactly one bcrypt check at the same rounds" in text
    assert "[2.5, 3.0, 3.5] at its start, [2.8, 3.1, 3.4] at its end, on 2 cores" in text
    assert "git abc1234 + local changes" in text


def test_no_kinds_no_table_and_an_older_run_has_no_refresh_line() -> None:
    section = _server_section()
    del section["token_run"]
    assert not report_tokens.token_kinds({**section, "token_kinds": []})
    lines = report_tokens.token_kinds(section)
    assert not any("refreshed alone" in line for line in lines)
    # A kind at rounds the password token was not measured at still shows, without ratios.
    section["token_kinds"][0]["rounds"] = 12
    text = "\n".join(report_tokens.token_kinds(section))
    assert (
        "| 12 | application-credential token | **5.5 ms** | 1.1 ms | 30 | 6.6 ms | — | — | — |"
        in text
    )


def test_only_tokens_keeps_the_rest_of_case_4_and_needs_no_bench_venv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main.parse_args(["--only", "tokens", "--merge"]).only == ["tokens"]
    assert "tokens" in main.NO_VENV_CASES

    def fake_tokens(ctx: Context, section: dict[str, Any]) -> None:
        section["tokens"]["4"] = {"fresh": True}

    monkeypatch.setattr(cases_server, "_tokens", fake_tokens)
    monkeypatch.setattr(genuine_keystone, "side_by_side", lambda ctx, section: {"skipped": "test"})
    ctx = Context(
        quick=True, knobs=QUICK, repo=REPO_ROOT, venv=BenchVenv(root=tmp_path / "venv"),
        pocketstack=tmp_path / "pocketstack", pocketstack_python=Path(sys.executable),
        workdir=tmp_path, results_path=tmp_path / "latest.json", postgresql_url="off",
        only=frozenset({"tokens"}),
    )  # fmt: skip
    pages = [{"backend": "sqlite", "servers": 1000, "page": "limit=100"}]
    ctx.results = {"cases": {"server": {
        "title": "Server side", "pages": pages, "tokens": {"4": {"fresh": False}},
        "errors": ["sqlite, 1,000 servers: kept", "tokens: stale", "Keystone side by side: stale"],
    }}}  # fmt: skip
    main._run_cases(ctx)
    server = ctx.results["cases"]["server"]
    assert server["pages"] == pages
    assert server["tokens"]["4"] == {"fresh": True}
    assert server["errors"] == ["sqlite, 1,000 servers: kept"]
    assert server["keystone"] == {"skipped": "test"}
    assert server["token_run"]["mode"] == "quick"
    assert len(server["token_run"]["load_average_at_end"]) == 3
    assert json.loads(ctx.results_path.read_text())["cases"]["server"]["pages"] == pages


def _compared(key: str, name: str) -> dict[str, Any]:
    side = {"latency_s": _latency(0.004), "server_cpu_s": 0.004, "requests": 31}
    return {"key": key, "name": name, "keystone": side, "pocketstack": side,
            "keystone_median_s": 0.008, "pocketstack_median_s": 0.004,
            "keystone_server_cpu_s": 0.01, "pocketstack_server_cpu_s": 0.004,
            "latency_ratio": 2.0, "server_cpu_ratio": 2.5}  # fmt: skip


def test_keystone_rows_of_every_kind_in_section_4_only_two_in_the_headlines() -> None:
    section = _server_section()
    section["keystone"] = {
        "version": "30.0.0",
        "comparison": [
            _compared("validation", "token validation"),
            _compared("password_token", "password token"),
            _compared("app_credential", "application-credential token (bcrypt 4 rounds)"),
        ],
    }
    text = report.render({"cases": {"server": section}}, plots=set(), plots_prefix="x")
    headlines = text.split("## Headline ratios")[1].split("## ")[0]
    assert "token validation, genuine Keystone / pocketstack: **2.0x**" in headlines
    assert "password token, genuine Keystone / pocketstack: **2.0x**" in headlines
    assert "application-credential" not in headlines
    assert "| application-credential token (bcrypt 4 rounds) | **4.0 ms** |" in text


def test_a_hand_written_tail_survives_a_regeneration() -> None:
    previous = f"old report\n\n{report.HAND_WRITTEN}\n\n## 10. By hand\n\nkept\n\n"
    assert (
        report.with_kept_tail("new report\n", previous)
        == f"new report\n\n{report.HAND_WRITTEN}\n\n## 10. By hand\n\nkept\n"
    )
    assert report.with_kept_tail("new report\n", "old report, nothing by hand\n") == (
        "new report\n"
    )
