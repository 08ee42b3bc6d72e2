"""Where one `/servers/detail` page spends its time, in-process (no HTTP, no client).

Builds a cloud (migrate, keys, bootstrap) on SQLite or PostgreSQL, seeds N servers with the
project's own seeder, then calls the whole cloud WSGI app directly with an admin token and times
the page: median and spread of many runs, and optionally a cProfile of the hot loop.

    .venv/bin/python bench/profile_servers_page.py --servers 1000 100000 --limit 1000 100
    .venv/bin/python bench/profile_servers_page.py --servers 1000 --profile 25
    .venv/bin/python bench/profile_servers_page.py --servers 1000 --dump /tmp/before

Seeded databases are kept in --cache-dir (SQLite files) or as `ps_profile_<n>` PostgreSQL
databases, so later runs skip the seeding; --fresh rebuilds them. `--dump DIR` writes the decoded
bodies of a set of pages at several microversions, to compare outputs before and after a change.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import io
import json
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from pocketstack.cloud.app import WSGIApp, create_cloud_app
from pocketstack.cloud.bootstrap import bootstrap
from pocketstack.cloud.config import CloudConfig
from pocketstack.cloud.deps import CloudDeps, build_deps
from pocketstack.cloud.seed import seed
from pocketstack.cloud.store.db import Store
from pocketstack.cloud.store.models.compute import Instance
from pocketstack.cloud.store.models.identity import Project, Role, RoleAssignment, User
from pocketstack.cloud.store.upgrade import upgrade

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PUBLIC_URL = "http://cloud.test"
SEEDED_MARKER = "seeded"
DUMP_VERSIONS = ("2.1", "2.3", "2.9", "2.16", "2.19", "2.26", "2.47", "2.63", "2.73", "2.75",
                 "2.90", "2.96", "2.98", "2.100")  # fmt: skip


def _pg_database(name: str, *, fresh: bool) -> tuple[str, bool]:
    """The URL of a kept PostgreSQL database and whether it was just created."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if exists and fresh:
            conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
            exists = None
        if not exists:
            conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    return url, not exists


def build_cloud(*, backend: str, servers: int, cache_dir: Path, fresh: bool) -> CloudDeps:
    data_dir = cache_dir / f"{backend}-{servers}"
    if fresh and data_dir.exists():
        for path in sorted(data_dir.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
        data_dir.rmdir()
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    if backend == "sqlite":
        db_url = f"sqlite:///{data_dir / 'pocketstack.db'}"
        created = not (data_dir / SEEDED_MARKER).exists()
    else:
        db_url, created = _pg_database(f"ps_profile_{servers}", fresh=fresh)
        created = created or not (data_dir / SEEDED_MARKER).exists()
    config = CloudConfig(data_dir=data_dir, db_url=db_url, public_url=PUBLIC_URL, bcrypt_rounds=4)
    store = Store(db_url)
    deps = build_deps(config, store=store)
    if created:
        upgrade(store.engine)
        deps.keys.setup()
        bootstrap(deps, admin_password="profile-admin")
        started = time.perf_counter()
        seed(deps, servers=servers, projects=10)
        print(f"seeded {servers} servers on {backend} in {time.perf_counter() - started:.1f} s")
        (data_dir / SEEDED_MARKER).write_text(str(servers))
    return deps


def admin_token(deps: CloudDeps, *, as_member: bool = False) -> str:
    """The admin's token on the admin project; `as_member`: with the member and reader roles
    only (what a project's user sees)."""
    with deps.store.session() as session:
        user = session.scalars(select(User).where(User.name == "admin")).one()
        project = session.scalars(select(Project).where(Project.name == "admin")).one()
        roles = tuple(
            session.scalars(
                select(Role.name)
                .join(RoleAssignment, RoleAssignment.role_id == Role.id)
                .where(RoleAssignment.user_id == user.id, RoleAssignment.target_id == project.id)
            )
        )
        if as_member:
            # On a project with servers (the first seeded one).
            project = session.get_one(Project, session.scalars(select(Instance.project_id)).first())
            roles = tuple(session.scalars(select(Role.name).where(Role.name.in_(["member",
                                                                                  "reader"]))))
        return deps.tokens.issue(
            user_id=user.id, methods=["password"], project_id=project.id, roles=roles
        ).token_id


def call(app: WSGIApp, path: str, query: str, *, token: str, version: str) -> tuple[str, bytes]:
    """One request through the WSGI app, as a server would make it; (status, body)."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "cloud.test",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "cloud.test",
        "HTTP_ACCEPT": "application/json",
        "HTTP_X_AUTH_TOKEN": token,
        "HTTP_OPENSTACK_API_VERSION": f"compute {version}",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    status: list[str] = []

    def start_response(code: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        status.append(code)

    chunks: Iterable[bytes] = app(environ, start_response)
    body = b"".join(chunks)
    close = getattr(chunks, "close", None)
    if close is not None:
        close()
    return status[0], body


def timed(fn: Callable[[], object], runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds (this thread) of each run.

    On a shared, loaded machine the CPU time is the steadier figure: it leaves out the time the
    process waited for a core (the database work on PostgreSQL runs in another process, though).
    """
    fn()  # warm-up: caches, compiled statements, pool
    fn()
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.thread_time()
        fn()
        cpu.append(time.thread_time() - started_cpu)
        wall.append(time.perf_counter() - started)
    return wall, cpu


def describe(times: tuple[list[float], list[float]]) -> str:
    wall = sorted(t * 1000 for t in times[0])
    cpu = sorted(t * 1000 for t in times[1])
    q1, _median, q3 = statistics.quantiles(wall, n=4) if len(wall) > 1 else (wall[0],) * 3
    return (
        f"wall median {statistics.median(wall):7.2f} ms (min {wall[0]:7.2f}, iqr {q1:.2f}-{q3:.2f})"
        f"  cpu median {statistics.median(cpu):7.2f} ms  (n={len(wall)})"
    )


def dump(app: WSGIApp, token: str, out: Path, *, member: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    pages = [
        ("detail", "/compute/v2.1/servers/detail", "all_tenants=1&limit=1000"),
        ("detail-own", "/compute/v2.1/servers/detail", "limit=50"),
        ("index", "/compute/v2.1/servers", "all_tenants=1&limit=1000"),
        ("detail-legacy", "/compute/v2/servers/detail", "all_tenants=1&limit=200"),
        ("detail-deleted", "/compute/v2.1/servers/detail", "all_tenants=1&deleted=1&limit=200"),
    ]
    pages += [("member-" + name, path, query) for name, path, query in pages]
    for version in DUMP_VERSIONS:
        for name, path, query in pages:
            caller = member if name.startswith("member-") else token
            status, body = call(app, path, query, token=caller, version=version)
            decoded = json.loads(body)
            (out / f"{name}-{version}.json").write_text(
                json.dumps({"status": status, "body": decoded}, indent=1)
            )
    print(f"dumped {len(DUMP_VERSIONS) * len(pages)} pages to {out}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--servers", type=int, nargs="+", default=[1000])
    parser.add_argument("--limit", type=int, nargs="+", default=[1000])
    parser.add_argument("--version", default="2.100", help="compute microversion")
    parser.add_argument("--index", action="store_true", help="also time GET /servers")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="cProfile N requests and print the top"
    )
    parser.add_argument("--dump", type=Path, help="write decoded pages to this directory")
    parser.add_argument("--cache-dir", type=Path, default=Path("/tmp/pocketstack-profile"))
    parser.add_argument("--fresh", action="store_true", help="rebuild the seeded databases")
    args = parser.parse_args(argv)

    for servers in args.servers:
        deps = build_cloud(
            backend=args.backend, servers=servers, cache_dir=args.cache_dir, fresh=args.fresh
        )
        app = create_cloud_app(deps)
        token = admin_token(deps)
        # As a served worker does once its app is built (serving/runner.py).
        gc.collect()
        gc.freeze()
        if args.dump:
            dump(app, token, args.dump / f"{args.backend}-{servers}",
                 member=admin_token(deps, as_member=True))  # fmt: skip
        paths = [("detail", "/compute/v2.1/servers/detail")]
        if args.index:
            paths.append(("index", "/compute/v2.1/servers"))
        for limit in args.limit:
            for name, path in paths:
                query = f"all_tenants=1&limit={limit}"

                def page(
                    path: str = path, query: str = query, app: WSGIApp = app, token: str = token
                ) -> None:
                    status, body = call(app, path, query, token=token, version=args.version)
                    if not status.startswith("200"):
                        raise SystemExit(f"{path}?{query}: {status} {body[:300]!r}")

                _status, body = call(app, path, query, token=token, version=args.version)
                count = len(json.loads(body)["servers"])
                label = f"{args.backend} {servers:>7} servers {name:6} limit={limit:<5}"
                print(f"{label} [{count} items, {len(body) / 1e6:.2f} MB @{args.version}] "
                      f"{describe(timed(page, args.runs))}")  # fmt: skip
        if args.profile:
            query = f"all_tenants=1&limit={args.limit[0]}"
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.profile):
                call(app, paths[0][1], query, token=token, version=args.version)
            profiler.disable()
            stats = pstats.Stats(profiler)
            stats.sort_stats("tottime").print_stats(30)
            stats.sort_stats("cumulative").print_stats(40)
        deps.store.dispose()
    print(f"at {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M:%S}Z")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
