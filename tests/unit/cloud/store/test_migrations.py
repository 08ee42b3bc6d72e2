"""The migrations build exactly what the models describe, on every backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

import pocketstack.cloud.store.models  # noqa: F401
from pocketstack.cloud.store.base import Base
from pocketstack.cloud.store.db import Store
from pocketstack.cloud.store.upgrade import current_revision, head_revision, is_current, upgrade


def test_upgrade_creates_every_model_table_and_matches_models(db_url: str) -> None:
    store = Store(db_url)
    try:
        assert current_revision(store.engine) is None
        upgrade(store.engine)
        assert is_current(store.engine)
        tables = set(inspect(store.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        with store.engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
            )
        assert diff == []
    finally:
        store.dispose()


def test_upgrade_twice_is_a_no_op(db_url: str) -> None:
    store = Store(db_url)
    try:
        upgrade(store.engine)
        upgrade(store.engine)
        assert current_revision(store.engine) == head_revision()
    finally:
        store.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = Store(f"sqlite:///{tmp_path / 'x.db'}")
    with store.session() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert session.execute(text("PRAGMA busy_timeout")).scalar() == 10000
    store.dispose()


def test_each_revision_is_named_after_its_file_in_chain_order() -> None:
    # schema_version.py finds the newest revision from the file names alone.
    from alembic.script import ScriptDirectory

    from pocketstack.cloud.store import schema_version
    from pocketstack.cloud.store.upgrade import _config

    scripts = ScriptDirectory.from_config(_config())
    chain = [rev.revision for rev in reversed(list(scripts.walk_revisions()))]
    assert chain == [path.stem for path in schema_version.migration_files()]
    assert schema_version.newest_revision() == head_revision()


def test_is_newest_answers_for_empty_behind_and_newest(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from pocketstack.cloud.store import schema_version

    store = Store(f"sqlite:///{tmp_path / 'p.db'}")
    try:
        assert not schema_version.is_newest(store.engine)
        upgrade(store.engine, revision="0001_identity")
        assert not schema_version.is_newest(store.engine)
        upgrade(store.engine)
        assert schema_version.is_newest(store.engine)
    finally:
        store.dispose()
