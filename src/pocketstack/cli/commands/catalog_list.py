"""`pocketstack catalog list`: the token's service catalog, as `openstack catalog list` shows it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pocketstack.cli.display import display_for
from pocketstack.cli.output import print_list
from pocketstack.cli.output_args import add_list_arguments

if TYPE_CHECKING:
    from pocketstack.cli.argspec import ArgumentParserLike, Namespace
    from pocketstack.cli.context import Context
    from pocketstack.client.catalog import Endpoint

HELP = "list the services in the service catalog"


def add_arguments(parser: ArgumentParserLike) -> None:
    add_list_arguments(parser)


def _endpoint_record(endpoint: Endpoint) -> dict[str, Any]:
    return {
        "id": endpoint.id,
        "interface": endpoint.interface,
        "region_id": endpoint.region,
        "url": endpoint.url,
        "region": endpoint.region,
    }


def format_endpoints(records: Any) -> str:
    """OSC's cell: `<region>\\n  <interface>: <url>` per endpoint."""
    lines: list[str] = []
    for record in records or []:
        lines.append(str(record.get("region") or ""))
        lines.append(f"  {record.get('interface')}: {record.get('url')}")
    return "\n".join(lines)


def run(args: Namespace, ctx: Context) -> int:
    from pocketstack.cli.errors import CommandError
    from pocketstack.client.auth.base import BaseIdentityPlugin

    auth = ctx.auth
    if not isinstance(auth, BaseIdentityPlugin):
        raise CommandError("A token endpoint has no catalog: authenticate to list it")
    catalog = auth.get_access(ctx.session).service_catalog
    rows = [
        [name, service_type, [_endpoint_record(ep) for ep in endpoints]]
        for service_type, name, endpoints in catalog.services()
    ]
    print_list(
        ["Name", "Type", "Endpoints"],
        rows,
        output_format=args.output_format,
        columns=args.columns,
        sort_columns=args.sort_columns,
        sort_descending=args.sort_descending,
        formatters={"Endpoints": format_endpoints},
        stream=ctx.stdout,
        # Fitted to a terminal as list's table is (--max-width/--fit-width as well).
        display=display_for(args, environ=ctx.environ, stream=ctx.stdout),
    )
    return 0
