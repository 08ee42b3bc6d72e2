"""The gunicorn worker of `pocketstack serve`: uvicorn's event loop (through the uvicorn-worker
package) in front of the cloud's WSGI app, so that slow clients hold connections, not workers.

gunicorn's sync workers read each request head in the one thread a worker has, without a
deadline: two clients that never finished a request stopped every service. Here the event loop
reads heads and bodies of any number of connections at once, under deadlines (protocol.py,
frontdoor.py), and only complete requests reach the WSGI app's thread pool.
"""

from __future__ import annotations

from typing import Any

from uvicorn_worker import UvicornWorker

from pocketstack.cloud.config import CloudConfig
from pocketstack.cloud.serving.protocol import HeadLimits, guarded_protocol

# Seconds before gunicorn's own graceful_timeout at which the worker stops waiting for requests
# in flight: it then exits by itself rather than being killed.
SHUTDOWN_MARGIN = 1.0


class CloudWorker(UvicornWorker):  # type: ignore[misc]
    # The asyncio loop (uvloop is not a dependency); our access log replaces uvicorn's; the WSGI
    # app has no lifespan events.
    CONFIG_KWARGS: dict[str, Any] = {"loop": "asyncio", "lifespan": "off", "access_log": False}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cloud: CloudConfig = self.app.cloud_config
        self.config.http = guarded_protocol(
            HeadLimits(
                header_timeout=cloud.header_timeout,
                max_request_line=cloud.max_request_line,
                max_header_bytes=cloud.max_header_bytes,
            )
        )
        self.config.timeout_graceful_shutdown = max(
            1, int(self.cfg.graceful_timeout - SHUTDOWN_MARGIN)
        )
