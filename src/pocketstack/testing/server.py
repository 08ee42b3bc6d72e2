"""A whole pocketstack cloud served from a thread of the test process: the same apps and the same
front door as `pocketstack serve` (uvicorn's event loop, the guarded HTTP protocol, the WSGI apps
in a thread pool), on a free loopback port, over a data directory of its own.

Why a thread and not `pocketstack serve` in a subprocess: gunicorn's master and workers take
about two seconds to come up, and a test session pays that every time; here the cost is the
schema and the bootstrap. One worker, so the login throttle and every cache see every request.
"""

from __future__ import annotations

import dataclasses
import gc
import socket
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import uvicorn

    from pocketstack.cloud.config import CloudConfig
    from pocketstack.cloud.deps import CloudDeps

# The snapshot a cloud started on a database that was not empty goes back to (see reset()).
SESSION_START = "session-start"
BOOTSTRAP = "bootstrap"
# Seconds the server may take to listen before the start is given up.
START_TIMEOUT = 30.0
LOOPBACK = "127.0.0.1"


class StartError(Exception):
    """The cloud could not be started."""


def free_port() -> int:
    """A port nothing listens on now. Another process could take it before the cloud binds it:
    the start then fails loudly rather than talking to a stranger."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


@dataclasses.dataclass(frozen=True, kw_only=True)
class Settings:
    data_dir: Path
    db_url: str | None = None
    # Password hashing cost: 4 (bcrypt's least) keeps logins in tests near a millisecond.
    bcrypt_rounds: int = 4
    # Seconds a server spends in each transitional state (BUILD, REBOOT, ...).
    driver_delay: float = 0.0
    admin_password: str = "pocketstack-test"
    # The test controls (fault injection, the movable clock) at /pocketstack/v1: off unless
    # asked for, so that a cloud for ordinary tests behaves as a cloud.
    test_controls: bool = False


def _sqlite_file(config: CloudConfig) -> Path | None:
    """The database file of a cloud on SQLite."""
    from sqlalchemy.engine import make_url

    url = make_url(config.db_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


class ThreadedCloud:
    """Started by `start()`, stopped by `stop()`; `url` is where it answers."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._deps: CloudDeps | None = None
        self._initial = BOOTSTRAP
        self.config: CloudConfig | None = None

    @property
    def url(self) -> str:
        if self.config is None:
            raise StartError("the cloud is not started")
        return self.config.public_url

    @property
    def admin_password(self) -> str:
        return self._settings.admin_password

    def start(self) -> None:
        # Start-up makes a few hundred thousand objects that live as long as the process
        # (modules, classes, mappers, schemas); the collector's full passes over that growing
        # heap were a tenth of the start. It runs again as soon as the cloud is up.
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._start()
        finally:
            if collecting:
                gc.enable()

    def _start(self) -> None:
        # Imported here: a test run that never asks for a cloud never loads the cloud's code.
        import uvicorn

        from pocketstack.cloud.config import load_config
        from pocketstack.cloud.deps import build_deps
        from pocketstack.cloud.serving.door import front_door
        from pocketstack.cloud.serving.firststart import ensure_data_dir, initialise
        from pocketstack.cloud.serving.protocol import HeadLimits, guarded_protocol
        from pocketstack.testing import database_cache

        wanted = self._settings
        config = load_config(data_dir=wanted.data_dir, db_url=wanted.db_url, host=LOOPBACK,
                             port=free_port(), workers=1)  # fmt: skip
        controls = wanted.test_controls or config.test_controls
        config = dataclasses.replace(config, bcrypt_rounds=wanted.bcrypt_rounds,
                                     driver_delay=wanted.driver_delay,
                                     test_controls=controls)  # fmt: skip
        database = _sqlite_file(config)
        fresh = database is not None and not database.exists()
        cached = False
        if fresh and database is not None:
            # A new SQLite database starts as the cached bootstrapped one (database_cache.py).
            ensure_data_dir(config)
            cached = database_cache.place(config, database)
        # A cached database holds what this version's bootstrap made: only the part that names
        # this cloud (its address, the admin's password) is done again.
        first = initialise(config, admin_password=wanted.admin_password, contents=not cached)
        if fresh and database is not None and first.bootstrap_snapshot:
            database_cache.keep(config, database)
        deps = build_deps(config)
        if cached:
            # The bootstrapped state, as a first start keeps it (`manage reset` goes back to it).
            self._take(config, deps, BOOTSTRAP)
        elif not first.bootstrap_snapshot:
            # A database that was not empty (--pocketstack-db-url): its state at this start is
            # what `reset` goes back to.
            self._take(config, deps, SESSION_START)
        self._initial = BOOTSTRAP if first.bootstrap_snapshot or cached else SESSION_START
        # A test pays for the services it calls, when it first calls them.
        front = front_door(config, deps, on_first_use=True)
        limits = HeadLimits(header_timeout=config.header_timeout,
                            max_request_line=config.max_request_line,
                            max_header_bytes=config.max_header_bytes)  # fmt: skip
        server = uvicorn.Server(uvicorn.Config(
            front, host=LOOPBACK, port=config.port, loop="asyncio", lifespan="off",
            access_log=False, log_config=None, http=guarded_protocol(limits),
        ))  # fmt: skip
        thread = threading.Thread(target=server.run, name="pocketstack-cloud", daemon=True)
        thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not server.started:
            if not thread.is_alive():
                deps.store.dispose()
                raise StartError(f"the cloud did not start on {config.public_url}")
            if time.monotonic() > deadline:
                server.should_exit = True
                raise StartError(f"the cloud did not listen within {START_TIMEOUT:.0f} s")
            time.sleep(0.005)
        self.config, self._deps, self._server, self._thread = config, deps, server, thread

    @staticmethod
    def _take(config: CloudConfig, deps: CloudDeps, name: str) -> None:
        from pocketstack.cloud.snapshots.ops import take

        take(config, name, deps.store)

    def _running(self) -> tuple[CloudConfig, CloudDeps]:
        if self.config is None or self._deps is None:
            raise StartError("the cloud is not started")
        return self.config, self._deps

    def snapshot(self, name: str) -> None:
        """Keep the cloud's state as snapshot `name` (`<data-dir>/snapshots/NAME`)."""
        self._take(*self._running(), name)

    def restore(self, name: str) -> None:
        """Put the cloud back as snapshot `name` has it, while it serves. Nothing the running
        apps hold needs clearing: they read every row per request, and reload the Fernet keys
        when their files change (cloud/snapshots/ops.py)."""
        from pocketstack.cloud.snapshots.ops import restore

        config, deps = self._running()
        restore(config, name, deps.store)

    def reset(self) -> None:
        """Back to the state the cloud started in."""
        self.restore(self._initial)

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        if self._deps is not None:
            self._deps.store.dispose()
        self._server = self._thread = self._deps = None
