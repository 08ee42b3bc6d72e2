"""README.md's Ansible example, run as a reader would run it, with the genuine ansible-playbook.

The playbook is README.md's ```yaml block that starts `# server.yml`, written out as it is; the
command is README.md's own `ansible-playbook server.yml` line. The cloud is a `pocketstack up` on
a loopback port, whose `openrc` is `eval`ed in the same shell first, as the README's CI snippet
does. ansible-core, openstacksdk and the openstack.cloud collection: tests/fixtures/ansible.py.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shlex
import subprocess
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_readme import README, readme_commands
from tests.e2e.test_serving import cli, http, password_token
from tests.fixtures.ansible import collections_path
from tests.fixtures.server import HOST, clean_env, free_port, pocketstack_command, write_test_config

pytestmark = pytest.mark.interop

PLAYBOOK_FILE = "server.yml"
COMMAND = f"ansible-playbook {PLAYBOOK_FILE}"
PLAYBOOK_TIMEOUT = 300
_FENCE = re.compile(r"^```")
_RECAP = re.compile(r"^localhost\s+:\s+(.*)$", re.MULTILINE)


def readme_playbook(markdown: str) -> str:
    """The ```yaml block whose first line is `# server.yml`, as it stands in README.md."""
    blocks: list[list[str]] = []
    block: list[str] | None = None
    for line in markdown.splitlines():
        if block is None:
            if line.strip() == "```yaml":
                block = []
        elif _FENCE.match(line):
            blocks.append(block)
            block = None
        else:
            block.append(line)
    found = [b for b in blocks if b and b[0].strip() == f"# {PLAYBOOK_FILE}"]
    assert len(found) == 1, f"README.md has {len(found)} ```yaml blocks starting # {PLAYBOOK_FILE}"
    return "\n".join(found[0]) + "\n"


def test_the_playbook_is_the_yaml_block_named_server_yml() -> None:
    markdown = "\n".join([
        "```yaml", "a: 1", "```", "text", "```yaml", "# server.yml", "- hosts: localhost",
        "```", "```sh", "# server.yml", "```",
    ])  # fmt: skip
    assert readme_playbook(markdown) == "# server.yml\n- hosts: localhost\n"


@pytest.fixture
def cloud(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """(data directory, base URL) of a `pocketstack up` cloud, brought `down` afterwards."""
    data_dir = tmp_path / "cloud"
    write_test_config(data_dir)
    port = free_port()
    up = cli("up", "--data-dir", str(data_dir), "--host", HOST, "--port", str(port))
    assert up.returncode == 0, up.stdout + up.stderr
    try:
        yield data_dir, f"http://{HOST}:{port}"
    finally:
        cli("down", "--data-dir", str(data_dir))


def compute_get(base_url: str, token: str, path: str) -> Any:
    status, _, body = http("GET", f"{base_url}/compute/v2.1{path}", headers={"X-Auth-Token": token})
    assert status == 200, body
    return json.loads(body)


def test_the_readme_playbook_boots_and_deletes_a_server(
    ansible_venv: Path, cloud: tuple[Path, str], tmp_path: Path
) -> None:
    data_dir, base_url = cloud
    markdown = README.read_text(encoding="utf-8")
    commands = [c for c in readme_commands(markdown)[0] if c.key == COMMAND]
    assert len(commands) == 1, f"README.md shows {COMMAND!r} {len(commands)} times"
    work = tmp_path / "work"
    work.mkdir()
    (work / PLAYBOOK_FILE).write_text(readme_playbook(markdown))
    openrc = shlex.join([*pocketstack_command(), "openrc", "--data-dir", str(data_dir)])
    env = {
        **clean_env(),
        "PATH": f"{ansible_venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "ANSIBLE_COLLECTIONS_PATH": str(collections_path(ansible_venv)),
        # Ansible's own files (temporary modules, galaxy cache) stay out of the real home.
        "ANSIBLE_HOME": str(tmp_path / "ansible-home"),
        "ANSIBLE_NOCOLOR": "1",
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    started = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    result = subprocess.run(
        ["bash", "-c", f'set -e\neval "$({openrc})"\n{commands[0].text}\n'],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=PLAYBOOK_TIMEOUT,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    output = f"stdout:\n{result.stdout[-4000:]}\nstderr:\n{result.stderr[-3000:]}"
    assert result.returncode == 0, output
    recap = _RECAP.search(result.stdout)
    assert recap is not None, output
    counts = {name: int(n) for name, n in re.findall(r"(\w+)=(\d+)", recap.group(1))}
    # Four tasks ran; booting and deleting changed the cloud, the lookup and the assert did not.
    assert counts == {
        "ok": 4, "changed": 2, "unreachable": 0, "failed": 0,
        "skipped": 0, "rescued": 0, "ignored": 0,
    }, output  # fmt: skip
    assert result.stdout.count("changed: [localhost]") == 2, output

    # The cloud's own account: web-1 is gone, and was there (Nova lists deleted servers
    # changed since a time, with status DELETED).
    token = password_token(base_url, (data_dir / "admin-password").read_text().strip())
    assert compute_get(base_url, token, "/servers?name=%5Eweb-1%24")["servers"] == []
    since = urllib.parse.quote(started.isoformat().replace("+00:00", "Z"))
    changed = compute_get(base_url, token, f"/servers/detail?changes-since={since}")["servers"]
    assert [(s["name"], s["status"]) for s in changed] == [("web-1", "DELETED")], changed
