"""The pytest plugin's cloud: from a new Python process to the first answered request,
`python -m bench.fixture_startup`.

Each run is a fresh interpreter (bytecode written, as on a user's machine) that imports
pocketstack's testing package, starts the cloud the `pocketstack_cloud` fixture starts (a
ThreadedCloud in a new data directory) and waits for one answer from its identity service. Two
kinds, taken in turns so that load on the machine falls on both alike: `cold` (an empty cache:
the migrations and the bootstrap run, and the result is cached) and `warm` (the cached
bootstrapped database is copied in; testing/database_cache.py). Printed: a Markdown table of
the median and the spread, in-process time and the whole process's wall time, for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.machine import load_average

CHILD = """\
import json, sys, tempfile, time, urllib.request
from pathlib import Path
started = time.perf_counter()
from pocketstack.testing.server import Settings, ThreadedCloud
imported = time.perf_counter()
cloud = ThreadedCloud(Settings(data_dir=Path(tempfile.mkdtemp()) / "data"))
cloud.start()
listening = time.perf_counter()
with urllib.request.urlopen(cloud.url + "/identity/v3", timeout=30) as answer:
    answer.read()
answered = time.perf_counter()
cloud.stop()
print(json.dumps({"import": imported - started, "start": listening - imported,
                  "first": answered - listening, "total": answered - started}))
"""


def _run(cache: Path) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["XDG_CACHE_HOME"] = str(cache)
    began = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True,
                         text=True, check=True, timeout=120)  # fmt: skip
    figures: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    figures["process"] = time.perf_counter() - began
    return figures


def _cell(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s ({min(values):.2f} to {max(values):.2f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fixture_startup", description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    home = Path(tempfile.mkdtemp(prefix="fixture-startup-"))
    try:
        warm_cache = home / "warm"
        _run(warm_cache)  # fills the warm cache and writes every module's bytecode
        results: dict[str, list[dict[str, float]]] = {"cold": [], "warm": []}
        for index in range(args.runs):
            results["cold"].append(_run(home / f"cold-{index}"))
            results["warm"].append(_run(warm_cache))
        print(f"load average at the end: {load_average()}")
        print("| cache | imports | start | first answer | in process | whole process |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for kind, runs in results.items():
            cells = [_cell([run[key] for run in runs])
                     for key in ("import", "start", "first", "total", "process")]  # fmt: skip
            print(f"| {kind} | " + " | ".join(cells) + " |")
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
