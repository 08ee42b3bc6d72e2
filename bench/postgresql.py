"""The scratch databases case 4 fills on the local PostgreSQL, one per database size."""

from __future__ import annotations

import subprocess

from bench.context import Context
from bench.procs import BenchError


def create_postgresql_db(ctx: Context, name: str) -> str:
    """A scratch database on the local PostgreSQL; its SQLAlchemy URL."""
    code = (
        "import sys, psycopg\n"
        "with psycopg.connect('host=127.0.0.1 port=5432 user=postgres dbname=postgres',"
        " autocommit=True) as c:\n"
        "    c.execute('DROP DATABASE IF EXISTS ' + sys.argv[1])\n"
        "    c.execute('CREATE DATABASE ' + sys.argv[1])\n"
    )
    done = subprocess.run(
        [str(ctx.pocketstack_python), "-c", code, name],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    if done.returncode != 0:
        raise BenchError(f"cannot create PostgreSQL database {name}: {done.stderr[-500:]}")
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def analyze_postgresql_db(ctx: Context, name: str) -> None:
    """Bring the planner's statistics up to date after a bulk load, as autovacuum would later
    (otherwise the first measurements race autovacuum's own ANALYZE)."""
    code = (
        "import sys, psycopg\n"
        "with psycopg.connect('host=127.0.0.1 port=5432 user=postgres dbname=' + sys.argv[1],"
        " autocommit=True) as c:\n"
        "    c.execute('VACUUM ANALYZE')\n"
    )
    done = subprocess.run(
        [str(ctx.pocketstack_python), "-c", code, name],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if done.returncode != 0:
        raise BenchError(f"VACUUM ANALYZE of {name} failed: {done.stderr[-500:]}")


def drop_postgresql_db(ctx: Context, name: str) -> None:
    code = (
        "import sys, psycopg\n"
        "with psycopg.connect('host=127.0.0.1 port=5432 user=postgres dbname=postgres',"
        " autocommit=True) as c:\n"
        "    c.execute('DROP DATABASE IF EXISTS ' + sys.argv[1] + ' WITH (FORCE)')\n"
    )
    subprocess.run(
        [str(ctx.pocketstack_python), "-c", code, name],
        capture_output=True,
        check=False,
        timeout=60,
    )
