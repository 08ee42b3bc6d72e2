"""Whether a cloud runs for a data directory, and where: the pid file and the state file.

`<data-dir>/pocketstack.pid` holds the gunicorn master's pid alone (what `kill $(cat ...)`
expects); `<data-dir>/serving.json` adds the address it listens on, for `status` and `openrc`.
Both are written once the socket is bound and removed when the master exits.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import urllib.error
import urllib.request
from pathlib import Path

from pocketstack.cloud.config import CloudConfig

STATE_FILE_NAME = "serving.json"


@dataclasses.dataclass(frozen=True, kw_only=True)
class ServingState:
    pid: int
    host: str
    port: int
    url: str
    workers: int


def state_file(config: CloudConfig) -> Path:
    return config.data_dir / STATE_FILE_NAME


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, text.encode("utf-8"))
    finally:
        os.close(fd)
    os.replace(tmp, path)


def write_state(config: CloudConfig, state: ServingState) -> None:
    _write_atomic(state_file(config), json.dumps(dataclasses.asdict(state), indent=2) + "\n")
    _write_atomic(config.pid_file, f"{state.pid}\n")


def remove_state(config: CloudConfig, *, pid: int) -> None:
    """Remove the files if they still describe `pid` (a newer server may have replaced them)."""
    current = read_pid(config)
    if current is not None and current != pid:
        return
    for path in (config.pid_file, state_file(config)):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def read_pid(config: CloudConfig) -> int | None:
    try:
        text = config.pid_file.read_text(encoding="ascii").strip()
    except (FileNotFoundError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


def read_state(config: CloudConfig) -> ServingState | None:
    try:
        raw = json.loads(state_file(config).read_text(encoding="utf-8"))
        return ServingState(
            pid=int(raw["pid"]),
            host=str(raw["host"]),
            port=int(raw["port"]),
            url=str(raw["url"]),
            workers=int(raw["workers"]),
        )
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited, not yet reaped by its parent) is not running.
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return True
    return stat_line.rpartition(")")[2].split()[:1] != ["Z"]


def running_state(config: CloudConfig) -> ServingState | None:
    """The state of the cloud serving this data directory, or None (stale files are removed)."""
    pid = read_pid(config)
    if pid is None:
        return None
    if not pid_alive(pid):
        remove_state(config, pid=pid)
        return None
    state = read_state(config)
    if state is None or state.pid != pid:
        # Pid file without a usable state file: describe it from the configuration.
        return ServingState(
            pid=pid, host=config.host, port=config.port, url=config.public_url, workers=0
        )
    return state


def probe_url(host: str, port: int) -> str:
    """Where to ask whether the cloud answers (a wildcard bind is reached on loopback)."""
    reach = "127.0.0.1" if host in ("0.0.0.0", "", "*") else host  # noqa: S104
    if ":" in reach:
        reach = f"[{reach}]"
    return f"http://{reach}:{port}/identity/v3"


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def answers(host: str, port: int, *, timeout: float = 2.0) -> bool:
    """True if the identity API on host:port returns its version document."""
    try:
        with _OPENER.open(probe_url(host, port), timeout=timeout) as response:
            return int(response.status) == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False
