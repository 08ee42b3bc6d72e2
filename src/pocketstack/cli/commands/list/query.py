"""`pocketstack list`'s flags -> the GET /servers request: search options, sort, the flags
novaclient gates by microversion, --image/--flavor names resolved to ids."""

from __future__ import annotations

from pocketstack.cli.booleans import bool_from_string
from pocketstack.cli.commands.list.arguments import GATED_FLAGS
from pocketstack.cli.errors import CommandError

# Warm-path module: see docs/startup.md.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from pocketstack.cli.argspec import Namespace
    from pocketstack.client.compute import ComputeClient
    from pocketstack.client.compute.versions import APIVersion


class UsageError(CommandError):
    """What argparse would have refused (novaclient does not register the flag): exit 2."""



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
    # Strict, as novaclient reads it: a typo must not silently list a single tenant.
    value = environ.get("ALL_TENANTS", "false")
    return int(bool_from_string(value, strict=True, name="ALL_TENANTS"))


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

