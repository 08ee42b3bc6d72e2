"""The lifecycle actions' request bodies (rebuild, resize, migrate, shelve, rescue, ...) as
typed values, from bodies their schemas (compute/api/action_schemas.py) have validated.

The power and lock actions are parsed in requests.py; `parse_server_action` here takes every
action and hands those to it.
"""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Mapping
from typing import Any

from pocketstack.cloud.compute import requests
from pocketstack.cloud.compute.requests import AtVersion, Keep, ServerAction, at_least, integer

# The lifecycle actions whose argument, whatever it is, says nothing.
PLAIN_LIFECYCLE = (
    "confirmResize",
    "revertResize",
    "shelve",
    "shelveOffload",
    "unrescue",
    "trigger_crash_dump",
    "restore",
    "forceDelete",
    "injectNetworkInfo",
)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Rebuild(ServerAction):
    image_id: str
    server_name: str | None
    admin_pass: str | None
    metadata: Mapping[str, str] | None
    preserve_ephemeral: bool
    access_ip_v4: str | None
    access_ip_v6: str | None
    auto_disk_config: bool | None
    description: str | Keep | None
    key_name: str | Keep | None
    user_data: str | Keep | None
    hostname: str | None
    # Personality files (before 2.57): counted against the injected-file quotas, as on create.
    personality: tuple[tuple[str, bytes], ...] = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class CreateImage(ServerAction):
    """createImage, and createBackup with its `backup_type` and `rotation`."""

    image_name: str
    metadata: Mapping[str, str]
    backup_type: str | None = None
    rotation: int = 0


@dataclasses.dataclass(frozen=True, kw_only=True)
class FixedIpChange(ServerAction):
    """addFixedIp (a network) or removeFixedIp (an address)."""

    network_id: str | None = None
    address: str | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Resize(ServerAction):
    flavor_id: str
    # OS-DCF:diskConfig given with the resize: the server's disk config from then on.
    auto_disk_config: bool | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Migrate(ServerAction):
    host: str | None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Unshelve(ServerAction):
    # Keep: not asked; None: unpin (2.91).
    availability_zone: str | Keep | None
    host: str | None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Rescue(ServerAction):
    admin_pass: str | None
    rescue_image: str | None


@dataclasses.dataclass(frozen=True, kw_only=True)
class ResetState(ServerAction):
    state: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class SecurityGroupChange(ServerAction):
    """addSecurityGroup, removeSecurityGroup: the group's name (or id)."""

    group: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class FloatingIpChange(ServerAction):
    """addFloatingIp, removeFloatingIp: the floating address (and the fixed one to add it to)."""

    address: str
    fixed_address: str | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class ChangePassword(ServerAction):
    admin_pass: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class ConsoleOutput(ServerAction):
    # None: all of it.
    length: int | None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Evacuate(ServerAction):
    host: str | None
    # Before 2.14 only; None from 2.14, where the disk is never taken to be shared.
    on_shared_storage: bool | None
    admin_pass: str | None
    # 2.29 to 2.67: go to `host` without asking the scheduler.
    force: bool


def _evacuate(arg: dict[str, Any], version: AtVersion) -> Evacuate:
    shared = None if at_least(version, (2, 14)) else requests.boolean(arg["onSharedStorage"])
    forced = at_least(version, (2, 29)) and not at_least(version, (2, 68))
    return Evacuate(
        "evacuate",
        host=arg.get("host"),
        on_shared_storage=shared,
        admin_pass=arg.get("adminPass"),
        force=forced and requests.boolean(arg.get("force", False)),
    )


def _flavor_id(ref: str) -> str:
    # A flavor's href or its id: the id is the last segment.
    return ref.rstrip("/").rsplit("/", 1)[-1]


def _image_id(ref: str) -> str:
    return ref.rstrip("/").rsplit("/", 1)[-1]


def _rebuild(arg: dict[str, Any], version: AtVersion) -> Rebuild:
    def since(key: str, low: tuple[int, int]) -> Any:
        return arg[key] if key in arg and at_least(version, low) else Keep.KEEP

    disk = arg.get("OS-DCF:diskConfig")
    return Rebuild(
        "rebuild",
        image_id=_image_id(arg["imageRef"]),
        server_name=requests.normalized_name(arg["name"]) if "name" in arg else None,
        admin_pass=arg.get("adminPass"),
        metadata=dict(arg["metadata"]) if "metadata" in arg else None,
        preserve_ephemeral=requests.boolean(arg.get("preserve_ephemeral", False)),
        access_ip_v4=requests.access_ip(arg["accessIPv4"]) if arg.get("accessIPv4") else None,
        access_ip_v6=requests.access_ip(arg["accessIPv6"]) if arg.get("accessIPv6") else None,
        auto_disk_config=None if disk is None else disk == "AUTO",
        description=since("description", (2, 19)),
        key_name=since("key_name", (2, 54)),
        user_data=since("user_data", (2, 57)),
        hostname=arg.get("hostname") if at_least(version, (2, 90)) else None,
        personality=tuple(
            (str(item.get("path", "")), base64.b64decode(item.get("contents", "")))
            for item in arg.get("personality", ())
        ),
    )


def _unshelve(arg: Any, version: AtVersion) -> Unshelve:
    zone: str | Keep | None = Keep.KEEP
    host = None
    if isinstance(arg, dict) and at_least(version, (2, 77)):
        if "availability_zone" in arg:
            zone = arg["availability_zone"]
        if at_least(version, (2, 91)):
            host = arg.get("host")
    return Unshelve("unshelve", availability_zone=zone, host=host)


def _length(arg: Any) -> int | None:
    value = arg.get("length") if isinstance(arg, dict) else None
    if value is None:
        return None
    text = str(value)
    # The schema allows -1 (every line) and takes digits as text: capped, never int() on them.
    return None if text.startswith("-") else integer(text)


def parse_server_action(body: Any, version: AtVersion) -> ServerAction:
    ((name, arg),) = body.items()
    if name == "rebuild":
        return _rebuild(arg, version)
    if name == "resize":
        disk = arg.get("OS-DCF:diskConfig")
        return Resize(name, flavor_id=_flavor_id(str(arg["flavorRef"])),
                      auto_disk_config=None if disk is None else disk == "AUTO")  # fmt: skip
    if name in ("migrate", "os-migrateLive"):
        given = isinstance(arg, dict) and (name != "migrate" or at_least(version, (2, 56)))
        return Migrate(name, host=arg.get("host") if given else None)
    if name == "unshelve":
        return _unshelve(arg, version)
    if name == "rescue":
        arg = arg if isinstance(arg, dict) else {}
        image = arg.get("rescue_image_ref")
        return Rescue(name, admin_pass=arg.get("adminPass"), rescue_image=image)
    if name == "os-resetState":
        return ResetState(name, state=arg["state"])
    if name in ("addSecurityGroup", "removeSecurityGroup"):
        return SecurityGroupChange(name, group=arg["name"])
    if name in ("addFloatingIp", "removeFloatingIp"):
        fixed = arg.get("fixed_address")
        return FloatingIpChange(name, address=arg["address"], fixed_address=fixed)
    if name == "addFixedIp":
        return FixedIpChange(name, network_id=str(arg["networkId"]))
    if name == "removeFixedIp":
        return FixedIpChange(name, address=arg["address"])
    if name in ("createImage", "createBackup"):
        backup = name == "createBackup"
        return CreateImage(
            name, image_name=arg["name"], metadata=arg.get("metadata") or {},
            backup_type=arg["backup_type"] if backup else None,
            rotation=integer(arg["rotation"]) if backup else 0,
        )  # fmt: skip
    if name == "changePassword":
        return ChangePassword(name, admin_pass=arg["adminPass"])
    if name == "os-getConsoleOutput":
        return ConsoleOutput(name, length=_length(arg))
    if name == "evacuate":
        return _evacuate(arg, version)
    if name in PLAIN_LIFECYCLE and (name != "trigger_crash_dump" or at_least(version, (2, 17))):
        return ServerAction(name)
    return requests.parse_server_action(body, version)
