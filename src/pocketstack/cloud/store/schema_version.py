"""Whether a database is at the newest schema, known without loading Alembic.

Every start runs the migrations (`db_upgrade`); on a database already at the newest one, Alembic
still imports its environment and every migration script to learn that, about 0.3 s of a start
(more where bytecode is not cached). The newest revision is the last migration file's name:
each revision is named after its file and the files sort in their chain's order (the test of
the migrations holds both to it), so one query against `alembic_version` answers.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

VERSIONS = Path(__file__).parent / "migrations" / "versions"


def migration_files() -> list[Path]:
    """The migration scripts, in their chain's order."""
    return sorted(path for path in VERSIONS.glob("[0-9]*.py"))


def newest_revision() -> str:
    return migration_files()[-1].stem


def is_newest(engine: Engine) -> bool:
    """True when the database says it is at the newest revision; False when it is behind,
    ahead, empty, or cannot say (then the migrations run, and tell)."""
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    except SQLAlchemyError:
        return False
    return [row[0] for row in rows] == [newest_revision()]
