"""`python -m tests.conformance [--update]`: tempest's API tests against a fresh cloud.

Starts a fresh `pocketstack serve` (SQLite, its own data directory), describes it to tempest
(probe.py, tempest_conf.py), runs tempest's API tests for every service the catalog offers that
pocketstack implements, classifies each listed test (outcomes.py) and compares with must-pass.txt:
the run fails when a listed test did not pass. `--update` adds the tests that newly pass to the
list (it never drops one) and writes the counts into README.md.

Everything the run leaves (tempest.conf, tempest.log, the subunit stream, results.json, the
cloud's log) is in the workspace, `.conformance/` unless --workspace says otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tests.conformance import outcomes, probe, tempest_conf
from tests.fixtures.interop import DEFAULT_PATH as INTEROP_DEFAULT
from tests.fixtures.interop import VENV as INTEROP
from tests.fixtures.server import LiveCloud, running_cloud

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
MUST_PASS = HERE / "must-pass.txt"
README = REPO / "README.md"
BEGIN, END = "<!-- conformance-counts:begin -->", "<!-- conformance-counts:end -->"
# tempest.api.<group> for each catalog type pocketstack implements.
GROUPS = {"identity": "identity", "compute": "compute", "image": "image", "network": "network"}
RUN_TIMEOUT = 1800


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.conformance", description=__doc__)
    parser.add_argument("--update", action="store_true",
                        help="add newly passing tests to must-pass.txt and refresh README's counts")
    parser.add_argument("--workspace", type=Path, default=REPO / ".conformance")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--regex", help="run only these tests (for a developer; no ratchet)")
    args = parser.parse_args(argv)
    venv = _interop_venv()
    workspace = args.workspace.resolve()
    if workspace.exists():
        shutil.rmtree(workspace)
    for folder in ("etc", "logs", "locks"):
        (workspace / folder).mkdir(parents=True)
    started = time.monotonic()
    # bcrypt at 4 rounds (the test configuration): tempest makes and logs in users per class.
    with running_cloud(workspace / "cloud", extra=tempest_conf.CLOUD_SETTINGS) as cloud:
        identity_v3 = f"{cloud.identity_url}/v3"
        facts = probe.describe(identity_v3, username="admin", password=cloud.admin_password,
                               project="admin")
        groups = sorted(g for kind, g in GROUPS.items() if kind in facts.services)
        services = "(" + "|".join(groups) + ")"
        # tempest.serial_tests change what the whole cloud offers (aggregates, zones): they
        # run on their own, one at a time, after the others, as upstream's gate runs them.
        runs = [(args.regex, False)] if args.regex else [
            (rf"^tempest\.api\.{services}\.", False),
            (rf"^tempest\.serial_tests\.api\.{services}\.", True),
        ]
        _write_workspace(workspace, venv, facts, cloud)
        _tempest(venv, workspace, "init")
        listed = [name for regex, _ in runs
                  for name in _tempest(venv, workspace, "list", regex).stdout.split()]
        print(f"tempest {_tempest_version()}: {len(listed)} tests in {', '.join(groups)}; "
              f"compute microversions {facts.compute_min}-{facts.compute_max}", flush=True)
        records: list[dict[str, object]] = []
        logs: list[str] = []
        for regex, serial in runs:
            how = ["--serial"] if serial else ["--concurrency", str(args.concurrency)]
            run = _tempest(venv, workspace, "run", *how, regex)
            logs.append(run.stdout + run.stderr)
            records += _records(venv, workspace)
        (workspace / "run.log").write_text("".join(logs))
        operations = outcomes.Operations(probe.openapi(cloud.base_url))
    class_log = outcomes.class_requests(_read(workspace / "logs" / "tempest.log"))
    results = outcomes.classify(listed, records, operations=operations, class_log=class_log)
    (workspace / "results.json").write_text(json.dumps(
        {name: [o.status, o.reason] for name, o in results.items()}, indent=1))
    must_pass = outcomes.read_list(MUST_PASS.read_text()) if MUST_PASS.exists() else []
    if args.regex:
        must_pass = [name for name in must_pass if name in results]
    verdict = outcomes.judge(results, must_pass)
    print(outcomes.table(results, must_pass))
    print(f"{len(records)} records in {time.monotonic() - started:.0f} s; workspace {workspace}")
    for name, outcome in verdict.broken.items():
        print(f"MUST PASS, did not: {name}: {outcome.status}: {outcome.reason}")
    if verdict.new:
        verb = "added to must-pass.txt" if args.update else "not in must-pass.txt yet (--update)"
        print(f"{len(verdict.new)} tests pass that are {verb}")
    if args.update and not args.regex:
        must_pass = sorted(set(must_pass) | set(verdict.new))
        _write_must_pass(must_pass)
        _write_readme(outcomes.table(results, must_pass), _tempest_version())
    return 0 if verdict.ok else 1


def _interop_venv() -> Path:
    given = os.environ.get("POCKETSTACK_INTEROP_VENV")
    if given:
        INTEROP.check(Path(given))
        return Path(given)
    return INTEROP.build(INTEROP_DEFAULT)


def _write_workspace(workspace: Path, venv: Path, facts: probe.CloudFacts,
                     cloud: LiveCloud) -> None:
    text = tempest_conf.render(facts, identity_v3=f"{cloud.identity_url}/v3",
                               admin_password=cloud.admin_password, workspace=workspace)
    conf = workspace / "etc" / "tempest.conf"
    conf.write_text(text)
    conf.chmod(0o600)  # it holds the admin password
    package = _site_packages(venv) / "tempest"
    (workspace / ".stestr.conf").write_text(
        f"[DEFAULT]\ntest_path={package / 'test_discover'}\ntop_dir={package.parent}\n"
        "group_regex=([^\\.]*\\.)*\n"
    )


def _site_packages(venv: Path) -> Path:
    found = sorted((venv / "lib").glob("python3*/site-packages"))
    if not found:
        raise SystemExit(f"{venv} has no site-packages")
    return found[0]


def _environment(workspace: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "POCKETSTACK_"))}
    return {**keep, "TEMPEST_CONFIG_DIR": str(workspace / "etc"), "no_proxy": "127.0.0.1",
            "NO_PROXY": "127.0.0.1", "PYTHONDONTWRITEBYTECODE": "1"}


def _tempest(venv: Path, workspace: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(venv / "bin" / "stestr"), *args], cwd=workspace,
                            env=_environment(workspace), capture_output=True, text=True,
                            timeout=RUN_TIMEOUT, check=False)
    if args[0] != "run" and result.returncode != 0:
        tail = (result.stdout + result.stderr)[-5000:]
        raise SystemExit(f"stestr {args[0]} failed:\n{tail}")
    return result


def _records(venv: Path, workspace: Path) -> list[dict[str, object]]:
    stream = subprocess.run([str(venv / "bin" / "stestr"), "last", "--subunit"], cwd=workspace,
                            env=_environment(workspace), capture_output=True, timeout=600,
                            check=False)
    with (workspace / "last.subunit").open("ab") as kept:  # each run's stream, in turn
        kept.write(stream.stdout)
    dumped = subprocess.run([str(venv / "bin" / "python"), str(HERE / "subunit_dump.py")],
                            input=stream.stdout, capture_output=True, timeout=600, check=True)
    return [json.loads(line) for line in dumped.stdout.splitlines() if line.strip()]


def _tempest_version() -> str:
    for line in (REPO / "tests" / "fixtures" / "interop-requirements.txt").read_text().splitlines():
        if line.startswith("tempest=="):
            return line.split("==", 1)[1]
    return "?"


def _read(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""


def _write_must_pass(names: list[str]) -> None:
    header = (
        "# tempest API tests that must pass against a fresh pocketstack cloud (`.ci/run`'s\n"
        "# conformance step). The list only grows: `python -m tests.conformance --update`\n"
        "# adds what newly passes; a test leaves it only with a reason in the commit.\n"
    )
    MUST_PASS.write_text(header + "".join(f"{name}\n" for name in names))


def _write_readme(table: str, version: str) -> None:
    text = README.read_text()
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    body = f"\ntempest {version}, against a fresh cloud on SQLite:\n\n{table}\n"
    README.write_text(text[:start] + body + text[end:])


if __name__ == "__main__":
    sys.exit(main())
