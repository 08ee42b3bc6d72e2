"""`pocketstack serve`: run the cloud in the foreground (Ctrl-C or SIGTERM stops it)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from pocketstack.cli.commands._cloud import (
    add_data_dir_argument,
    add_db_url_argument,
    add_listen_arguments,
    cloud_config,
)

if TYPE_CHECKING:
    from pocketstack.cli.argspec import Namespace
    from pocketstack.cli.context import Context

HELP = "run the cloud (identity, compute, image, network) in the foreground under gunicorn"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_listen_arguments(parser)
    add_data_dir_argument(parser)
    add_db_url_argument(parser)


def run(args: Namespace, ctx: Context) -> int:
    from pocketstack.cloud.serving.runner import serve

    return serve(cloud_config(args))
