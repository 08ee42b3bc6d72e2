"""`pocketstack demo`: the seed's `nova list`, end to end, on a fresh machine.

Start the embedded cloud in the background (if it is not running), which sets it up on its first
start; seed a handful of servers when it has none; print the OS_* settings; run
`pocketstack list` with them, as a user who typed `eval "$(pocketstack openrc --v2)"` would.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import urllib.parse
from typing import TYPE_CHECKING

from pocketstack.cli.commands._cloud import (
    add_data_dir_argument,
    add_listen_arguments,
    cloud_config,
    non_negative_int,
    serve_command,
    serve_env,
)
from pocketstack.cloud.config import CloudConfig

if TYPE_CHECKING:
    from pocketstack.cli.argspec import Namespace
    from pocketstack.cli.context import Context

HELP = "start the cloud if needed, seed a few servers if it has none, and list them"

DEMO_SERVERS = 8
# Demo projects besides the admin project, which gets its share too: `openrc` logs in there, so
# the next `pocketstack list` shows servers, and --all-tenants shows several projects.
DEMO_PROJECTS = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_listen_arguments(parser)
    add_data_dir_argument(parser)
    parser.add_argument(
        "--servers",
        type=non_negative_int,
        default=DEMO_SERVERS,
        help=f"servers to seed when the cloud has none (default {DEMO_SERVERS})",
    )
    parser.add_argument(
        "--v3",
        action="store_true",
        help="authenticate with the identity v3 auth URL instead of the seed's v2.0",
    )


def _server_count(config: CloudConfig) -> int:
    from sqlalchemy import func, select

    from pocketstack.cloud.store.db import Store
    from pocketstack.cloud.store.models.compute import Instance

    store = Store(config.db_url)
    try:
        with store.session() as session:
            count = session.scalar(
                select(func.count()).select_from(Instance).where(Instance.deleted.is_(False))
            )
    finally:
        store.dispose()
    return int(count or 0)


def _seed(config: CloudConfig, *, servers: int) -> None:
    from pocketstack.cloud.deps import build_deps
    from pocketstack.cloud.seed import seed

    deps = build_deps(config)
    try:
        seed(deps, servers=servers, projects=DEMO_PROJECTS, admin_project=True, progress=None)
    finally:
        deps.store.dispose()


def _shown(name: str, value: str, config: CloudConfig) -> str:
    # The password stays off the screen: the line reads it from its file when pasted.
    if name == "OS_PASSWORD":
        return f'export OS_PASSWORD="$(cat {shlex.quote(str(config.admin_password_file))})"'
    return f"export {name}={shlex.quote(value)}"


def _list_command() -> list[str]:
    from pocketstack.cli.command_table import COMMANDS

    # The admin's project holds only some of the seeded servers; --all-tenants shows them all.
    return ["list", "--all-tenants"] if ("list",) in COMMANDS else ["token", "issue"]


def run(args: Namespace, ctx: Context) -> int:
    from pocketstack.cli.invocation import typed_command
    from pocketstack.cloud.serving.control import start_background
    from pocketstack.cloud.serving.openrc import openrc_variables

    out = ctx.stdout
    # The hints name the command as it can be typed here (`.venv/bin/pocketstack` after the
    # Quickstart, where `pocketstack` alone is not on PATH).
    me = typed_command()
    config = cloud_config(args)
    state, started = start_background(
        config, command=serve_command(config), env=serve_env(config, ctx.environ)
    )
    verb = "started" if started else "is running"
    out.write(f"# the cloud {verb} at {state.url} (data directory {config.data_dir})\n")
    out.write(f"# the dashboard: {state.url}/dashboard (user admin; password in "
              f"{config.data_dir / 'admin-password'})\n")  # fmt: skip

    if _server_count(config) == 0 and args.servers > 0:
        _seed(config, servers=args.servers)
        out.write(f"# seeded {args.servers} servers\n")

    variables = openrc_variables(config, v2=not args.v3)
    data_dir = "" if args.data_dir is None else f" --data-dir {shlex.quote(str(config.data_dir))}"
    openrc = f"{me} openrc" + ("" if args.v3 else " --v2") + data_dir
    out.write(f'# the OS_* settings, as eval "$({openrc})" sets them:\n')
    for name, value in variables.items():
        out.write(_shown(name, value, config) + "\n")
    command = _list_command()
    out.write(f"$ {me} {' '.join(command)}\n")
    out.flush()

    env = {key: value for key, value in ctx.environ.items() if not key.startswith("OS_")}
    env.update(variables)
    # The cloud just started here is reached directly, whatever proxy the shell names.
    host = urllib.parse.urlsplit(state.url).hostname
    if host:
        no_proxy = env.get("no_proxy") or env.get("NO_PROXY") or ""
        env["no_proxy"] = ",".join(filter(None, (no_proxy, host)))
    result = subprocess.run(
        [sys.executable, "-m", "pocketstack.cli.main", *command], env=env, check=False
    )
    if result.returncode == 0:
        where = shlex.quote(str(config.data_dir))
        out.write(
            f'# next, in your shell: eval "$({me} openrc{data_dir})"; then {me} list '
            "shows the admin project's servers (--all-tenants: every project's)\n"
            f"# stop the cloud with: {me} down --data-dir {where}\n"
        )
    return result.returncode
