"""`pocketstack fault list`: the fault rules of a cloud served with the test controls on, with
how many times each injected and has left."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pocketstack.cli.display import display_for
from pocketstack.cli.output import print_list
from pocketstack.cli.output_args import add_list_arguments

if TYPE_CHECKING:
    from pocketstack.cli.argspec import ArgumentParserLike, Namespace
    from pocketstack.cli.context import Context

HELP = "list the fault rules"
COLUMNS = (("ID", "id"), ("Service", "service"), ("Method", "method"), ("Path", "path"),
           ("Project", "project_id"), ("Action", "action"), ("Status", "status"),
           ("Seconds", "seconds"), ("Times Left", "times_left"),
           ("Injected", "injected"))  # fmt: skip


def add_arguments(parser: ArgumentParserLike) -> None:
    add_list_arguments(parser)


def run(args: Namespace, ctx: Context) -> int:
    from pocketstack.cli.commands._controls import call

    faults = call(ctx, "GET", "/faults")["faults"]
    rows = [[fault[key] for _, key in COLUMNS] for fault in faults]
    print_list(
        [title for title, _ in COLUMNS], rows, output_format=args.output_format,
        columns=args.columns, sort_columns=args.sort_columns,
        sort_descending=args.sort_descending, stream=ctx.stdout,
        display=display_for(args, environ=ctx.environ, stream=ctx.stdout),
    )  # fmt: skip
    return 0
