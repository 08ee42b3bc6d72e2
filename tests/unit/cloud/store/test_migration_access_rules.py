"""Migration 0031 on every backend: the access rules credentials kept as JSON become one row per
distinct rule of their user, linked to each credential that named them, and the credentials'
JSON names those rows."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from alembic import command
from sqlalchemy import func, select

from pocketstack.cloud.store import upgrade as store_upgrade
from pocketstack.cloud.store.models.application_credential import (
    AccessRule,
    AppCredentialAccessRule,
    ApplicationCredential,
)
from pocketstack.cloud.store.models.identity import Project, User
from tests.fixtures.cloud import OffsetClock, make_deps

BEFORE = "0030_ipam_hint"
LIST = {"service": "compute", "path": "/v2.1/servers", "method": "GET"}
SHOW = {"service": "compute", "path": "/v2.1/servers/*", "method": "GET"}


def test_json_rules_move_to_their_tables(db_url: str, tmp_path: Path, clock: OffsetClock) -> None:
    deps = make_deps(data_dir=tmp_path, db_url=db_url, clock=clock)
    try:
        with deps.store.session(write=True) as session:
            user = session.scalars(select(User).where(User.name == "admin")).one()
            project = session.scalars(select(Project).where(Project.name == "admin")).one()
            now = dt.datetime.now(dt.UTC)
            for name in ("a", "b", "c"):
                session.add(ApplicationCredential(
                    id=name * 32, name=name, user_id=user.id, project_id=project.id,
                    secret_hash="x", created_at=now,
                ))  # fmt: skip
            session.flush()
        cfg = store_upgrade._config()
        with deps.store.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, BEFORE)
        with deps.store.engine.begin() as conn:
            for name, rules in (("a", [LIST, SHOW]), ("b", [LIST, LIST])):
                conn.execute(ApplicationCredential.__table__.update()
                             .where(ApplicationCredential.id == name * 32)
                             .values(access_rules=json.dumps(rules)))  # fmt: skip
        store_upgrade.upgrade(deps.store.engine)
        with deps.store.session() as session:
            rules = {(r.path, r.user_id): r.id for r in session.scalars(select(AccessRule))}
            assert set(rules) == {("/v2.1/servers", user.id), ("/v2.1/servers/*", user.id)}
            links = session.scalar(select(func.count()).select_from(AppCredentialAccessRule))
            assert links == 3
            kept = {c.name: c.access_rules for c in session.scalars(select(ApplicationCredential))}
        assert kept["c"] is None
        assert json.loads(kept["b"] or "") == [{"id": rules[("/v2.1/servers", user.id)], **LIST}]
        assert [r["id"] for r in json.loads(kept["a"] or "")] == [
            rules[("/v2.1/servers", user.id)], rules[("/v2.1/servers/*", user.id)],
        ]  # fmt: skip
    finally:
        deps.store.dispose()
