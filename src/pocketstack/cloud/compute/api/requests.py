"""The request bodies of the compute API, by microversion, as Nova's schemas
(nova/api/openstack/compute/schemas/) state them for the versions served here (2.0 for the
legacy v2 API, 2.1 to 2.100).

Each is a tuple of `Versioned` for an operation's `request=`; the body's typed form is built by
the parser its declaration names (compute/requests.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pocketstack.cloud.api.operation import JSON, Microversion, Versioned
from pocketstack.cloud.compute.api import action_schemas
from pocketstack.cloud.compute.api import params as p
from pocketstack.cloud.compute.requests import FLAVOR_ID_PATTERN, PLAIN_ACTIONS

Builder = Callable[[Microversion], JSON]
LEGACY: Microversion = (2, 0)


def by_version(build: Builder, changes: Sequence[Microversion]) -> tuple[Versioned, ...]:
    """`build`'s schema for each range between the microversions where it `changes` (the
    first one 2.1), and its relaxed form for the legacy v2 API."""
    schemas = [Versioned(p.legacy(build(LEGACY)), None, LEGACY)]
    for index, low in enumerate(changes):
        if index + 1 < len(changes):
            following = changes[index + 1]
            schemas.append(Versioned(build(low), low, (following[0], following[1] - 1)))
        else:
            schemas.append(Versioned(build(low), low))
    return tuple(schemas)


def _from(version: Microversion, low: tuple[int, int]) -> bool:
    return version >= low


# --- POST /servers -----------------------------------------------------------------------------

_LEGACY_BDM: JSON = p.closed(
    {
        "virtual_name": {"type": "string", "maxLength": 255},
        "volume_id": p.UUID,
        "snapshot_id": p.UUID,
        "volume_size": {
            "type": ["integer", "string"],
            "pattern": "^[0-9]+$",
            "minimum": 1,
            "maximum": 0x7FFFFFFF,
        },
        "device_name": {
            "type": "string",
            "minLength": 1,
            "maxLength": 255,
            "pattern": "^[a-zA-Z0-9._/-]*$",
        },
        "delete_on_termination": p.BOOLEAN,
        "no_device": {},
        "connection_info": {"type": "string", "maxLength": 16777215},
    }
)


def _bdm_v2(version: Microversion) -> JSON:
    properties: JSON = {
        **_LEGACY_BDM["properties"],
        "source_type": {"type": "string", "enum": ["volume", "image", "snapshot", "blank"]},
        "uuid": {
            "type": "string",
            "minLength": 1,
            "maxLength": 255,
            "pattern": "^[a-zA-Z0-9._-]*$",
        },
        "image_id": p.UUID,
        "destination_type": {"type": "string", "enum": ["local", "volume"]},
        "guest_format": {"type": "string", "maxLength": 255},
        "device_type": {"type": "string", "maxLength": 255},
        "disk_bus": {"type": "string", "maxLength": 255},
        "boot_index": {"type": ["integer", "string", "null"], "pattern": "^-?[0-9]+$"},
    }
    # A tag at 2.32 only, then again from 2.42 (Nova's 2.32 slip, mended by 2.42).
    if version == (2, 32) or _from(version, (2, 42)):
        properties["tag"] = p.TAG
    if _from(version, (2, 67)):
        properties["volume_type"] = {"type": ["string", "null"], "minLength": 0, "maxLength": 255}
    return p.closed(properties)


def _networks(version: Microversion) -> JSON:
    network: JSON = {
        "fixed_ip": p.IP_ADDRESS,
        "port": {"type": ["string", "null"], "format": "uuid"},
        "uuid": p.UUID if _from(version, (2, 37)) else p.STR,
    }
    if (2, 32) <= version < (2, 37) or _from(version, (2, 42)):
        network["tag"] = p.TAG
    listed: JSON = {"type": "array", "items": p.closed(network)}
    if not _from(version, (2, 37)):
        return listed
    return {"oneOf": [listed, {"type": "string", "enum": ["none", "auto"]}]}


_HINTS: JSON = {
    "type": "object",
    "properties": {
        "group": {"oneOf": [{"type": "array", "items": p.UUID}, p.UUID]},
        "different_host": {"oneOf": [p.UUID, {"type": "array", "items": p.UUID}]},
        "same_host": {"type": ["string", "array"], "items": p.UUID},
        "query": {"type": ["string", "object"]},
        "target_cell": p.NAME,
        "different_cell": {"type": ["string", "array"], "items": p.STR},
        "build_near_host_ip": p.IP_ADDRESS,
        "cidr": {"type": "string", "pattern": "^/[0-9a-f.:]+$"},
    },
    # Nova lets any other hint through.
    "additionalProperties": True,
}


def server_create(version: Microversion) -> JSON:
    server: JSON = {
        "name": p.NAME,
        "imageRef": p.IMAGE_ID_OR_EMPTY,
        "flavorRef": p.FLAVOR_REF,
        "adminPass": p.STR,
        "metadata": p.METADATA,
        "networks": _networks(version),
        "OS-DCF:diskConfig": p.DISK_CONFIG,
        "accessIPv4": p.IPV4,
        "accessIPv6": p.IPV6,
        "availability_zone": p.NAME,
        "block_device_mapping": {"type": "array", "items": _LEGACY_BDM},
        "block_device_mapping_v2": {"type": "array", "items": _bdm_v2(version)},
        "config_drive": p.BOOLEAN,
        "key_name": p.NAME,
        "min_count": p.POSITIVE_INTEGER,
        "max_count": p.POSITIVE_INTEGER,
        "return_reservation_id": p.BOOLEAN,
        "security_groups": {"type": "array", "items": p.closed({"name": p.NAME})},
        "user_data": {
            "type": ["string", "null"] if version == LEGACY else "string",
            "format": "base64",
            "maxLength": 65535,
        },
    }
    if not _from(version, (2, 57)):
        server["personality"] = p.PERSONALITY
    if _from(version, (2, 19)):
        server["description"] = p.DESCRIPTION
    if _from(version, (2, 52)):
        server["tags"] = p.TAGS
    if _from(version, (2, 63)):
        server["trusted_image_certificates"] = p.TRUSTED_CERTS
    if _from(version, (2, 74)):
        server["host"] = p.FQDN
        server["hypervisor_hostname"] = p.FQDN
    if _from(version, (2, 90)):
        server["hostname"] = p.FQDN if _from(version, (2, 94)) else p.HOSTNAME
    required = (
        ("name", "flavorRef", "networks") if _from(version, (2, 37)) else ("name", "flavorRef")
    )
    return p.closed(
        {
            "server": p.closed(server, required=required),
            "os:scheduler_hints": _HINTS,
            "OS-SCH-HNT:scheduler_hints": _HINTS,
        },
        required=("server",),
    )


SERVER_CREATE = by_version(
    server_create,
    [(2, 1), (2, 19), (2, 32), (2, 33), (2, 37), (2, 42), (2, 52), (2, 57), (2, 63), (2, 67),
     (2, 74), (2, 90), (2, 94)],
)  # fmt: skip


# --- PUT /servers/{id} -------------------------------------------------------------------------


def server_update(version: Microversion) -> JSON:
    server: JSON = {
        "name": p.NAME,
        "OS-DCF:diskConfig": p.DISK_CONFIG,
        "accessIPv4": p.IPV4,
        "accessIPv6": p.IPV6,
    }
    if _from(version, (2, 19)):
        server["description"] = p.DESCRIPTION
    if _from(version, (2, 90)):
        server["hostname"] = p.FQDN if _from(version, (2, 94)) else p.HOSTNAME
    return p.closed({"server": p.closed(server)}, required=("server",))


SERVER_UPDATE = by_version(server_update, [(2, 1), (2, 19), (2, 90), (2, 94)])


# --- POST /servers/{id}/action -----------------------------------------------------------------


def server_action(version: Microversion) -> JSON:
    """Each action's argument; an action not named here is Nova's "no such action", and a body
    of more or fewer than one key its "Malformed request body" (the `action` format)."""
    actions: JSON = {name: {} for name in PLAIN_ACTIONS}
    actions["reboot"] = p.closed(
        {"type": {"type": "string", "enum": ["HARD", "Hard", "hard", "SOFT", "Soft", "soft"]}},
        required=("type",),
    )
    actions["lock"] = {}
    if _from(version, (2, 73)):
        actions["lock"] = {
            "type": ["object", "null"],
            "properties": {"locked_reason": {"type": "string", "minLength": 1, "maxLength": 255}},
            "additionalProperties": False,
        }
    actions.update(action_schemas.lifecycle(version))
    return {"format": "action", "properties": actions}


SERVER_ACTION = by_version(server_action, sorted({(2, 1), (2, 73), *action_schemas.CHANGES}))


# --- metadata, tags ----------------------------------------------------------------------------


def _metadata(version: Microversion) -> JSON:
    return p.closed({"metadata": p.METADATA}, required=("metadata",))


def _metadata_item(version: Microversion) -> JSON:
    one = {**p.METADATA, "minProperties": 1, "maxProperties": 1}
    return p.closed({"meta": one}, required=("meta",))


def _tags(version: Microversion) -> JSON:
    return p.closed({"tags": p.TAGS}, required=("tags",))


METADATA = by_version(_metadata, [(2, 1)])
METADATA_ITEM = by_version(_metadata_item, [(2, 1)])
# From 2.26, as the tags' routes: the legacy v2 API has none.
TAGS = (Versioned(_tags((2, 26)), (2, 26)),)
# PUT /servers/{id}/tags/{tag} takes no body (Nova's schema: null).
TAG_BODY = (Versioned({"type": "null"}, (2, 26)),)


# --- flavors -----------------------------------------------------------------------------------


def flavor_create(version: Microversion) -> JSON:
    flavor: JSON = {
        "name": p.NAME,
        # No space at either end.
        "id": {
            "type": ["string", "number", "null"],
            "minLength": 1,
            "maxLength": 255,
            "pattern": FLAVOR_ID_PATTERN,
        },
        "ram": p.FLAVOR_POSITIVE,
        "vcpus": p.FLAVOR_POSITIVE,
        "disk": p.FLAVOR_NON_NEGATIVE,
        "OS-FLV-EXT-DATA:ephemeral": p.FLAVOR_NON_NEGATIVE,
        "swap": p.FLAVOR_NON_NEGATIVE,
        "rxtx_factor": {
            "type": ["number", "string"],
            "pattern": r"^[0-9]+(\.[0-9]+)?$",
            "exclusiveMinimum": 0,
            "maximum": 3.40282e38,
        },
        "os-flavor-access:is_public": p.BOOLEAN,
    }
    if _from(version, (2, 55)):
        flavor["description"] = p.FLAVOR_DESCRIPTION
    return p.closed(
        {"flavor": p.closed(flavor, required=("name", "ram", "vcpus", "disk"))},
        required=("flavor",),
    )


FLAVOR_CREATE = by_version(flavor_create, [(2, 1), (2, 55)])
FLAVOR_UPDATE = (
    Versioned(
        p.closed(
            {"flavor": p.closed({"description": p.FLAVOR_DESCRIPTION}, required=("description",))},
            required=("flavor",),
        ),
        (2, 55),
    ),
)
