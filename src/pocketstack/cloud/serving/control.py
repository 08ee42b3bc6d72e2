"""`up` and `down`: start the cloud in the background and wait for it, stop it and wait."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from pocketstack.cloud.config import CloudConfig
from pocketstack.cloud.serving.errors import ServingError
from pocketstack.cloud.serving.firststart import ensure_data_dir, ensure_private_file
from pocketstack.cloud.serving.state import (
    ServingState,
    answers,
    pid_alive,
    remove_state,
    running_state,
)

START_TIMEOUT = 120.0
STOP_TIMEOUT = 30.0
_POLL = 0.1


def log_tail(path: Path, *, lines: int = 15) -> str:
    try:
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(fh.tell() - 16384, 0))
            text = fh.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def start_background(
    config: CloudConfig,
    *,
    command: Sequence[str],
    env: Mapping[str, str],
    timeout: float = START_TIMEOUT,
) -> tuple[ServingState, bool]:
    """Run `command` (a `pocketstack serve`) detached; return its state once it answers.

    The second value is False when a cloud already ran for this data directory (nothing started).
    """
    state = running_state(config)
    if state is not None:
        return state, False
    ensure_data_dir(config)
    ensure_private_file(config.log_file)
    with config.log_file.open("ab") as out:
        process = subprocess.Popen(
            list(command),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            env=dict(env),
            # Its own session: Ctrl-C in the shell that ran `up` must not stop the cloud.
            start_new_session=True,
            close_fds=True,
        )
    deadline = time.monotonic() + timeout
    while True:
        code = process.poll()
        if code is not None:
            raise ServingError(
                f"the cloud exited with status {code} while starting; the end of "
                f"{config.log_file}:\n{log_tail(config.log_file)}"
            )
        state = running_state(config)
        if state is not None and state.pid == process.pid and answers(state.host, state.port):
            return state, True
        if time.monotonic() > deadline:
            process.terminate()
            raise ServingError(
                f"the cloud did not answer within {timeout:.0f} s; see {config.log_file}"
            )
        time.sleep(_POLL)


def stop(config: CloudConfig, *, timeout: float = STOP_TIMEOUT) -> ServingState | None:
    """SIGTERM the master (it lets workers finish their requests) and wait; None if not running."""
    state = running_state(config)
    if state is None:
        return None
    try:
        os.kill(state.pid, signal.SIGTERM)
    except ProcessLookupError:
        remove_state(config, pid=state.pid)
        return state
    deadline = time.monotonic() + timeout
    while pid_alive(state.pid):
        if time.monotonic() > deadline:
            raise ServingError(
                f"the cloud (pid {state.pid}) did not stop within {timeout:.0f} s; "
                f"see {config.log_file}"
            )
        time.sleep(_POLL)
    remove_state(config, pid=state.pid)
    return state
