"""What a new user trips on, with the real CLI as a subprocess: the Quickstart's next steps,
the hints `demo` prints, a loose data directory, a mistyped auth URL, a mistyped option, and
a sort key by the column's name."""

from __future__ import annotations

import os
import re
import stat
import subprocess
from pathlib import Path

import pytest

from tests.fixtures.clone import Clone
from tests.fixtures.server import LiveCloud, pocketstack_command

pytestmark = pytest.mark.e2e
ROW = re.compile(r"^\| [0-9a-f]{8}-[0-9a-f]{4}-", re.MULTILINE)


def rows(table: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in table.splitlines()
        if ROW.match(line)
    ]


def hinted(output: str, pattern: str) -> str:
    match = re.search(pattern, output, re.MULTILINE)
    assert match, f"no {pattern!r} in:\n{output}"
    return match.group(1)


def test_the_quickstart_hints_work_as_printed_and_its_next_list_shows_servers(
    clone: Clone,
) -> None:
    # A data directory someone made by hand, open to everyone: the first start tightens it.
    clone.data_dir.chmod(0o755)
    demo = clone.shell(".venv/bin/pocketstack demo")
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert stat.S_IMODE(clone.data_dir.stat().st_mode) == 0o700
    assert "made it 0700" in demo.stderr
    # `pocketstack` is not on PATH here: every hint names the script as typed.
    assert re.search(r"(^|[\s$(])pocketstack ", demo.stdout) is None, demo.stdout
    assert "$ .venv/bin/pocketstack list --all-tenants" in demo.stdout
    every = rows(demo.stdout)
    assert len({row[2] for row in every}) == 3  # Tenant ID: the admin's and two demo projects

    openrc = hinted(demo.stdout, r'^# next, in your shell: eval "\$\((.+? openrc)\)"')
    listing = hinted(demo.stdout, r"; then (\S+ list) shows")
    stop = hinted(demo.stdout, r"^# stop the cloud with: (.+)$")
    assert (openrc, listing) == (".venv/bin/pocketstack openrc", ".venv/bin/pocketstack list")

    # The README's next steps, run as the hint prints them: the admin's own servers.
    assert clone.shell(f'eval "$({openrc})"').returncode == 0
    mine = clone.shell(listing)
    assert mine.returncode == 0, mine.stderr
    own = rows(mine.stdout)
    assert own, mine.stdout
    assert {row[0] for row in own} < {row[0] for row in every}

    # With the virtualenv's bin on PATH, the bare name is what to type.
    clone.put_on_path()
    again = clone.shell(".venv/bin/pocketstack demo")
    assert again.returncode == 0, again.stderr
    assert "$ pocketstack list --all-tenants" in again.stdout
    assert hinted(again.stdout, r'eval "\$\((.+? openrc)\)"; then') == "pocketstack openrc"

    stopped = clone.shell(stop)
    assert stopped.returncode == 0, stopped.stderr
    assert "pocketstack stopped" in stopped.stdout


def test_a_loose_data_dir_is_tightened_by_any_command_that_sets_it_up(tmp_path: Path) -> None:
    data_dir = tmp_path / "cloud"
    data_dir.mkdir()
    os.chmod(data_dir, 0o775)
    result = subprocess.run(
        [*pocketstack_command(), "manage", "fernet-setup", "--data-dir", str(data_dir)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert f"the data directory {data_dir} was accessible by group or others" in result.stderr


def run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*pocketstack_command(), *argv],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip


@pytest.fixture
def client_env(live_cloud: LiveCloud, tmp_path: Path) -> dict[str, str]:
    return {**live_cloud.client_env(), "XDG_CACHE_HOME": str(tmp_path / "cache")}


@pytest.mark.parametrize("command", [["list"], ["token", "issue"]])
def test_an_auth_url_without_a_scheme_is_named_with_its_setting(
    live_cloud: LiveCloud, client_env: dict[str, str], command: list[str]
) -> None:
    bare = f"{live_cloud.host}:{live_cloud.port}/identity/v3"
    result = run(command, {**client_env, "OS_AUTH_URL": bare})
    assert result.returncode == 1
    assert result.stdout == ""
    error = result.stderr.strip()
    assert "\n" not in error
    assert f"The auth URL '{bare}' has no scheme" in error
    assert "http:// or https://" in error
    assert f"'http://{bare}'" in error
    assert "OS_AUTH_URL" in error
    assert "--os-auth-url" in error
    assert "relative URL" not in error
    # The same value with its scheme works: the message pointed at the whole problem.
    fixed = run(command, {**client_env, "OS_AUTH_URL": f"http://{bare}"})
    assert fixed.returncode == 0, fixed.stderr


@pytest.mark.parametrize(
    ("typo", "v2"),
    [("/identiti/v3", False), ("/identity/v3/tokens", False), ("/identiti/v2.0", True)],
)
def test_a_wrong_auth_url_path_names_the_url_tried(
    live_cloud: LiveCloud, tmp_path: Path, typo: str, v2: bool
) -> None:
    wrong = f"{live_cloud.base_url}{typo}"
    env = {**live_cloud.client_env(v2=v2), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = run(["--no-cache", "list"], {**env, "OS_AUTH_URL": wrong})
    assert result.returncode == 1
    error = result.stderr.strip()
    assert error.startswith("ERROR (AuthUrlNotFound): ")
    assert f"The auth URL {wrong} is likely wrong" in error
    token_path = "/tokens" if v2 else "/auth/tokens"
    assert f"POST {wrong}{token_path} was not found" in error
    assert "OS_AUTH_URL" in error


def test_an_auth_url_with_no_version_names_what_discovery_got(
    live_cloud: LiveCloud, client_env: dict[str, str]
) -> None:
    wrong = f"{live_cloud.base_url}/identiti"
    result = run(["--no-cache", "list"], {**client_env, "OS_AUTH_URL": wrong})
    assert result.returncode == 1
    assert "Please check that your auth_url is correct" in result.stderr
    assert f"Version discovery at {wrong} answered HTTP 404" in result.stderr


def test_a_mistyped_option_gets_three_lines(client_env: dict[str, str]) -> None:
    for argv, message in (
        (["list", "--bogus"], "error: unrecognized arguments: --bogus"),
        (["list", "--limit", "abc"], "error: argument --limit: invalid int value: 'abc'"),
    ):
        result = run(argv, client_env)
        assert result.returncode == 2
        assert result.stdout == ""
        assert result.stderr.splitlines() == [
            "usage: pocketstack list [options]",
            message,
            "Try 'pocketstack list --help' for more information.",
        ]


def test_sort_by_name_works_and_a_bad_key_lists_the_good_ones(
    live_cloud: LiveCloud, client_env: dict[str, str]
) -> None:
    seeded = run(["manage", "seed", "--servers", "6", "--data-dir", str(live_cloud.data_dir)],
                 client_env)  # fmt: skip
    assert seeded.returncode == 0, seeded.stderr
    for direction in ("asc", "desc"):
        result = run(["list", "--all-tenants", "--sort", f"name:{direction}", "--limit", "-1",
                      "-f", "value", "-c", "Name"], client_env)  # fmt: skip
        assert result.returncode == 0, result.stderr
        names = result.stdout.split()
        assert len(names) >= 2
        assert names == sorted(names, reverse=direction == "desc")
    bad = run(["list", "--sort", "nmae"], client_env)
    assert bad.returncode == 1
    assert "'nmae' is not one of [" in bad.stderr
    assert "'display_name'" in bad.stderr
