"""`pocketstack fault add SERVICE ACTION`: a fault rule on a cloud served with the test
controls on (the control API, /pocketstack/v1/faults)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pocketstack.cli.display import display_for
from pocketstack.cli.output import print_show
from pocketstack.cli.output_args import add_show_arguments

if TYPE_CHECKING:
    from pocketstack.cli.argspec import ArgumentParserLike, Namespace
    from pocketstack.cli.context import Context

HELP = "add a fault rule"
SERVICES = ("identity", "compute", "image", "network")
ACTIONS = ("error", "latency", "drop", "build_delay", "build_error", "delete_error")


def add_arguments(parser: ArgumentParserLike) -> None:
    parser.add_argument("service", choices=SERVICES, help="the service whose requests it faults")
    parser.add_argument("action", choices=ACTIONS,
                        help="error (--status), latency (--seconds), drop the connection; or, "
                             "compute's servers: build_delay (--seconds), build_error, "
                             "delete_error")  # fmt: skip
    parser.add_argument("--method", default=None, help="only requests of this HTTP method")
    parser.add_argument("--path", default=None, metavar="GLOB",
                        help="only paths below the service's prefix that match "
                             "(e.g. '/v2.1/servers*')")  # fmt: skip
    parser.add_argument("--project", default=None, metavar="PROJECT_ID",
                        help="only requests whose token is scoped to this project")  # fmt: skip
    parser.add_argument("--status", type=int, default=None, help="the status an error answers")
    parser.add_argument("--message", default=None, help="the error's (or fault's) message")
    parser.add_argument("--seconds", type=float, default=None,
                        help="how long a latency (or a build) lasts")  # fmt: skip
    parser.add_argument("--times", type=int, default=None, metavar="N",
                        help="inject N times, then let requests through "
                             "(default: every time)")  # fmt: skip
    add_show_arguments(parser)


def run(args: Namespace, ctx: Context) -> int:
    from pocketstack.cli.commands._controls import call

    fault: dict[str, Any] = {"service": args.service, "action": args.action}
    for key, value in (("method", args.method), ("path", args.path),
                       ("project_id", args.project), ("status", args.status),
                       ("message", args.message), ("seconds", args.seconds),
                       ("times", args.times)):  # fmt: skip
        if value is not None:
            fault[key] = value.upper() if key == "method" else value
    made = call(ctx, "POST", "/faults", {"fault": fault})["fault"]
    print_show(made, output_format=args.output_format, columns=args.columns, stream=ctx.stdout,
               display=display_for(args, environ=ctx.environ, stream=ctx.stdout))  # fmt: skip
    return 0
