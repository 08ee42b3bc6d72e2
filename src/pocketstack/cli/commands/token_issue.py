"""`pocketstack token issue`: authenticate (or reuse the cached token) and show it, as OSC does."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pocketstack.cli.display import display_for
from pocketstack.cli.output import print_show
from pocketstack.cli.output_args import add_show_arguments

if TYPE_CHECKING:
    from pocketstack.cli.argspec import ArgumentParserLike, Namespace
    from pocketstack.cli.context import Context

HELP = "issue a new token"


def add_arguments(parser: ArgumentParserLike) -> None:
    add_show_arguments(parser)


def run(args: Namespace, ctx: Context) -> int:
    from pocketstack.cli.errors import CommandError
    from pocketstack.client.auth.base import BaseIdentityPlugin

    auth = ctx.auth
    if not isinstance(auth, BaseIdentityPlugin):
        raise CommandError("Only an auth plugin that authenticates can issue a token")
    access = auth.get_access(ctx.session)
    data: dict[str, Any] = {
        # OSC's format: 2015-11-07T02:58:43+0000
        "expires": access.expires.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "id": access.auth_token,
    }
    if access.project_id:
        data["project_id"] = access.project_id
    elif access.domain_id:
        data["domain_id"] = access.domain_id
    elif access.system_scoped:
        data["system"] = "all"
    data["user_id"] = access.user_id
    # A Fernet token is ~180 characters: on a terminal the table is clipped to its width (the
    # whole id: `-f value -c id`, or any output that is not a terminal).
    print_show(
        data,
        output_format=args.output_format,
        columns=args.columns,
        stream=ctx.stdout,
        display=display_for(args, environ=ctx.environ, stream=ctx.stdout),
    )
    return 0
