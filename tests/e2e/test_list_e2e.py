"""`pocketstack list` as a user runs it: a subprocess against a real `pocketstack serve` with
seeded servers; what it prints checked against the database, and the requests it sends."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.server import LiveCloud, free_port, pocketstack_command

pytestmark = pytest.mark.e2e

POWER_NAMES = {"NOSTATE", "Running", "Paused", "Shutdown", "Crashed", "Suspended", ""}
_NET = r"[\w-]+=[0-9a-f.:]+(, [0-9a-f.:]+)*"
NETWORKS = re.compile(rf"^(|{_NET}(; {_NET})*)$")


@pytest.fixture(scope="module")
def seeded(live_cloud: LiveCloud) -> LiveCloud:
    result = subprocess.run(
        [*pocketstack_command(), "manage", "seed", "--servers", "40", "--projects", "2",
         "--data-dir", str(live_cloud.data_dir)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    return live_cloud


def alive_servers(cloud: LiveCloud) -> dict[str, str]:
    """uuid -> name of every server not deleted, straight from the database."""
    with sqlite3.connect(cloud.data_dir / "pocketstack.db") as db:
        rows = db.execute("SELECT uuid, display_name FROM instance WHERE deleted = 0")
        return dict(rows.fetchall())


def pocketstack_list(
    cloud: LiveCloud, *args: str, cache: Path, v2: bool = True
) -> subprocess.CompletedProcess[str]:
    env = {**cloud.client_env(v2=v2), "XDG_CACHE_HOME": str(cache)}
    return subprocess.run(
        [*pocketstack_command(), "list", *args],
        capture_output=True, text=True, timeout=60, env=env, check=False,
    )


def table_rows(text: str) -> list[list[str]]:
    lines = [line for line in text.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in line.strip("|").split(" | ")] for line in lines]


def test_all_tenants_table(seeded: LiveCloud, tmp_path: Path) -> None:
    result = pocketstack_list(seeded, "--all-tenants", "--limit", "-1", cache=tmp_path)
    assert result.returncode == 0, result.stderr
    header, *rows = table_rows(result.stdout)
    assert header == ["ID", "Name", "Tenant ID", "Status", "Task State", "Power State",
                      "Networks"]
    expected = alive_servers(seeded)
    assert {row[0]: row[1] for row in rows} == expected
    assert [row[1] for row in rows] == sorted(row[1] for row in rows)
    for row in rows:
        assert re.match(r"^[0-9a-f]{32}$", row[2])
        assert row[5] in POWER_NAMES
        assert NETWORKS.match(row[6]), row[6]


def test_cold_then_warm_requests(seeded: LiveCloud, tmp_path: Path) -> None:
    cold = pocketstack_list(seeded, "--timings", cache=tmp_path)
    assert cold.returncode == 0, cold.stderr
    # The seed's three: no GET of the compute version root (the answer confirms 2.96).
    assert "Total (3 requests)" in cold.stderr
    for path in ("/identity/v2.0 ", "/identity/v2.0/tokens", "/compute/v2.1/servers/detail"):
        assert path in cold.stderr
    assert "/compute/v2.1 " not in cold.stderr
    warm = pocketstack_list(seeded, "--timings", cache=tmp_path)
    assert warm.returncode == 0, warm.stderr
    assert re.search(r"Total \(1 requests?\)", warm.stderr)
    assert warm.stdout == cold.stdout


def test_v3_auth_url_works_too(seeded: LiveCloud, tmp_path: Path) -> None:
    result = pocketstack_list(seeded, "--all-tenants", "-f", "value", "-c", "ID",
                              "--limit", "-1", cache=tmp_path, v2=False)
    assert result.returncode == 0, result.stderr
    assert set(result.stdout.split()) == set(alive_servers(seeded))


def test_long_and_json(seeded: LiveCloud, tmp_path: Path) -> None:
    result = pocketstack_list(seeded, "--all-tenants", "--long", "-f", "json", "--timings",
                              cache=tmp_path)
    assert result.returncode == 0, result.stderr
    records = json.loads(result.stdout)
    assert records
    with sqlite3.connect(seeded.data_dir / "pocketstack.db") as db:
        flavors = {row[0] for row in db.execute("SELECT name FROM flavor")}
        images = {row[0] for row in db.execute("SELECT name FROM image")}
    for record in records:
        assert record["Flavor Name"] in flavors
        assert record["Image Name"] in images
        assert record["Host"]
        assert isinstance(record["Power State"], int)
    image_requests = [line for line in result.stderr.splitlines() if "/image/v2/images" in line]
    assert len(image_requests) == 1
    assert "id=in:" in image_requests[0]
    assert "/flavors" not in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sort", "display_name:upward"],
         "ERROR (CommandError): Unknown sort direction: upward"),
        (["--image", "no-such-image"],
         "ERROR (CommandError): No Image matching no-such-image. (HTTP 404)"),
        (["--flavor", "m0.none"],
         "ERROR (CommandError): No flavor with a name or ID of 'm0.none' exists."),
    ],
)
def test_errors(seeded: LiveCloud, tmp_path: Path, args: list[str], message: str) -> None:
    result = pocketstack_list(seeded, *args, cache=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == message
    assert result.stdout == ""


def test_unknown_field(seeded: LiveCloud, tmp_path: Path) -> None:
    result = pocketstack_list(seeded, "--all-tenants", "--fields", "name,shoe_size",
                              cache=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "ERROR (CommandError): Non-existent fields are specified: ['shoe_size']"
    )


def test_unreachable_cloud(seeded: LiveCloud, tmp_path: Path) -> None:
    env = {**seeded.client_env(v2=True), "XDG_CACHE_HOME": str(tmp_path),
           "OS_AUTH_URL": f"http://127.0.0.1:{free_port()}/identity/v2.0"}
    result = subprocess.run([*pocketstack_command(), "list"], capture_output=True, text=True,
                            timeout=60, env=env, check=False)
    assert result.returncode == 1
    assert result.stderr.startswith("ERROR (")
    assert "Traceback" not in result.stderr
    assert "127.0.0.1" in result.stderr


def test_warm_run_imports_nothing_heavy(seeded: LiveCloud, tmp_path: Path) -> None:
    pocketstack_list(seeded, cache=tmp_path)
    env = {**seeded.client_env(v2=True), "XDG_CACHE_HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-X", "importtime", *pocketstack_command(), "list"],
        capture_output=True, text=True, timeout=60, env=env, check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    modules = {
        line.split("|")[-1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:")
    }
    heavy = {m for m in modules if m.split(".")[0] in ("yaml", "sqlalchemy", "falcon", "bcrypt",
                                                        "cryptography", "requests", "urllib3")}
    assert heavy == set()
    assert not {m for m in modules if m.startswith("pocketstack.cloud")}
    yaml_run = subprocess.run(
        [sys.executable, "-X", "importtime", *pocketstack_command(), "list", "-f", "yaml"],
        capture_output=True, text=True, timeout=60, env=env, check=False,
    )
    assert "| yaml" in yaml_run.stderr
