"""`pocketstack fault clear`: remove every fault rule (or the one named)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pocketstack.cli.argspec import ArgumentParserLike, Namespace
    from pocketstack.cli.context import Context

HELP = "remove the fault rules"


def add_arguments(parser: ArgumentParserLike) -> None:
    parser.add_argument("fault_id", nargs="?", default=None, metavar="ID",
                        help="only this rule (default: all of them)")  # fmt: skip


def run(args: Namespace, ctx: Context) -> int:
    from pocketstack.cli.commands._controls import call

    call(ctx, "DELETE", "/faults" if args.fault_id is None else f"/faults/{args.fault_id}")
    return 0
