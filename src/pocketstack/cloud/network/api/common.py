"""What every network declaration shares: Neutron's error body, the list and item shapes of a
resource, and where the routes are reached (`/networking` in the combined cloud)."""

from __future__ import annotations

from collections.abc import Sequence

from pocketstack.cloud.api.operation import JSON, Operation, PublicPath, Rule, every_version
from pocketstack.cloud.api.shapes import BOOL, INT, NSTR, STR, arr, json_body, obj, query, ref
from pocketstack.cloud.network import attributes, body
from pocketstack.cloud.network.attributes import Attr

PREFIX = "/networking"
READ_ERRORS = (400, 401, 403, 404)
WRITE_ERRORS = (400, 401, 403, 404, 409, 413)
_LINK = obj({"rel": STR, "href": STR})
_STANDARD: dict[str, JSON] = {
    "tenant_id": STR, "project_id": STR, "description": STR, "created_at": STR,
    "updated_at": STR, "revision_number": INT,
}  # fmt: skip
_TAGS: dict[str, JSON] = {"tags": arr(STR)}
# The resources that take Neutron's tag filters (standard-attr-tag).
TAGGED = ("network", "subnet", "port", "router", "floatingip", "security_group")


def error_response(code: int) -> JSON:
    if code == 401:
        return json_body(ref("AuthError"), "No valid token (keystonemiddleware's body)")
    return json_body(ref("NeutronError"), "Neutron error")


def public_paths(route: str) -> Sequence[PublicPath]:
    return [PublicPath(f"{PREFIX}/" if route == "/" else f"{PREFIX}{route}")]


def _pairs() -> JSON:
    return arr(obj({"ip_address": STR, "mac_address": STR}))


def resource_shapes() -> dict[str, dict[str, JSON]]:
    """Each resource's attributes as shown (views.py), all of them."""
    return {
        "Network": {
            "id": STR, "name": STR, "admin_state_up": BOOL, "status": STR, "subnets": arr(STR),
            "shared": BOOL, "router:external": BOOL, "mtu": INT, "port_security_enabled": BOOL,
            **_STANDARD, **_TAGS,
        },
        "Subnet": {
            "id": STR, "name": STR, "network_id": STR, "ip_version": {"enum": [4, 6]},
            "subnetpool_id": NSTR, "cidr": STR, "gateway_ip": NSTR,
            "allocation_pools": arr(obj({"start": STR, "end": STR})),
            "dns_nameservers": arr(STR),
            "host_routes": arr(obj({"destination": STR, "nexthop": STR})),
            "enable_dhcp": BOOL, "ipv6_ra_mode": NSTR, "ipv6_address_mode": NSTR,
            "router:external": BOOL, **_STANDARD, **_TAGS,
        },
        "Port": {
            "id": STR, "name": STR, "network_id": STR, "mac_address": STR,
            "admin_state_up": BOOL, "status": STR, "device_id": STR, "device_owner": STR,
            "fixed_ips": arr(obj({"subnet_id": STR, "ip_address": STR})),
            "allowed_address_pairs": _pairs(), "port_security_enabled": BOOL,
            "security_groups": arr(STR), "binding:vnic_type": STR, "binding:host_id": STR,
            "binding:profile": {"type": "object"}, "binding:vif_type": STR,
            "binding:vif_details": {"type": "object"}, **_STANDARD, **_TAGS,
            "extra_dhcp_opts": arr(obj({"opt_name": STR, "opt_value": STR, "ip_version": INT})),
        },
    }  # fmt: skip


# Shown to admins (and services) only.
_PRIVILEGED = {"Port": ("binding:host_id", "binding:profile", "binding:vif_type",
                        "binding:vif_details")}  # fmt: skip


def schemas() -> dict[str, JSON]:
    found: dict[str, JSON] = {
        "NeutronError": obj({"NeutronError": obj({"type": STR, "message": STR, "detail": STR})}),
        "NetworkLink": _LINK,
    }
    for name, props in resource_shapes().items():
        hidden = _PRIVILEGED.get(name, ())
        found[name] = obj(props, required=tuple(p for p in props if p not in hidden),
                          closed=True)  # fmt: skip
        # A `fields=` selection: any of the attributes, none required.
        found[f"{name}Fields"] = obj(props, required=(), closed=True)
    return found


def crud(
    resource: str, attrs: dict[str, Attr], *, rules: dict[str, Rule], summary: str
) -> tuple[Operation, ...]:
    """The five operations of a resource: list, create (one or bulk), show, update (unless
    `rules` has none: security group rules cannot be updated), delete. As Neutron's, the
    collection's path is the resource's name hyphenated ("security-groups")."""
    collection = f"/v2.0/{resource.replace('_', '-')}s"
    item = f"{collection}/{{{resource}_id}}"
    # Its schemas' name: "SecurityGroup", "Floatingip".
    shape = resource.title().replace("_", "")
    one = every_version(obj({resource: ref(shape)}, closed=True))
    bulk = obj({resource + "s": arr(ref(shape))}, closed=True)
    created = every_version({"oneOf": [obj({resource: ref(shape)}, closed=True), bulk]})
    listed = every_version(obj({f"{resource}s": arr(ref(f"{shape}Fields")),
                                f"{resource}s_links": arr(ref("NetworkLink"))},
                               required=(f"{resource}s",), closed=True))  # fmt: skip
    shown = every_version(obj({resource: ref(f"{shape}Fields")}, closed=True))
    filters = tuple(query(name) for name, attr in attrs.items() if attr.query is not None)
    controls: tuple[JSON, ...] = (
        query("fields"), query("sort_key"), query("sort_dir"),
        query("limit", {"type": "integer", "minimum": 0}), query("marker"),
        query("page_reverse", BOOL), query("changed_since"),
    )  # fmt: skip
    if resource in TAGGED:
        controls += tuple(query(name) for name in ("tags", "tags-any", "not-tags",
                                                   "not-tags-any"))  # fmt: skip
    update = Operation(
        method="PUT", path=item, summary=f"Update a {summary}", policy=rules["update"],
        status=(200,),
        request=every_version(attributes.request_schema(resource, attrs, create=False)),
        parse=body.update(resource, attrs), response=one, errors=WRITE_ERRORS,
    ) if "update" in rules else None  # fmt: skip
    operations = (
        Operation(method="GET", path=collection, summary=f"List {summary}s",
                  policy=rules["get"], status=(200,), response=listed,
                  parameters=filters + controls, errors=READ_ERRORS),
        Operation(method="POST", path=collection,
                  summary=f"Create a {summary} (or several: the plural key)",
                  policy=rules["create"], status=(201,),
                  request=every_version(attributes.request_schema(resource, attrs, create=True)),
                  parse=body.creates(resource, attrs), response=created, errors=WRITE_ERRORS),
        Operation(method="GET", path=item, summary=f"Show a {summary}", policy=rules["get"],
                  status=(200,), response=shown, parameters=(query("fields"),),
                  errors=READ_ERRORS),
        update,
        Operation(method="DELETE", path=item, summary=f"Delete a {summary}",
                  policy=rules["delete"], status=(204,), errors=WRITE_ERRORS),
    )  # fmt: skip
    return tuple(op for op in operations if op is not None)
