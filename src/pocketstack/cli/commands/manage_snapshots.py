"""`pocketstack manage snapshot NAME | restore NAME | reset | snapshots`: the cloud's state kept
and put back while it runs (cloud/snapshots). The cloud's code is imported by each handler: the
rest of the CLI never loads it."""

from __future__ import annotations

import argparse
import contextlib
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from pocketstack.cli.commands._cloud import add_data_dir_argument, add_db_url_argument
from pocketstack.cloud.config import CloudConfig

if TYPE_CHECKING:
    from pocketstack.cli.argspec import Namespace
    from pocketstack.cli.context import Context
    from pocketstack.cloud.store.db import Store


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "snapshot",
        help="keep the cloud's state (database, keys, image data) as snapshot NAME, "
        "replacing one of that name; the cloud may be running",
    )
    p.add_argument("name", metavar="NAME", help="letters, digits, '.', '_', '-' (64 at most)")
    add_data_dir_argument(p)
    add_db_url_argument(p)

    p = sub.add_parser("restore", help="put the cloud back as snapshot NAME has it")
    p.add_argument("name", metavar="NAME", help="a snapshot `manage snapshots` lists")
    add_data_dir_argument(p)
    add_db_url_argument(p)

    p = sub.add_parser(
        "reset", help="put the cloud back as it was right after its first start (bootstrap)"
    )
    add_data_dir_argument(p)
    add_db_url_argument(p)

    p = sub.add_parser("snapshots", help="list the snapshots")
    add_data_dir_argument(p)


@contextlib.contextmanager
def _store(config: CloudConfig) -> Iterator[Store]:
    from sqlalchemy.exc import SQLAlchemyError

    from pocketstack.cloud.serving.firststart import redacted_db_url
    from pocketstack.cloud.snapshots.layout import SnapshotError
    from pocketstack.cloud.store.db import Store

    store = Store(config.db_url)
    try:
        yield store
    except SQLAlchemyError as exc:
        raise SnapshotError(
            f"database {redacted_db_url(config.db_url)}: {exc.__class__.__name__}: "
            f"{str(exc).splitlines()[0]}"
        ) from exc
    finally:
        store.dispose()


def _snapshot(args: Namespace, config: CloudConfig, ctx: Context) -> int:
    from pocketstack.cloud.snapshots.layout import path_of
    from pocketstack.cloud.snapshots.ops import take

    with _store(config) as store:
        made = take(config, args.name, store)
    ctx.stdout.write(
        f"snapshot {made.name}: {made.rows} rows in {made.seconds:.2f} s "
        f"({path_of(config, made.name)})\n"
    )
    return 0


def _restore(args: Namespace, config: CloudConfig, ctx: Context) -> int:
    from pocketstack.cloud.snapshots.ops import restore

    started = time.perf_counter()
    with _store(config) as store:
        done = restore(config, args.name, store)
    ctx.stdout.write(
        f"restored snapshot {done.name} (taken {done.created_at}): {done.rows} rows in "
        f"{time.perf_counter() - started:.2f} s\n"
    )
    return 0


def _reset(args: Namespace, config: CloudConfig, ctx: Context) -> int:
    import dataclasses

    from pocketstack.cloud.serving.errors import ServingError
    from pocketstack.cloud.serving.firststart import read_admin_password
    from pocketstack.cloud.serving.state import running_state
    from pocketstack.cloud.snapshots.ops import reset

    password = read_admin_password(config)
    if password is None:
        raise ServingError(f"no cloud set up in {config.data_dir} (no admin-password file)")
    # The catalog must name the address the cloud answers at now, as `manage bootstrap` does.
    running = running_state(config)
    if running is not None:
        config = dataclasses.replace(config, public_url=running.url)
    started = time.perf_counter()
    with _store(config) as store:
        reset(config, store, admin_password=password)
    ctx.stdout.write(
        f"reset the cloud to its bootstrap state in {time.perf_counter() - started:.2f} s\n"
    )
    return 0


def _snapshots(args: Namespace, config: CloudConfig, ctx: Context) -> int:
    from pocketstack.cloud.snapshots.ops import listing

    found = listing(config)
    if not found:
        ctx.stdout.write("no snapshots\n")
        return 0
    rows = [("NAME", "TAKEN", "DATABASE", "ROWS")]
    rows += [(m.name, m.created_at, m.backend, str(m.rows)) for m in found]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        ctx.stdout.write("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        ctx.stdout.write("\n")
    return 0


HANDLERS: dict[str, Callable[[Namespace, CloudConfig, Context], int]] = {
    "snapshot": _snapshot,
    "restore": _restore,
    "reset": _reset,
    "snapshots": _snapshots,
}
