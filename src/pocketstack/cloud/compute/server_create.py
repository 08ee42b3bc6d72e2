"""POST /servers: the validated body as a ServerCreate, with Nova's defaults and the checks of
one field against another that its schema cannot state.

Whether the flavor, image and networks exist is server_build's to find out.
"""

from __future__ import annotations

import base64
import json
import urllib.parse
from typing import Any

from pocketstack.cloud.compute.bodies import invalid
from pocketstack.cloud.compute.requests import (
    AtVersion,
    NetworkRequest,
    ServerCreate,
    access_ip,
    at_least,
    boolean,
    integer,
    normalized_name,
)
from pocketstack.cloud.compute.validation import uuid_like
from pocketstack.cloud.errors import BadRequest
from pocketstack.cloud.inputs import TEXT_BYTES, shown

DEFAULT_AZ = "nova"
# One request makes at most this many servers (min_count/max_count), whatever the quotas allow:
# a create's rows are written in one transaction, which this keeps short.
MAX_COUNT = 100
# What this cloud cannot attach: it has no block storage service.
NO_VOLUMES = "Block device mapping of volumes is not supported by this cloud."


def parse_server_create(body: Any, version: AtVersion) -> ServerCreate:
    server: dict[str, Any] = body["server"]
    name = normalized_name(server["name"])
    min_count = _count(server, "min_count", 1)
    max_count = _count(server, "max_count", min_count)
    if min_count > max_count:
        raise BadRequest("min_count must be <= max_count")
    hostname = server.get("hostname") if at_least(version, (2, 90)) else None
    if hostname is not None and max_count > 1:
        raise BadRequest("Unable to allocate a single hostname to multiple instances")
    networks = server.get("networks")
    disk_config = server.get("OS-DCF:diskConfig", "MANUAL")
    names = [group["name"] for group in server.get("security_groups", []) if group.get("name")]
    return ServerCreate(
        name=name,
        image_id=_image(server),
        flavor_id=_flavor_id(server["flavorRef"]),
        admin_pass=server.get("adminPass"),
        metadata=dict(server.get("metadata", {})),
        networks="auto" if networks is None else _networks(networks, version),
        availability_zone=server.get("availability_zone"),
        key_name=server.get("key_name"),
        config_drive=boolean(server.get("config_drive", False)),
        user_data=server.get("user_data"),
        security_groups=tuple(dict.fromkeys(names)) or ("default",),
        min_count=min_count,
        max_count=max_count,
        access_ip_v4=_optional_ip(server.get("accessIPv4")),
        access_ip_v6=_optional_ip(server.get("accessIPv6")),
        auto_disk_config=disk_config == "AUTO",
        return_reservation_id=boolean(server.get("return_reservation_id", False)),
        # Before 2.19 a server's description is its name, as Nova sets it.
        description=server.get("description") if at_least(version, (2, 19)) else name,
        tags=tuple(dict.fromkeys(server.get("tags", []))),
        hostname=hostname,
        host=server.get("host"),
        hypervisor_hostname=server.get("hypervisor_hostname"),
        scheduler_hints=_hints(body),
        personality=tuple(
            (str(item.get("path", "")), base64.b64decode(item.get("contents", "")))
            for item in server.get("personality", ())
        ),
    )


def _count(server: dict[str, Any], key: str, default: int) -> int:
    count = integer(server.get(key, default), cap=MAX_COUNT + 1)
    if count > MAX_COUNT:
        value = str(server[key])[:80]
        raise invalid(key, value, f"{value} is greater than the maximum of {MAX_COUNT}")
    return count


def _optional_ip(value: str | None) -> str | None:
    return None if value is None else access_ip(value)


def _flavor_id(value: str | int) -> str:
    """A flavor's id, or the last segment of its href, as Nova takes flavorRef."""
    text = str(value)
    try:
        path = urllib.parse.urlsplit(text).path
    except ValueError:
        path = text
    return path.rstrip("/").split("/")[-1]


def _image(server: dict[str, Any]) -> str:
    legacy: list[Any] = server.get("block_device_mapping", [])
    mappings: list[dict[str, Any]] = server.get("block_device_mapping_v2", [])
    if legacy and mappings:
        raise BadRequest(
            "Using different block_device_mapping syntaxes is not allowed in the same request."
        )
    if legacy:
        # The legacy syntax maps volumes and snapshots only.
        raise BadRequest(NO_VOLUMES)
    image: str | None = None
    for mapping in mappings:
        source = mapping.get("source_type")
        if mapping.get("destination_type") == "volume" or source in ("volume", "snapshot"):
            raise BadRequest(NO_VOLUMES)
        if source == "image":
            image = image or mapping.get("uuid") or mapping.get("image_id")
    image_ref: str = server.get("imageRef") or image or ""
    if not image_ref:
        raise BadRequest("Missing imageRef attribute")
    return image_ref


def _networks(
    value: str | list[dict[str, Any]], version: AtVersion
) -> str | tuple[NetworkRequest, ...]:
    if isinstance(value, str):
        return value
    requests: list[NetworkRequest] = []
    ports: set[str] = set()
    for item in value:
        port = item.get("port")
        if port:
            if port in ports:
                raise BadRequest(
                    f"Port ID '{port}' was specified twice: you cannot attach a port multiple"
                    " times."
                )
            if item.get("fixed_ip") is not None:
                raise BadRequest(
                    f"Specified Fixed IP '{item['fixed_ip']}' cannot be used with port"
                    f" '{port}': the two cannot be specified together."
                )
            ports.add(port)
        elif "uuid" not in item:
            raise BadRequest("Bad network format: missing 'uuid'")
        elif not at_least(version, (2, 37)) and not uuid_like(item["uuid"]):
            # From 2.37 the schema says so.
            raise BadRequest(
                f"Bad networks format: network uuid is not in proper format ({item['uuid']})"
            )
        requests.append(
            NetworkRequest(
                uuid=None if port else item["uuid"],
                port=port or None,
                fixed_ip=item.get("fixed_ip"),
                tag=item.get("tag"),
            )
        )
    return tuple(requests)


def _hints(body: dict[str, Any]) -> str:
    """The scheduler hints as the JSON text stored for microversion 2.100."""
    hints = body.get("os:scheduler_hints", body.get("OS-SCH-HNT:scheduler_hints", {}))
    text = json.dumps(hints, ensure_ascii=False)
    if len(text.encode("utf-8")) > TEXT_BYTES:
        raise invalid("os:scheduler_hints", shown(hints), "the scheduler hints are too long")
    return text
