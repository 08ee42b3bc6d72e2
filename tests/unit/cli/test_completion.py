"""Completion scripts loaded by a real bash (and zsh, fish when installed), completing from the
COMMANDS table, the parsers, and the server cache `list` writes (never the network)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from pocketstack.cli.main import COMMANDS
from tests.unit.cli.conftest import V3_ENV, Runner


def _script(run_cli: Runner, shell: str) -> str:
    result = run_cli("completion", shell, env={})
    assert result.code == 0, result.err
    return result.out


@pytest.fixture
def cache_home(tmp_path: Path) -> Path:
    directory = tmp_path / "cache" / "pocketstack" / "completion"
    directory.mkdir(parents=True)
    (directory / "servers").write_text(
        "11111111-aaaa\tweb one\n22222222-bbbb\tdb\n33333333-cccc\tweb-two\n"
    )
    return tmp_path / "cache"


def _bash_complete(script: Path, cache: Path, *words: str) -> list[str]:
    program = (
        f"source {script}\n"
        'COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))\n'
        "_pocketstack\n"
        "printf '%s\\n' \"${COMPREPLY[@]}\"\n"
    )
    result = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", program, "bash", *words],
        capture_output=True, text=True, timeout=30, check=False,
        env={"PATH": os.environ["PATH"], "HOME": str(cache.parent), "XDG_CACHE_HOME": str(cache)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return [line for line in result.stdout.splitlines() if line]


@pytest.fixture
def bash_script(run_cli: Runner, tmp_path: Path) -> Path:
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    path = tmp_path / "pocketstack.bash"
    path.write_text(_script(run_cli, "bash"))
    return path


def test_bash_commands_and_flags(bash_script: Path, cache_home: Path) -> None:
    top = _bash_complete(bash_script, cache_home, "pocketstack", "")
    assert top == list(dict.fromkeys(words[0] for words in COMMANDS))
    assert _bash_complete(bash_script, cache_home, "pocketstack", "token", "") == ["issue"]
    assert _bash_complete(bash_script, cache_home, "pocketstack", "manage", "") == [
        "db-upgrade", "fernet-setup", "fernet-rotate", "bootstrap", "seed", "snapshot",
        "restore", "reset", "snapshots"]
    flags = _bash_complete(bash_script, cache_home, "pocketstack", "list", "--")
    for flag in ("--marker", "--name", "--all-tenants", "--watch", "--max-width",
                 "--fit-width", "--no-color", "--os-auth-url", "--long", "--sort-column"):
        assert flag in flags
    # Global options may come before the command, their values skipped.
    assert _bash_complete(bash_script, cache_home, "pocketstack", "--os-cloud", "list",
                          "list", "--wa") == ["--watch"]
    assert _bash_complete(bash_script, cache_home, "pocketstack", "list", "-f", "") == [
        "table", "json", "yaml", "csv", "value"]
    assert _bash_complete(bash_script, cache_home, "pocketstack", "completion", "") == [
        "bash", "zsh", "fish"]


def test_bash_server_ids_and_names_from_cache(bash_script: Path, cache_home: Path) -> None:
    assert _bash_complete(bash_script, cache_home, "pocketstack", "list", "--marker", "") == [
        "11111111-aaaa", "22222222-bbbb", "33333333-cccc"]
    assert _bash_complete(bash_script, cache_home, "pocketstack", "list", "--name", "web") == [
        "web\\ one", "web-two"]
    # `--marker=` form.
    assert _bash_complete(bash_script, cache_home, "pocketstack", "list", "--marker", "=",
                          "2") == ["22222222-bbbb"]
    empty = cache_home.parent / "nothing"
    assert _bash_complete(bash_script, empty, "pocketstack", "list", "--marker", "") == []


def test_list_writes_the_cache_private(run_cli: Runner, tmp_path: Path) -> None:
    result = run_cli("list", "--all-tenants", env={**V3_ENV})
    assert result.code == 0, result.err
    cache = tmp_path / "completion" / "servers"
    assert cache.exists()
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.parent.stat().st_mode) == 0o700


def test_no_cache_writes_nothing(run_cli: Runner, tmp_path: Path) -> None:
    result = run_cli("list", "--no-cache")
    assert result.code == 0, result.err
    assert not (tmp_path / "completion").exists()


def test_unknown_shell(run_cli: Runner, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        run_cli("completion", "tcsh", env={})
    assert exited.value.code == 2
    assert "invalid choice: 'tcsh'" in capsys.readouterr().err


def _interactive(shell: list[str], setup: str, typed: str, env: dict[str, str]) -> str:
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(shell[0], shell[1:], env=env, encoding="utf-8", timeout=15,
                          dimensions=(40, 200))
    try:
        child.sendline(setup)
        child.sendline("echo READY-$((1+1))")
        child.expect("READY-2")
        child.send(typed + "\t")
        child.expect(pexpect.TIMEOUT, timeout=2)
        return str(child.before)
    finally:
        child.close(force=True)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("pocketstack li", "pocketstack list"),
        ("pocketstack list --mark", "--marker"),
        ("pocketstack list --marker 2", "22222222-bbbb"),
    ],
)
def test_zsh_completes(run_cli: Runner, tmp_path: Path, cache_home: Path, typed: str,
                       expected: str) -> None:
    if shutil.which("zsh") is None:
        pytest.skip("zsh is not installed")
    script = tmp_path / "pocketstack.zsh"
    script.write_text(_script(run_cli, "zsh"))
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "TERM": "xterm",
           "XDG_CACHE_HOME": str(cache_home), "PS1": "$ "}
    setup = f"autoload -U compinit && compinit -u && source {script}"
    screen = _interactive(["zsh", "-f", "-i"], setup, typed, env)
    assert expected in screen


def test_fish_completes(run_cli: Runner, tmp_path: Path, cache_home: Path) -> None:
    if shutil.which("fish") is None:
        pytest.skip("fish is not installed")
    script = tmp_path / "pocketstack.fish"
    script.write_text(_script(run_cli, "fish"))
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "XDG_CACHE_HOME": str(cache_home)}

    def complete(line: str) -> list[str]:
        result = subprocess.run(
            ["fish", "--no-config", "-c", f"source {script}; complete -C {line!r}"],
            capture_output=True, text=True, timeout=30, check=False, env=env,
        )
        assert result.returncode == 0, result.stderr
        return [entry.split("\t")[0] for entry in result.stdout.splitlines()]

    assert "list" in complete("pocketstack ")
    assert complete("pocketstack token ") == ["issue"]
    assert "--marker" in complete("pocketstack list --mar")
    assert complete("pocketstack list --marker 1") == ["11111111-aaaa"]
    assert "web one" in complete("pocketstack list --name ")


def _plant(cache_home: Path, how: str) -> None:
    """Replace the servers file with one `list` did not write."""
    servers = cache_home / "pocketstack" / "completion" / "servers"
    if how == "link":
        planted = cache_home / "planted"
        planted.write_text("99999999-eeee\tplanted\n")
        servers.unlink()
        servers.symlink_to(planted)
    elif how == "foreign-file":
        os.chown(servers, 65534, 65534)
    else:  # a directory of another user
        os.chown(servers.parent, 65534, 65534)


@pytest.mark.parametrize("how", ["link", "foreign-file", "foreign-directory"])
def test_shells_ignore_a_servers_file_not_written_by_the_user(
    run_cli: Runner, bash_script: Path, cache_home: Path, tmp_path: Path, how: str
) -> None:
    if how != "link" and os.getuid() != 0:
        pytest.skip("making a file another user's needs root")
    assert _bash_complete(bash_script, cache_home, "pocketstack", "list", "--marker", "")
    _plant(cache_home, how)
    assert _bash_complete(bash_script, cache_home, "pocketstack", "list", "--marker", "") == []
    if shutil.which("fish") is not None:
        script = tmp_path / "pocketstack.fish"
        script.write_text(_script(run_cli, "fish"))
        line = "pocketstack list --marker "
        result = subprocess.run(
            ["fish", "--no-config", "-c", f"source {script}; complete -C {line!r}"],
            capture_output=True, text=True, timeout=30, check=False,
            env={"PATH": os.environ["PATH"], "HOME": str(tmp_path),
                 "XDG_CACHE_HOME": str(cache_home)},
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert "-aaaa" not in result.stdout
        assert "-eeee" not in result.stdout
