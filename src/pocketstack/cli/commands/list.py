"""`pocketstack list`: `nova list` with every flag of novaclient's do_list, and more.

Flags, search options, microversion gates, columns and messages follow novaclient
(v2/shell.py do_list); `-f/-c/--sort-column` and `--long` follow python-openstackclient.
"""

from __future__ import annotations

from pocketstack.cli import output
from pocketstack.cli.errors import CommandError

# Not `typing.TYPE_CHECKING`: a warm `pocketstack list` imports this module, and typing
# costs it ~3 ms; mypy treats a module-level TYPE_CHECKING = False as the real thing.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
    from typing import Any

    from pocketstack.cli.argspec import ArgumentParserLike, Namespace
    from pocketstack.cli.context import Context
    from pocketstack.client.compute import ComputeClient, Server
    from pocketstack.client.compute.versions import APIVersion

HELP = "list servers (every `nova list` flag, plus -f/-c/--long)"

BFV_IMAGE = "N/A (booted from volume)"
_TRUE = frozenset({"1", "t", "true", "on", "y", "yes"})
_FALSE = frozenset({"0", "f", "false", "off", "n", "no"})

# Flags novaclient only registers from a microversion on: (dest, flag, start version).
GATED_FLAGS: tuple[tuple[str, str, str], ...] = (
    ("changes_before", "--changes-before", "2.66"),
    ("tags", "--tags", "2.26"),
    ("tags_any", "--tags-any", "2.26"),
    ("not_tags", "--not-tags", "2.26"),
    ("not_tags_any", "--not-tags-any", "2.26"),
    ("locked", "--locked", "2.73"),
)


class UsageError(CommandError):
    """What argparse would have refused (novaclient does not register the flag): exit 2."""


def bool_from_string(value: str) -> bool:
    """oslo's strict bool_from_string, as novaclient reads ALL_TENANTS."""
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    accepted = ", ".join(f"'{v}'" for v in sorted(_TRUE | _FALSE))
    raise CommandError(
        f"Unrecognized value '{value}' in ALL_TENANTS, acceptable values are: {accepted}"
    )


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
    output.add_list_arguments(parser)
    # Beyond nova, kept apart in pocketstack.cli.list_extras: --watch, --no-long.
    from pocketstack.cli import list_extras

    list_extras.add_arguments(parser)


# flags -> request -----------------------------------------------------------------------------
# Sort keys a user types after the table's column titles, which no Nova API version accepts
# (each is refused with 400), sent as the key Nova means. novaclient passes every key through;
# translating only keys that can never work changes no request that could.
SORT_KEY_ALIASES = {"name": "display_name"}


def parse_sort(text: str | None) -> tuple[list[str], list[str]]:
    keys: list[str] = []
    dirs: list[str] = []
    if not text:
        return keys, dirs
    for item in text.split(","):
        key, _, direction = item.partition(":")
        if not direction:
            direction = "desc"
        elif direction not in ("asc", "desc"):
            raise CommandError(f"Unknown sort direction: {direction}")
        keys.append(SORT_KEY_ALIASES.get(key.strip(), key))
        dirs.append(direction)
    return keys, dirs


def check_time(value: str, *, name: str) -> None:
    import datetime as dt

    try:
        dt.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Invalid {name} value: {value}") from None


def check_gated_flags(args: Namespace, version: APIVersion) -> None:
    """novaclient leaves these flags out of its parser below their version; say what argparse
    says then (exit 2), and why."""
    from pocketstack.client.compute.versions import APIVersion

    for dest, flag, start in GATED_FLAGS:
        value = getattr(args, dest, None)
        if value is not None and version < APIVersion.parse(start):
            raise UsageError(
                f"unrecognized arguments: {flag} {value} (supported by API versions "
                f"'{start}' - '2.latest'; this request uses {version})"
            )


def all_tenants_default(environ: Mapping[str, str]) -> int:
    return int(bool_from_string(environ.get("ALL_TENANTS", "false")))


def search_options(
    args: Namespace,
    *,
    version: APIVersion,
    image_id: str | None,
    flavor_id: str | None,
    all_tenants: int,
) -> dict[str, str | int | bool | None]:
    """do_list's search_opts, in its order (the query string sorts them anyway)."""
    from pocketstack.client.compute.versions import APIVersion

    opts: dict[str, str | int | bool | None] = {
        "all_tenants": all_tenants,
        "reservation_id": args.reservation_id,
        "ip": args.ip,
        "ip6": args.ip6,
        "name": args.name,
        "image": image_id,
        "flavor": flavor_id,
        "status": args.status,
        "tenant_id": args.tenant,
        "user_id": args.user,
        "host": args.host,
        "deleted": args.deleted,
        "changes-since": args.changes_since,
        "availability_zone": args.availability_zone,
        "config_drive": args.config_drive,
        "key_name": args.key_name,
        "progress": args.progress,
        "vm_state": args.vm_state,
        "task_state": args.task_state,
        "power_state": args.power_state,
    }
    if version >= APIVersion(2, 26):
        opts["tags"] = args.tags
        opts["tags-any"] = args.tags_any
        opts["not-tags"] = args.not_tags
        opts["not-tags-any"] = args.not_tags_any
    if version >= APIVersion(2, 66) and args.changes_before:
        opts["changes-before"] = args.changes_before
    if version >= APIVersion(2, 73) and args.locked:
        opts["locked"] = args.locked
    return opts


# columns --------------------------------------------------------------------------------------
# Columns read the server's body (Server.raw) directly: a 10,000-server listing calls them
# 70,000 times, and going through Server's properties doubled the cost of building the rows.


class Column:
    """A column: its title, the raw value (json/yaml) and the text (table, csv, value), both
    read from a server's body."""

    __slots__ = ("raw", "text", "title")

    def __init__(
        self,
        *,
        title: str,
        raw: Callable[[Mapping[str, Any]], Any],
        text: Callable[[Mapping[str, Any]], str],
    ) -> None:
        self.title = title
        self.raw = raw
        self.text = text


def _dash(value: Any) -> str:
    # nova prints None as '-'; a missing attribute as ''.
    if value is None:
        return "-"
    return str(value).replace("\r", "")


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def _field_text(value: Any) -> str:
    if isinstance(value, dict | list):
        from pocketstack.client import jsoncodec

        return jsoncodec.dumps(value, sort_keys=True)
    return _dash(value)


def format_field_name(attr: str) -> str:
    """novaclient's title for a --fields entry: `OS-EXT-AZ:availability_zone` ->
    `OS-EXT-AZ: Availability Zone`."""
    head, sep, last = attr.rpartition(":")
    name = last.replace("_", " ")
    if name.isupper() or name.islower():
        name = name.title()
    return f"{head}: {name}" if sep else name


_TASK_STATE = "OS-EXT-STS:task_state"
_POWER_STATE = "OS-EXT-STS:power_state"


def _task_state_text(raw: Mapping[str, Any]) -> str:
    # Absent (not an admin, or an old microversion): N/A; null: '-'.
    return _dash(raw[_TASK_STATE]) if _TASK_STATE in raw else "N/A"


def _power_state(raw: Mapping[str, Any]) -> int | None:
    """Server.power_state: None when the body has no integer power state."""
    value = raw.get(_POWER_STATE)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _power_state_column(title: str) -> Column:
    # Imported once per listing, not once per row.
    from pocketstack.client.compute.resources import POWER_STATE_NAMES

    def text(raw: Mapping[str, Any]) -> str:
        value = _power_state(raw)
        if value is None:
            return "N/A"
        return POWER_STATE_NAMES.get(value, str(value))

    return Column(title=title, raw=_power_state, text=text)


def _networks(raw: Mapping[str, Any]) -> dict[str, list[str]]:
    from pocketstack.client.compute.resources import Server

    return Server(raw).networks


def _networks_text(raw: Mapping[str, Any]) -> str:
    """format_networks(Server(raw).networks) in one pass: `net=ip1, ip2; net2=ip`."""
    addresses = raw.get("addresses")
    if not isinstance(addresses, dict) or not addresses:
        return ""
    parts = []
    # Usually one network: no sort needed.
    for label in addresses if len(addresses) == 1 else sorted(addresses):
        entries = addresses[label]
        if isinstance(entries, list):
            ips = [str(entry.get("addr", "")) for entry in entries if isinstance(entry, dict)]
            if ips:
                parts.append(f"{label}={', '.join(ips)}")
    return "; ".join(parts)


def _text_column(title: str, key: str) -> Column:
    """A column of one top-level string field: raw as Server reads it, text dashed."""
    return Column(
        title=title, raw=lambda r: _str_or_none(r.get(key)), text=lambda r: _dash(r.get(key))
    )


# Keys novaclient adds under a short name (its _translate_keys), usable in --fields.
_ALIASES = {
    "host": "OS-EXT-SRV-ATTR:host",
    "task_state": _TASK_STATE,
    "instance_name": "OS-EXT-SRV-ATTR:instance_name",
    "power_state": _POWER_STATE,
    "host_id": "hostId",
}


def field_names(server: Server, *, version: APIVersion) -> set[str]:
    """What --fields accepts for this server (nova validates against the first one)."""
    from pocketstack.client.compute.versions import APIVersion

    names = set(server.raw) | {"networks", "task_state", "power_state"}
    names |= {short for short, long in _ALIASES.items() if long in server.raw}
    flavor = server.raw.get("flavor")
    if version >= APIVersion(2, 47) and isinstance(flavor, dict):
        names |= {f"flavor:{key}" for key in flavor}
    return names


def _flavor_id(raw: Mapping[str, Any]) -> str | None:
    """Server.flavor_id: below microversion 2.47 only."""
    flavor = raw.get("flavor")
    return _str_or_none(flavor.get("id")) if isinstance(flavor, dict) else None


def field_column(name: str, *, version: APIVersion) -> Column:
    from pocketstack.client.compute.versions import APIVersion

    title = format_field_name(name)
    if name == "networks":
        return Column(title=title, raw=_networks, text=_networks_text)
    if name == "power_state":
        return _power_state_column(title)
    if name == "task_state":
        return Column(
            title=title, raw=lambda r: _str_or_none(r.get(_TASK_STATE)), text=_task_state_text
        )
    if name == "security_groups":

        def groups(raw: Mapping[str, Any]) -> str:
            value = raw.get("security_groups") or []
            return ", ".join(str(g.get("name", "")) for g in value if isinstance(g, dict))

        return Column(title=title, raw=lambda r: r.get("security_groups"), text=groups)
    if name == "flavor" and version < APIVersion(2, 47):
        return Column(title=title, raw=_flavor_id, text=lambda r: _dash(_flavor_id(r)))
    if name.startswith("flavor:"):
        key = name.partition(":")[2]

        def sub(raw: Mapping[str, Any]) -> Any:
            flavor = raw.get("flavor")
            return flavor.get(key) if isinstance(flavor, dict) else None

        return Column(title=title, raw=sub, text=lambda r: _field_text(sub(r)))
    key = _ALIASES.get(name, name)
    return Column(title=title, raw=lambda r: r.get(key), text=lambda r: _field_text(r.get(key)))


def fields_columns(fields: str, first: Server, *, version: APIVersion) -> list[Column]:
    known = field_names(first, version=version)
    missing = [name for name in fields.split(",") if name not in known]
    if missing:
        raise CommandError(f"Non-existent fields are specified: {missing}")
    seen = {"id"}
    columns: list[Column] = []
    for name in fields.split(","):
        if name in seen:
            continue
        seen.add(name)
        columns.append(field_column(name, version=version))
    return columns


def _id(raw: Mapping[str, Any]) -> str:
    return str(raw.get("id", ""))


def _name(raw: Mapping[str, Any]) -> str:
    return str(raw.get("name", ""))


ID_COLUMN = Column(title="ID", raw=_id, text=_id)
NAME_COLUMN = Column(title="Name", raw=_name, text=lambda r: _dash(_name(r)))


def default_columns(
    *, all_tenants: bool, changes: bool, long: bool, show_host: bool
) -> list[Column]:
    columns = [
        ID_COLUMN,
        NAME_COLUMN,
        _text_column("Status", "status"),
        Column(
            title="Task State",
            raw=lambda r: _str_or_none(r.get(_TASK_STATE)),
            text=_task_state_text,
        ),
        _power_state_column("Power State"),
        Column(title="Networks", raw=_networks, text=_networks_text),
    ]
    if all_tenants:
        columns.insert(2, _text_column("Tenant ID", "tenant_id"))
    updated = _text_column("Updated", "updated")
    if changes:
        columns.append(updated)
    if long:
        # Names are filled in after the listing (one request each for images and flavors).
        columns.append(Column(title="Image Name", raw=lambda r: None, text=lambda r: ""))
        columns.append(Column(title="Flavor Name", raw=lambda r: None, text=lambda r: ""))
        columns.append(_text_column("Availability Zone", "OS-EXT-AZ:availability_zone"))
        if show_host:
            columns.append(_text_column("Host", "OS-EXT-SRV-ATTR:host"))
        columns.append(_text_column("Created", "created"))
        if not changes:
            columns.append(updated)
    return columns


# rows -----------------------------------------------------------------------------------------
class Table:
    """What `list` prints: titles and rows (text for table/csv/value, raw for json/yaml)."""

    __slots__ = ("rows", "titles")

    def __init__(self, *, titles: list[str], rows: list[list[Any]]) -> None:
        self.titles = titles
        self.rows = rows


def _progress(stream: Any) -> Callable[[int, bool], None]:
    def show(count: int, more: bool) -> None:
        if more:
            stream.write(f"\rFetched {count} servers...")
        else:
            stream.write("\r\x1b[K")
        stream.flush()

    return show


def collect(
    pages: Iterable[list[Server]],
    *,
    args: Namespace,
    version: APIVersion,
    all_tenants: bool,
    machine: bool,
    progress: Callable[[int, bool], None] | None,
) -> tuple[Table, list[tuple[str | None, str | None, str | None]]]:
    """Turn pages into printed rows as they come (a page's servers are dropped once read).

    Also returns, per row, what --long still has to name: (image id, flavor id, flavor name).
    """
    columns: list[Column] | None = None
    readers: list[Callable[[Mapping[str, Any]], Any]] = []
    rows: list[list[Any]] = []
    pending: list[tuple[str | None, str | None, str | None]] = []
    # check_gated_flags has refused --changes-before below 2.66 already.
    changes = bool(args.changes_since or args.changes_before)
    count = 0
    iterator: Iterator[list[Server]] = iter(pages)
    for page in iterator:
        if columns is None and page:
            columns = _columns_for(
                args,
                page[0],
                version=version,
                all_tenants=all_tenants,
                changes=changes,
                show_host="OS-EXT-SRV-ATTR:host" in page[0].raw,
            )
            # Each column's reader, looked up once rather than once per cell.
            readers = [c.raw if machine else c.text for c in columns]
        append = rows.append
        for server in page:
            raw = server.raw
            append([read(raw) for read in readers])
            if args.long:
                pending.append(
                    (
                        server.image_id if server.raw.get("image") else "",
                        server.flavor_id,
                        server.flavor_name,
                    )
                )
        count += len(page)
        if progress is not None:
            progress(count, True)
    if progress is not None:
        progress(count, False)
    if columns is None:
        columns = _columns_for(
            args, None, version=version, all_tenants=all_tenants, changes=changes, show_host=False
        )
    return Table(titles=[c.title for c in columns], rows=rows), pending


def _columns_for(
    args: Namespace,
    first: Server | None,
    *,
    version: APIVersion,
    all_tenants: bool,
    changes: bool,
    show_host: bool,
) -> list[Column]:
    if args.minimal:
        return [ID_COLUMN, NAME_COLUMN]
    if args.fields and first is not None:
        # As nova: fields are checked against the first server, and only when there is one.
        return [ID_COLUMN, *fields_columns(args.fields, first, version=version)]
    return default_columns(
        all_tenants=all_tenants, changes=changes, long=args.long, show_host=show_host
    )


def fill_names(
    table: Table,
    pending: Sequence[tuple[str | None, str | None, str | None]],
    *,
    compute: ComputeClient,
    machine: bool,
) -> None:
    """--long: image names in one `id=in:` request, flavor names from the servers (2.47+) or
    one flavor listing. A failed lookup leaves the id shown: the listing stays useful."""
    from pocketstack.client.errors import ClientError

    if not pending:
        return
    image_column = table.titles.index("Image Name")
    flavor_column = table.titles.index("Flavor Name")
    image_ids = {image for image, _, _ in pending if image}
    images: dict[str, str] = {}
    if image_ids:
        try:
            images = {i: img.name or "" for i, img in compute.images.by_ids(image_ids).items()}
        except ClientError:
            images = {}
    flavors: dict[str, str] = {}
    if any(name is None and flavor for _, flavor, name in pending):
        try:
            flavors = {flavor.id: flavor.name for flavor in compute.flavors.list()}
        except ClientError:
            flavors = {}
    for row, (image_id, flavor_id, flavor_name) in zip(table.rows, pending, strict=True):
        if image_id == "":
            image = BFV_IMAGE
        elif image_id is None:
            image = None
        else:
            image = images.get(image_id, image_id)
        flavor = (
            flavor_name
            if flavor_name is not None
            else (flavors.get(flavor_id, flavor_id) if flavor_id else None)
        )
        row[image_column] = image if machine else _dash(image)
        row[flavor_column] = flavor if machine else _dash(flavor)


def _sort_text(value: Any) -> tuple[int, str]:
    return (0, "") if value is None else (1, str(value))


def sort_rows(table: Table, *, args: Namespace) -> None:
    """nova sorts the table by Name (ties by the other columns, as prettytable does) unless
    --sort asked the server for an order or --sort-column asks the output layer for one."""
    if args.sort or args.sort_columns or "Name" not in table.titles:
        return
    index = table.titles.index("Name")
    if args.output_format in ("json", "yaml"):
        table.rows.sort(key=lambda row: [_sort_text(row[index]), *map(_sort_text, row)])
    else:
        # Text rows hold only str, for which comparing the _sort_text keys is comparing
        # the strings themselves: the same order without a key tuple per cell.
        table.rows.sort(key=lambda row: (row[index], row))


def resolve_filters(
    args: Namespace, compute: ComputeClient
) -> tuple[str | None, str | None]:
    """--image and --flavor names to ids, with nova's requests and messages."""
    from pocketstack.client.compute.errors import NoUniqueMatch, ResourceNotFound
    from pocketstack.client.errors import NotFound

    image_id = flavor_id = None
    if args.image:
        # nova's message for a missing image carries the 404 of its NotFound; keep it so that
        # scripts matching nova's output keep working.
        try:
            image_id = compute.images.find(args.image).id
        except NoUniqueMatch as exc:
            raise CommandError(str(exc)) from None
        except (ResourceNotFound, NotFound):
            raise CommandError(f"No Image matching {args.image}. (HTTP 404)") from None
    if args.flavor:
        try:
            flavor_id = compute.flavors.find(args.flavor).id
        except (ResourceNotFound, NoUniqueMatch) as exc:
            raise CommandError(str(exc)) from None
    return image_id, flavor_id


def list_servers(
    args: Namespace,
    compute: ComputeClient,
    *,
    environ: Mapping[str, str],
    stderr: Any,
) -> Table:
    """Everything `list` does but printing: flags checked, names resolved, pages read."""
    if args.minimal and (args.long or args.fields):
        raise CommandError("--minimal cannot be combined with --long or --fields")
    if args.long and args.fields:
        raise CommandError("--long cannot be combined with --fields")
    if args.limit is not None and args.limit < -1:
        raise CommandError(f"Invalid --limit value: {args.limit} (use -1 for every page)")
    all_tenants = args.all_tenants
    if all_tenants is None:
        all_tenants = all_tenants_default(environ)
    sort_keys, sort_dirs = parse_sort(args.sort)
    if args.changes_since:
        check_time(args.changes_since, name="changes-since")
    version = compute.api_version
    check_gated_flags(args, version)
    if args.changes_before:
        check_time(args.changes_before, name="changes-before")
    image_id, flavor_id = resolve_filters(args, compute)
    if args.tenant:
        # nova: searching by tenant only works across tenants.
        all_tenants = 1
    opts = search_options(
        args, version=version, image_id=image_id, flavor_id=flavor_id, all_tenants=all_tenants
    )
    machine = args.output_format in ("json", "yaml")
    progress = None
    if args.limit == -1 and _isatty(stderr):
        progress = _progress(stderr)
    table, pending = collect(
        compute.servers.pages(
            detailed=not args.minimal,
            search_opts=opts,
            marker=args.marker,
            limit=args.limit,
            sort_keys=sort_keys,
            sort_dirs=sort_dirs,
        ),
        args=args,
        version=version,
        all_tenants=bool(all_tenants),
        machine=machine,
        progress=progress,
    )
    if args.long:
        fill_names(table, pending, compute=compute, machine=machine)
    sort_rows(table, args=args)
    return table


def read_servers(
    args: Namespace, compute: ComputeClient, *, environ: Mapping[str, str], stderr: Any
) -> Table:
    """list_servers, started over once at the negotiated version if the version the client
    assumed was refused (a server older than CLIENT_MAX) or not confirmed (no microversions):
    the flags allowed, the query and the columns all depend on the version."""
    from pocketstack.client.errors import MicroversionNotConfirmed, NotAcceptable

    try:
        return list_servers(args, compute, environ=environ, stderr=stderr)
    except (NotAcceptable, MicroversionNotConfirmed):
        if not compute.version_assumed:
            raise
    compute.renegotiate()
    return list_servers(args, compute, environ=environ, stderr=stderr)


def _isatty(stream: Any) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def run(args: Namespace, ctx: Context) -> int:
    from pocketstack.cli import list_extras
    from pocketstack.client.compute import ComputeClient

    # The user's saved defaults (config file) fill in what the flags left out.
    list_extras.apply_saved_defaults(args, ctx)
    s = ctx.settings
    compute = ComputeClient(
        ctx.session,
        api_version=s.os_compute_api_version or "2.latest",
        service_type=s.service_type or "compute",
        interface=s.os_interface,
        region_name=s.os_region_name,
        service_name=s.service_name,
        endpoint_override=s.os_endpoint_override,
        cache=ctx,
        # The seed's three requests when cold: no GET of the version root first.
        assume_newest=True,
    )
    if args.watch is not None:

        def refresh() -> Table:
            paused = _pause_gc()
            try:
                return read_servers(args, compute, environ=ctx.environ, stderr=None)
            finally:
                _resume_gc(paused)

        try:
            return list_extras.watch(args, ctx, refresh)
        except UsageError as exc:
            return _usage_error(exc, ctx)
    paused = _pause_gc()
    try:
        try:
            table = read_servers(args, compute, environ=ctx.environ, stderr=ctx.stderr)
        except UsageError as exc:
            return _usage_error(exc, ctx)
        output.print_list(
            table.titles,
            table.rows,
            output_format=args.output_format,
            columns=args.columns,
            sort_columns=args.sort_columns,
            sort_descending=args.sort_descending,
            stream=ctx.stdout,
            display=output.display_for(args, environ=ctx.environ, stream=ctx.stdout),
            # Text rows are str cell by cell already (Column.text).
            preformatted=args.output_format not in ("json", "yaml"),
        )
        # Ids and names for shell completion of --marker/--name.
        list_extras.remember(table.titles, table.rows, ctx)
    finally:
        _resume_gc(paused)
    return 0


def _usage_error(exc: UsageError, ctx: Context) -> int:
    # What our argparse parser prints for a flag it does not know (pocketstack.cli.parser),
    # as nova refuses the flags below their microversion.
    from pocketstack.cli.errors import usage_error_text

    ctx.stderr.write(
        usage_error_text("pocketstack list [options]", str(exc), command="pocketstack list")
    )
    return 2


def _pause_gc() -> bool:
    """Stop the cyclic garbage collector while a listing is read and printed.

    A listing allocates millions of containers (decoded pages, rows) and none is part of a
    cycle: the collector would rescan them over and over and free nothing, which cost a
    10,000-server listing ~40% of its client CPU. Reference counting still frees each page
    as soon as its rows are built, so memory stays bounded by what is printed.
    Returns whether the collector was running (to resume it)."""
    import gc

    running = gc.isenabled()
    gc.disable()
    return running


def _resume_gc(running: bool) -> None:
    if running:
        import gc

        gc.enable()
