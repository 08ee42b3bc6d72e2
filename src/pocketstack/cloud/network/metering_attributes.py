"""Metering labels' and rules' attributes as Neutron's metering and
metering_source_and_destination_filters definitions declare them (see attributes.py for what a
table drives). Neither resource is a standard-attribute one: no timestamps, revisions or tags,
and neither is ever updated."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from pocketstack.cloud.api.operation import JSON
from pocketstack.cloud.network import values
from pocketstack.cloud.network.attributes import MAX_NAME, MAX_PROJECT_ID, REQUIRED, Attr

MAX_LONG_DESCRIPTION = 1024
DIRECTIONS = ("ingress", "egress")
PREFIXES = ("remote_ip_prefix", "source_ip_prefix", "destination_ip_prefix")

_STR: JSON = {"type": "string"}
_BOOL: JSON = {"type": ["boolean", "string", "integer"]}
_ANY: JSON = {}


def _name(value: Any) -> str:
    return values.string(value, MAX_NAME)


def _description(value: Any) -> str:
    return values.string(value, MAX_LONG_DESCRIPTION)


def _project(value: Any) -> str:
    return values.string(value, MAX_PROJECT_ID)


def _same(value: str) -> str:
    return value


def _query_bool(value: str) -> bool:
    return values.boolean(value)


def _direction(value: Any) -> Any:
    return values.one_of(value, DIRECTIONS)


def _remote(value: Any) -> str | None:
    """remote_ip_prefix: type:subnet (a prefix length required; host bits kept as given)."""
    return None if value is None else str(values.parse_cidr(value))


def ip_prefix(name: str, value: Any) -> str | None:
    """source_ip_prefix, destination_ip_prefix: no attribute check, but the plugin's (an address
    or a CIDR); None or empty is no prefix. Refused as Neutron's Invalid words it."""
    if value is None or value == "":
        return None
    try:
        if not isinstance(value, str):
            raise ValueError(f"{values.text(value)!r} is not a string")
        return str(ipaddress.ip_interface(value))
    except ValueError as reason:
        raise values.Invalid(f"{name}: {values.text(value)} is invalid [{reason}]") from None


def _project_attrs(*, listed: bool) -> dict[str, Attr]:
    # A rule takes a project on create (its label's decides) but neither shows nor filters it.
    project = (Attr(post=True, check=_project, schema=_STR, query=_same, sortable=True) if listed
               else Attr(post=True, check=_project, schema=_STR))  # fmt: skip
    return {"tenant_id": project, "project_id": project}


def label_attributes() -> dict[str, Attr]:
    return {
        "id": Attr(query=_same, sortable=True),
        "name": Attr(post=True, default="", check=_name, schema=_STR, query=_same,
                     sortable=True),
        "description": Attr(post=True, default="", check=_description, schema=_STR,
                            query=_same, sortable=True),
        **_project_attrs(listed=True),
        "shared": Attr(post=True, default=False, check=values.boolean, schema=_BOOL,
                       query=_query_bool, sortable=True),
    }  # fmt: skip


def rule_attributes() -> dict[str, Attr]:
    # The prefixes' own checks are the responder's (metering_rules.py), in Neutron's order.
    return {
        "id": Attr(query=_same, sortable=True),
        "metering_label_id": Attr(post=True, default=REQUIRED, check=values.uuid_like,
                                  schema=_STR, query=_same, sortable=True),
        "direction": Attr(post=True, default=REQUIRED, check=_direction, schema=_ANY,
                          query=_same, sortable=True),
        "excluded": Attr(post=True, default=False, check=values.boolean, schema=_BOOL,
                         query=_query_bool, sortable=True),
        "remote_ip_prefix": Attr(post=True, default=None, check=_remote, schema=_ANY,
                                 query=_same, sortable=True),
        "source_ip_prefix": Attr(post=True, default=None, schema=_ANY, query=_same,
                                 sortable=True),
        "destination_ip_prefix": Attr(post=True, default=None, schema=_ANY, query=_same,
                                      sortable=True),
        **_project_attrs(listed=False),
    }  # fmt: skip


LABEL: Mapping[str, Attr] = label_attributes()
RULE: Mapping[str, Attr] = rule_attributes()
