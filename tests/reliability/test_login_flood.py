"""A flood of wrong-password logins against a real `pocketstack serve` at bcrypt's default cost:
token validation and listing still answer promptly, the flood is refused with 429 and
Retry-After once the hashing queue is full, and a legitimate login gets through."""

from __future__ import annotations

import http.client
import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator

import pytest

from tests.reliability.conftest import HOST, Served, ServeStarter, password_auth

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

FLOODERS = 16
# Generous: idle, these take a few milliseconds; behind bcrypt they took seconds.
ANSWER_WITHIN = 1.0
WORKERS = 2
CONFIG = f"bcrypt_rounds = 12\nworkers = {WORKERS}\nhash_concurrency = 1\nhash_queue = 2\n"
# Password checks running or queued at once in the whole cloud.
IN_HASHING = WORKERS * (1 + 2)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    data_dir = tmp_path_factory.mktemp("flood") / "cloud"
    data_dir.mkdir(mode=0o700)
    (data_dir / "pocketstack.toml").write_text(CONFIG)
    starter = ServeStarter()
    try:
        yield starter(data_dir)
    finally:
        starter.stop_all()


class Flood:
    """FLOODERS threads posting wrong passwords for made-up users, each from its own loopback
    address, one request after another, until stopped."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.stop = threading.Event()
        self.statuses: Counter[int] = Counter()
        self.retry_after: list[str] = []
        self.answered_sources: set[str] = set()
        self._lock = threading.Lock()
        self.threads = [
            threading.Thread(target=self._run, args=(f"127.0.0.{10 + n}",), daemon=True)
            for n in range(FLOODERS)
        ]

    def _run(self, source: str) -> None:
        body = json.dumps(password_auth(f"nobody-{uuid.uuid4().hex[:8]}", "wrong-password"))
        while not self.stop.is_set():
            conn = http.client.HTTPConnection(
                HOST, self.port, timeout=30, source_address=(source, 0)
            )
            try:
                conn.request(
                    "POST",
                    "/identity/v3/auth/tokens",
                    body=body,
                    headers={"Content-Type": "application/json"},
                )
                response = conn.getresponse()
                response.read()
            except OSError:
                continue
            finally:
                conn.close()
            with self._lock:
                self.statuses[response.status] += 1
                self.answered_sources.add(source)
                if response.status == 429:
                    self.retry_after.append(response.getheader("Retry-After") or "")

    def __enter__(self) -> Flood:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)


def timed(served: Served, method: str, path: str, **kwargs: object) -> tuple[int, float]:
    start = time.monotonic()
    reply = served.request(method, path, timeout=30, **kwargs)  # type: ignore[arg-type]
    return reply.status, time.monotonic() - start


def test_a_login_flood_leaves_validation_and_listing_prompt(served: Served) -> None:
    token = served.admin_token()
    with Flood(served.port) as flood:
        # Every flooding address has been answered at least once: the hashing queues are full,
        # and every worker knows each address for one that has tried (the counts are shared).
        deadline = time.monotonic() + 60
        while len(flood.answered_sources) < FLOODERS and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(flood.answered_sources) == FLOODERS, flood.statuses
        # The flood's first attempts were as clean as any newcomer's and may still hold the
        # queues: at most (running + queued) per worker. Let more checks than that finish.
        checked = flood.statuses[401]
        while flood.statuses[401] < checked + 2 * IN_HASHING and time.monotonic() < deadline:
            time.sleep(0.1)
        for _ in range(10):
            status, took = timed(
                served,
                "GET",
                "/identity/v3/auth/tokens?nocatalog",
                token=token,
                headers={"X-Subject-Token": token},
            )
            assert status == 200
            assert took < ANSWER_WITHIN
            status, took = timed(served, "GET", "/compute/v2.1/servers", token=token)
            assert status == 200
            assert took < ANSWER_WITHIN
        # A login from an address that has not been trying goes ahead of the flood's.
        conn = http.client.HTTPConnection(
            HOST, served.port, timeout=30, source_address=("127.0.0.99", 0)
        )
        try:
            body = password_auth("admin", served.admin_password, project_name="admin")
            conn.request(
                "POST",
                "/identity/v3/auth/tokens?nocatalog",
                body=json.dumps(body),
                headers={"Content-Type": "application/json"},
            )
            response = conn.getresponse()
            assert response.status == 201, response.read()
        finally:
            conn.close()
    assert flood.statuses[401] > 0, flood.statuses
    assert flood.statuses[429] > 0, flood.statuses
    assert all(value.isdigit() and int(value) >= 1 for value in flood.retry_after)
