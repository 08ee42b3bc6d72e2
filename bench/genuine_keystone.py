"""A genuine OpenStack Keystone measured beside pocketstack's identity in the same run.

Absolute latencies move a lot from machine to machine, and on this kind of machine by tens of
percent within minutes, so the comparison the project's targets ask for is a ratio measured
side by side: Keystone 30 as the reference targets describe it (SQLite, Fernet tokens, gunicorn
with one sync worker, the in-memory cache on, bcrypt at 4 rounds) and a fresh pocketstack cloud
(SQLite, one gunicorn worker, bcrypt 4 rounds) both running, asked in turns the same requests,
by the same client, as many times as case 4 asks pocketstack.

Keystone comes from the test fixture's pins (tests/fixtures/keystone-requirements.txt) plus
gunicorn, in bench/.venv-keystone, built once by the same PinnedVenv the tests use. Whatever
goes wrong here (no PyPI, a failed install, a Keystone that does not start) is recorded as the
reason it was skipped; the rest of the bench goes on.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import secrets
import subprocess
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from tests.fixtures import keystone_setup
from tests.fixtures.pinned_venv import PinnedVenv, VenvUnavailable

from bench import token_kinds
from bench.case_output import say
from bench.cloud import CloudSpec, free_port, running_cloud, stop
from bench.context import Context
from bench.keystone_interleaved import BLOCKS, Side, compare, interleaved, prepare_side
from bench.procs import BenchError, children, cpu_seconds, rss_kb
from bench.venv import BENCH_DIR

REQUIREMENTS = BENCH_DIR / "keystone-requirements.txt"
VENV_DIR = BENCH_DIR / ".venv-keystone"
INSTALL_TIMEOUT = 900
START_TIMEOUT = 90.0
# A worker that exits while booting is started again by gunicorn, forever: after this many, stop.
WORKER_RESTARTS = 3
TOKENS = "/v3/auth/tokens"
POCKETSTACK_TOKENS = "/identity/v3/auth/tokens"
ADMIN = "admin"

# gunicorn imports this module in its worker. Keystone finds keystone.conf through
# OS_KEYSTONE_CONFIG_DIR, and oslo.config parses sys.argv, where gunicorn's own options would
# be refused: by the time the worker imports the app, gunicorn has read them already.
LAUNCHER = """\
import os
import sys

os.environ["OS_KEYSTONE_CONFIG_DIR"] = os.path.dirname(os.path.abspath(__file__))
sys.argv = sys.argv[:1]

from keystone.server import wsgi

application = wsgi.initialize_public_application()
"""
LAUNCHER_MODULE = "bench_keystone_wsgi"

VERSIONS_CODE = (
    "import importlib.metadata as m, json\n"
    "print(json.dumps({n: m.version(n) for n in ('keystone', 'gunicorn')}))\n"
)


class KeystoneVenvUnavailable(VenvUnavailable):
    pass


@dataclass(frozen=True, kw_only=True)
class _BenchKeystoneVenv(PinnedVenv):
    """The bench's file only names the fixture's pins (`-r`), so both files make the stamp:
    a change of the fixture's pins rebuilds this venv too."""

    included: Path

    def digest(self) -> str:
        text = self.requirements.read_bytes() + b"\0" + self.included.read_bytes()
        return hashlib.sha256(text).hexdigest()


VENV = _BenchKeystoneVenv(
    requirements=REQUIREMENTS,
    included=BENCH_DIR.parent / "tests" / "fixtures" / "keystone-requirements.txt",
    default_path=VENV_DIR,
    executables=("keystone-manage", "gunicorn"),
    modules=("keystone.server.wsgi", "gunicorn"),
    modules_label="Keystone and gunicorn",
    install_timeout=INSTALL_TIMEOUT,
    unavailable=KeystoneVenvUnavailable,
)


@dataclass(frozen=True, kw_only=True)
class PreparedKeystone:
    """A configured and bootstrapped Keystone, not yet served."""

    venv: Path
    root: Path
    port: int
    password: str

    @property
    def log(self) -> Path:
        return self.root / "gunicorn.log"


@dataclass(frozen=True, kw_only=True)
class RunningKeystone:
    prepared: PreparedKeystone
    process: subprocess.Popen[bytes]

    @property
    def port(self) -> int:
        return self.prepared.port

    def server_cpu_s(self) -> float:
        """CPU seconds of the gunicorn worker so far (the master only supervises it)."""
        return sum(cpu_seconds(pid) for pid in children(self.process.pid))

    def rss(self) -> dict[str, int]:
        workers = children(self.process.pid)
        return {
            "master_kb": rss_kb(self.process.pid),
            "worker_max_kb": max((rss_kb(pid) for pid in workers), default=0),
        }


def side_by_side(ctx: Context, section: dict[str, Any]) -> dict[str, Any]:
    """Keystone's figures and the ratios to pocketstack's, or why they are missing; never
    raises (a Keystone that cannot be had must not cost the run its server figures)."""
    reason = _skip_reason(ctx)
    if reason is not None:
        say(f"  Keystone side by side: skipped ({reason})")
        return {"skipped": reason}
    started = time.perf_counter()
    try:
        result = _measure(ctx)
    except (BenchError, VenvUnavailable) as exc:
        return _failed(section, str(exc), started)
    except (OSError, subprocess.SubprocessError, http.client.HTTPException) as exc:
        return _failed(section, f"{type(exc).__name__}: {exc}", started)
    except Exception as exc:
        # Anything else is a bug here, but still not a reason to lose the run: keep the trace.
        return _failed(section, "".join(traceback.format_exception(exc)).strip(), started)
    result["elapsed_s"] = time.perf_counter() - started
    say(f"  Keystone side by side took {result['elapsed_s']:.0f} s in all")
    return result


def _skip_reason(ctx: Context) -> str | None:
    if not ctx.keystone:
        return "--keystone off"
    if ctx.quick and ctx.only is None:
        # Its set-up alone (db_sync, bootstrap, a worker importing Keystone) is a good part of
        # the quick run's two minutes; `--quick --only server` still includes it.
        return "not in a --quick run of every case (use --quick --only server)"
    return None


def _failed(section: dict[str, Any], reason: str, started: float) -> dict[str, Any]:
    # The report shows one line of each error: pip's or gunicorn's tail goes on that line too.
    flat = " ".join(reason.split()) or "?"
    section["errors"].append(f"Keystone side by side: {flat[:500]}")
    say(f"  Keystone side by side: FAILED: {flat[:300]}")
    return {"skipped": f"failed: {reason}", "elapsed_s": time.perf_counter() - started}


def _measure(ctx: Context) -> dict[str, Any]:
    say("case 4: genuine Keystone side by side")
    step = time.perf_counter()
    if not VENV.is_current(VENV_DIR):
        say(f"  building {VENV_DIR} (Keystone and gunicorn from PyPI; once)")
    venv = VENV.build(VENV_DIR)
    versions = _versions(venv)
    venv_s = time.perf_counter() - step
    prepared = _prepare(venv, ctx.workdir / "keystone")
    setup_s = time.perf_counter() - step - venv_s
    spec = CloudSpec(data_dir=ctx.workdir / "cloud-beside-keystone", bcrypt_rounds=4, workers=1)
    env = ctx.base_env()
    with (
        _served(prepared) as keystone,
        running_cloud(pocketstack=ctx.pocketstack, spec=spec, env=env, workers=1) as cloud,
    ):
        serve_s = time.perf_counter() - step - venv_s - setup_s
        say(
            f"  Keystone {versions['keystone']} on gunicorn {versions['gunicorn']}: venv "
            f"{venv_s:.0f} s, database and bootstrap {setup_s:.0f} s, both servers answering "
            f"{serve_s:.0f} s later"
        )
        admin = cloud.openrc()
        sides = (
            prepare_side(
                "pocketstack",
                cloud.port,
                POCKETSTACK_TOKENS,
                user=admin["OS_USERNAME"],
                password=admin["OS_PASSWORD"],
                cpu=cloud.server_cpu_s,
            ),
            prepare_side(
                "keystone",
                keystone.port,
                TOKENS,
                user=ADMIN,
                password=prepared.password,
                cpu=keystone.server_cpu_s,
            ),
        )
        comparison = [
            # The arguments case 4 gives pocketstack's own validation and password tokens.
            compare(
                "validation",
                "token validation (GET /v3/auth/tokens, cached)",
                interleaved(sides, "GET", count=ctx.knobs.page_requests * 5, warmup=2),
            ),
            compare(
                "password_token",
                "password token (POST /v3/auth/tokens, project scope, bcrypt 4 rounds)",
                interleaved(
                    sides,
                    "POST",
                    count=ctx.knobs.token_requests[0],
                    warmup=1,
                    budget_s=20,
                    expect=201,
                ),
            ),
            *_other_kinds(ctx, sides, admin, prepared.password),
        ]
        rss = keystone.rss()
    ctx.results.setdefault("versions", {})["keystone (side by side)"] = (
        f"{versions['keystone']} on gunicorn {versions['gunicorn']}"
    )
    return {
        "version": versions["keystone"],
        "gunicorn": versions["gunicorn"],
        "setup": (
            "SQLite, Fernet tokens, gunicorn --workers 1 (sync), [cache] enabled with "
            "dogpile.cache.memory, [identity] password_hash_rounds = 4"
        ),
        "pocketstack_setup": (
            "a fresh cloud: SQLite, no servers, one gunicorn worker, bcrypt 4 rounds"
        ),
        "blocks": BLOCKS,
        "venv": str(venv),
        "venv_s": venv_s,
        "setup_s": setup_s,
        "start_s": serve_s,
        "rss": rss,
        "comparison": comparison,
    }


def _other_kinds(
    ctx: Context, sides: tuple[Side, Side], admin: dict[str, str], keystone_password: str
) -> list[dict[str, Any]]:
    """The token kinds of bench/token_kinds.py, asked of both sides as the password token is
    (same count, warm-up and budget): only the auth request's body differs."""
    ps, ks = sides
    bodies = (
        token_kinds.auth_bodies(
            ps.port, "/identity/v3", admin_user=admin["OS_USERNAME"],
            admin_password=admin["OS_PASSWORD"],
        ),
        token_kinds.auth_bodies(
            ks.port, "/v3", admin_user=ADMIN, admin_password=keystone_password
        ),
    )  # fmt: skip
    rows = []
    for key, label in token_kinds.KINDS:
        asked = tuple(
            replace(side, password_body=side_bodies[key])
            for side, side_bodies in zip(sides, bodies, strict=True)
        )
        measured = interleaved(
            asked, "POST", count=ctx.knobs.token_requests[0], warmup=1, budget_s=20, expect=201
        )
        rows.append(compare(key, f"{label} (bcrypt 4 rounds)", measured))
    return rows


def _versions(venv: Path) -> dict[str, str]:
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-c", VERSIONS_CODE],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    if done.returncode != 0:
        raise BenchError(f"cannot read Keystone's version: {done.stderr[-500:]}")
    result: dict[str, str] = json.loads(done.stdout)
    return result


def _prepare(venv: Path, root: Path) -> PreparedKeystone:
    """keystone.conf, the database, the Fernet keys and the bootstrapped admin (the steps
    devstack takes, as tests/fixtures/keystone.py does)."""
    port = free_port()
    password = "pw" + secrets.token_urlsafe(16)
    try:
        keystone_setup.set_up(
            venv, root, identity_url=f"http://127.0.0.1:{port}/v3", password=password, cache=True
        )
    except keystone_setup.KeystoneSetupError as exc:
        raise BenchError(str(exc)) from None
    (root / f"{LAUNCHER_MODULE}.py").write_text(LAUNCHER)
    return PreparedKeystone(venv=venv, root=root, port=port, password=password)


@contextmanager
def _served(prepared: PreparedKeystone) -> Iterator[RunningKeystone]:
    """gunicorn serving Keystone, one sync worker (as pocketstack's latencies are measured),
    until the block ends."""
    argv = [
        str(prepared.venv / "bin" / "gunicorn"),
        "--workers",
        "1",
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{prepared.port}",
        "--chdir",
        str(prepared.root),
        "--timeout",
        "120",
        "--log-level",
        "warning",
        "--no-control-socket",
        f"{LAUNCHER_MODULE}:application",
    ]
    with prepared.log.open("ab") as out:
        process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=out, stderr=out, env=keystone_setup.clean_env()
        )
    try:
        _wait_until_answers(prepared, process)
        yield RunningKeystone(prepared=prepared, process=process)
    finally:
        stop(process)


def _wait_until_answers(prepared: PreparedKeystone, process: subprocess.Popen[bytes]) -> None:
    # gunicorn binds at once but its worker imports Keystone first: a probe may wait a while.
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(
                f"Keystone's gunicorn exited with {process.returncode}:\n{_log_tail(prepared)}"
            )
        if _worker_exits(prepared) >= WORKER_RESTARTS:
            raise BenchError(f"Keystone's gunicorn worker keeps exiting:\n{_log_tail(prepared)}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", prepared.port, timeout=5)
            try:
                conn.request("GET", "/v3")
                if conn.getresponse().status == 200:
                    return
            finally:
                conn.close()
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.2)
    raise BenchError(f"Keystone did not answer in {START_TIMEOUT:.0f} s:\n{_log_tail(prepared)}")


def _worker_exits(prepared: PreparedKeystone) -> int:
    try:
        return prepared.log.read_text(errors="replace").count("exited with code")
    except FileNotFoundError:
        return 0


def _log_tail(prepared: PreparedKeystone) -> str:
    parts = []
    for path in (prepared.log, prepared.root / "keystone.log"):
        if path.exists():
            parts.append(path.read_text(errors="replace")[-1500:])
    return "\n".join(parts)
