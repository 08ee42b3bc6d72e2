"""`pocketstack openrc`: print the `export OS_*=...` lines for this cloud's admin."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from pocketstack.cli.commands._cloud import add_data_dir_argument, cloud_config

if TYPE_CHECKING:
    from pocketstack.cli.argspec import Namespace
    from pocketstack.cli.context import Context

HELP = 'print OS_* exports for the cloud\'s admin: eval "$(pocketstack openrc)"'


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_dir_argument(parser)
    parser.add_argument(
        "--v2",
        action="store_true",
        help="use the identity v2.0 auth URL (as the seed's `nova list`) instead of v3",
    )


def run(args: Namespace, ctx: Context) -> int:
    from pocketstack.cloud.serving.openrc import openrc_variables, render_openrc

    config = cloud_config(args)
    ctx.stdout.write(render_openrc(openrc_variables(config, v2=args.v2)))
    return 0
