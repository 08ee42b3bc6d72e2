"""Timing child processes: wall time, CPU time and peak RSS of each run (os.wait4's rusage).

Every command is run a bounded number of times: warm-up runs first (not counted), then at least
`min_runs` and at most `max_runs` timed runs, stopping early once `budget_s` is spent. Commands
compared with each other are timed in turns (time_interleaved).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.stats import Summary, summarize


class BenchError(Exception):
    """A case could not be measured (a command failed, a server did not start...)."""


@dataclass(frozen=True, kw_only=True)
class RunResult:
    wall_s: float
    cpu_s: float
    maxrss_kb: int
    returncode: int
    stdout: str
    stderr: str


@dataclass(frozen=True, kw_only=True)
class Timing:
    wall: Summary
    cpu: Summary
    maxrss_kb: int
    first_stdout: str
    first_stderr: str


def run_once(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    timeout_s: float = 300.0,
    cwd: Path | None = None,
) -> RunResult:
    """Run argv with stdout/stderr going to files (cheap for every tool alike)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        try:
            proc = subprocess.Popen(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                env=dict(env) if env is not None else None,
                cwd=cwd,
            )
        except OSError as exc:
            raise BenchError(f"cannot run {argv[0]}: {exc}") from exc
        deadline = start + timeout_s
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                proc.wait()
                raise BenchError(f"timed out after {timeout_s:.0f}s: {' '.join(argv)}")
            # wait4 with WNOHANG polls; a short sleep keeps the poll off the critical path
            # without adding more than ~0.5 ms to a run.
            time.sleep(0.0005)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return RunResult(
            wall_s=wall,
            cpu_s=usage.ru_utime + usage.ru_stime,
            maxrss_kb=usage.ru_maxrss,
            returncode=proc.returncode,
            stdout=out.read().decode(errors="replace"),
            stderr=err.read().decode(errors="replace"),
        )


class Series:
    """One command's runs, taken one at a time, so that several commands can be interleaved.

    Run back to back, two commands meet the machine at different moments; on a shared 2-core
    VM its speed drifts by tens of percent within minutes, and a ratio of medians taken
    minutes apart carries that drift. Taken in turns, both see the same machine.
    """

    def __init__(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        warmup: int = 1,
        min_runs: int = 5,
        max_runs: int = 20,
        budget_s: float = 10.0,
        timeout_s: float = 300.0,
        check: Callable[[RunResult], None] | None = None,
    ) -> None:
        self.argv = list(argv)
        self._env = env
        self._warmup = warmup
        self._min_runs = min_runs
        self._max_runs = max_runs
        self._budget_s = budget_s
        self._timeout_s = timeout_s
        self._check = check
        self._first: RunResult | None = None
        self._walls: list[float] = []
        self._cpus: list[float] = []
        self._peak = 0
        self._spent = 0.0

    def _run(self) -> RunResult:
        result = _checked(run_once(self.argv, env=self._env, timeout_s=self._timeout_s), self.argv)
        if self._first is None:
            if self._check is not None:
                self._check(result)
            self._first = result
        return result

    def warm(self) -> None:
        for _ in range(self._warmup):
            result = self._run()
            if self._check is not None and result is not self._first:
                self._check(result)

    @property
    def done(self) -> bool:
        runs = len(self._walls)
        return runs >= self._max_runs or (runs >= self._min_runs and self._spent >= self._budget_s)

    def step(self) -> None:
        result = self._run()
        self._walls.append(result.wall_s)
        self._cpus.append(result.cpu_s)
        self._peak = max(self._peak, result.maxrss_kb)
        self._spent += result.wall_s

    def timing(self) -> Timing:
        assert self._first is not None
        return Timing(
            wall=summarize(self._walls),
            cpu=summarize(self._cpus),
            maxrss_kb=self._peak,
            first_stdout=self._first.stdout,
            first_stderr=self._first.stderr,
        )


def time_interleaved(series: Sequence[Series]) -> list[Timing | BenchError]:
    """Each series' timing, taken in turns (one run of each per round); a series whose command
    fails drops out with its error and the others go on."""
    outcome: list[Timing | BenchError | None] = [None] * len(series)
    for index, one in enumerate(series):
        try:
            one.warm()
        except BenchError as exc:
            outcome[index] = exc
    while True:
        active = [i for i, one in enumerate(series) if outcome[i] is None and not one.done]
        if not active:
            break
        for index in active:
            try:
                series[index].step()
            except BenchError as exc:
                outcome[index] = exc
    return [
        result if result is not None else series[i].timing() for i, result in enumerate(outcome)
    ]


def _checked(result: RunResult, argv: Sequence[str]) -> RunResult:
    if result.returncode != 0:
        tail = (result.stderr or result.stdout)[-2000:]
        raise BenchError(f"exit {result.returncode}: {' '.join(argv)}\n{tail}")
    return result


def rss_kb(pid: int) -> int:
    """Resident set size of one live process, from /proc."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return 0
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one live process, from /proc/<pid>/stat."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    # The command name may hold spaces: the fields we want follow its closing parenthesis.
    fields = text[text.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except FileNotFoundError:
        return found
    for child in text.split():
        found.append(int(child))
        found.extend(children(int(child)))
    return found
