"""`pocketstack list`'s flags: novaclient's do_list ones, then those beyond nova."""

from __future__ import annotations

from pocketstack.cli import output_args

# Warm-path module: see docs/startup.md.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pocketstack.cli.argspec import ArgumentParserLike

# Flags novaclient only registers from a microversion on: (dest, flag, start version).
GATED_FLAGS: tuple[tuple[str, str, str], ...] = (
    ("changes_before", "--changes-before", "2.66"),
    ("tags", "--tags", "2.26"),
    ("tags_any", "--tags-any", "2.26"),
    ("not_tags", "--not-tags", "2.26"),
    ("not_tags_any", "--not-tags-any", "2.26"),
    ("locked", "--locked", "2.73"),
)
DEFAULT_WATCH_INTERVAL = 2.0


# arguments ---------------------------------------------------------------------------------
def add_arguments(parser: ArgumentParserLike) -> None:
    add = parser.add_argument
    add(
        "--reservation-id",
        dest="reservation_id",
        metavar="<reservation-id>",
        help="Only return servers that match reservation-id.",
    )
    add("--ip", metavar="<ip-regexp>", help="Search with regular expression match by IP address.")
    add(
        "--ip6",
        metavar="<ip6-regexp>",
        help="Search with regular expression match by IPv6 address.",
    )
    add("--name", metavar="<name-regexp>", help="Search with regular expression match by name.")
    add("--status", metavar="<status>", help="Search by server status.")
    add("--flavor", metavar="<flavor>", help="Search by flavor name or ID.")
    add("--image", metavar="<image>", help="Search by image name or ID.")
    add(
        "--host",
        metavar="<hostname>",
        help="Search servers by hostname to which they are assigned (Admin only).",
    )
    add(
        "--all-tenants",
        dest="all_tenants",
        metavar="<0|1>",
        nargs="?",
        type=int,
        const=1,
        default=None,
        help="Display information from all tenants (Admin only); default from ALL_TENANTS.",
    )
    add(
        "--tenant",
        metavar="<tenant>",
        nargs="?",
        help="Display information from single tenant (Admin only).",
    )
    add(
        "--user",
        metavar="<user>",
        nargs="?",
        help="Display information from single user (Admin only until microversion 2.82).",
    )
    add(
        "--deleted",
        action="store_true",
        default=False,
        help="Only display deleted servers (Admin only).",
    )
    add("--fields", metavar="<fields>", help="Comma-separated list of fields to display.")
    add("--minimal", action="store_true", default=False, help="Get only UUID and name.")
    add(
        "--sort",
        metavar="<key>[:<direction>]",
        help="Comma-separated list of sort keys and directions in the form of "
        "<key>[:<asc|desc>]. The direction defaults to descending if not specified. "
        "Keys are Nova's (display_name, created_at, vm_state, ...); name means display_name.",
    )
    add(
        "--marker",
        metavar="<marker>",
        help='The last server UUID of the previous page; displays list of servers after "marker".',
    )
    add(
        "--limit",
        metavar="<limit>",
        type=int,
        help="Maximum number of servers to display. If limit == -1, all servers will be "
        "displayed (every page). The server caps larger limits at its max_limit.",
    )
    add(
        "--availability-zone",
        dest="availability_zone",
        metavar="<availability_zone>",
        help="Display servers based on their availability zone (Admin only until 2.82).",
    )
    add(
        "--key-name",
        dest="key_name",
        metavar="<key_name>",
        help="Display servers based on their keypair name (Admin only until 2.82).",
    )
    drive = parser.add_mutually_exclusive_group()
    drive.add_argument(
        "--config-drive",
        dest="config_drive",
        action="store_true",
        default=None,
        help="Display servers that have a config drive attached.",
    )
    drive.add_argument(
        "--no-config-drive",
        dest="config_drive",
        action="store_false",
        help="Display servers that do not have a config drive attached.",
    )
    add(
        "--progress",
        metavar="<progress>",
        help="Display servers based on their progress value (Admin only until 2.82).",
    )
    add(
        "--vm-state",
        dest="vm_state",
        metavar="<vm_state>",
        help="Display servers based on their vm_state value (Admin only until 2.82).",
    )
    add(
        "--task-state",
        dest="task_state",
        metavar="<task_state>",
        help="Display servers based on their task_state value (Admin only until 2.82).",
    )
    add(
        "--power-state",
        dest="power_state",
        metavar="<power_state>",
        help="Display servers based on their power_state value (Admin only until 2.82).",
    )
    add(
        "--changes-since",
        dest="changes_since",
        metavar="<changes_since>",
        help="List only servers changed later or equal to a certain point of time "
        "(ISO 8601, e.g. 2016-03-04T06:27:59Z).",
    )
    add(
        "--changes-before",
        dest="changes_before",
        metavar="<changes_before>",
        help="List only servers changed earlier or equal to a certain point of time "
        "(ISO 8601). (Supported by API versions '2.66' - '2.latest')",
    )
    for dest, flag, start in GATED_FLAGS[1:5]:
        add(
            flag,
            dest=dest,
            metavar=f"<{flag[2:]}>",
            help=f"Tags filter, comma-separated (`{flag} t1,t2`). "
            f"(Supported by API versions '{start}' - '2.latest')",
        )
    add(
        "--locked",
        metavar="<locked>",
        help="Display servers based on their locked value ('true' or 'false'). "
        "(Supported by API versions '2.73' - '2.latest')",
    )
    beyond = parser.add_argument_group("beyond nova")
    beyond.add_argument(
        "--long",
        action="store_true",
        default=False,
        help="Also show image and flavor names, availability zone, host "
        "(admin), created and updated times.",
    )
    output_args.add_list_arguments(parser)
    terminal = parser.add_argument_group("terminal")
    terminal.add_argument(
        "--watch",
        metavar="SECONDS",
        nargs="?",
        type=_interval,
        const=DEFAULT_WATCH_INTERVAL,
        default=None,
        help="Redraw the list every SECONDS (default 2) until Ctrl-C, marking new rows (+), "
        "changed status (~) and vanished rows (-) since the last refresh",
    )
    terminal.add_argument(
        "--no-long",
        dest="no_long",
        action="store_true",
        default=False,
        help="Do not add the --long columns even if the config file says `long = true`",
    )


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
