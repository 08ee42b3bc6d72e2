"""`pocketstack serve`: the cloud under gunicorn, configured in code rather than by its CLI.

The master prepares the data directory and database, binds the port, and forks the workers; each
worker builds its own app (engine, key cache) after the fork, so no connection is ever shared
between processes. The workers are uvicorn event loops (worker.py) that read requests under
deadlines and run the WSGI app in a thread pool (frontdoor.py).
"""

from __future__ import annotations

import gc
import logging
import os
import socket
from typing import TYPE_CHECKING, Any

from gunicorn.app.base import BaseApplication

from pocketstack.cloud.attempts import AttemptCounts
from pocketstack.cloud.config import CloudConfig
from pocketstack.cloud.serving.errors import ServingError
from pocketstack.cloud.serving.firststart import ensure_data_dir, ensure_private_file, initialise
from pocketstack.cloud.serving.logs import configure_logging, log_level, stderr_is_log_file
from pocketstack.cloud.serving.state import (
    ServingState,
    remove_state,
    running_state,
    write_state,
)
from pocketstack.cloud.serving.worker import CloudWorker

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)

# Seconds a worker may go without telling the master it lives, and that in-flight requests get
# on shutdown.
REQUEST_TIMEOUT = 60
GRACEFUL_TIMEOUT = 10


class CloudApplication(BaseApplication):  # type: ignore[misc]
    def __init__(self, config: CloudConfig, *, logconfig: dict[str, Any]) -> None:
        self._config = config
        self._logconfig = logconfig
        # Made here, in the master, so that every worker forked from it counts into the same.
        self._login_attempts = AttemptCounts(window=config.login_throttle_window)
        super().__init__(prog="pocketstack serve")

    def load_config(self) -> None:
        config = self._config
        host = f"[{config.host}]" if ":" in config.host else config.host
        settings: dict[str, Any] = {
            "bind": [f"{host}:{config.port}"],
            "workers": config.workers,
            "worker_class": CloudWorker,
            "timeout": REQUEST_TIMEOUT,
            "graceful_timeout": GRACEFUL_TIMEOUT,
            "proc_name": "pocketstack",
            "loglevel": log_level(config).lower(),
            "logconfig_dict": self._logconfig,
            # gunicorn's control socket would be one more file outside the data directory.
            "control_socket_disable": True,
            "when_ready": self._when_ready,
            "on_exit": self._on_exit,
        }
        for key, value in settings.items():
            self.cfg.set(key, value)

    @property
    def cloud_config(self) -> CloudConfig:
        return self._config

    def load(self) -> Any:
        # Runs in each worker after the fork (preload_app is off).
        from pocketstack.cloud.deps import build_deps
        from pocketstack.cloud.serving.door import front_door

        deps = build_deps(self._config, login_attempts=self._login_attempts)
        door = front_door(self._config, deps)
        # What the worker has made so far lives as long as it does (its app, the configuration:
        # one entry per [[hosts]] table, 100,000 in the bench): kept out of the collector's
        # full passes, whose cost grew with it and fell on whichever request set one off.
        gc.collect()
        gc.freeze()
        return door

    def _when_ready(self, server: Any) -> None:
        # The master's heap (configuration, first start's bootstrap) is the workers' too, shared
        # until written: frozen, no collection in a worker writes to every page of it.
        gc.freeze()
        config = self._config
        write_state(
            config,
            ServingState(
                pid=os.getpid(),
                host=config.host,
                port=config.port,
                url=config.public_url,
                workers=config.workers,
            ),
        )
        log.info(
            "pocketstack is serving %s (identity %s/identity, compute %s/compute/v2.1, image "
            "%s/image, network %s/networking) with %d workers; data directory %s",
            config.public_url,
            config.public_url,
            config.public_url,
            config.public_url,
            config.public_url,
            config.workers,
            config.data_dir,
        )

    def _on_exit(self, server: Any) -> None:
        remove_state(self._config, pid=os.getpid())
        log.info("pocketstack stopped")


def check_settings(config: CloudConfig) -> None:
    """The serving settings that have a floor, checked before anything starts."""
    floors: list[tuple[str, float, float]] = [
        ("workers", config.workers, 1),
        ("header_timeout", config.header_timeout, 0.1),
        ("body_timeout", config.body_timeout, 0.1),
        ("max_request_line", config.max_request_line, 256),
        ("max_header_bytes", config.max_header_bytes, 1024),
        ("hash_concurrency", config.hash_concurrency, 1),
        ("hash_queue", config.hash_queue, 0),
        ("login_throttle_window", config.login_throttle_window, 1),
        ("login_failures_per_source", config.login_failures_per_source, 0),
        ("login_failures_per_user", config.login_failures_per_user, 0),
    ]
    for name, value, floor in floors:
        if value < floor:
            raise ServingError(f"{name} must be at least {floor:g}, not {value:g}")


def check_can_listen(config: CloudConfig) -> None:
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    probe = socket.socket(family, socket.SOCK_STREAM)
    try:
        # As gunicorn binds: SO_REUSEADDR, so a port in TIME_WAIT is not refused here either.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((config.host, config.port))
    except OSError as exc:
        raise ServingError(
            f"cannot listen on {config.host}:{config.port}: {exc.strerror or exc}"
        ) from exc
    finally:
        probe.close()


def serve(config: CloudConfig) -> int:
    """Set up what is missing, then serve in the foreground until SIGTERM/SIGINT; the exit code."""
    check_settings(config)
    running = running_state(config)
    if running is not None:
        raise ServingError(
            f"a cloud already runs for {config.data_dir} at {running.url} (pid {running.pid}); "
            "stop it with `pocketstack down`"
        )
    ensure_data_dir(config)
    ensure_private_file(config.log_file)
    # Under `up`, stderr is the log file already: a console handler would log each line twice.
    logconfig = configure_logging(config, console=not stderr_is_log_file(config))
    # Before bootstrap re-points the catalog at this address: a port we cannot have must leave
    # the catalog of a working cloud as it was.
    check_can_listen(config)
    initialise(config)
    application = CloudApplication(config, logconfig=logconfig)
    try:
        application.run()
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0
