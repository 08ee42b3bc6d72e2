"""A pocketstack cloud for the bench: its own data directory, a free loopback port, seeded data.

`pocketstack serve` runs in the foreground as our child (so its pid is ours to stop); the access
log in the data directory is how requests are counted, whatever client sent them.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shlex
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.procs import BenchError, children, cpu_seconds, rss_kb

START_TIMEOUT = 180.0
STOP_TIMEOUT = 20.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(kw_only=True)
class CloudSpec:
    data_dir: Path
    bcrypt_rounds: int = 4
    workers: int = 2
    db_url: str | None = None
    # The fleet's compute hosts ([[hosts]] tables, named by host_name); 0: the default two.
    hosts: int = 0

    def write_config(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        lines = [f"bcrypt_rounds = {self.bcrypt_rounds}", 'log_level = "warning"']
        if self.db_url:
            lines.append(f"db_url = {json.dumps(self.db_url)}")
        for index in range(self.hosts):
            lines += ["[[hosts]]", f'name = "{host_name(index)}"']
        (self.data_dir / "pocketstack.toml").write_text("\n".join(lines) + "\n")


def host_name(index: int) -> str:
    return f"host-{index:06d}"


@dataclass(kw_only=True)
class Cloud:
    pocketstack: Path
    spec: CloudSpec
    port: int
    process: subprocess.Popen[bytes]
    env: dict[str, str] = field(default_factory=dict)
    # From the start of `pocketstack serve` to its first answer.
    started_s: float = 0.0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        return self.spec.data_dir / "pocketstack.log"

    def openrc(self, *, v2: bool = False, project: str | None = None) -> dict[str, str]:
        """The admin's OS_* settings from `pocketstack openrc`, scoped to `project` if given."""
        argv = [str(self.pocketstack), "openrc", "--data-dir", str(self.spec.data_dir)]
        if v2:
            argv.append("--v2")
        done = subprocess.run(argv, capture_output=True, text=True, env=self.env, check=False)
        if done.returncode != 0:
            raise BenchError(f"pocketstack openrc failed: {done.stderr.strip()}")
        variables: dict[str, str] = {}
        for line in done.stdout.splitlines():
            parts = shlex.split(line)
            if len(parts) == 2 and parts[0] == "export" and "=" in parts[1]:
                name, _, value = parts[1].partition("=")
                variables[name] = value
        if project is not None:
            variables["OS_PROJECT_NAME"] = project
            if "OS_TENANT_NAME" in variables:
                variables["OS_TENANT_NAME"] = project
        return variables

    def log_offset(self) -> int:
        try:
            return self.log_file.stat().st_size
        except FileNotFoundError:
            return 0

    def access_lines(self, offset: int) -> list[str]:
        """Access-log request lines ("GET /path HTTP/1.1") written since `offset`."""
        # The worker logs a request after sending its response; give it a moment.
        time.sleep(0.15)
        with self.log_file.open("rb") as fh:
            fh.seek(offset)
            text = fh.read().decode(errors="replace")
        found = []
        for line in text.splitlines():
            start = line.find('"')
            end = line.find('"', start + 1)
            if start < 0 or end < 0:
                continue
            request = line[start + 1 : end]
            if request.split(" ", 1)[0] in {"GET", "POST", "HEAD", "PUT", "PATCH", "DELETE"}:
                status = line[end + 1 :].split()[:1]
                found.append(f"{request} -> {status[0] if status else '?'}")
        return found

    def server_cpu_s(self) -> float:
        """CPU seconds (user + system) the workers have used so far; robust to a busy machine."""
        return sum(cpu_seconds(pid) for pid in children(self.process.pid))

    def rss(self) -> dict[str, int]:
        """Resident memory, KiB: the master, each worker, and the total."""
        master = self.process.pid
        workers = children(master)
        per_worker = [rss_kb(pid) for pid in workers]
        master_kb = rss_kb(master)
        return {
            "master_kb": master_kb,
            "workers_kb": sum(per_worker),
            "worker_max_kb": max(per_worker, default=0),
            "total_kb": master_kb + sum(per_worker),
            "workers": len(per_worker),
        }


def run_pocketstack(
    pocketstack: Path, *args: str, env: Mapping[str, str], timeout: float = 3600
) -> float:
    """Run one `pocketstack ...` command to completion; its wall time in seconds."""
    start = time.perf_counter()
    done = subprocess.run(
        [str(pocketstack), *args],
        capture_output=True,
        text=True,
        env=dict(env),
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(
            f"pocketstack {' '.join(args)} failed ({done.returncode}):\n"
            f"{(done.stderr or done.stdout)[-3000:]}"
        )
    return time.perf_counter() - start


def wait_until_answers(
    port: int,
    process: subprocess.Popen[bytes],
    log_file: Path,
    timeout: float = START_TIMEOUT,
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log_file.read_text(errors="replace")[-3000:] if log_file.exists() else ""
            raise BenchError(f"pocketstack serve exited with {process.returncode}:\n{tail}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/identity/v3")
            status = conn.getresponse().status
            conn.close()
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise BenchError(f"pocketstack serve did not answer on port {port} in {timeout:.0f}s")


@contextmanager
def running_cloud(
    *,
    pocketstack: Path,
    spec: CloudSpec,
    env: Mapping[str, str],
    workers: int | None = None,
    start_timeout: float = START_TIMEOUT,
) -> Iterator[Cloud]:
    """Serve the cloud in spec.data_dir on a free loopback port until the block ends."""
    spec.write_config()
    port = free_port()
    argv = [
        str(pocketstack),
        "serve",
        "--data-dir",
        str(spec.data_dir),
        "--port",
        str(port),
        "--workers",
        str(workers or spec.workers),
    ]
    log_path = spec.data_dir / "bench-serve.out"
    started = time.perf_counter()
    with log_path.open("ab") as out:
        process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=out, stderr=out, env=dict(env)
        )
    cloud = Cloud(pocketstack=pocketstack, spec=spec, port=port, process=process, env=dict(env))
    try:
        wait_until_answers(port, process, log_path, start_timeout)
        cloud.started_s = time.perf_counter() - started
        yield cloud
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        # Stop the workers too: they are ours (forked by our child).
        for pid in children(process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.kill()
        process.wait()
