"""`pocketstack driver delay SECONDS` (and `--reset`): how long the cloud's servers stay in BUILD
and the other transitional states from now on, for every worker; show the delay."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pocketstack.cli.display import display_for
from pocketstack.cli.output import print_show
from pocketstack.cli.output_args import add_show_arguments

if TYPE_CHECKING:
    from pocketstack.cli.argspec import ArgumentParserLike, Namespace
    from pocketstack.cli.context import Context

HELP = "set the compute driver's delay"


def add_arguments(parser: ArgumentParserLike) -> None:
    parser.add_argument("seconds", type=float, nargs="?", default=None,
                        help="the delay (0 or more)")  # fmt: skip
    parser.add_argument("--reset", action="store_true", default=False,
                        help="back to the configured delay instead")  # fmt: skip
    add_show_arguments(parser)


def run(args: Namespace, ctx: Context) -> int:
    from pocketstack.cli.commands._controls import call
    from pocketstack.cli.errors import CommandError

    if args.reset == (args.seconds is not None):
        raise CommandError("Give either SECONDS or --reset")
    body = {"reset": True} if args.reset else {"delay_seconds": args.seconds}
    shown = call(ctx, "POST", "/driver", body)["driver"]
    print_show(shown, output_format=args.output_format, columns=args.columns, stream=ctx.stdout,
               display=display_for(args, environ=ctx.environ, stream=ctx.stdout))  # fmt: skip
    return 0
