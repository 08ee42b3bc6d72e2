"""Snapshot and restore time by database size: `python -m bench.snapshot_restore`.

Per backend and size, a fresh cloud (schema, keys, bootstrap) is seeded with that many servers
over 10 projects (`manage seed`'s code), then snapshotted and restored `--runs` times through
the same functions `pocketstack manage snapshot/restore` call; the median and the spread are
printed as a Markdown table for BENCHMARKS.md. PostgreSQL and MariaDB get a scratch database on
127.0.0.1 each (dropped after).
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

ADMIN_URLS = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
    "mariadb": "mysql+pymysql://root@127.0.0.1:3306/mysql",
}


@contextmanager
def _database(backend: str, home: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{home / 'pocketstack.db'}"
        return
    name = f"ps_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(ADMIN_URLS[backend], isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    base = ADMIN_URLS[backend].rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}" + ("?charset=utf8mb4" if backend == "mariadb" else "")
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        admin.dispose()


def _measure(backend: str, servers: int, runs: int) -> tuple[int, list[float], list[float]]:
    from pocketstack.cloud.config import load_config
    from pocketstack.cloud.deps import build_deps
    from pocketstack.cloud.seed import seed
    from pocketstack.cloud.serving.firststart import initialise
    from pocketstack.cloud.snapshots import ops

    with tempfile.TemporaryDirectory() as tmp, _database(backend, Path(tmp)) as url:
        config = load_config(data_dir=Path(tmp) / "cloud", db_url=url, port=8799)
        config = dataclasses.replace(config, bcrypt_rounds=4)
        initialise(config, admin_password="bench-password")
        deps = build_deps(config)
        try:
            seed(deps, servers=servers, projects=10)
            takes, restores, rows = [], [], 0
            for _ in range(runs):
                started = time.perf_counter()
                rows = ops.take(config, "bench", deps.store).rows
                takes.append(time.perf_counter() - started)
                started = time.perf_counter()
                ops.restore(config, "bench", deps.store)
                restores.append(time.perf_counter() - started)
            return rows, takes, restores
        finally:
            deps.store.dispose()


def _fmt(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:.2f} s"
    return f"{statistics.median(values):.2f} s ({min(values):.2f} to {max(values):.2f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql", "mariadb"])
    parser.add_argument("--servers", nargs="+", type=int, default=[1000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print("| database | servers | rows | snapshot | restore |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for backend in args.backends:
        for servers in args.servers:
            rows, takes, restores = _measure(backend, servers, args.runs)
            print(f"| {backend} | {servers:,} | {rows:,} | {_fmt(takes)} | {_fmt(restores)} |",
                  flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
