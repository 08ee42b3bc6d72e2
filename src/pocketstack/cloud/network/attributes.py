"""Each resource's attributes as Neutron's attribute maps declare them: which a create or an
update may set, their defaults, how a value is checked, which filter a list and which sort it.

One table per resource drives the request bodies (body.py), the list queries (listing.py) and the
declared request schemas (api/). Attribute names are the wire's (`router:external`,
`binding:host_id`); what a resource shows is the view's (views.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from pocketstack.cloud.api.operation import JSON
from pocketstack.cloud.network import dhcp_options, faults, values
from pocketstack.cloud.network import sg_rules_validation as rules

# An attribute without a default must be given on create.
REQUIRED = object()
# Neutron's ATTR_NOT_SPECIFIED: optional, and whoever handles the create decides.
UNSET = object()

MAX_NAME = 255
MAX_DEVICE_ID = 255
MAX_DEVICE_OWNER = 255
MAX_PROJECT_ID = 255
MAX_UUID = 36
IPV6_MODES = ("dhcpv6-stateful", "dhcpv6-stateless", "slaac")
VNIC_TYPES = ("normal", "direct", "macvtap", "baremetal", "direct-physical", "virtio-forwarder",
              "smart-nic", "vdpa", "accelerator-direct", "accelerator-direct-physical",
              "remote-managed")  # fmt: skip

_STR: JSON = {"type": "string"}
_BOOL: JSON = {"type": ["boolean", "string", "integer"]}
_INT: JSON = {"type": ["integer", "string"]}
_LIST: JSON = {"type": ["array", "null"]}
_ANY: JSON = {}


@dataclasses.dataclass(frozen=True)
class Attr:
    # May a create set it, may an update change it.
    post: bool = False
    put: bool = False
    default: Any = UNSET
    # The value's check and conversion (values.py); None: taken as given.
    check: Callable[[Any], Any] | None = None
    # Its request schema (documentation, and the first type check).
    schema: JSON = dataclasses.field(default_factory=dict)
    # How a query value of this attribute is read; None: not a filter.
    query: Callable[[str], Any] | None = None
    sortable: bool = False


def _text(max_len: int) -> Callable[[Any], Any]:
    return lambda value: values.string(value, max_len)


def _query_bool(value: str) -> bool:
    return values.boolean(value)


def _query_int(value: str) -> int:
    return values.integer(value)


def _same(value: str) -> str:
    return value


def _nullable(check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if value is None else check(value)


def _none_is_empty(check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: [] if value is None else check(value)


def _mode(value: Any) -> Any:
    return values.one_of(value, IPV6_MODES)


def _ip_version(value: Any) -> int:
    return int(values.one_of(values.integer(value), (4, 6)))


def _mtu(value: Any) -> int:
    number = values.integer(value)
    if number < 0:
        raise values.Invalid(f"'{number}' should be non-negative")
    return number


def _vnic(value: Any) -> Any:
    return values.one_of(value, VNIC_TYPES)


def _common(*, sortable_name: bool = True) -> dict[str, Attr]:
    """What networks, subnets and ports share: id, name, owner, the standard attributes."""
    project = Attr(post=True, check=_text(MAX_PROJECT_ID), schema=_STR, query=_same,
                   sortable=True)  # fmt: skip
    return {
        "id": Attr(query=_same, sortable=True),
        "name": Attr(post=True, put=True, default="", check=_text(MAX_NAME), schema=_STR,
                     query=_same, sortable=sortable_name),
        "tenant_id": project,
        "project_id": project,
        "description": Attr(post=True, put=True, default="", check=_text(MAX_NAME),
                            schema=_STR, query=_same, sortable=True),
        "created_at": Attr(sortable=True),
        "updated_at": Attr(sortable=True),
        "revision_number": Attr(query=_query_int, sortable=True),
    }  # fmt: skip


def network_attributes() -> dict[str, Attr]:
    return {
        **_common(),
        "admin_state_up": Attr(post=True, put=True, default=True, check=values.boolean,
                               schema=_BOOL, query=_query_bool, sortable=True),
        "status": Attr(query=_same, sortable=True),
        "subnets": Attr(),
        "shared": Attr(post=True, put=True, default=False, check=values.boolean, schema=_BOOL,
                       query=_query_bool),
        "router:external": Attr(post=True, put=True, default=False, check=values.boolean,
                                schema=_BOOL, query=_query_bool),
        # 0: the largest the network takes (net-mtu-writable's default).
        "mtu": Attr(post=True, put=True, default=0, check=_mtu, schema=_INT, query=_query_int,
                    sortable=True),
        "port_security_enabled": Attr(post=True, put=True, default=True, check=values.boolean,
                                      schema=_BOOL),
        # provider: checked together by network/provider.py, as ML2 checks them.
        "provider:network_type": Attr(post=True, put=True, check=_text(MAX_NAME), schema=_ANY,
                                      query=_same),
        "provider:physical_network": Attr(post=True, put=True, check=_text(64), schema=_ANY,
                                          query=_same),
        "provider:segmentation_id": Attr(post=True, put=True, check=values.integer,
                                         schema=_ANY, query=_query_int),
        # network_availability_zone: which zones exist is network/availability_zones.py's.
        "availability_zone_hints": Attr(post=True, default=[], check=_zone_hints, schema=_ANY),
        "availability_zones": Attr(),
    }  # fmt: skip


def _zone_hints(value: Any) -> list[str]:
    """type:availability_zone_hint_list: unique strings, at most 255 characters joined."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise values.Invalid(f"'{values.text(value)}' is not a list of strings")
    if len(set(value)) != len(value):
        raise values.Invalid(f"Duplicate items in the list: '{values.text(value)}'")
    if len(",".join(value)) > MAX_NAME:
        raise faults.invalid_input("Too many availability_zone_hints specified")
    return list(value)


def subnet_attributes() -> dict[str, Attr]:
    return {
        **_common(),
        "network_id": Attr(post=True, default=REQUIRED, check=values.uuid_like, schema=_STR,
                           query=_same, sortable=True),
        "ip_version": Attr(post=True, default=REQUIRED, check=_ip_version, schema=_INT,
                           query=_query_int, sortable=True),
        "cidr": Attr(post=True, check=values.parse_cidr, schema=_STR, query=_same,
                     sortable=True),
        # subnet_allocation and default-subnetpools: a prefix from a pool (subnetpool_alloc.py).
        "subnetpool_id": Attr(post=True, check=_nullable(values.uuid_like), schema=_ANY,
                              query=_same),
        "prefixlen": Attr(post=True, check=_prefixlen, schema=_INT),
        "use_default_subnetpool": Attr(post=True, default=False, check=values.boolean,
                                       schema=_BOOL),
        "gateway_ip": Attr(post=True, put=True, check=_nullable(values.ip_address),
                           schema={"type": ["string", "null"]}, query=_same, sortable=True),
        "allocation_pools": Attr(post=True, put=True, check=values.ip_pools, schema=_LIST),
        "dns_nameservers": Attr(post=True, put=True,
                                check=_none_is_empty(values.nameservers), schema=_LIST),
        "host_routes": Attr(post=True, put=True, check=_none_is_empty(values.host_routes),
                            schema=_LIST),
        "enable_dhcp": Attr(post=True, put=True, default=True, check=values.boolean,
                            schema=_BOOL, query=_query_bool, sortable=True),
        "ipv6_ra_mode": Attr(post=True, check=_mode, schema=_ANY, query=_same, sortable=True),
        "ipv6_address_mode": Attr(post=True, check=_mode, schema=_ANY, query=_same,
                                  sortable=True),
        # A filter only (Neutron's hidden `shared`): subnets of shared networks.
        "shared": Attr(query=_query_bool),
        "router:external": Attr(query=_query_bool),
    }  # fmt: skip


def port_attributes() -> dict[str, Attr]:
    return {
        **_common(),
        "network_id": Attr(post=True, default=REQUIRED, check=values.uuid_like, schema=_STR,
                           query=_same, sortable=True),
        "admin_state_up": Attr(post=True, put=True, default=True, check=values.boolean,
                               schema=_BOOL, query=_query_bool, sortable=True),
        "mac_address": Attr(post=True, put=True, check=values.mac_address, schema=_STR,
                            query=_same, sortable=True),
        "fixed_ips": Attr(post=True, put=True, check=values.fixed_ips, schema=_LIST,
                          query=_same),
        "device_id": Attr(post=True, put=True, default="", check=_text(MAX_DEVICE_ID),
                          schema=_STR, query=_same, sortable=True),
        "device_owner": Attr(post=True, put=True, default="", check=_text(MAX_DEVICE_OWNER),
                             schema=_STR, query=_same, sortable=True),
        "status": Attr(query=_same, sortable=True),
        "port_security_enabled": Attr(post=True, put=True, check=values.boolean,
                                      schema=_BOOL),
        "allowed_address_pairs": Attr(post=True, put=True,
                                      check=_none_is_empty(values.address_pairs),
                                      schema=_LIST),
        "security_groups": Attr(post=True, put=True, check=_none_is_empty(_group_ids),
                                schema=_LIST, query=_same),
        "binding:host_id": Attr(post=True, put=True, check=_text(MAX_NAME), schema=_STR,
                                query=_same),
        "binding:vnic_type": Attr(post=True, put=True, default="normal", check=_vnic,
                                  schema=_STR),
        "binding:profile": Attr(post=True, put=True, check=values.json_object,
                                schema={"type": ["object", "null"]}),
        "binding:vif_type": Attr(),
        "binding:vif_details": Attr(),
        "extra_dhcp_opts": Attr(post=True, put=True, default=None, check=dhcp_options.checked,
                                schema=_LIST),
    }  # fmt: skip


def _prefixlen(value: Any) -> int:
    number = values.integer(value)
    if number < 0:
        raise values.Invalid(f"'{number}' should be non-negative")
    return number


def _group_ids(value: Any) -> list[str]:
    """type:uuid_list: a list of UUIDs, none twice."""
    if not isinstance(value, list):
        raise values.Invalid(f"'{values.text(value)}' is not a list")
    seen: list[Any] = []
    twice: list[str] = []
    for item in value:
        if item in seen and str(item) not in twice:
            twice.append(str(item))
        seen.append(item)
    if twice:
        raise values.Invalid(f"Duplicate items in the list: '{', '.join(twice)}'")
    return [values.uuid_like(group) for group in value]


def _group_name(value: Any) -> str:
    """type:name_not_default: only a project's own default group is called `default`."""
    name = values.string(value, MAX_NAME)
    if name.lower() == "default":
        raise faults.conflict("SecurityGroupDefaultAlreadyExists",
                              "Default security group already exists.")  # fmt: skip
    return name


def security_group_attributes() -> dict[str, Attr]:
    return {
        **_common(),
        "name": Attr(post=True, put=True, default="", check=_group_name, schema=_STR,
                     query=_same, sortable=True),
        "stateful": Attr(post=True, put=True, default=True, check=values.boolean, schema=_BOOL,
                         query=_query_bool),
        "security_group_rules": Attr(),
    }  # fmt: skip


def _rule_text(max_len: int) -> Callable[[Any], Any]:
    return _nullable(_text(max_len))


def _query_protocol(value: str) -> str | None:
    return rules.protocol(value)


def _query_port(value: str) -> int | None:
    return rules.port(value)


def security_group_rule_attributes() -> dict[str, Attr]:
    # In Neutron's order: each value is converted and checked in turn, the first refused wins.
    common = _common()
    return {
        "id": common["id"],
        "security_group_id": Attr(post=True, default=REQUIRED, check=_text(MAX_UUID),
                                  schema=_STR, query=_same, sortable=True),
        "remote_group_id": Attr(post=True, default=None, check=_rule_text(MAX_UUID),
                                schema=_ANY, query=_same, sortable=True),
        "direction": Attr(post=True, default=REQUIRED, check=_direction, schema=_ANY,
                          query=_same, sortable=True),
        "protocol": Attr(post=True, default=None, check=rules.protocol, schema=_ANY,
                         query=_query_protocol, sortable=True),
        "port_range_min": Attr(post=True, default=None, check=rules.port, schema=_ANY,
                               query=_query_port, sortable=True),
        "port_range_max": Attr(post=True, default=None, check=rules.port, schema=_ANY,
                               query=_query_port, sortable=True),
        "ethertype": Attr(post=True, default=rules.IPV4, check=rules.ethertype, schema=_ANY,
                          query=rules.ethertype, sortable=True),
        "remote_ip_prefix": Attr(post=True, default=None, check=rules.remote_ip_prefix,
                                 schema=_ANY, query=rules.remote_ip_prefix, sortable=True),
        "tenant_id": common["tenant_id"],
        "project_id": common["project_id"],
        "description": common["description"],
        "normalized_cidr": Attr(query=_same, sortable=True),
        "belongs_to_default_sg": Attr(query=_query_bool),
        "created_at": common["created_at"],
        "updated_at": common["updated_at"],
        "revision_number": common["revision_number"],
    }  # fmt: skip


def _direction(value: Any) -> Any:
    return values.one_of(value, rules.DIRECTIONS)


NETWORK: Mapping[str, Attr] = network_attributes()
SUBNET: Mapping[str, Attr] = subnet_attributes()
PORT: Mapping[str, Attr] = port_attributes()
SECURITY_GROUP: Mapping[str, Attr] = security_group_attributes()
SECURITY_GROUP_RULE: Mapping[str, Attr] = security_group_rule_attributes()


def request_schema(resource: str, attributes: Mapping[str, Attr], *, create: bool) -> JSON:
    """The body of a create (one resource or a bulk list) or of an update, as declared."""
    settable = {name: attr.schema for name, attr in attributes.items()
                if (attr.post if create else attr.put)}  # fmt: skip
    one: JSON = {"type": "object", "properties": settable}
    props: dict[str, JSON] = {resource: one}
    if create:
        props[resource + "s"] = {"type": "array", "items": one}
    return {"type": "object", "properties": props}
