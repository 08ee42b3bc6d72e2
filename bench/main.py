"""`python -m bench`: set up, run every case, write bench/results/latest.json and BENCHMARKS.md."""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

from bench import report
from bench.cases_abuse import case_abuse
from bench.cases_client import case_list, case_startup
from bench.cases_create import case_create
from bench.cases_image import case_image
from bench.cases_pages import case_pages
from bench.cases_server import case_server, case_tokens
from bench.context import FULL, QUICK, Context
from bench.machine import describe, load_average
from bench.procs import BenchError
from bench.venv import BENCH_DIR, REPO_ROOT, BenchVenv, ensure_venv, existing_venv

CASES = ("startup", "list", "server", "tokens", "wsgi", "abuse", "create", "pages", "image")
# Cases that drive the cloud with the bench's own HTTP client only: run alone, they need no
# bench/.venv (upstream tools, matplotlib) built first.
NO_VENV_CASES = frozenset({"create", "pages", "image", "tokens"})
RESULTS = BENCH_DIR / "results"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark pocketstack beside python-novaclient, python-openstackclient "
        "and openstacksdk; write bench/results/latest.json and BENCHMARKS.md.",
    )
    parser.add_argument("--quick", action="store_true", help="a short run (under two minutes)")
    parser.add_argument(
        "--only",
        action="append",
        choices=CASES,
        help="run only this case (repeatable): startup = case 1, list = cases 2-3, "
        "server = cases 4-5 (with a genuine Keystone side by side), tokens = case 4's tokens "
        "and its Keystone side by side only (with --merge: the rest of case 4 stays), "
        "wsgi = framework overhead, "
        "abuse = case 6 (slow connections, a login flood), create = case 7 (POST /servers "
        "to ACTIVE), pages = case 8 (list endpoints' pages from 1k to 100k rows), image = "
        "case 9 (image data up and down, 64 MiB and 1 GiB, beside cp)",
    )
    parser.add_argument(
        "--pocketstack",
        type=Path,
        default=None,
        help="the pocketstack executable (default: .venv/bin/pocketstack, else the one on PATH)",
    )
    parser.add_argument(
        "--postgresql",
        choices=("on", "off"),
        default="on",
        help="also measure the server side on PostgreSQL at 127.0.0.1:5432 (default on)",
    )
    parser.add_argument(
        "--keystone",
        choices=("on", "off"),
        default="on",
        help="also measure a genuine Keystone 30 (gunicorn, one worker, cached) beside "
        "pocketstack's identity in case 4; its venv, bench/.venv-keystone, is built from PyPI "
        "once (default on; skipped in --quick unless --only is given)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=RESULTS / "latest.json",
        help="results file (default bench/results/latest.json)",
    )
    parser.add_argument(
        "--abuse-before",
        type=Path,
        default=None,
        help="an older pocketstack executable that case 6 also runs against, for comparison",
    )
    parser.add_argument(
        "--merge",
        action="store_true",
        help="keep the other cases of the results file and replace only those run now "
        "(with --only: refresh one section of BENCHMARKS.md)",
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="regenerate BENCHMARKS.md and the plots from the results file, measure nothing",
    )
    parser.add_argument(
        "--no-report", action="store_true", help="do not rewrite BENCHMARKS.md and the plots"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the scratch directory (data dirs, logs)"
    )
    return parser.parse_args(argv)


def find_pocketstack(given: Path | None) -> Path:
    if given is not None:
        return given.resolve()
    local = REPO_ROOT / ".venv" / "bin" / "pocketstack"
    if local.exists():
        return local
    found = shutil.which("pocketstack")
    if found:
        return Path(found)
    raise BenchError(
        "no pocketstack executable: create the project's venv first "
        "(python3 -m venv .venv && .venv/bin/pip install -e '.[postgresql]') or pass --pocketstack"
    )


def python_of(executable: Path) -> Path:
    """The interpreter a console script runs on (its shebang)."""
    first = executable.read_text(errors="replace").splitlines()[0]
    if first.startswith("#!"):
        return Path(first[2:].strip().split()[0])
    return Path(sys.executable)


def case_wsgi(ctx: Context) -> dict[str, Any]:
    """The lead's falcon-vs-flask overhead script, run in the bench venv (which has both)."""
    done = subprocess.run(
        [str(ctx.venv.python), str(BENCH_DIR / "wsgi_overhead.py")],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if done.returncode != 0:
        raise BenchError(f"wsgi_overhead.py failed: {done.stderr[-500:]}")
    rows = []
    pattern = re.compile(r"^(\w+)\s+([\d.]+) us/request\s+import\s+([\d.]+) ms")
    for line in done.stdout.splitlines():
        match = pattern.match(line.strip())
        if match:
            rows.append(
                {
                    "framework": match.group(1),
                    "us_per_request": float(match.group(2)),
                    "import_ms": float(match.group(3)),
                }
            )
            print(f"  {line.strip()}", flush=True)
    return {"title": "WSGI framework overhead", "frameworks": rows}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.report_only:
        report.write(results_path=args.output, venv=existing_venv())
        return 0
    started = time.perf_counter()
    pocketstack = find_pocketstack(args.pocketstack)
    only = frozenset(args.only) if args.only else None
    built = existing_venv()
    if only is not None and only <= NO_VENV_CASES and built is None:
        # Never used by these cases; the project's own venv stands in.
        venv = BenchVenv(root=REPO_ROOT / ".venv")
        versions: dict[str, str] = {}
    else:
        venv = ensure_venv(python=str(python_of(pocketstack)))
        versions = venv.versions()
    workdir = Path(tempfile.mkdtemp(prefix="pocketstack-bench-"))
    ctx = Context(
        quick=args.quick,
        knobs=QUICK if args.quick else FULL,
        repo=REPO_ROOT,
        venv=venv,
        pocketstack=pocketstack,
        pocketstack_python=python_of(pocketstack),
        workdir=workdir,
        results_path=args.output,
        postgresql_url=args.postgresql,
        only=only,
        keystone=args.keystone == "on",
        abuse_before=args.abuse_before.resolve() if args.abuse_before else None,
    )
    ctx.results = {
        "mode": "quick" if args.quick else "full",
        "machine": describe(repo=REPO_ROOT, python=ctx.pocketstack_python),
        "versions": versions,
        "cases": {},
    }
    merging = args.merge and args.output.exists()
    if merging:
        # The earlier run's header (mode, machine, date, duration) stays: it describes most of
        # the file; each merged case carries its own mode and date.
        kept = json.loads(args.output.read_text())
        kept.setdefault("cases", {})
        ctx.results = kept
    print(f"bench: {ctx.results['mode']} run; scratch directory {workdir}", flush=True)
    try:
        _run_cases(ctx)
    finally:
        if not merging:
            ctx.results["elapsed_s"] = time.perf_counter() - started
            ctx.results["machine"]["load_average_at_end"] = load_average()
        ctx.save()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"bench: results in {ctx.results_path}", flush=True)
    if not args.no_report:
        report.write(results_path=ctx.results_path, venv=existing_venv())
    print(f"bench: done in {time.perf_counter() - started:.0f} s", flush=True)
    return 0


def _wanted(ctx: Context, case: str) -> bool:
    return ctx.only is None or case in ctx.only


def _run_cases(ctx: Context) -> None:
    cases: dict[str, Any] = ctx.results["cases"]
    if _wanted(ctx, "startup"):
        print("case 1: client start-up", flush=True)
        cases["startup"] = _guard(lambda: case_startup(ctx))
        ctx.save()
    if _wanted(ctx, "list"):
        try:
            small, large = case_list(ctx)
            cases["list_small"] = small
            cases["list_all"] = large
        except Exception as exc:
            print(f"  FAILED: {_describe(exc)}", flush=True)
            cases["list_small"] = {"title": "list, 50 servers", "error": _describe(exc)}
        ctx.save()
    if _wanted(ctx, "server"):
        try:
            server, memory = case_server(ctx)
            cases["server"] = server
            cases["memory"] = memory
        except Exception as exc:
            print(f"  FAILED: {_describe(exc)}", flush=True)
            cases["server"] = {"title": "Server side", "error": _describe(exc)}
        ctx.save()
    if ctx.only is not None and "tokens" in ctx.only and "server" not in ctx.only:
        print("case 4: tokens only", flush=True)
        cases["server"] = case_tokens(ctx, cases.get("server", {}))
        ctx.save()
    if _wanted(ctx, "abuse"):
        print("case 6: abusive clients", flush=True)
        cases["abuse"] = _guard(lambda: case_abuse(ctx))
        cases["abuse"]["mode"] = "quick" if ctx.quick else "full"
        cases["abuse"]["date"] = describe(repo=REPO_ROOT, python=ctx.pocketstack_python)["date"]
        ctx.save()
    for case, title, run in (
        ("create", "case 7: POST /servers to ACTIVE", case_create),
        ("pages", "case 8: list endpoints by table size", case_pages),
        ("image", "case 9: image data upload and download", case_image),
    ):
        if _wanted(ctx, case):
            print(title, flush=True)
            # Like case 6, each carries its own run's facts: --merge refreshes it alone.
            machine = describe(repo=REPO_ROOT, python=ctx.pocketstack_python)
            cases[case] = _guard(lambda run=run: run(ctx))
            machine["load_average_at_end"] = load_average()
            cases[case].update(mode="quick" if ctx.quick else "full", date=machine["date"])
            cases[case]["machine"] = machine
            ctx.save()
    # The framework comparison is the lead's fixed-cost script: full runs (or --only wsgi).
    if _wanted(ctx, "wsgi") and (not ctx.quick or ctx.only):
        print("WSGI framework overhead (bench/wsgi_overhead.py)", flush=True)
        cases["wsgi"] = _guard(lambda: case_wsgi(ctx))
        ctx.save()


def _guard(run: Any) -> dict[str, Any]:
    try:
        result: dict[str, Any] = run()
        return result
    except Exception as exc:
        print(f"  FAILED: {_describe(exc)}", flush=True)
        return {"error": _describe(exc)}


def _describe(exc: BaseException) -> str:
    if isinstance(exc, BenchError):
        return str(exc)
    return "".join(traceback.format_exception(exc)).strip()
