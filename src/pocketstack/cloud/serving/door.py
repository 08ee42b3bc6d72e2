"""The front door as both servers build it, gunicorn's workers (runner.py) and the pytest
plugin's thread (testing/server.py): the cloud's apps behind it, its limits from the
configuration, and the checks it makes before it spools an upload. Kept apart from runner.py so
that the plugin's cloud never imports gunicorn."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pocketstack.cloud.config import CloudConfig
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.serving.frontdoor import FrontDoor

# WSGI threads per worker beyond those that password checks may hold (running or queued), so
# that token validations and listings never wait behind bcrypt for a thread.
SPARE_THREADS = 8


def front_door(config: CloudConfig, deps: CloudDeps, *, on_first_use: bool = False) -> FrontDoor:
    """`on_first_use`: the services made by their first request (cloud/app.py)."""
    from pocketstack.cloud.app import create_cloud_app
    from pocketstack.cloud.dashboard.sessions import session_check

    return FrontDoor(
        create_cloud_app(deps, on_first_use=on_first_use),
        max_body=config.max_request_body_size,
        body_timeout=config.body_timeout,
        threads=config.hash_concurrency + config.hash_queue + SPARE_THREADS,
        max_data=config.image_size_cap,
        spool_dir=spool_dir(config),
        token_valid=token_check(deps),
        session_valid=session_check(deps),
        # An injected latency sleeps in the app: it must hold a pool thread, never the loop.
        inline=not config.test_controls,
    )


def token_check(deps: CloudDeps) -> Callable[[str], bool]:
    """Whether a token is one the cloud issued and has not revoked (frontdoor.py asks before it
    spools an upload)."""
    from pocketstack.cloud.auth.tokens import TokenError

    def valid(token: str) -> bool:
        try:
            deps.tokens.validate(token)
        except TokenError:
            return False
        return True

    return valid


def spool_dir(config: CloudConfig) -> Path:
    """Where image data being uploaded waits for the app (frontdoor.py): in the data directory,
    private to its owner, not in a /tmp that may be memory."""
    path = config.data_dir / "spool"
    path.mkdir(mode=0o700, exist_ok=True)
    path.chmod(0o700)
    return path
