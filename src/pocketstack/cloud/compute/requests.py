"""The request bodies compute's responders work with, as typed values.

Each is built by its operation's `parse` (named in compute/api/) from JSON that the operation's
schema has already validated, so a parser only converts: snake_case attributes, Nova's defaults,
strings of digits as numbers. What a schema cannot say (one field against another, an action no
one declared) is checked here; what needs the database (does the flavor exist?) is the
responder's.
"""

from __future__ import annotations

import dataclasses
import enum
import ipaddress
import re
from collections.abc import Mapping
from typing import Any

from pocketstack.cloud.api.operation import Microversion
from pocketstack.cloud.compute.bodies import invalid
from pocketstack.cloud.errors import BadRequest
from pocketstack.cloud.inputs import MAX_INT, decimal, shown, too_big_for_text

# The request's microversion; (2, 0) for the legacy v2 API.
AtVersion = Microversion | None


def at_least(version: AtVersion, low: Microversion) -> bool:
    """Whether a request runs at `low` or later (never for the legacy v2 API, 2.0)."""
    return version is not None and version >= low


# Nova's spellings of a boolean (parameter_types.boolean).
TRUE_WORDS = ("True", "TRUE", "true", "1", "ON", "On", "on", "YES", "Yes", "yes")
FALSE_WORDS = ("False", "FALSE", "false", "0", "OFF", "Off", "off", "NO", "No", "no")


def boolean(value: Any) -> bool:
    """One of Nova's boolean spellings (the schema allows no other)."""
    return value is True or value in TRUE_WORDS


def integer(value: int | str, *, cap: int = MAX_INT) -> int:
    """A schema-checked integer, maybe sent as digits; `cap` for more digits than any bound."""
    if isinstance(value, int):
        return min(value, cap)
    number = decimal(value, cap=cap)
    assert number is not None  # the schema's pattern: ASCII digits only
    return number


class Keep(enum.Enum):
    """A field the request leaves as it is (where null is a value: it clears the field)."""

    KEEP = 0


# --- servers -----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class NetworkRequest:
    uuid: str | None = None
    port: str | None = None
    fixed_ip: str | None = None
    tag: str | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class ServerCreate:
    name: str
    # The image's id: imageRef, or the image a boot-from-image block device mapping names.
    image_id: str
    # The flavor's id (the last segment of a flavor href).
    flavor_id: str
    # None: a password is generated.
    admin_pass: str | None
    metadata: Mapping[str, str]
    # "auto", "none", or the networks asked for.
    networks: str | tuple[NetworkRequest, ...]
    availability_zone: str | None
    key_name: str | None
    config_drive: bool
    user_data: str | None
    security_groups: tuple[str, ...]
    min_count: int
    max_count: int
    access_ip_v4: str | None
    access_ip_v6: str | None
    auto_disk_config: bool
    return_reservation_id: bool
    description: str | None
    tags: tuple[str, ...]
    hostname: str | None
    # The host and node an admin asks for (2.74).
    host: str | None
    hypervisor_hostname: str | None
    # The scheduler hints as the JSON text stored (shown from 2.100).
    scheduler_hints: str
    # Personality files (before 2.57): (path, decoded contents); only counted against the
    # injected-file quotas, as nothing here boots to receive them.
    personality: tuple[tuple[str, bytes], ...] = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class ServerUpdate:
    name: str | None = None
    description: str | Keep | None = Keep.KEEP
    hostname: str | None = None
    access_ip_v4: str | None = None
    access_ip_v6: str | None = None
    auto_disk_config: bool | None = None


def normalized_name(name: str) -> str:
    # Only the legacy v2 API lets a name have spaces at either end; Nova strips them.
    return name.strip()


def access_ip(address: str) -> str:
    """An address as stored: its compressed form, at most 39 characters as its column."""
    return str(ipaddress.ip_address(address))


def parse_server_update(body: Any, version: AtVersion) -> ServerUpdate:
    server: dict[str, Any] = body["server"]
    changes: dict[str, Any] = {}
    if "name" in server:
        changes["name"] = normalized_name(server["name"])
    if "description" in server and at_least(version, (2, 19)):
        changes["description"] = server["description"]
    if "hostname" in server and at_least(version, (2, 90)):
        changes["hostname"] = server["hostname"]
    if "accessIPv4" in server:
        changes["access_ip_v4"] = access_ip(server["accessIPv4"])
    if "accessIPv6" in server:
        changes["access_ip_v6"] = access_ip(server["accessIPv6"])
    if "OS-DCF:diskConfig" in server:
        changes["auto_disk_config"] = server["OS-DCF:diskConfig"] == "AUTO"
    return ServerUpdate(**changes)


# --- server actions ----------------------------------------------------------------------------

# The actions that take no argument (whatever their value, as Nova ignores it).
PLAIN_ACTIONS = ("os-start", "os-stop", "pause", "unpause", "suspend", "resume", "unlock")
ACTIONS = (*PLAIN_ACTIONS, "reboot", "lock")


@dataclasses.dataclass(frozen=True)
class ServerAction:
    """POST /servers/{id}/action: the action's name; those with arguments are subclasses."""

    name: str


@dataclasses.dataclass(frozen=True)
class Reboot(ServerAction):
    hard: bool


@dataclasses.dataclass(frozen=True)
class Lock(ServerAction):
    reason: str | None


def parse_server_action(body: Any, version: AtVersion) -> ServerAction:
    ((name, argument),) = body.items()
    if name == "reboot":
        return Reboot(name, hard=argument["type"].upper() == "HARD")
    if name == "lock":
        # Before 2.73 the argument is not looked at (Nova's schema takes anything).
        given = at_least(version, (2, 73)) and isinstance(argument, dict)
        return Lock(name, reason=argument.get("locked_reason") if given else None)
    if name in PLAIN_ACTIONS:
        return ServerAction(name)
    raise BadRequest(f"There is no such action: {name}")


# --- metadata and tags -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class MetadataUpdate:
    """POST (merge) or PUT (replace) /servers/{id}/metadata."""

    items: Mapping[str, str]


@dataclasses.dataclass(frozen=True)
class MetadataItem:
    """PUT /servers/{id}/metadata/{key}: the one item of the body."""

    key: str
    value: str


@dataclasses.dataclass(frozen=True)
class TagsUpdate:
    """PUT /servers/{id}/tags: the server's tags from now on, each once, in the order sent."""

    tags: tuple[str, ...]


def parse_metadata(body: Any, version: AtVersion) -> MetadataUpdate:
    return MetadataUpdate(dict(body["metadata"]))


def parse_metadata_item(body: Any, version: AtVersion) -> MetadataItem:
    ((key, value),) = body["meta"].items()
    return MetadataItem(key, value)


def parse_tags(body: Any, version: AtVersion) -> TagsUpdate:
    return TagsUpdate(tuple(dict.fromkeys(body["tags"])))


# --- flavors -----------------------------------------------------------------------------------

# Nova's bound for rxtx_factor (the database's single-precision float).
MAX_RXTX = 3.40282e38


@dataclasses.dataclass(frozen=True, kw_only=True)
class FlavorCreate:
    name: str
    # None: a UUID is made up.
    flavor_id: str | None
    ram: int
    vcpus: int
    disk: int
    ephemeral: int
    swap: int
    rxtx_factor: float
    is_public: bool
    description: str | None


@dataclasses.dataclass(frozen=True)
class FlavorUpdate:
    """PUT /flavors/{id} (2.55): a flavor's description is all that changes."""

    description: str | None


def _flavor_description(value: str | None) -> str | None:
    # 65,535 characters may be more bytes than a MariaDB TEXT column holds.
    if value is not None and too_big_for_text(value):
        raise invalid("description", value[:77] + "...", f"{shown(value)} is too long")
    return value


# The flavor id's pattern (Nova's schema): no space at either end.
FLAVOR_ID_PATTERN = "^(?! )[a-zA-Z0-9. _-]+(?<! )$"


def _flavor_id(value: Any) -> str | None:
    """The id as stored: Nova makes one up for a null, 0 or absent id, and stores a number as
    its text. A number's length and pattern are not what the schema saw (it checks those on
    strings only), so its text is checked here: 1e300 is '1e+300', which no id may be."""
    if not value:
        return None
    text = str(value)
    if len(text) > 255:
        raise invalid("id", shown(text), f"'{shown(text)}' is too long")
    if re.search(FLAVOR_ID_PATTERN, text) is None:
        raise invalid("id", text, f"'{text}' does not match '{FLAVOR_ID_PATTERN}'")
    return text


def parse_flavor_create(body: Any, version: AtVersion) -> FlavorCreate:
    flavor: dict[str, Any] = body["flavor"]
    rxtx = float(flavor.get("rxtx_factor", 1.0))
    # The schema bounds a number; a string such as "0" only by its pattern (as Nova's does).
    if not 0 < rxtx <= MAX_RXTX:
        raise BadRequest(
            "Invalid input received: 'rxtx_factor' argument must be a float between 0 and"
            f" {MAX_RXTX:g}"
        )
    return FlavorCreate(
        name=normalized_name(flavor["name"]),
        flavor_id=_flavor_id(flavor.get("id")),
        ram=integer(flavor["ram"]),
        vcpus=integer(flavor["vcpus"]),
        disk=integer(flavor["disk"]),
        ephemeral=integer(flavor.get("OS-FLV-EXT-DATA:ephemeral", 0)),
        swap=integer(flavor.get("swap", 0)),
        rxtx_factor=rxtx,
        is_public=boolean(flavor.get("os-flavor-access:is_public", True)),
        description=_flavor_description(flavor.get("description"))
        if at_least(version, (2, 55))
        else None,
    )


def parse_flavor_update(body: Any, version: AtVersion) -> FlavorUpdate:
    return FlavorUpdate(_flavor_description(body["flavor"]["description"]))


# --- interfaces --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class InterfaceAttach:
    """POST /servers/{id}/os-interface, its body checked by its schema."""

    net_id: str | None
    port_id: str | None
    fixed_ip: str | None
    tag: str | None


def parse_interface_attach(body: Any, version: Microversion | None) -> InterfaceAttach:
    attachment = (body or {}).get("interfaceAttachment") or {}
    fixed = attachment.get("fixed_ips") or [{}]
    return InterfaceAttach(net_id=attachment.get("net_id"), port_id=attachment.get("port_id"),
                  fixed_ip=fixed[0].get("ip_address"), tag=attachment.get("tag"))  # fmt: skip
