"""Ports' extra DHCP options (Neutron's extra_dhcp_opt extension): `extra_dhcp_opts`, a list of
{opt_name, opt_value, ip_version}, checked as its key specs check them, stored one row per
option name and IP version (4 unless given), shown on every port.

A create stores each option with a value (an empty value only for the options that may be
blank, `router` and `classless-static-route`). An update merges, as Neutron's does: an option
named again takes its new value, one given a null value is removed, the others stay.
"""

from __future__ import annotations

import collections
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pocketstack.cloud.network import faults, values
from pocketstack.cloud.store.models.network_extra import ExtraDhcpOpt

MAX_NAME = 64
MAX_VALUE = 255
# Options whose value may be the empty string (Neutron's VALID_BLANK_EXTRA_DHCP_OPTS).
BLANK_ALLOWED = ("router", "classless-static-route")
_KEYS = ("opt_name", "opt_value", "ip_version")

Option = dict[str, Any]


def _string(value: Any, max_len: int, *, blank: bool) -> str | None:
    """type:string (blank) or type:oneline_not_empty_string; None: the reason it is not."""
    if not isinstance(value, str) or len(value) > max_len:
        return "refused"
    if not blank and (not value.strip() or len(value.splitlines()) > 1):
        return "refused"
    return None


def _matches(option: dict[str, Any]) -> Option | None:
    """The option, its ip_version an int, if one of the two key specs takes it; else None."""
    if "opt_name" not in option or "opt_value" not in option:
        return None
    if any(key not in _KEYS for key in option):
        return None
    name, value = option["opt_name"], option["opt_value"]
    blank = name in BLANK_ALLOWED
    if not blank and _string(name, MAX_NAME, blank=False) is not None:
        return None
    if value is not None and _string(value, MAX_VALUE, blank=blank) is not None:
        return None
    found: Option = {"opt_name": name, "opt_value": value}
    if "ip_version" in option:
        raw = option["ip_version"]
        try:
            version = int(raw)
        except (TypeError, ValueError, OverflowError):
            raise faults.invalid_input(f"'{values.text(raw)}' is not an integer") from None
        if isinstance(raw, bool) or version not in (4, 6):
            return None
        found["ip_version"] = version
    return found


def checked(value: Any) -> list[Option] | None:
    """The attribute's check (type:list_of_any_key_specs_or_none)."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise values.Invalid(f"'{values.text(value)}' is not a list")
    seen: list[Any] = []
    twice: list[str] = []
    for item in value:
        if item in seen and values.text(item) not in twice:
            twice.append(values.text(item))
        seen.append(item)
    if twice:
        raise values.Invalid(f"Duplicate items in the list: '{', '.join(twice)}'")
    options: list[Option] = []
    for item in value:
        found = _matches(item) if isinstance(item, dict) else None
        if found is None:
            raise faults.invalid_input(f"No valid key specs matched for: {values.text(item)}")
        options.append(found)
    return options


def _storable(name: str, value: str | None) -> bool:
    # Neutron's _is_valid_opt_value: blank-able options need a value, the rest a non-empty one.
    return value is not None if name in BLANK_ALLOWED else bool(value)


def _key(option: Option) -> tuple[str, int]:
    return option["opt_name"], int(option.get("ip_version", 4))


def _once_each(port_id: str, options: Sequence[Option]) -> None:
    keys = [_key(o) for o in options]
    for key in keys:
        if keys.count(key) > 1:
            raise faults.conflict("NeutronDbObjectDuplicateEntry",
                                  f"Failed to create a duplicate ExtraDhcpOpt: for attribute(s)"
                                  f" ['port_id', 'opt_name', 'ip_version'] with value(s)"
                                  f" {port_id}, {key[0]}, {key[1]}")  # fmt: skip


def create(session: Session, port_id: str, options: Sequence[Option] | None) -> None:
    if not options:
        return
    _once_each(port_id, options)
    for option in options:
        name, version = _key(option)
        if _storable(name, option["opt_value"]):
            session.add(ExtraDhcpOpt(port_id=port_id, opt_name=name, ip_version=version,
                                     opt_value=option["opt_value"]))  # fmt: skip


def merge(session: Session, port_id: str, options: Sequence[Option] | None) -> None:
    """An update's options merged into the port's (the port's row is locked by the caller)."""
    if not options:
        return
    _once_each(port_id, options)
    held = {(row.opt_name, row.ip_version): row for row in session.scalars(
        select(ExtraDhcpOpt).where(ExtraDhcpOpt.port_id == port_id))}  # fmt: skip
    for option in options:
        name, version = _key(option)
        value = option["opt_value"]
        row = held.get((name, version))
        if row is not None and value is None:
            session.execute(delete(ExtraDhcpOpt).where(
                ExtraDhcpOpt.port_id == port_id, ExtraDhcpOpt.opt_name == name,
                ExtraDhcpOpt.ip_version == version))  # fmt: skip
        elif row is not None and _storable(name, value):
            row.opt_value = value
        elif row is None and _storable(name, value):
            session.add(ExtraDhcpOpt(port_id=port_id, opt_name=name, ip_version=version,
                                     opt_value=value))  # fmt: skip


def options_of(session: Session, port_ids: Iterable[str]) -> dict[str, list[Option]]:
    wanted = list(set(port_ids))
    found: dict[str, list[Option]] = collections.defaultdict(list)
    if not wanted:
        return found
    rows = session.scalars(select(ExtraDhcpOpt).where(ExtraDhcpOpt.port_id.in_(wanted))
                           .order_by(ExtraDhcpOpt.port_id, ExtraDhcpOpt.opt_name,
                                     ExtraDhcpOpt.ip_version))  # fmt: skip
    for row in rows:
        found[row.port_id].append({"opt_name": row.opt_name, "opt_value": row.opt_value,
                                   "ip_version": row.ip_version})  # fmt: skip
    return found


def fill(session: Session, views: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The port views with their options (one query for the page)."""
    found = options_of(session, (v["id"] for v in views))
    for view in views:
        view["extra_dhcp_opts"] = found.get(view["id"], [])
    return list(views)
