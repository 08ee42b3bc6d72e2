"""`pocketstack up`: start the cloud in the background and wait until it answers."""

from __future__ import annotations

import argparse
import shlex
from typing import TYPE_CHECKING

from pocketstack.cli.commands._cloud import (
    add_data_dir_argument,
    add_db_url_argument,
    add_listen_arguments,
    cloud_config,
    serve_command,
    serve_env,
)

if TYPE_CHECKING:
    from pocketstack.cli.argspec import Namespace
    from pocketstack.cli.context import Context

HELP = "start the cloud in the background (nothing happens if it already runs)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_listen_arguments(parser)
    add_data_dir_argument(parser)
    add_db_url_argument(parser)


def run(args: Namespace, ctx: Context) -> int:
    from pocketstack.cloud.serving.control import start_background

    config = cloud_config(args)
    state, started = start_background(
        config, command=serve_command(config), env=serve_env(config, ctx.environ)
    )
    verb = "started" if started else "already running"
    ctx.stdout.write(
        f"pocketstack {verb} at {state.url} (pid {state.pid}, data directory {config.data_dir})\n"
        f"dashboard: {state.url}/dashboard (user admin, password in "
        f"{config.data_dir / 'admin-password'})\n"
    )
    if started:
        from pocketstack.cli.invocation import typed_command

        where = shlex.quote(str(config.data_dir))
        ctx.stderr.write(
            "Point OpenStack clients at it: "
            f'eval "$({typed_command()} openrc --data-dir {where})"\n'
        )
    return 0
