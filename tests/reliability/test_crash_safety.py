"""Crash safety: a real `pocketstack serve`, concurrent creates and deletes over HTTP, `kill -9` of
the whole process group mid-way, restart. Every server whose create was answered 202 exists with
everything it was created with, every server answered 204 to a delete stays deleted, nothing
answered 5xx, and the database is consistent — on SQLite, PostgreSQL and MariaDB.

A request cut off by the kill has an unknown outcome and is only held to the consistency rules.
"""

from __future__ import annotations

import dataclasses
import http.client
import random
import sqlite3
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine, make_url

from tests.reliability.conftest import Served, ServeFactory, report_figure

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

KILLS = 3
CLIENTS = 6
# The kill lands at a random moment in this window after the clients start (seconds).
KILL_WINDOW = (0.6, 1.6)
ROUND_LIMIT = 20.0
SERVERS_PATH = "/compute/v2.1/servers"


@dataclasses.dataclass
class Ledger:
    """What the cloud acknowledged, as a client saw it."""

    created: dict[str, str] = dataclasses.field(default_factory=dict)  # id -> seq
    deleted: set[str] = dataclasses.field(default_factory=set)
    # Deletes sent but not answered (in flight, or cut off by the kill): either outcome is right.
    deleting: set[str] = dataclasses.field(default_factory=set)
    unknown: int = 0
    errors: list[str] = dataclasses.field(default_factory=list)
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)

    def alive(self) -> list[str]:
        with self.lock:
            return [
                sid for sid in self.created if sid not in self.deleted and sid not in self.deleting
            ]


def _client(
    served: Served,
    *,
    token: str,
    image_id: str,
    ledger: Ledger,
    killed: threading.Event,
    seed: int,
    deadline: float,
) -> None:
    rng = random.Random(seed)
    while not killed.is_set() and time.monotonic() < deadline:
        alive = ledger.alive()
        try:
            if alive and rng.random() < 0.4:
                victim = rng.choice(alive)
                with ledger.lock:
                    ledger.deleting.add(victim)
                reply = served.request("DELETE", f"{SERVERS_PATH}/{victim}", token=token)
                with ledger.lock:
                    ledger.deleting.discard(victim)
                    if reply.status == 204:
                        ledger.deleted.add(victim)
                if reply.status not in (204, 404):  # 404: cut-off delete of an earlier round
                    ledger.errors.append(f"DELETE -> {reply.status} {reply.body[:200]!r}")
            else:
                seq = uuid.uuid4().hex
                reply = served.request(
                    "POST",
                    SERVERS_PATH,
                    token=token,
                    body={
                        "server": {
                            "name": f"crash-{seq[:8]}",
                            "imageRef": image_id,
                            "flavorRef": "1",
                            "networks": "auto",
                            "metadata": {"seq": seq},
                            "tags": ["crash", seq[:16]],
                        }
                    },
                )
                if reply.status == 202:
                    with ledger.lock:
                        ledger.created[reply.json()["server"]["id"]] = seq
                else:
                    ledger.errors.append(f"POST -> {reply.status} {reply.body[:200]!r}")
        except (OSError, http.client.HTTPException):
            # Cut off by the kill (or refused after it): the outcome is unknown.
            with ledger.lock:
                ledger.unknown += 1
            if not killed.is_set():
                ledger.errors.append("connection failed before the kill")
            return
        except Exception as exc:  # anything else fails the test, not just this thread
            ledger.errors.append(f"client crashed: {exc!r}")
            return


def _run_and_kill(served: Served, *, token: str, image_id: str, ledger: Ledger, seed: int) -> None:
    killed = threading.Event()
    deadline = time.monotonic() + ROUND_LIMIT
    threads = [
        threading.Thread(
            target=_client,
            kwargs={
                "served": served,
                "token": token,
                "image_id": image_id,
                "ledger": ledger,
                "killed": killed,
                "seed": seed * 100 + n,
                "deadline": deadline,
            },
            daemon=True,
        )
        for n in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    time.sleep(random.Random(seed).uniform(*KILL_WINDOW))
    killed.set()
    served.kill9()
    for thread in threads:
        thread.join(timeout=ROUND_LIMIT + 30)
        assert not thread.is_alive()


def _listed(served: Served, token: str) -> dict[str, dict[str, Any]]:
    servers: dict[str, dict[str, Any]] = {}
    marker = ""
    for _ in range(50):
        reply = served.request(
            "GET", f"{SERVERS_PATH}/detail?all_tenants=1&limit=1000{marker}", token=token
        )
        assert reply.status == 200, reply
        page = reply.json()["servers"]
        servers.update((s["id"], s) for s in page)
        if len(page) < 1000:
            return servers
        marker = f"&marker={page[-1]['id']}"
    raise AssertionError("more pages than servers could fill")


def _check_acknowledged(served: Served, token: str, ledger: Ledger, *, seed: int) -> None:
    listed = _listed(served, token)
    alive = set(ledger.alive())
    assert alive <= set(listed), f"acknowledged creates lost: {sorted(alive - set(listed))[:5]}"
    undone = ledger.deleted & set(listed)
    assert not undone, f"deletes undone: {sorted(undone)[:5]}"
    # Each acknowledged server comes back whole: its metadata and tags were in the same write.
    for sid in sorted(alive):
        server = listed[sid]
        assert server["metadata"] == {"seq": ledger.created[sid]}, server
        assert sorted(server["tags"]) == sorted(["crash", ledger.created[sid][:16]])
    rng = random.Random(seed)
    for sid in rng.sample(sorted(alive), min(10, len(alive))):
        assert served.request("GET", f"{SERVERS_PATH}/{sid}", token=token).status == 200
    for sid in rng.sample(sorted(ledger.deleted), min(10, len(ledger.deleted))):
        assert served.request("GET", f"{SERVERS_PATH}/{sid}", token=token).status == 404


def _orphans(engine: Engine) -> list[str]:
    """Rows whose declared foreign keys point at nothing, table by table (all backends)."""
    problems = []
    schema = inspect(engine)
    q = engine.dialect.identifier_preparer.quote
    with engine.connect() as conn:
        for table in schema.get_table_names():
            for fk in schema.get_foreign_keys(table):
                parent = fk["referred_table"]
                pairs = list(zip(fk["constrained_columns"], fk["referred_columns"], strict=True))
                join = " AND ".join(f"p.{q(pc)} = c.{q(cc)}" for cc, pc in pairs)
                present = " AND ".join(f"c.{q(cc)} IS NOT NULL" for cc, _ in pairs)
                count = conn.execute(
                    text(
                        f"SELECT COUNT(*) FROM {q(table)} c WHERE {present} AND NOT EXISTS "
                        f"(SELECT 1 FROM {q(parent)} p WHERE {join})"
                    )
                ).scalar_one()
                if count:
                    problems.append(f"{table} -> {parent}: {count} dangling rows")
    return problems


def _half_written(engine: Engine) -> list[str]:
    """Servers missing what every create in this test writes in the same transaction."""
    with engine.connect() as conn:
        no_metadata = conn.execute(
            text(
                "SELECT COUNT(*) FROM instance i WHERE NOT EXISTS (SELECT 1 FROM "
                "instance_metadata m WHERE m.instance_id = i.id AND m.key = 'seq')"
            )
        ).scalar_one()
        tag_counts = conn.execute(
            text(
                "SELECT COUNT(*) FROM instance i WHERE (SELECT COUNT(*) FROM instance_tag t "
                "WHERE t.instance_id = i.id) <> 2"
            )
        ).scalar_one()
        blank = conn.execute(
            text(
                "SELECT COUNT(*) FROM instance WHERE uuid IS NULL OR uuid = '' "
                "OR vm_state IS NULL OR created_at IS NULL OR (deleted AND deleted_at IS NULL)"
            )
        ).scalar_one()
    problems = []
    if no_metadata:
        problems.append(f"{no_metadata} servers without their metadata")
    if tag_counts:
        problems.append(f"{tag_counts} servers without exactly their two tags")
    if blank:
        problems.append(f"{blank} servers with blank required fields")
    return problems


def _sqlite_checks(db_url: str) -> list[str]:
    path = make_url(db_url).database
    assert path is not None
    with sqlite3.connect(path) as conn:
        integrity = conn.execute("PRAGMA integrity_check").fetchall()
        foreign = conn.execute("PRAGMA foreign_key_check").fetchall()
    problems = []
    if integrity != [("ok",)]:
        problems.append(f"integrity_check: {integrity[:5]}")
    if foreign:
        problems.append(f"foreign_key_check: {foreign[:5]}")
    return problems


def test_acknowledged_writes_survive_kill_9(
    db_url: str, tmp_path: Path, serve_factory: ServeFactory
) -> None:
    served = serve_factory(tmp_path / "data", db_url=db_url, workers=2)
    token = served.admin_token()
    served.lift_server_quotas(token)
    images = served.request("GET", "/image/v2/images", token=token).json()["images"]
    image_id = images[0]["id"]
    ledger = Ledger()
    revoked: list[str] = []
    for round_ in range(KILLS):
        # A revocation answered 204 just before the crash is as durable as a delete.
        doomed = served.admin_token()
        gone = served.request(
            "DELETE", "/identity/v3/auth/tokens", token=token, headers={"X-Subject-Token": doomed}
        )
        assert gone.status == 204
        revoked.append(doomed)
        _run_and_kill(served, token=token, image_id=image_id, ledger=ledger, seed=round_)
        assert not ledger.errors, ledger.errors[:5]
        served.restart()
        # The token was minted before the kill: keys and revocations are on disk.
        _check_acknowledged(served, token, ledger, seed=round_)
        for dead in revoked:
            assert served.request("GET", SERVERS_PATH, token=dead).status == 401
    served.kill9()
    engine = create_engine(db_url)
    try:
        problems = _orphans(engine) + _half_written(engine)
    finally:
        engine.dispose()
    if db_url.startswith("sqlite"):
        problems += _sqlite_checks(db_url)
    assert not problems, problems
    name = make_url(db_url).get_backend_name()
    backend = "mariadb" if name == "mysql" else name
    assert ledger.created, "no create was acknowledged before the kills"
    line = (
        f"crash safety [{backend}]: {KILLS} kills survived, {len(ledger.created)} creates and "
        f"{len(ledger.deleted)} deletes acknowledged and intact, {ledger.unknown} requests cut off"
    )
    report_figure(line)
