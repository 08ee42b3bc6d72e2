"""`pocketstack list FLAGS` against the genuine `nova list FLAGS` (python-novaclient in the
interoperability venv), both on the same real `serve`: the same GET /servers URL for every flag,
the same image/flavor lookups (ours a subset: no confirmation GET), and the same table."""

from __future__ import annotations

import re
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.fixtures.server import LiveCloud, pocketstack_command

pytestmark = [pytest.mark.interop, pytest.mark.slow]

REQ = re.compile(r"REQ: curl -g -i -X (GET|POST) (\S+)")
TIME = "2016-03-04T06:27:59Z"


@pytest.fixture(scope="module")
def seeded(live_cloud: LiveCloud) -> LiveCloud:
    result = subprocess.run(
        [*pocketstack_command(), "manage", "seed", "--servers", "25", "--projects", "2",
         "--data-dir", str(live_cloud.data_dir)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    return live_cloud


def db_value(cloud: LiveCloud, sql: str) -> str:
    with sqlite3.connect(cloud.data_dir / "pocketstack.db") as db:
        row = db.execute(sql).fetchone()
    assert row is not None, sql
    return str(row[0])


def requests_of(stderr: str) -> list[str]:
    """Every request URL of a --debug log, in order, logged duplicates dropped."""
    urls: list[str] = []
    for match in REQ.finditer(stderr):
        url = f"{match.group(1)} {match.group(2)}"
        if not urls or urls[-1] != url:
            urls.append(url)
    return urls


def api_requests(urls: list[str]) -> list[str]:
    """Compute and image calls, without identity and without the version document."""
    return [
        u for u in urls
        if ("/compute/" in u or "/image/" in u) and not re.search(r"/compute/v2\.1/?$", u)
    ]


def run_both(
    venv: Path, cloud: LiveCloud, tmp_path: Path, flags: list[str]
) -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]:
    env = cloud.client_env(v2=True)
    nova = subprocess.run(
        [str(venv / "bin" / "nova"), "--debug", "list", *flags],
        capture_output=True, text=True, timeout=180, env=env, check=False, cwd=venv,
    )
    ours = subprocess.run(
        [*pocketstack_command(), "--debug", "list", *flags],
        capture_output=True, text=True, timeout=60, check=False,
        env={**env, "XDG_CACHE_HOME": str(tmp_path / "cache")},
    )
    return nova, ours


def flag_sets(cloud: LiveCloud) -> list[list[str]]:
    server_id = db_value(cloud, "SELECT uuid FROM instance WHERE deleted = 0 ORDER BY id")
    project_id = db_value(cloud, "SELECT project_id FROM instance ORDER BY id")
    image_name = db_value(cloud, "SELECT name FROM image ORDER BY name")
    image_id = db_value(cloud, "SELECT id FROM image ORDER BY name")
    return [
        [],
        ["--all-tenants"],
        ["--all-tenants", "0"],
        ["--reservation-id", "r-00000001"],
        ["--ip", "10.0.0.1"],
        ["--ip6", "fd00:10::"],
        ["--name", "web"],
        ["--status", "ACTIVE", "--all-tenants"],
        ["--flavor", "m1.tiny", "--all-tenants"],
        ["--flavor", "2", "--all-tenants"],
        ["--image", image_name, "--all-tenants"],
        ["--image", image_id, "--all-tenants"],
        ["--host", "compute-1", "--all-tenants"],
        ["--tenant", project_id],
        ["--user", "nobody", "--all-tenants"],
        ["--deleted", "--all-tenants"],
        ["--availability-zone", "nova", "--all-tenants"],
        ["--key-name", "key-1", "--all-tenants"],
        ["--config-drive", "--all-tenants"],
        ["--no-config-drive", "--all-tenants"],
        ["--progress", "0", "--all-tenants"],
        ["--vm-state", "active", "--all-tenants"],
        ["--task-state", "spawning", "--all-tenants"],
        ["--power-state", "1", "--all-tenants"],
        ["--changes-since", TIME, "--all-tenants"],
        ["--changes-before", "2100-01-01T00:00:00Z", "--all-tenants"],
        ["--tags", "a,b", "--all-tenants"],
        ["--tags-any", "a,b", "--all-tenants"],
        ["--not-tags", "a", "--all-tenants"],
        ["--not-tags-any", "a,b", "--all-tenants"],
        ["--locked", "true", "--all-tenants"],
        ["--minimal", "--all-tenants"],
        ["--fields", "name,status,OS-EXT-AZ:availability_zone,networks", "--all-tenants"],
        ["--sort", "display_name:asc,created_at", "--all-tenants"],
        ["--marker", server_id, "--all-tenants", "--sort", "created_at:asc"],
        ["--limit", "3", "--all-tenants", "--sort", "display_name:asc"],
        ["--limit", "-1", "--all-tenants"],
    ]


def test_same_requests_and_table_as_nova(
    interop_venv: Path, seeded: LiveCloud, tmp_path: Path
) -> None:
    mismatches: list[str] = []
    for flags in flag_sets(seeded):
        nova, ours = run_both(interop_venv, seeded, tmp_path, flags)
        assert nova.returncode == 0, f"nova list {flags}: {nova.stderr[-2000:]}"
        assert ours.returncode == 0, f"pocketstack list {flags}: {ours.stderr[-2000:]}"
        theirs = api_requests(requests_of(nova.stderr))
        mine = api_requests(requests_of(ours.stderr))
        servers_theirs = [u for u in theirs if "/servers" in u]
        servers_mine = [u for u in mine if "/servers" in u]
        if flags[:2] == ["--limit", "-1"]:
            # nova asks once more for the empty page after the last one; we do not.
            ok = servers_mine == servers_theirs[: len(servers_mine)] and len(servers_mine) >= 1
        else:
            ok = servers_mine == servers_theirs
        lookups_ok = all(u in theirs for u in mine)
        # nova prints None in --fields cells where its default columns print '-'.
        table_theirs = nova.stdout.replace("| None ", "| -    ") if "--fields" in flags else (
            nova.stdout
        )
        if not (ok and lookups_ok and table_theirs == ours.stdout):
            mismatches.append(
                f"{flags}:\n  nova: {theirs}\n  ours: {mine}\n"
                f"  tables equal: {table_theirs == ours.stdout}\n{nova.stdout}\n{ours.stdout}"
            )
    assert not mismatches, "\n".join(mismatches)


def test_same_errors_as_nova(interop_venv: Path, seeded: LiveCloud, tmp_path: Path) -> None:
    for flags in (["--sort", "name:sideways"], ["--image", "no-such"],
                  ["--flavor", "no-such"]):
        nova, ours = run_both(interop_venv, seeded, tmp_path, flags)
        assert nova.returncode == ours.returncode == 1
        nova_error = [line for line in nova.stderr.splitlines() if line.startswith("ERROR")]
        ours_error = [line for line in ours.stderr.splitlines() if line.startswith("ERROR")]
        assert nova_error == ours_error, flags
