"""`pocketstack status`: whether the cloud runs for a data directory, and where."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from pocketstack.cli.commands._cloud import add_data_dir_argument, cloud_config

if TYPE_CHECKING:
    from pocketstack.cli.argspec import Namespace
    from pocketstack.cli.context import Context

HELP = "say whether the cloud runs and where (exit status 3 when it does not, as LSB's status)"

NOT_RUNNING = 3


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_dir_argument(parser)


def run(args: Namespace, ctx: Context) -> int:
    from pocketstack.cloud.serving.state import answers, running_state

    config = cloud_config(args)
    state = running_state(config)
    if state is None:
        ctx.stdout.write(f"pocketstack is not running (data directory {config.data_dir})\n")
        return NOT_RUNNING
    health = "answering" if answers(state.host, state.port) else "not answering"
    ctx.stdout.write(
        f"pocketstack is running at {state.url} (pid {state.pid}, {health}, "
        f"data directory {config.data_dir})\n"
        f"  identity {state.url}/identity\n"
        f"  compute  {state.url}/compute/v2.1\n"
        f"  image    {state.url}/image\n"
        f"  network  {state.url}/networking\n"
    )
    return 0
