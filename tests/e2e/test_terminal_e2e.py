"""`pocketstack list` on a real terminal (a pseudo-terminal) against a real `serve`: colours,
clipping to the terminal's width, and --watch redrawing until Ctrl-C."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.fixtures.server import LiveCloud, pocketstack_command

pexpect = pytest.importorskip("pexpect")
pytestmark = pytest.mark.e2e

ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _seed(cloud: LiveCloud, count: int) -> None:
    result = subprocess.run(
        [*pocketstack_command(), "manage", "seed", "--servers", str(count),
         "--data-dir", str(cloud.data_dir)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def seeded(live_cloud: LiveCloud) -> LiveCloud:
    _seed(live_cloud, 6)
    return live_cloud


def _env(cloud: LiveCloud, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {**cloud.client_env(), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "TERM": "xterm-256color", **extra}
    env.pop("NO_COLOR", None)
    env.pop("COLUMNS", None)
    if "NO_COLOR" in extra:
        env["NO_COLOR"] = extra["NO_COLOR"]
    return env


def _on_terminal(args: list[str], env: dict[str, str], *, width: int = 250) -> tuple[int, str]:
    command = pocketstack_command()
    child = pexpect.spawn(command[0], [*command[1:], *args], env=env, encoding="utf-8",
                          timeout=60, dimensions=(50, width))
    child.expect(pexpect.EOF)
    child.close()
    return int(child.exitstatus), str(child.before)


def test_colours_on_a_terminal_only(seeded: LiveCloud, tmp_path: Path) -> None:
    env = _env(seeded, tmp_path)
    code, screen = _on_terminal(["list", "--all-tenants"], env)
    assert code == 0, screen
    assert "\x1b[32mACTIVE\x1b[0m" in screen
    assert "\x1b[32mRunning\x1b[0m" in screen
    for switch_off in (["--no-color"],):
        code, screen = _on_terminal(["list", "--all-tenants", *switch_off], env)
        assert code == 0
        assert "ACTIVE" in screen
        assert "\x1b[" not in screen
    code, screen = _on_terminal(["list", "--all-tenants"], {**env, "NO_COLOR": "1"})
    assert code == 0
    assert "ACTIVE" in screen
    assert "\x1b[" not in screen
    piped = subprocess.run([*pocketstack_command(), "list", "--all-tenants"], env=env,
                           capture_output=True, text=True, timeout=60, check=False)
    assert piped.returncode == 0
    assert "ACTIVE" in piped.stdout
    assert "\x1b[" not in piped.stdout


def test_narrow_terminal_clips_with_ellipsis(seeded: LiveCloud, tmp_path: Path) -> None:
    code, screen = _on_terminal(["list", "--all-tenants", "--no-color"],
                                _env(seeded, tmp_path), width=90)
    assert code == 0, screen
    lines = [line for line in screen.splitlines() if line.startswith(("+", "|"))]
    assert lines
    assert {len(line) for line in lines} == {max(len(line) for line in lines)}
    assert max(len(line) for line in lines) <= 90
    assert "\u2026" in screen


def test_watch_marks_new_rows_and_exits_0_on_ctrl_c(seeded: LiveCloud, tmp_path: Path) -> None:
    command = pocketstack_command()
    child = pexpect.spawn(
        command[0], [*command[1:], "list", "--all-tenants", "--limit", "-1", "--watch", "0.5"],
        env=_env(seeded, tmp_path), encoding="utf-8", timeout=60, dimensions=(400, 250),
    )
    try:
        child.expect("Every 0.5s: pocketstack list")
        child.expect("no changes")
        _seed(seeded, 2)
        child.expect(r"\+2 new")
        # The new rows carry the mark in the first column.
        child.expect(r"\| \x1b\[1;32m\+\x1b\[0m \|")
        child.sendintr()
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    assert "Traceback" not in ESCAPE.sub("", str(child.before))
