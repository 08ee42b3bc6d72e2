"""`pocketstack manage ...`: the cloud's administration (as keystone-manage / nova-manage)."""

from __future__ import annotations

import argparse
import dataclasses
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from pocketstack.cli.commands import manage_snapshots
from pocketstack.cli.commands._cloud import (
    add_data_dir_argument,
    add_db_url_argument,
    cloud_config,
    non_negative_int,
    positive_int,
)
from pocketstack.cloud.config import CloudConfig

if TYPE_CHECKING:
    from pocketstack.cli.argspec import Namespace
    from pocketstack.cli.context import Context

HELP = (
    "administer the cloud: db-upgrade, fernet-setup, fernet-rotate, bootstrap, seed, "
    "snapshot, restore, reset, snapshots"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="manage_command", metavar="SUBCOMMAND", required=True)

    p = sub.add_parser("db-upgrade", help="apply the database migrations")
    add_data_dir_argument(p)
    add_db_url_argument(p)

    p = sub.add_parser("fernet-setup", help="create the Fernet key repository if it has no keys")
    add_data_dir_argument(p)

    p = sub.add_parser(
        "fernet-rotate",
        help="promote the staged key to primary, stage a new one, drop the oldest ones",
    )
    add_data_dir_argument(p)

    p = sub.add_parser(
        "bootstrap",
        help="create (or update) the Default domain, admin project and user, roles, region, "
        "catalog, flavors and image",
    )
    add_data_dir_argument(p)
    add_db_url_argument(p)
    p.add_argument(
        "--admin-password",
        default=None,
        help="the admin's password (default: $POCKETSTACK_ADMIN_PASSWORD, which keeps it out of "
        "`ps`, else the one kept in <data-dir>/admin-password, else a new random one kept there)",
    )
    p.add_argument(
        "--public-url",
        default=None,
        help="base URL the catalog advertises (default: public_url in pocketstack.toml, "
        "else http://HOST:PORT); set it in pocketstack.toml to keep it across restarts",
    )

    p = sub.add_parser("seed", help="create servers across projects for demos and benchmarks")
    add_data_dir_argument(p)
    add_db_url_argument(p)
    p.add_argument("--servers", type=non_negative_int, required=True, help="servers to create")
    p.add_argument(
        "--projects", type=positive_int, default=1, help="projects to spread them over (default 1)"
    )
    manage_snapshots.add_parsers(sub)


def run(args: Namespace, ctx: Context) -> int:
    config = cloud_config(args)
    handler = _HANDLERS[args.manage_command]
    return handler(args, config, ctx)


def _db_upgrade(args: Namespace, config: CloudConfig, ctx: Context) -> int:
    from pocketstack.cloud.serving.firststart import db_upgrade, ensure_data_dir, redacted_db_url

    ensure_data_dir(config)
    db_upgrade(config)
    ctx.stdout.write(f"database {redacted_db_url(config.db_url)} is up to date\n")
    return 0


def _fernet_setup(args: Namespace, config: CloudConfig, ctx: Context) -> int:
    from pocketstack.cloud.serving.firststart import ensure_data_dir, fernet_setup

    ensure_data_dir(config)
    if fernet_setup(config):
        ctx.stdout.write(f"created Fernet keys in {config.key_repository}\n")
    else:
        ctx.stdout.write(f"Fernet keys already exist in {config.key_repository}\n")
    return 0


def _fernet_rotate(args: Namespace, config: CloudConfig, ctx: Context) -> int:
    from pocketstack.cloud.serving.firststart import fernet_rotate

    primary = fernet_rotate(config)
    ctx.stdout.write(
        f"rotated the Fernet keys in {config.key_repository}; primary key is now {primary}\n"
    )
    return 0


def _bootstrap(args: Namespace, config: CloudConfig, ctx: Context) -> int:
    from pocketstack.cloud.serving.firststart import (
        db_upgrade,
        ensure_admin_password,
        ensure_data_dir,
        read_admin_password,
        run_bootstrap,
    )
    from pocketstack.cloud.serving.state import running_state

    if args.public_url:
        config = dataclasses.replace(config, public_url=args.public_url.rstrip("/"))
    else:
        # A cloud running on another port than the configured one must keep a working catalog.
        running = running_state(config)
        if running is not None:
            config = dataclasses.replace(config, public_url=running.url)
    ensure_data_dir(config)
    # Bootstrapping an empty database is what a newcomer means: migrate first.
    db_upgrade(config)
    had_password = read_admin_password(config) is not None
    given = args.admin_password or ctx.environ.get("POCKETSTACK_ADMIN_PASSWORD") or None
    password = ensure_admin_password(config, given=given)
    run_bootstrap(config, admin_password=password)
    ctx.stdout.write(f"bootstrapped the cloud at {config.public_url} (region {config.region})\n")
    if given is None and not had_password:
        ctx.stdout.write(f"generated the admin password; it is in {config.admin_password_file}\n")
    return 0


class _Progress:
    """A one-line bar, redrawn at most ten times a second."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        width = 30
        filled = width * done // total if total else width
        bar = "#" * filled + "-" * (width - filled)
        self._stream.write(f"\rseeding [{bar}] {done}/{total}")
        if done >= total:
            self._stream.write("\n")
        self._stream.flush()


def _seed(args: Namespace, config: CloudConfig, ctx: Context) -> int:
    from pocketstack.cloud.deps import build_deps
    from pocketstack.cloud.seed import seed

    progress: Callable[[int, int], None] | None = None
    from pocketstack.cli.terminal import isatty

    if isatty(ctx.stderr) and args.servers:
        progress = _Progress(ctx.stderr)
    from sqlalchemy.exc import SQLAlchemyError

    from pocketstack.cloud.serving.errors import ServingError
    from pocketstack.cloud.serving.firststart import redacted_db_url

    deps = build_deps(config)
    started = time.perf_counter()
    try:
        seed(deps, servers=args.servers, projects=args.projects, progress=progress)
    except SQLAlchemyError as exc:
        raise ServingError(
            f"cannot seed the database {redacted_db_url(config.db_url)} "
            f"({exc.__class__.__name__}: {str(exc).splitlines()[0]}); is the cloud set up? "
            "`pocketstack up` (or `manage db-upgrade` and `manage bootstrap`) does that"
        ) from exc
    finally:
        deps.store.dispose()
    elapsed = time.perf_counter() - started
    ctx.stdout.write(
        f"seeded {args.servers} servers across {args.projects} projects in {elapsed:.1f} s\n"
    )
    return 0


_HANDLERS: dict[str, Callable[[Namespace, CloudConfig, Context], int]] = {
    "db-upgrade": _db_upgrade,
    "fernet-setup": _fernet_setup,
    "fernet-rotate": _fernet_rotate,
    "bootstrap": _bootstrap,
    "seed": _seed,
    **manage_snapshots.HANDLERS,
}
