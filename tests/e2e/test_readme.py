"""Every command README.md shows working is run, in order, as a newcomer would type them.

The commands come from README.md's shell code blocks (```sh, ```bash, ```console): in a block
with `$ ` prompts the prompted lines (the rest is output), else every line that is not a comment;
`a && b` is two commands. They run in a fresh clone (tests/fixtures/clone.py):
`.venv/bin/pocketstack` is the real CLI, HOME is the test's, and the Quickstart's `demo` starts
the cloud on a free port in the default data directory. A command that cannot run here is
listed in SKIPPED with the reason; anything else, a command added to the README tomorrow
included, is run, and must exit 0. A code block must say its language, so that a new one is
either run or knowingly not.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.fixtures.clone import Clone

pytestmark = pytest.mark.e2e

README = Path(__file__).resolve().parents[2] / "README.md"
SHELL_BLOCKS = frozenset({"sh", "bash", "shell", "console"})
OTHER_BLOCKS = frozenset({"toml", "text", "json", "yaml", "python", "ini"})
_FENCE = re.compile(r"^```(\S*)\s*$")
# A trailing comment: `#` after whitespace, outside the command's own words.
_COMMENT = re.compile(r"\s+#.*$")

SKIPPED: dict[str, str] = {
    "python3 -m venv .venv": "the install: this test runs in the virtualenv it makes",
    "PIP_CONSTRAINT=constraints.txt .venv/bin/pip install -e .": "the install: this test runs "
    "in the virtualenv it makes",
    "bash .ci/run": "CI itself, which runs this test",
    "bash .ci/refresh-locks": "downloads the newest releases to rewrite the lock files",
    ".venv/bin/python -m tests.conformance": "tempest, from the interop virtualenv that "
    ".ci/run builds (and then runs this)",
    ".venv/bin/python -m tests.conformance --update": "tempest, from the interop virtualenv; "
    "rewrites must-pass.txt and README.md's counts",
    ".venv/bin/python -m tests.conformance --regex 'tempest\\.api\\.compute\\.servers'": "tempest, "
    "from the interop virtualenv that .ci/run builds",
    "ansible-playbook server.yml": "needs ansible-core and the openstack.cloud collection, "
    "another virtualenv (tests/interop/test_ansible_readme.py runs it against a cloud)",
    "openstack server list": "needs python-openstackclient, another virtualenv "
    "(tests/interop runs the genuine clients against the cloud)",
    ".venv/bin/pocketstack list --watch 2": "redraws until Ctrl-C "
    "(tests/e2e/test_terminal_e2e.py runs --watch on a terminal)",
    "POCKETSTACK_FUZZ_EXAMPLES=2000 .venv/bin/python -m pytest -s "
    "tests/reliability/test_fuzz.py": "a long fuzzing run of this test suite's own tests",
    ".venv/bin/python -m bench": "the 25-minute benchmark, which builds virtualenvs of "
    "upstream tools",
    ".venv/bin/python -m bench --quick": "builds virtualenvs of upstream tools",
    "rsync -a --exclude=0 ~/.local/share/pocketstack/fernet-keys/ "
    "node2:.local/share/pocketstack/fernet-keys/": "copies to another machine "
    "(tests/unit/cloud/auth/test_key_distribution.py checks the procedure)",
    "rsync -a --delete ~/.local/share/pocketstack/fernet-keys/ "
    "node2:.local/share/pocketstack/fernet-keys/": "copies to another machine "
    "(tests/unit/cloud/auth/test_key_distribution.py checks the procedure)",
}


@dataclasses.dataclass(frozen=True)
class Command:
    line: int
    text: str

    @property
    def key(self) -> str:
        """The command without its trailing comment, spaces normalized: SKIPPED's key."""
        return " ".join(_COMMENT.sub("", self.text).split())


def _logical_lines(lines: list[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    """Lines joined across backslash continuations."""
    pending: tuple[int, str] | None = None
    for number, text in lines:
        if pending is not None:
            number, text = pending[0], pending[1] + " " + text.strip()
            pending = None
        if text.endswith("\\"):
            pending = (number, text[:-1].rstrip())
            continue
        yield number, text
    if pending is not None:
        yield pending


def _commands_of_block(lines: list[tuple[int, str]]) -> Iterator[Command]:
    prompted = any(text.startswith("$ ") for _, text in lines)
    for number, text in _logical_lines(lines):
        if prompted:
            if not text.startswith("$ "):
                continue  # the output shown under a command
            text = text[2:]
        text = text.strip()
        if not text or text.startswith("#"):
            continue
        for part in text.split(" && "):
            yield Command(number, part.strip())


def readme_commands(markdown: str) -> tuple[list[Command], list[str]]:
    """(the shell commands in order, problems: code blocks of no known language)."""
    commands: list[Command] = []
    problems: list[str] = []
    block: list[tuple[int, str]] | None = None
    language = ""
    for number, text in enumerate(markdown.splitlines(), start=1):
        fence = _FENCE.match(text)
        if block is None:
            if fence:
                block, language = [], fence.group(1).lower()
                if language not in SHELL_BLOCKS | OTHER_BLOCKS:
                    problems.append(
                        f"README.md:{number}: a code block of language {language or 'none'!r}: "
                        "mark it ```sh (its commands are run) or ```text"
                    )
            continue
        if text.strip() == "```":
            if language in SHELL_BLOCKS:
                commands.extend(_commands_of_block(block))
            block = None
            continue
        block.append((number, text))
    return commands, problems


def test_the_extraction_reads_prompts_comments_continuations_and_chains() -> None:
    markdown = "\n".join([
        "```sh", "a --x && b   # why", "# a comment", "c \\", "  --long", "```",
        "```console", "$ d", "output of d", "$ e  # note", "```",
        "```toml", "f = 1", "```", "```", "g", "```",
    ])  # fmt: skip
    commands, problems = readme_commands(markdown)
    assert [(c.line, c.key) for c in commands] == [
        (2, "a --x"), (2, "b"), (4, "c --long"), (8, "d"), (10, "e"),
    ]  # fmt: skip
    assert problems == ["README.md:15: a code block of language 'none': mark it ```sh "
                        "(its commands are run) or ```text"]  # fmt: skip


def _data_rows(output: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in output.splitlines()
        if re.match(r"^\| [0-9a-f]{8}-", line)
    ]


def _lists_servers(output: str) -> str | None:
    return None if _data_rows(output) else "printed no server"


def _active_by_name(output: str) -> str | None:
    rows = _data_rows(output)
    names = [row[1] for row in rows]
    if not rows:
        return "printed no server"
    if names != sorted(names):
        return f"not sorted by name: {names}"
    if {row[3] for row in rows} != {"ACTIVE"}:
        return f"not only ACTIVE servers: {sorted({row[3] for row in rows})}"
    return None


def _json_servers(output: str) -> str | None:
    servers = json.loads(output)
    return None if servers and "Name" in servers[0] else "no server in the JSON"


def _whole_token(output: str) -> str | None:
    row = next((line for line in output.splitlines() if line.startswith("| id ")), "")
    return None if len(row.split("|")[2].strip()) > 150 else "no whole token id"


# What a user would look at in a command's output, beyond its exit status.
EXPECTED: dict[str, Callable[[str], str | None]] = {
    ".venv/bin/pocketstack list": _lists_servers,
    ".venv/bin/pocketstack list --all-tenants --status ACTIVE --sort display_name:asc "
    "--limit -1": _active_by_name,
    ".venv/bin/pocketstack list --long -f json": _json_servers,
    ".venv/bin/pocketstack token issue": _whole_token,
}


def test_every_readme_command_runs(clone: Clone) -> None:
    commands, problems = readme_commands(README.read_text(encoding="utf-8"))
    assert not problems, "\n".join(problems)
    keys = [command.key for command in commands]
    stale = [key for key in SKIPPED if key not in keys]
    assert not stale, f"SKIPPED names commands README.md no longer shows: {stale}"
    assert keys[: keys.index(".venv/bin/pocketstack demo") + 1], "no Quickstart demo found"
    for needed in EXPECTED:
        assert needed in keys, f"README.md no longer shows {needed!r}"

    failures: list[str] = []
    ran = 0
    for command in commands:
        if command.key in SKIPPED:
            continue
        ran += 1
        result = clone.shell(command.text)
        where = f"README.md:{command.line}: {command.text}"
        if result.returncode != 0 or "Traceback" in result.stderr:
            failures.append(
                f"{where}\n  exit status {result.returncode}\n"
                f"  stdout: {result.stdout[-1500:]}\n  stderr: {result.stderr[-1500:]}"
            )
            continue
        check = EXPECTED.get(command.key)
        problem = check(result.stdout) if check is not None else None
        if problem is not None:
            failures.append(f"{where}\n  {problem}:\n{result.stdout[-1500:]}")
    assert not failures, "\n\n".join(failures)
    assert ran >= 5, "the extraction found almost no command to run"
