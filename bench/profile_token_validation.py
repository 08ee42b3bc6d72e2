"""Where a token validation (and a password token) spends its time, in-process (no HTTP).

Builds a fresh cloud (migrate, keys, bootstrap at bcrypt 4 rounds) on SQLite and/or a fresh
PostgreSQL database, then calls the whole cloud WSGI app directly and times each request kind:
median and spread of wall-clock and CPU time, SQL statements and pool checkouts per request, and
optionally a cProfile of the hot loop.

    .venv/bin/python bench/profile_token_validation.py
    .venv/bin/python bench/profile_token_validation.py --backend postgresql --runs 2000
    .venv/bin/python bench/profile_token_validation.py --kinds validate-self --profile 500

Kinds: validate-other (admin caller, another user's token as subject), validate-self (subject ==
caller, what the bench's "token validation" measures), validate-nocatalog, head, compute-flavors
(the compute middleware's validation plus a cheap call), password-token (POST, project scope)
beside bcrypt-check (the hash check alone, same rounds), v3-document (framework floor, no DB).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import bcrypt
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url

from pocketstack.cloud.app import WSGIApp, create_cloud_app
from pocketstack.cloud.deps import CloudDeps

# The in-process cloud comes from the test fixtures; run as a script, the repository root is not
# on the path by itself.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.fixtures.cloud import (
    ADMIN_PASSWORD,
    OffsetClock,
    admin_token,
    create_user,
    issue_token,
    make_deps,
)

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
TOKENS = "/identity/v3/auth/tokens"
KINDS = (
    "v3-document",
    "validate-self",
    "validate-other",
    "validate-nocatalog",
    "head",
    "compute-flavors",
    "password-token",
    "bcrypt-check",
)
EXPECTED = {"POST": "201", "HEAD": "200", "GET": "200"}


class Counter:
    """SQL statements and pool checkouts, counted through engine and pool events."""

    def __init__(self, engine: Engine) -> None:
        self.statements = 0
        self.checkouts = 0
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine.pool, "checkout", self._checkout)

    def _statement(self, *_args: Any) -> None:
        self.statements += 1

    def _checkout(self, *_args: Any) -> None:
        self.checkouts += 1


@contextmanager
def pg_database() -> Iterator[str]:
    name = f"ps_tokprof_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@contextmanager
def database(backend: str, workdir: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'pocketstack.db'}"
    else:
        with pg_database() as url:
            yield url


def call(
    app: WSGIApp,
    method: str,
    path: str,
    *,
    query: str = "",
    headers: dict[str, str] | None = None,
    body: bytes = b"",
) -> tuple[str, bytes]:
    """One request through the WSGI app, as a server would make it; (status code, body)."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "cloud.test",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "cloud.test",
        "HTTP_ACCEPT": "application/json",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    if body:
        environ["CONTENT_TYPE"] = "application/json"
        environ["CONTENT_LENGTH"] = str(len(body))
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    status: list[str] = []

    def start_response(code: str, _headers: list[tuple[str, str]], _exc: Any = None) -> None:
        status.append(code)

    chunks: Iterable[bytes] = app(environ, start_response)
    data = b"".join(chunks)
    close = getattr(chunks, "close", None)
    if close is not None:
        close()
    return status[0].split()[0], data


def requests(deps: CloudDeps, app: WSGIApp) -> dict[str, Callable[[], tuple[str, bytes]]]:
    """One zero-argument callable per kind; each returns (status code, body)."""
    admin = admin_token(deps)
    user = create_user(deps, name="profiled", project_name="demo", roles=("member",))
    other = issue_token(deps, user_id=user.id, project_id=user.project_id)
    password_body = json.dumps(
        {
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {
                            "name": "admin",
                            "domain": {"id": "default"},
                            "password": ADMIN_PASSWORD,
                        }
                    },
                },
                "scope": {"project": {"name": "admin", "domain": {"id": "default"}}},
            }
        }
    ).encode()
    stored_hash = bcrypt.hashpw(ADMIN_PASSWORD.encode(), bcrypt.gensalt(deps.config.bcrypt_rounds))
    self_headers = {"X-Auth-Token": admin, "X-Subject-Token": admin}
    other_headers = {"X-Auth-Token": admin, "X-Subject-Token": other}

    def bcrypt_check() -> tuple[str, bytes]:
        ok = bcrypt.checkpw(ADMIN_PASSWORD.encode(), stored_hash)
        return ("200" if ok else "401"), b""

    return {
        "v3-document": lambda: call(app, "GET", "/identity/v3"),
        "validate-self": lambda: call(app, "GET", TOKENS, headers=self_headers),
        "validate-other": lambda: call(app, "GET", TOKENS, headers=other_headers),
        "validate-nocatalog": lambda: call(
            app, "GET", TOKENS, query="nocatalog", headers=other_headers
        ),
        "head": lambda: call(app, "HEAD", TOKENS, headers=other_headers),
        "compute-flavors": lambda: call(
            app, "GET", "/compute/v2.1/flavors", headers={"X-Auth-Token": admin}
        ),
        "password-token": lambda: call(app, "POST", TOKENS, body=password_body),
        "bcrypt-check": bcrypt_check,
    }


def measure(
    fn: Callable[[], tuple[str, bytes]], *, runs: int, counter: Counter, expected: str
) -> dict[str, float]:
    for _ in range(20):  # warm-up: compiled statements, pool, imports
        status, body = fn()
        if status != expected:
            raise SystemExit(f"unexpected status {status}: {body[:300]!r}")
    statements, checkouts = counter.statements, counter.checkouts
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.thread_time()
        fn()
        cpu.append(time.thread_time() - started_cpu)
        wall.append(time.perf_counter() - started)
    wall.sort()
    return {
        "wall_median_ms": statistics.median(wall) * 1000,
        "wall_p90_ms": wall[int(len(wall) * 0.9)] * 1000,
        "wall_min_ms": wall[0] * 1000,
        "cpu_median_ms": statistics.median(cpu) * 1000,
        "statements": (counter.statements - statements) / runs,
        "checkouts": (counter.checkouts - checkouts) / runs,
    }


def profile(fn: Callable[[], object], *, count: int, top: int) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(count):
        fn()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="ps-tokprof-") as tmp:
        data_dir = Path(tmp) / "cloud"
        data_dir.mkdir(mode=0o700)
        with database(backend, Path(tmp)) as url:
            # As `pocketstack serve` runs: the test suite's response checks off.
            deps = make_deps(data_dir=data_dir, db_url=url, clock=OffsetClock(),
                             settings={"check_responses": False})
            try:
                app = create_cloud_app(deps)
                counter = Counter(deps.store.engine)
                calls = requests(deps, app)
                for kind in args.kinds:
                    method = (
                        "POST" if kind == "password-token" else "HEAD" if kind == "head" else "GET"
                    )
                    runs = (
                        args.runs
                        if kind not in ("password-token", "bcrypt-check")
                        else max(50, args.runs // 10)
                    )
                    result = measure(
                        calls[kind], runs=runs, counter=counter, expected=EXPECTED[method]
                    )
                    results[kind] = result
                    print(
                        f"{backend:10s} {kind:19s} wall {result['wall_median_ms']:6.3f} ms "
                        f"(p90 {result['wall_p90_ms']:6.3f}, min {result['wall_min_ms']:6.3f})  "
                        f"cpu {result['cpu_median_ms']:6.3f} ms  "
                        f"sql {result['statements']:.1f}  checkouts {result['checkouts']:.1f}",
                        flush=True,
                    )
                    if args.profile:
                        print(profile(calls[kind], count=args.profile, top=args.top))
            finally:
                deps.store.dispose()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--backend", choices=("sqlite", "postgresql"), nargs="+", default=["sqlite", "postgresql"]
    )
    parser.add_argument("--kinds", choices=KINDS, nargs="+", default=list(KINDS))
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="cProfile N requests")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    figures = {backend: run_backend(backend, args) for backend in args.backend}
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
