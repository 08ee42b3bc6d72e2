"""Load: several concurrent clients on loopback for a bounded time against a real `pocketstack
serve`, a mix of server list/show/create/delete and token issue/validate. Zero errors allowed; the
figures (requests, rps, p50/p99 per operation) are printed.
"""

from __future__ import annotations

import dataclasses
import http.client
import random
import statistics
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.reliability.conftest import (
    Served,
    ServeFactory,
    http_request,
    issue_password_token,
    password_auth,
    report_figure,
)

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

CLIENTS = 4
DURATION = 8.0
# (operation, weight)
MIX = (
    ("list", 30),
    ("show", 25),
    ("create", 12),
    ("delete", 10),
    ("token-issue", 8),
    ("token-validate", 15),
)
SERVERS = "/compute/v2.1/servers"


@dataclasses.dataclass
class Tally:
    latencies: dict[str, list[float]] = dataclasses.field(default_factory=dict)
    errors: list[str] = dataclasses.field(default_factory=list)
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)

    def record(self, op: str, seconds: float) -> None:
        with self.lock:
            self.latencies.setdefault(op, []).append(seconds)


@dataclasses.dataclass(frozen=True)
class Member:
    name: str
    password: str
    project_id: str


def _make_member(served: Served, admin: str) -> Member:
    tag = uuid.uuid4().hex[:8]
    project = served.request(
        "POST",
        "/identity/v3/projects",
        token=admin,
        body={"project": {"name": f"load-{tag}", "domain_id": "default"}},
    )
    assert project.status == 201, project
    project_id = project.json()["project"]["id"]
    password = uuid.uuid4().hex
    user = served.request(
        "POST",
        "/identity/v3/users",
        token=admin,
        body={"user": {"name": f"load-{tag}", "password": password, "domain_id": "default"}},
    )
    assert user.status == 201, user
    roles = served.request("GET", "/identity/v3/roles?name=member", token=admin).json()["roles"]
    granted = served.request(
        "PUT",
        f"/identity/v3/projects/{project_id}/users/{user.json()['user']['id']}/roles/"
        f"{roles[0]['id']}",
        token=admin,
    )
    assert granted.status == 204, granted
    return Member(f"load-{tag}", password, project_id)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _client(
    served: Served, member: Member, image_id: str, tally: Tally, seed: int, deadline: float
) -> None:
    rng = random.Random(seed)
    token = issue_password_token(
        served.base_url, member.name, member.password, project_id=member.project_id
    )
    mine: list[str] = []
    ops = [op for op, _ in MIX]
    weights = [w for _, w in MIX]

    def expect(op: str, reply_status: int, wanted: int, body: bytes) -> None:
        if reply_status != wanted:
            tally.errors.append(f"{op}: {reply_status} (wanted {wanted}) {body[:200]!r}")

    actions: dict[str, Callable[[], None]] = {}

    def do_list() -> None:
        reply = served.request("GET", f"{SERVERS}/detail?limit=50", token=token)
        expect("list", reply.status, 200, reply.body)

    def do_show() -> None:
        if not mine:
            return do_create()
        reply = served.request("GET", f"{SERVERS}/{rng.choice(mine)}", token=token)
        expect("show", reply.status, 200, reply.body)
        return None

    def do_create() -> None:
        reply = served.request(
            "POST",
            SERVERS,
            token=token,
            body={
                "server": {
                    "name": f"load-{rng.randrange(10**6)}",
                    "imageRef": image_id,
                    "flavorRef": "1",
                    "networks": "auto",
                }
            },
        )
        expect("create", reply.status, 202, reply.body)
        if reply.status == 202:
            mine.append(reply.json()["server"]["id"])

    def do_delete() -> None:
        if not mine:
            return do_create()
        victim = mine.pop(rng.randrange(len(mine)))
        reply = served.request("DELETE", f"{SERVERS}/{victim}", token=token)
        expect("delete", reply.status, 204, reply.body)
        return None

    def do_issue() -> None:
        reply = http_request(
            served.base_url,
            "POST",
            "/identity/v3/auth/tokens?nocatalog",
            body=password_auth(member.name, member.password, project_id=member.project_id),
        )
        expect("token-issue", reply.status, 201, reply.body)

    def do_validate() -> None:
        reply = served.request(
            "GET",
            "/identity/v3/auth/tokens?nocatalog",
            token=token,
            headers={"X-Subject-Token": token},
        )
        expect("token-validate", reply.status, 200, reply.body)

    actions.update(
        {
            "list": do_list,
            "show": do_show,
            "create": do_create,
            "delete": do_delete,
            "token-issue": do_issue,
            "token-validate": do_validate,
        }
    )
    while time.monotonic() < deadline:
        op = rng.choices(ops, weights)[0]
        started = time.perf_counter()
        try:
            actions[op]()
        except (OSError, http.client.HTTPException) as exc:
            tally.errors.append(f"{op}: {exc!r}")
        except Exception as exc:  # a bad body (no JSON, no id) is an error too
            tally.errors.append(f"{op}: {exc!r}")
        tally.record(op, time.perf_counter() - started)


def test_mixed_load_has_no_errors(tmp_path: Path, serve_factory: ServeFactory) -> None:
    served = serve_factory(tmp_path / "data", workers=2)
    admin = served.admin_token()
    served.lift_server_quotas(admin)
    image_id = served.request("GET", "/image/v2/images", token=admin).json()["images"][0]["id"]
    members = [_make_member(served, admin) for _ in range(2)]
    tally = Tally()
    deadline = time.monotonic() + DURATION
    started = time.monotonic()
    threads = [
        threading.Thread(
            target=_client,
            args=(served, members[n % len(members)], image_id, tally, n, deadline),
            daemon=True,
        )
        for n in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=DURATION + 60)
        assert not thread.is_alive(), "a client hung"
    elapsed = time.monotonic() - started
    every = [t for values in tally.latencies.values() for t in values]
    lines = [
        f"load: {CLIENTS} clients, {elapsed:.1f} s, {len(every)} requests, "
        f"{len(every) / elapsed:.0f} rps, p50 {statistics.median(every) * 1000:.1f} ms, "
        f"p99 {_percentile(every, 0.99) * 1000:.1f} ms, {len(tally.errors)} errors"
    ]
    for op, values in sorted(tally.latencies.items()):
        lines.append(
            f"  {op:15} {len(values):6} requests  p50 {statistics.median(values) * 1000:7.1f} ms"
            f"  p99 {_percentile(values, 0.99) * 1000:7.1f} ms"
        )
    report_figure("\n".join(lines))
    assert not tally.errors, tally.errors[:10]
    assert set(tally.latencies) == {op for op, _ in MIX}
    assert len(every) >= 100, "too few requests to call this a load test"
