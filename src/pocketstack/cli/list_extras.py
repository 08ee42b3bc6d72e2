"""What `list` does beyond nova, kept apart from its nova-shaped code: saved defaults,
--watch, and the server cache that shell completion reads.

list.py calls these hooks; this module imports nothing until a hook needs it, so the
start-up cost of `pocketstack list` stays where it was.
"""

from __future__ import annotations

import os

# No `typing`/`pathlib` at run time: each costs every `list` run a few ms to import.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from typing import Any

    from pocketstack.cli.argspec import ArgumentParserLike, Namespace
    from pocketstack.cli.context import Context

DEFAULT_WATCH_INTERVAL = 2.0


def _interval(text: str) -> float:
    # argparse only on the way to its error message: a warm `list` does not import it.
    from argparse import ArgumentTypeError

    try:
        value = float(text)
    except ValueError:
        raise ArgumentTypeError(f"invalid interval: {text!r}") from None
    if not value > 0 or value > 86400:
        raise ArgumentTypeError(f"the interval must be in (0, 86400] seconds: {text}")
    return value


def add_arguments(parser: ArgumentParserLike) -> None:
    group = parser.add_argument_group("terminal")
    group.add_argument(
        "--watch",
        metavar="SECONDS",
        nargs="?",
        type=_interval,
        const=DEFAULT_WATCH_INTERVAL,
        default=None,
        help="Redraw the list every SECONDS (default 2) until Ctrl-C, marking new rows (+), "
        "changed status (~) and vanished rows (-) since the last refresh",
    )
    group.add_argument(
        "--no-long",
        dest="no_long",
        action="store_true",
        default=False,
        help="Do not add the --long columns even if the config file says `long = true`",
    )


def config_path(environ: Mapping[str, str]) -> str:
    """$POCKETSTACK_CONFIG, else $XDG_CONFIG_HOME/pocketstack/config.toml (~/.config)."""
    explicit = environ.get("POCKETSTACK_CONFIG")
    if explicit:
        return explicit
    base = environ.get("XDG_CONFIG_HOME") or os.path.join(
        environ.get("HOME") or os.path.expanduser("~"), ".config"
    )
    return os.path.join(base, "pocketstack", "config.toml")


def apply_saved_defaults(args: Namespace, ctx: Context) -> None:
    """The user's config file fills in what the command line left out (flags win)."""
    path = config_path(ctx.environ)
    # No file, nothing to import: most runs stop here.
    if os.path.lexists(path):
        from pathlib import Path

        from pocketstack.cli import userconfig

        userconfig.apply(args, userconfig.load(Path(path), cloud=ctx.settings.os_cloud))
    if getattr(args, "output_format", None) is None:
        args.output_format = "table"


def watch(args: Namespace, ctx: Context, fetch: Callable[[], Any]) -> int:
    """Run --watch: `fetch` returns the list's Table (titles, rows) each refresh."""
    from pocketstack.cli import output
    from pocketstack.cli.errors import CommandError
    from pocketstack.cli.watch import Watcher

    if args.output_format != "table":
        raise CommandError("--watch redraws a table; it cannot be combined with -f "
                           f"{args.output_format}")
    display = output.display_for(args, environ=ctx.environ, stream=ctx.stdout)
    watcher = Watcher(
        fetch=fetch,
        interval=float(args.watch),
        stream=ctx.stdout,
        display=display,
        columns=list(args.columns),
        environ=ctx.environ,
        title=_title(args),
    )
    return watcher.run()


def _title(args: Namespace) -> str:
    return f"Every {args.watch:g}s: pocketstack list"


def remember(titles: Sequence[str], rows: Sequence[Sequence[Any]], ctx: Context) -> None:
    """Keep the listed ids and names for shell completion (never read over the network)."""
    if ctx.settings.no_cache:
        return
    from pocketstack.cli import servercache

    servercache.save(titles, rows, directory=servercache.directory(ctx), warn=ctx.stderr.write)
