"""What every case needs: the tools, the knobs of the mode, a scratch directory, a clean env."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.venv import BenchVenv

# Variables a developer's shell may carry that would point a client elsewhere.
_DROPPED_PREFIXES = ("OS_", "POCKETSTACK_", "NOVA", "OPENSTACK")


@dataclass(frozen=True, kw_only=True)
class Knobs:
    """How much each case does; --quick shrinks everything to fit in two minutes."""

    startup_runs: tuple[int, int, float]  # min runs, max runs, time budget (s)
    list_runs: tuple[int, int, float]
    slow_list_runs: tuple[int, int, float]  # for commands taking seconds each
    slow_warmup_above: int  # no warm-up run for slow commands above this many servers
    list_sizes: tuple[int, ...]  # servers visible to the admin, list latency vs size
    all_servers: int  # case 3
    db_sizes: tuple[int, ...]  # case 4
    postgresql_sizes: tuple[int, ...]
    load_size: int  # case 4 requests/s measured at this database size
    load_seconds: float
    load_workers: tuple[int, ...]
    page_requests: int
    memory_servers: int  # case 5
    token_requests: tuple[int, int]  # password tokens at 4 and 12 rounds
    abuse_seconds: float  # case 6: how long slow connections and the login flood last
    create_requests: int  # case 7: sequential creates timed at each project size
    create_project_servers: tuple[int, ...]  # case 7: servers already in the project
    create_load_workers: tuple[int, ...]  # case 7: creates per second with these workers
    page_table_sizes: tuple[int, ...]  # case 8: rows in each table (SQLite)
    page_table_sizes_postgresql: tuple[int, ...]


QUICK = Knobs(
    startup_runs=(3, 4, 1.0),
    list_runs=(3, 6, 2.0),
    slow_list_runs=(1, 1, 0.0),
    slow_warmup_above=50,
    list_sizes=(),
    all_servers=200,
    db_sizes=(1_000, 10_000),
    postgresql_sizes=(1_000,),
    load_size=10_000,
    load_seconds=2.0,
    load_workers=(1, 2),
    page_requests=8,
    memory_servers=10_000,
    token_requests=(10, 3),
    abuse_seconds=6.0,
    create_requests=10,
    create_project_servers=(0, 10_000),
    create_load_workers=(2,),
    page_table_sizes=(1_000, 10_000),
    page_table_sizes_postgresql=(1_000,),
)

FULL = Knobs(
    startup_runs=(10, 20, 6.0),
    list_runs=(10, 20, 8.0),
    # openstack takes ~45 s a run at 2,500 servers on a 2-core machine: one run there keeps the
    # whole bench near its 15 minutes; the smaller sizes still get several.
    slow_list_runs=(1, 5, 20.0),
    # The same commands had their warm-up at the smaller sizes (a run at 2,500 servers takes
    # openstack ~20 s).
    slow_warmup_above=500,
    list_sizes=(50, 500, 2_500),
    all_servers=2_500,
    db_sizes=(1_000, 100_000, 1_000_000),
    # Seeding PostgreSQL runs at ~1,300 servers/s here (a million would take ~13 minutes of
    # the 15), so it stops at 100k; SQLite seeds ~10,000/s and goes to a million.
    postgresql_sizes=(1_000, 100_000),
    load_size=100_000,
    load_seconds=3.0,
    load_workers=(1, 2, 4),
    page_requests=20,
    memory_servers=100_000,
    # 200 at 4 rounds (~3 ms each): the worker's CPU clock ticks every 10 ms.
    token_requests=(200, 8),
    abuse_seconds=20.0,
    create_requests=30,
    create_project_servers=(0, 100_000),
    create_load_workers=(1, 2),
    page_table_sizes=(1_000, 10_000, 100_000),
    page_table_sizes_postgresql=(1_000, 10_000, 100_000),
)


@dataclass(kw_only=True)
class Context:
    quick: bool
    knobs: Knobs
    repo: Path
    venv: BenchVenv
    pocketstack: Path
    pocketstack_python: Path
    workdir: Path
    results_path: Path
    postgresql_url: str | None
    only: frozenset[str] | None
    # Measure a genuine Keystone beside pocketstack's identity in case 4 (bench/genuine_keystone).
    keystone: bool = True
    # An older pocketstack executable that case 6 also measures, for a before/after comparison.
    abuse_before: Path | None = None
    results: dict[str, Any] = field(default_factory=dict)

    def base_env(self, *, home: Path | None = None) -> dict[str, str]:
        """The caller's environment without OpenStack settings, with a private home and caches."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(_DROPPED_PREFIXES)}
        home = home or self.workdir / "home"
        home.mkdir(parents=True, exist_ok=True)
        env["HOME"] = str(home)
        env["XDG_CACHE_HOME"] = str(home / ".cache")
        env["XDG_CONFIG_HOME"] = str(home / ".config")
        env["XDG_DATA_HOME"] = str(home / ".local" / "share")
        # Byte-code caches on, as on a user's machine.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["COLUMNS"] = "200"
        env["LC_ALL"] = "C.UTF-8"
        return env

    def save(self) -> None:
        self.results_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.results_path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(self.results, indent=2, sort_keys=False) + "\n")
        tmp.replace(self.results_path)
