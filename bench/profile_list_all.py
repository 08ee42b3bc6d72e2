"""Where the client spends its time in `pocketstack list --all-tenants --limit -1`, in-process.

Builds a cloud with the test fixtures' make_deps (fresh SQLite, keys, bootstrap), seeds N servers
with the project's seeder, then runs the real entry point (`pocketstack.cli.main.main`) over the
in-process WSGI transport with a warm auth cache. Every request the transport hands to the cloud
app is timed apart, so the figures split into the server's share and the client's own CPU
(decoding, objects, sorting, rendering): the client's is what this script is about.

    .venv/bin/python bench/profile_list_all.py --servers 2500 10000
    .venv/bin/python bench/profile_list_all.py --servers 10000 --profile
    .venv/bin/python bench/profile_list_all.py --servers 300 --dump /tmp/before

`--dump DIR` writes the stdout of `list` for a matrix of flags (formats, -c, --sort-column,
--fields, --minimal, --long, terminal colour and widths) to compare outputs before and after a
change (`diff -r`). Seeded clouds are kept in --cache-dir so later runs skip the seeding.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    # tests.fixtures is not an installed package.
    sys.path.insert(0, str(ROOT))

from tests.fixtures.cloud import (  # noqa: E402
    ADMIN_PASSWORD,
    TEST_PUBLIC_URL,
    OffsetClock,
    make_deps,
)

from pocketstack.cli.main import main as cli_main  # noqa: E402
from pocketstack.client.transport import Request, Response  # noqa: E402
from pocketstack.client.transport.wsgi import WSGITransport  # noqa: E402
from pocketstack.cloud.app import create_cloud_app  # noqa: E402
from pocketstack.cloud.compute.seed import seed  # noqa: E402
from pocketstack.cloud.config import CloudConfig  # noqa: E402
from pocketstack.cloud.deps import CloudDeps, build_deps  # noqa: E402
from pocketstack.cloud.store.db import Store  # noqa: E402

LIST_ARGV = ["list", "--all-tenants", "--limit", "-1"]
ENV = {
    "OS_AUTH_URL": f"{TEST_PUBLIC_URL}/identity/v3",
    "OS_USERNAME": "admin",
    "OS_PASSWORD": ADMIN_PASSWORD,
    "OS_PROJECT_NAME": "admin",
    "OS_USER_DOMAIN_NAME": "Default",
    "OS_PROJECT_DOMAIN_NAME": "Default",
}
SEEDED_MARKER = "seeded"

# (name, argv after `list`, extra environment, stdout is a terminal)
DUMP_CASES: tuple[tuple[str, list[str], dict[str, str], bool], ...] = (
    ("table", [], {}, False),
    ("json", ["-f", "json"], {}, False),
    ("yaml", ["-f", "yaml"], {}, False),
    ("csv", ["-f", "csv"], {}, False),
    ("value", ["-f", "value"], {}, False),
    ("columns", ["-c", "Name", "-c", "Networks", "-c", "ID"], {}, False),
    ("columns-csv", ["-f", "csv", "-c", "Status", "-c", "Name"], {}, False),
    ("sort-column", ["--sort-column", "Status", "--sort-column", "Name"], {}, False),
    ("sort-column-desc", ["--sort-column", "Power State", "--sort-descending"], {}, False),
    ("sort-column-json", ["-f", "json", "--sort-column", "Task State"], {}, False),
    ("sort", ["--sort", "display_name:asc,created_at"], {}, False),
    ("fields", ["--fields", "name,status,networks,flavor:original_name,metadata"], {}, False),
    ("fields-json", ["-f", "json", "--fields", "name,task_state,power_state,tags"], {}, False),
    ("fields-value", ["-f", "value", "--fields", "security_groups,host,locked"], {}, False),
    ("minimal", ["--minimal"], {}, False),
    ("minimal-json", ["--minimal", "-f", "json"], {}, False),
    ("long", ["--long"], {}, False),
    ("long-json", ["--long", "-f", "json"], {}, False),
    ("long-csv", ["--long", "-f", "csv"], {}, False),
    ("deleted", ["--deleted"], {}, False),
    ("changes-since", ["--changes-since", "2000-01-01T00:00:00Z"], {}, False),
    ("empty", ["--name", "^no-such-server$"], {}, False),
    ("empty-json", ["--name", "^no-such-server$", "-f", "json"], {}, False),
    ("own", ["--all-tenants", "0"], {}, False),
    ("old-version", ["--os-compute-api-version", "2.1"], {}, False),
    (
        "old-version-fields",
        ["--os-compute-api-version", "2.9", "--fields", "flavor,name"],
        {},
        False,
    ),
    ("max-width", ["--max-width", "90"], {}, False),
    ("max-width-long", ["--long", "--max-width", "120"], {}, False),
    ("fit-width-env", [], {"CLIFF_MAX_TERM_WIDTH": "70"}, False),
    ("tty-colour", [], {"COLUMNS": "400", "TERM": "xterm"}, True),
    ("tty-colour-narrow", [], {"COLUMNS": "100", "TERM": "xterm"}, True),
    ("tty-colour-deleted", ["--deleted"], {"COLUMNS": "300", "TERM": "xterm"}, True),
    ("tty-fit", ["--fit-width"], {"COLUMNS": "110", "TERM": "xterm"}, True),
    ("tty-no-colour", ["--no-color"], {"COLUMNS": "90", "TERM": "xterm"}, True),
    ("tty-NO_COLOR", [], {"COLUMNS": "90", "NO_COLOR": "1"}, True),
    ("tty-json", ["-f", "json"], {"COLUMNS": "90", "TERM": "xterm"}, True),
    ("tty-minimal", ["--minimal"], {"COLUMNS": "60", "TERM": "xterm"}, True),
    ("tty-long-colour", ["--long"], {"COLUMNS": "250", "TERM": "xterm"}, True),
)


class Terminal(io.StringIO):
    """A captured stream that says it is a terminal (colours, widths)."""

    encoding = "utf-8"

    def isatty(self) -> bool:
        return True


class TimedTransport:
    """The in-process transport, with the time each request spent in the cloud app."""

    def __init__(self, inner: WSGITransport) -> None:
        self.inner = inner
        self.cpu = 0.0
        self.wall = 0.0
        self.requests = 0

    @property
    def sent(self) -> list[Request]:
        return self.inner.sent

    def reset(self) -> None:
        self.cpu = self.wall = 0.0
        self.requests = 0
        self.inner.sent.clear()

    def close(self) -> None:
        self.inner.close()

    def send(self, request: Request) -> Response:
        started, started_cpu = time.perf_counter(), time.process_time()
        try:
            return self.inner.send(request)
        finally:
            self.cpu += time.process_time() - started_cpu
            self.wall += time.perf_counter() - started
            self.requests += 1


def build_cloud(servers: int, cache_dir: Path, *, fresh: bool) -> CloudDeps:
    data_dir = cache_dir / f"list-{servers}"
    db_url = f"sqlite:///{data_dir / 'pocketstack.db'}"
    if data_dir.exists() and (fresh or not (data_dir / SEEDED_MARKER).exists()):
        for path in sorted(data_dir.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
        data_dir.rmdir()
    if (data_dir / SEEDED_MARKER).exists():
        config = CloudConfig(
            data_dir=data_dir, db_url=db_url, public_url=TEST_PUBLIC_URL, bcrypt_rounds=4
        )
        return build_deps(config, clock=OffsetClock(), store=Store(db_url))
    data_dir.mkdir(mode=0o700, parents=True)
    deps = make_deps(data_dir=data_dir, db_url=db_url, clock=OffsetClock())
    started = time.perf_counter()
    seed(deps, servers=servers, projects=10)
    print(f"seeded {servers} servers in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    (data_dir / SEEDED_MARKER).write_text(str(servers))
    return deps


class Runner:
    def __init__(self, deps: CloudDeps, cache: Path) -> None:
        self.transport = TimedTransport(WSGITransport(create_cloud_app(deps)))
        self.cache = cache

    def run(
        self, argv: list[str], *, env: dict[str, str] | None = None, tty: bool = False
    ) -> tuple[int, str, str]:
        out: io.StringIO = Terminal() if tty else io.StringIO()
        err = io.StringIO()
        self.transport.reset()
        code = cli_main(
            argv,
            environ={**ENV, **(env or {})},
            stdout=out,
            stderr=err,
            transport=self.transport,
            cache_dir=self.cache,
        )
        return code, out.getvalue(), err.getvalue()


def measure(runner: Runner, runs: int) -> dict[str, Any]:
    code, out, err = runner.run(LIST_ARGV)  # cold: token and version document, then cached
    if code != 0:
        raise SystemExit(f"list failed ({code}): {err}")
    runner.run(LIST_ARGV)
    # The cloud's long-lived objects would not be in a real client's heap: keep the
    # collector from scanning them, so the client's figure is its own.
    gc.collect()
    gc.freeze()
    total, server, client, wall = [], [], [], []
    rows = out.count("\n") - 4
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        runner.run(LIST_ARGV)
        cpu = time.process_time() - started_cpu
        wall.append(time.perf_counter() - started)
        total.append(cpu)
        server.append(runner.transport.cpu)
        client.append(cpu - runner.transport.cpu)
    return {
        "rows": rows,
        "requests": runner.transport.requests,
        "wall": statistics.median(wall),
        "cpu": statistics.median(total),
        "server": statistics.median(server),
        "client": statistics.median(client),
        "client_min": min(client),
    }


def profile(runner: Runner, top: int) -> None:
    runner.run(LIST_ARGV)
    profiler = cProfile.Profile()
    profiler.enable()
    runner.run(LIST_ARGV)
    profiler.disable()
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    print(stream.getvalue())


# Names that stress the table: several lines, a carriage return, wide and combining
# characters, format-string braces and percent signs.
ODD_NAMES = (
    "two\nlines",
    "cr\rhere",
    "wide \u4e16\u754c",
    "e\u0301t\u00e9",
    "{0} %s {}",
    "tab\there",
    "a" * 90,
)


def add_odd_servers(deps: CloudDeps, marker: Path) -> None:
    if marker.exists():
        return
    from tests.unit.cli.list_harness import make_harness

    harness = make_harness(deps)
    for name in ODD_NAMES:
        try:
            harness.create_server(name)
        except Exception as exc:  # the cloud may refuse a name: keep the others
            print(f"not created: {name!r}: {exc}", file=sys.stderr)
    marker.write_text("done")


def dump(runner: Runner, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, argv, env, tty in DUMP_CASES:
        code, out, err = runner.run(
            ["list", "--all-tenants", "--limit", "-1", *argv], env=env, tty=tty
        )
        (out_dir / f"{name}.out").write_text(f"exit {code}\n{out}--- stderr\n{err}")
    print(f"wrote {len(DUMP_CASES)} outputs to {out_dir}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--servers", type=int, nargs="+", default=[2500, 10000])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="cProfile one warm run")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--dump", type=Path, help="write outputs for a matrix of flags here")
    parser.add_argument("--cache-dir", type=Path, default=Path("/tmp/pocketstack-profile-list"))
    parser.add_argument("--fresh", action="store_true", help="seed again")
    args = parser.parse_args(argv)
    for count in args.servers:
        deps = build_cloud(count, args.cache_dir, fresh=args.fresh)
        try:
            runner = Runner(deps, args.cache_dir / f"auth-cache-{count}")
            if args.dump:
                add_odd_servers(deps, args.cache_dir / f"list-{count}" / "odd")
                dump(runner, args.dump / str(count))
                continue
            if args.profile:
                profile(runner, args.top)
                continue
            r = measure(runner, args.runs)
            print(
                f"{count:>6} servers: {r['rows']} rows, {r['requests']} requests | "
                f"wall {r['wall'] * 1000:6.0f} ms  cpu {r['cpu'] * 1000:6.0f} ms  "
                f"server {r['server'] * 1000:6.0f} ms  "
                f"client {r['client'] * 1000:6.0f} ms (min {r['client_min'] * 1000:.0f})"
                f"  [median of {args.runs}]"
            )
        finally:
            deps.store.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
