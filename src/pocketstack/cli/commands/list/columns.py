"""`pocketstack list`'s columns: each one's title, its raw value (json/yaml) and its text
(table, csv, value), read from a server's body; nova's default set, --long's and --fields'.

Columns read the server's body (Server.raw) directly: a 10,000-server listing calls them
70,000 times, and going through Server's properties doubled the cost of building the rows.
"""

from __future__ import annotations

from pocketstack.cli.errors import CommandError

# Warm-path module: see docs/startup.md.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

    from pocketstack.client.compute import Server
    from pocketstack.client.compute.versions import APIVersion


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


def dash(value: Any) -> str:
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
    return dash(value)


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
    return dash(raw[_TASK_STATE]) if _TASK_STATE in raw else "N/A"


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
        title=title, raw=lambda r: _str_or_none(r.get(key)), text=lambda r: dash(r.get(key))
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
        return Column(title=title, raw=_flavor_id, text=lambda r: dash(_flavor_id(r)))
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
NAME_COLUMN = Column(title="Name", raw=_name, text=lambda r: dash(_name(r)))


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
