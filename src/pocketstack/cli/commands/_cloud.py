"""Options and helpers shared by the commands that run or manage the embedded cloud."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path

from pocketstack.cli.argspec import Namespace
from pocketstack.cloud.config import CloudConfig, load_config


def add_data_dir_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="the cloud's home: database, Fernet keys, config file, log and pid file "
        "(default: $POCKETSTACK_DATA_DIR, else $XDG_DATA_HOME/pocketstack or "
        "~/.local/share/pocketstack)",
    )


def add_db_url_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db-url",
        default=None,
        metavar="URL",
        help="SQLAlchemy database URL (default: $POCKETSTACK_DB_URL, else db_url in "
        "<data-dir>/pocketstack.toml, else SQLite in the data directory)",
    )


def add_listen_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=port_number, default=None, help="port to listen on (default 8770)"
    )
    parser.add_argument(
        "--workers", type=positive_int, default=None, help="gunicorn worker processes (default 2)"
    )


def port_number(text: str) -> int:
    value = positive_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"a port is 1 to 65535, not {value}")
    return value


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, not {value}")
    return value


def cloud_config(args: Namespace) -> CloudConfig:
    """The configuration the flags, POCKETSTACK_* variables and config file give."""
    return load_config(
        data_dir=getattr(args, "data_dir", None),
        db_url=getattr(args, "db_url", None),
        host=getattr(args, "host", None),
        port=getattr(args, "port", None),
        workers=getattr(args, "workers", None),
    )


def serve_command(config: CloudConfig) -> list[str]:
    """The argv of a `pocketstack serve` equivalent to `config` (no secrets: see serve_env)."""
    return [
        sys.executable,
        "-m",
        "pocketstack.cli.main",
        "serve",
        "--data-dir",
        str(config.data_dir.resolve()),
        "--host",
        config.host,
        "--port",
        str(config.port),
        "--workers",
        str(config.workers),
    ]


def serve_env(config: CloudConfig, environ: Mapping[str, str]) -> dict[str, str]:
    """The environment for that `serve`: the database URL travels here, never on the command
    line where `ps` would show its password."""
    env = dict(environ)
    env["POCKETSTACK_DB_URL"] = config.db_url
    return env
