"""`pocketstack down`: stop the cloud that `up` (or `serve`) runs for a data directory."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from pocketstack.cli.commands._cloud import add_data_dir_argument, cloud_config

if TYPE_CHECKING:
    from pocketstack.cli.argspec import Namespace
    from pocketstack.cli.context import Context

HELP = "stop the cloud running for the data directory and wait until it has stopped"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_dir_argument(parser)


def run(args: Namespace, ctx: Context) -> int:
    from pocketstack.cloud.serving.control import stop

    config = cloud_config(args)
    state = stop(config)
    if state is None:
        ctx.stdout.write(f"pocketstack is not running (data directory {config.data_dir})\n")
    else:
        ctx.stdout.write(f"pocketstack stopped (was pid {state.pid} at {state.url})\n")
    return 0
