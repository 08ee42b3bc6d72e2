"""`pocketstack list` on a real terminal (a pseudo-terminal) against a real `serve`: colours,
clipping to the terminal's width, and --watch redrawing until Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import termios
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


def _create_servers(cloud: LiveCloud, count: int) -> None:
    """`count` ACTIVE servers through the compute API. Not `manage seed`: its spread of states
    (deleted ones included) depends on how many servers the shared cloud holds already."""
    import json
    import urllib.request

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def call(method: str, url: str, body: object = None, token: str = "") -> Any:
        request = urllib.request.Request(
            url, method=method, data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "X-Auth-Token": token},
        )
        with opener.open(request, timeout=30) as response:
            return response.headers.get("X-Subject-Token"), json.loads(response.read() or b"{}")

    domain = {"id": "default"}
    token, _ = call("POST", f"{cloud.identity_url}/v3/auth/tokens", {"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "admin", "domain": domain, "password": cloud.admin_password}}},
        "scope": {"project": {"name": "admin", "domain": domain}}}})
    _, images = call("GET", f"{cloud.base_url}/image/v2/images", token=token)
    for number in range(count):
        server = {"name": f"watched-{number}", "imageRef": images["images"][0]["id"],
                  "flavorRef": "1"}
        call("POST", f"{cloud.base_url}/compute/v2.1/servers", {"server": server}, token)


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


# Only the servers the watch tests make: the shared cloud may hold more than a screen of others
# (from other modules on the same test worker), which would push the marked rows off it.
WATCH = ["list", "--all-tenants", "--limit", "-1", "--name", "^watched-", "--watch", "0.5"]
# Ctrl-C ends a watch within milliseconds, even on a loaded machine: far longer means it
# did not work, and _expect_exit says where the child was.
EXIT_TIMEOUT = 30


def _sigint(disposition: signal.Handlers) -> Callable[[], None]:
    """A preexec_fn: the child starts with this SIGINT disposition, whatever the test run's
    own is (a run started as `cmd &` by a non-interactive shell ignores SIGINT, and fork and
    exec pass that on)."""

    def set_disposition() -> None:
        signal.signal(signal.SIGINT, disposition)

    return set_disposition


def _spawn_watch(cloud: LiveCloud, tmp_path: Path, *, sigint: signal.Handlers) -> Any:
    command = pocketstack_command()
    # PYTHONFAULTHANDLER: SIGABRT prints the child's stack (see _expect_exit).
    env = _env(cloud, tmp_path, PYTHONFAULTHANDLER="1")
    return pexpect.spawn(
        command[0], [*command[1:], *WATCH], env=env, encoding="utf-8", timeout=60,
        dimensions=(400, 250), preexec_fn=_sigint(sigint),
    )


def _ctrl_c(child: Any) -> None:
    """Type the child's interrupt character. Not sendintr(): that sends the character of the
    terminal the tests run on (if any), not of the child's pseudo-terminal."""
    attributes = termios.tcgetattr(child.child_fd)
    assert attributes[3] & termios.ISIG, "the child's terminal does not turn ^C into SIGINT"
    # The byte itself, past the spawn's text encoding.
    os.write(child.child_fd, attributes[6][termios.VINTR])


def _sigint_state(pid: int) -> str:
    """How the child treats SIGINT, from /proc (Linux): blocked, ignored, caught or default."""
    names = {"SigBlk": "blocked", "SigIgn": "ignored", "SigCgt": "caught"}
    try:
        with open(f"/proc/{pid}/status") as status:
            fields = [line.partition(":") for line in status]
        masks = {key: int(value, 16) for key, _, value in fields if key in names}
    except (OSError, ValueError):
        return "unknown"
    bit = 1 << (signal.SIGINT - 1)
    states = [name for key, name in names.items() if masks.get(key, 0) & bit]
    return ", ".join(states) or "default"


def _expect_exit(child: Any) -> None:
    try:
        child.expect(pexpect.EOF, timeout=EXIT_TIMEOUT)
        return
    except pexpect.TIMEOUT:
        pass
    sigint = _sigint_state(child.pid)
    os.kill(child.pid, signal.SIGABRT)
    child.expect(pexpect.EOF, timeout=EXIT_TIMEOUT)
    screen = ESCAPE.sub("", str(child.before))
    stack = screen[screen.find("Fatal Python error"):][-3000:]
    pytest.fail(f"Ctrl-C did not end the watch in {EXIT_TIMEOUT} s; the child's SIGINT: "
                f"{sigint}; its stack:\n{stack}")


def test_watch_marks_new_rows_and_exits_0_on_ctrl_c(seeded: LiveCloud, tmp_path: Path) -> None:
    child = _spawn_watch(seeded, tmp_path, sigint=signal.SIG_DFL)
    try:
        child.expect("Every 0.5s: pocketstack list")
        child.expect("no changes")
        _create_servers(seeded, 2)
        child.expect(r"\+2 new")
        # The new rows carry the mark in the first column.
        child.expect(r"\| \x1b\[1;32m\+\x1b\[0m \|")
        _ctrl_c(child)
        _expect_exit(child)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    assert "Traceback" not in ESCAPE.sub("", str(child.before))


def test_watch_ends_on_ctrl_c_when_started_with_sigint_ignored(
    seeded: LiveCloud, tmp_path: Path
) -> None:
    # As under `cmd &` in a script or CI job: Python installs no KeyboardInterrupt handler
    # then, and only the watch itself can make Ctrl-C work on its terminal.
    child = _spawn_watch(seeded, tmp_path, sigint=signal.SIG_IGN)
    try:
        # A second frame: the ^C lands in the refresh loop, as a user's would.
        child.expect("Every 0.5s: pocketstack list")
        child.expect("Every 0.5s: pocketstack list")
        _ctrl_c(child)
        _expect_exit(child)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    assert "Traceback" not in ESCAPE.sub("", str(child.before))


def _token_is_valid(cloud: LiveCloud, token: str) -> bool:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        f"{cloud.identity_url}/v3/auth/tokens?nocatalog",
        headers={"X-Auth-Token": token, "X-Subject-Token": token},
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=30) as response:
            return int(response.status) == 200
    except urllib.error.HTTPError:
        return False


def test_token_issue_fits_the_terminal_and_the_id_stays_whole(
    live_cloud: LiveCloud, tmp_path: Path
) -> None:
    env = _env(live_cloud, tmp_path)
    code, screen = _on_terminal(["token", "issue"], env, width=100)
    assert code == 0, screen
    table = [line for line in screen.splitlines() if line.startswith(("+", "|"))]
    assert len(table) == 8  # three borders, the titles, four fields
    assert {len(line) for line in table} == {100}
    id_row = next(line for line in table if line.startswith("| id "))
    assert id_row.endswith("\u2026 |")

    # The whole token: `-f value -c id` on the same terminal, and any output that is not one.
    code, screen = _on_terminal(["token", "issue", "-f", "value", "-c", "id"], env, width=100)
    assert code == 0, screen
    token = ESCAPE.sub("", screen).strip()
    assert len(token) > 150
    assert _token_is_valid(live_cloud, token)
    clipped = id_row.strip("| \u2026").split("|")[1].strip()
    assert token.startswith(clipped)

    piped = subprocess.run([*pocketstack_command(), "token", "issue"], env=env,
                           capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert piped.returncode == 0, piped.stderr
    whole = next(line for line in piped.stdout.splitlines() if line.startswith("| id "))
    assert whole.split("|")[2].strip() == token
    assert "\u2026" not in piped.stdout
