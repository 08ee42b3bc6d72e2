"""The body of POST /servers, checked field by field as Nova's create schema does."""

from __future__ import annotations

import json
import secrets
import string
import uuid
from typing import Any

from pocketstack.cloud.compute import driver
from pocketstack.cloud.compute.bodies import (
    bool_value,
    description_value,
    hostname_value,
    int_value,
    invalid,
    metadata_value,
    name_value,
    no_extra,
    optional_text,
    require_object,
    tag_list,
)
from pocketstack.cloud.compute.microversion import ApiVersion
from pocketstack.cloud.errors import BadRequest
from pocketstack.cloud.inputs import TEXT_BYTES, shown

DEFAULT_AZ = "nova"
# One request makes at most this many servers (min_count/max_count); quotas are not kept yet.
MAX_COUNT = 100

_CREATE_KEYS = {
    "name", "imageRef", "flavorRef", "adminPass", "metadata", "networks", "availability_zone",
    "key_name", "config_drive", "user_data", "security_groups", "min_count", "max_count",
    "accessIPv4", "accessIPv6", "OS-DCF:diskConfig", "return_reservation_id",
    "block_device_mapping_v2",
}  # fmt: skip


def _image_from_bdms(value: Any) -> str | None:
    """The image of a boot-from-image block device mapping (what openstackclient sends)."""
    if not isinstance(value, list):
        raise invalid(
            "block_device_mapping_v2", shown(value), f"{shown(value)} is not of type 'array'"
        )
    image: str | None = None
    for bdm in value:
        if not isinstance(bdm, dict):
            raise invalid(
                "block_device_mapping_v2", shown(value), f"{shown(bdm)} is not of type 'object'"
            )
        destination = bdm.get("destination_type", "local")
        if bdm.get("source_type") == "image" and destination == "local":
            image = str(bdm.get("uuid") or "") or image
        elif destination == "volume" or bdm.get("source_type") in ("volume", "snapshot"):
            # There is no block storage service here to attach volumes from.
            raise BadRequest("Block device mapping of volumes is not supported by this cloud.")
    return image


def _allowed_keys(api: ApiVersion) -> set[str]:
    allowed = set(_CREATE_KEYS)
    if api.at_least("2.19"):
        allowed.add("description")
    if api.at_least("2.52"):
        allowed.add("tags")
    if api.at_least("2.90"):
        allowed.add("hostname")
    return allowed


def parse_create(body: Any, api: ApiVersion) -> dict[str, Any]:
    """The create request as the values to store; Nova's 400 (403 over a limit) otherwise."""
    if isinstance(body, dict):
        no_extra(body, {"server", "os:scheduler_hints", "OS-SCH-HNT:scheduler_hints"})
    server = require_object(body, "server")
    no_extra(server, _allowed_keys(api))
    for key in ("name", "flavorRef"):
        if key not in server:
            raise BadRequest(f"'{key}' is a required property")
    image_from_bdm = _image_from_bdms(server.get("block_device_mapping_v2", []))
    if not server.get("imageRef") and image_from_bdm:
        server = {**server, "imageRef": image_from_bdm}
    if "imageRef" not in server:
        raise BadRequest("Missing imageRef attribute")
    networks = server.get("networks")
    if api.at_least("2.37") and networks is None:
        raise BadRequest("'networks' is a required property")
    counts = {
        key: int_value(key, server.get(key, 1), minimum=1, maximum=MAX_COUNT)
        for key in ("min_count", "max_count")
    }
    if counts["min_count"] > counts["max_count"]:
        raise BadRequest("min_count must be <= max_count")
    disk_config = server.get("OS-DCF:diskConfig", "MANUAL")
    if disk_config not in ("AUTO", "MANUAL"):
        raise invalid(
            "OS-DCF:diskConfig",
            shown(disk_config),
            f"{shown(disk_config)} is not one of AUTO, MANUAL",
        )
    if "return_reservation_id" in server:
        bool_value("return_reservation_id", server["return_reservation_id"])
    hostname = server.get("hostname")
    return {
        "name": name_value("name", server["name"]),
        "flavorRef": _flavor_ref(server["flavorRef"]),
        "imageRef": _image_ref(server["imageRef"]),
        "networks": _networks(networks if networks is not None else "auto"),
        "availability_zone": _availability_zone(server.get("availability_zone")),
        "metadata": metadata_value("metadata", server.get("metadata", {})),
        "tags": tag_list("tags", server.get("tags", [])),
        "description": description_value("description", server.get("description")),
        "key_name": _key_name(server.get("key_name")),
        "user_data": optional_text("user_data", server.get("user_data"), max_length=65535),
        "access_ip_v4": optional_text("accessIPv4", server.get("accessIPv4"), max_length=39),
        "access_ip_v6": optional_text("accessIPv6", server.get("accessIPv6"), max_length=39),
        "hostname": (
            None
            if hostname is None
            else hostname_value("hostname", hostname, fqdn=api.at_least("2.94"))
        ),
        "max_count": counts["max_count"],
        "auto_disk_config": disk_config == "AUTO",
        "adminPass": _admin_pass(server.get("adminPass")),
        "security_groups": _security_groups(server.get("security_groups")),
        "scheduler_hints": _hints(body),
        "config_drive": "True"
        if bool_value("config_drive", server.get("config_drive", False))
        else "",
    }


def _flavor_ref(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value:
        raise invalid("flavorRef", shown(value), f"{shown(value)} is not a valid flavor reference")
    return value


def _image_ref(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise invalid("imageRef", shown(value), f"{shown(value)} is not a valid image reference")
    return value.rstrip("/").rsplit("/", 1)[-1]


def _availability_zone(value: Any) -> str | None:
    if value is None:
        return None
    zone = name_value("availability_zone", value)
    if zone != DEFAULT_AZ:
        raise BadRequest("The requested availability zone is not available")
    return zone


def _key_name(value: Any) -> str | None:
    return None if value is None else name_value("key_name", value)


def _admin_pass(value: Any) -> str:
    if value is None:
        return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(12))
    if not isinstance(value, str):
        raise invalid("adminPass", shown(value), f"{shown(value)} is not of type 'string'")
    return value


def _security_groups(value: Any) -> list[dict[str, str]]:
    if value is None:
        return [{"name": "default"}]
    if not isinstance(value, list) or not all(isinstance(g, dict) and "name" in g for g in value):
        raise invalid("security_groups", shown(value), "must be a list of {'name': ...} objects")
    return [{"name": name_value("name", g["name"])} for g in value]


def _hints(body: dict[str, Any]) -> str:
    """The scheduler hints as the JSON text stored for microversion 2.100."""
    hints = body.get("os:scheduler_hints", body.get("OS-SCH-HNT:scheduler_hints", {}))
    if not isinstance(hints, dict):
        raise invalid("os:scheduler_hints", shown(hints), f"{shown(hints)} is not of type 'object'")
    text = json.dumps(hints, ensure_ascii=False)
    if len(text.encode("utf-8")) > TEXT_BYTES:
        raise invalid("os:scheduler_hints", shown(hints), "the scheduler hints are too long")
    return text


def _networks(value: Any) -> str | list[dict[str, Any]]:
    if isinstance(value, str):
        if value not in ("auto", "none"):
            raise invalid(
                "networks", shown(value), f"{shown(value)} is not one of ['none', 'auto']"
            )
        return value
    if not isinstance(value, list):
        raise BadRequest("Bad networks format")
    for item in value:
        if not isinstance(item, dict):
            raise BadRequest("Bad networks format")
        if item.get("port"):
            raise BadRequest(f"Port {item['port']} could not be found.")
        if "uuid" not in item:
            raise BadRequest("Bad network format: missing 'uuid'")
        try:
            uuid.UUID(str(item["uuid"]))
        except ValueError:
            raise BadRequest(
                f"Bad networks format: network uuid is not in proper format ({item['uuid']})"
            ) from None
        if item["uuid"] != driver.NETWORK_ID:
            raise BadRequest(f"Network {item['uuid']} could not be found.")
    return value
