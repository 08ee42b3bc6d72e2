"""The lifecycle actions' request bodies by microversion (Nova's schemas for servers' rebuild
and resize, migrate_server, shelve, rescue, admin_actions, admin_password and console_output),
merged into POST /servers/{id}/action's schema by requests.server_action."""

from __future__ import annotations

from pocketstack.cloud.api.operation import JSON, Microversion
from pocketstack.cloud.compute.api import params as p

# The microversions where one of these bodies changes.
CHANGES: tuple[Microversion, ...] = (
    (2, 14), (2, 17), (2, 19), (2, 25), (2, 29), (2, 30), (2, 54), (2, 56), (2, 57), (2, 63),
    (2, 68), (2, 77), (2, 90), (2, 91), (2, 94),
)  # fmt: skip
_ANY: JSON = {}
_NULLABLE_NAME: JSON = {**p.NAME, "type": ["string", "null"]}
_HOST: JSON = {"type": ["string", "null"], "minLength": 1, "maxLength": 255}


def _rebuild(version: Microversion) -> JSON:
    rebuild: JSON = {
        "name": p.NAME,
        "imageRef": p.IMAGE_ID_OR_EMPTY,
        "adminPass": p.STR,
        "metadata": p.METADATA,
        "preserve_ephemeral": p.BOOLEAN,
        "OS-DCF:diskConfig": p.DISK_CONFIG,
        "accessIPv4": p.IPV4,
        "accessIPv6": p.IPV6,
    }
    if version < (2, 57):
        rebuild["personality"] = p.PERSONALITY
    if version >= (2, 19):
        rebuild["description"] = p.DESCRIPTION
    if version >= (2, 54):
        rebuild["key_name"] = _NULLABLE_NAME
    if version >= (2, 57):
        rebuild["user_data"] = {
            "type": ["string", "null"],
            "format": "base64",
            "maxLength": 65535,
        }
    if version >= (2, 63):
        rebuild["trusted_image_certificates"] = p.TRUSTED_CERTS
    if version >= (2, 90):
        rebuild["hostname"] = p.FQDN if version >= (2, 94) else p.HOSTNAME
    return p.closed(rebuild, required=("imageRef",))


def _migrate_live(version: Microversion) -> JSON:
    live: JSON = {"host": _HOST}
    required: tuple[str, ...] = ("block_migration", "host")
    if version >= (2, 25):
        live["block_migration"] = {"anyOf": [p.BOOLEAN, {"enum": ["auto"]}]}
    else:
        live["block_migration"] = p.BOOLEAN
        live["disk_over_commit"] = p.BOOLEAN
        required = ("block_migration", "disk_over_commit", "host")
    if (2, 30) <= version < (2, 68):
        live["force"] = p.BOOLEAN
    return p.closed(live, required=required)


def _evacuate(version: Microversion) -> JSON:
    """Nova's evacuate: onSharedStorage required before 2.14 and gone from it; force from 2.29
    until 2.68 removed it."""
    evacuate: JSON = {"host": p.FQDN, "adminPass": p.STR}
    if version < (2, 14):
        evacuate["onSharedStorage"] = p.BOOLEAN
        return p.closed(evacuate, required=("onSharedStorage",))
    if (2, 29) <= version < (2, 68):
        evacuate["force"] = p.BOOLEAN
    return p.closed(evacuate)


def _unshelve(version: Microversion) -> JSON:
    if version < (2, 77):
        return _ANY
    zone: JSON = p.NAME if version < (2, 91) else _NULLABLE_NAME
    body: JSON = {"availability_zone": zone}
    if version >= (2, 91):
        body["host"] = p.FQDN
    schema = p.closed(body, required=() if version >= (2, 91) else ("availability_zone",))
    return {**schema, "type": ["object", "null"], "minProperties": 1 if version >= (2, 91) else 0}


def lifecycle(version: Microversion) -> JSON:
    """Each lifecycle action's argument at `version` (2.0: the legacy API's, as 2.1's)."""
    actions: JSON = {
        "rebuild": _rebuild(version),
        "resize": p.closed(
            {"flavorRef": p.FLAVOR_REF, "OS-DCF:diskConfig": p.DISK_CONFIG},
            required=("flavorRef",),
        ),
        "confirmResize": _ANY,
        "revertResize": _ANY,
        "migrate": _ANY,
        "os-migrateLive": _migrate_live(version),
        "evacuate": _evacuate(version),
        "shelve": _ANY,
        "shelveOffload": _ANY,
        "unshelve": _unshelve(version),
        "rescue": {
            "type": ["object", "null"],
            "properties": {"adminPass": p.STR, "rescue_image_ref": p.UUID},
            "additionalProperties": False,
        },
        "unrescue": _ANY,
        # Nova's deferred_delete schemas: any argument (null by convention).
        "restore": _ANY,
        "forceDelete": _ANY,
        "injectNetworkInfo": _ANY,
        # Up to 2.43 (the actions answer 404 past it, compute/actions_multinic.py).
        "addFixedIp": p.closed(
            {"networkId": {"type": ["string", "number"], "minLength": 1, "maxLength": 255,
                           "pattern": "^[a-zA-Z0-9-]+$"}},
            required=("networkId",),
        ),
        "removeFixedIp": p.closed({"address": p.IP_ADDRESS}, required=("address",)),
        "createImage": p.closed({"name": p.NAME, "metadata": p.METADATA}, required=("name",)),
        "createBackup": p.closed(
            {
                "name": p.NAME,
                "backup_type": {"type": "string"},
                "rotation": {**p.POSITIVE_INTEGER, "minimum": 0, "maxLength": p.MAX_DIGITS},
                "metadata": p.METADATA,
            },
            required=("name", "backup_type", "rotation"),
        ),
        "os-resetState": p.closed(
            {"state": {"type": "string", "enum": ["active", "error"]}}, required=("state",)
        ),
        "changePassword": p.closed({"adminPass": p.STR}, required=("adminPass",)),
        "addSecurityGroup": p.closed(
            {"name": {"type": "string", "minLength": 1}}, required=("name",)
        ),
        "removeSecurityGroup": p.closed(
            {"name": {"type": "string", "minLength": 1}}, required=("name",)
        ),
        # Up to 2.43 (the action answers 404 past it, compute/actions_floating_ips.py).
        "addFloatingIp": p.closed(
            {"address": p.IP_ADDRESS, "fixed_address": p.IP_ADDRESS}, required=("address",)
        ),
        "removeFloatingIp": p.closed({"address": p.IP_ADDRESS}, required=("address",)),
        "os-getConsoleOutput": {
            "type": "object",
            "properties": {
                "length": {
                    "type": ["integer", "string", "null"],
                    "pattern": "^-?[0-9]+$",
                    "minimum": -1,
                }
            },
            "additionalProperties": False,
        },
    }
    if version >= (2, 56):
        actions["migrate"] = {
            "type": ["object", "null"],
            "properties": {"host": _HOST},
            "additionalProperties": False,
        }
    if version >= (2, 17):
        actions["trigger_crash_dump"] = {"type": "null"}
    return actions
