"""The server and flavor views' response schemas by microversion band, as Nova shows them.

A view is written as steps: the fields its first microversion shows, then what each later
microversion adds or redefines. `bands` turns the steps into one closed schema per band (each
the schema from its step to the next step's microversion), and `catalog` names the bands as
shared schemas (#/components/schemas/...), a band whose schema another view already declared
reusing that name. Upstream's own response schemas (nova/api/openstack/compute/schemas/
servers.py, flavors.py) and tempest's (api_schema/response/compute/v2_*) are the reference.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping, Sequence

from pocketstack.cloud.api.operation import JSON, Microversion, Versioned
from pocketstack.cloud.api.shapes import BOOL, INT, NSTR, STR, arr, obj, ref

LINKS = arr(ref("ComputeLink"))


@dataclasses.dataclass(frozen=True)
class Step:
    """What a view shows from `since` on: `shown` always (required), `maybe` only for some
    callers or some servers (admin-only attributes, a fault). A name already declared is
    redefined; one listed in `shown` becomes required."""

    since: Microversion
    shown: Mapping[str, JSON] = dataclasses.field(default_factory=dict)
    maybe: Mapping[str, JSON] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Band:
    low: Microversion | None
    high: Microversion | None
    schema: JSON


def bands(steps: Sequence[Step]) -> list[Band]:
    props: dict[str, JSON] = {}
    required: list[str] = []
    out: list[Band] = []
    for index, step in enumerate(steps):
        props.update(step.maybe)
        props.update(step.shown)
        required.extend(name for name in step.shown if name not in required)
        following = steps[index + 1].since if index + 1 < len(steps) else None
        high = None if following is None else (following[0], following[1] - 1)
        schema = obj(dict(props), required=tuple(sorted(required)), closed=True)
        out.append(Band(None if index == 0 else step.since, high, schema))
    return out


def with_step(steps: Sequence[Step], extra: Step) -> list[Step]:
    return sorted([*steps, extra], key=lambda step: step.since)


# -- the server's fields --------------------------------------------------------------------

_STATUSES = (
    "ACTIVE", "BUILD", "DELETED", "ERROR", "HARD_REBOOT", "MIGRATING", "PASSWORD", "PAUSED",
    "REBOOT", "REBUILD", "RESCUE", "RESIZE", "REVERT_RESIZE", "SHELVED", "SHELVED_OFFLOADED",
    "SHUTOFF", "SOFT_DELETED", "SUSPENDED", "UNKNOWN", "VERIFY_RESIZE",
)  # fmt: skip
# Nova's power states: NOSTATE, RUNNING, PAUSED, SHUTDOWN, CRASHED, SUSPENDED.
_POWER_STATES = [0, 1, 3, 4, 6, 7]
_ADDRESS = {"addr": STR, "version": {"enum": [4, 6]}}
_EXTENDED_ADDRESS = {
    **_ADDRESS,
    "OS-EXT-IPS:type": {"enum": ["fixed", "floating"]},
    "OS-EXT-IPS-MAC:mac_addr": STR,
}


def _addresses(entry: dict[str, JSON]) -> JSON:
    return {"type": "object", "additionalProperties": arr(obj(entry, closed=True))}


def _ref_with(extra: Mapping[str, JSON]) -> JSON:
    return obj({"id": STR, "links": LINKS, **extra}, required=("id", "links"), closed=True)


def _image(extra: Mapping[str, JSON]) -> JSON:
    # Booted from a volume: an empty string instead of the image.
    return {"oneOf": [{"const": ""}, _ref_with(extra)]}


def _string_map(value: JSON) -> JSON:
    return {"type": "object", "additionalProperties": value}


# Glance's property names as Nova keeps them in the server's system metadata.
_IMAGE_PROPERTIES = {
    "type": "object",
    "patternProperties": {"^[a-zA-Z0-9_:. ]{1,255}$": {"type": ["string", "null"]}},
    "additionalProperties": False,
}
_EMBEDDED_FLAVOR = obj(
    {
        "original_name": STR, "vcpus": INT, "ram": INT, "disk": INT, "ephemeral": INT,
        "swap": INT, "extra_specs": _string_map(STR),
    },
    # Extra specs are behind a policy (whose default lets every reader see them).
    required=("original_name", "vcpus", "ram", "disk", "ephemeral", "swap"),
    closed=True,
)  # fmt: skip
_FAULT = obj(
    {"code": INT, "created": STR, "message": STR, "details": STR},
    required=("code", "created", "message"),
    closed=True,
)
_VOLUMES = arr(obj({"id": STR}, closed=True))
_VOLUMES_2_3 = arr(obj({"id": STR, "delete_on_termination": BOOL}, closed=True))
_SECURITY_GROUPS = arr(obj({"name": STR}, closed=True))
# Open: Nova relaxed its hints' schema, and shows them as they were given.
_HINTS: JSON = {"type": "object"}

_COMMON = {
    "accessIPv4": STR, "accessIPv6": STR, "created": STR, "flavor": _ref_with({}),
    "hostId": STR, "id": STR, "image": _image({}), "links": LINKS,
    "metadata": _string_map(STR), "name": STR, "status": {"enum": list(_STATUSES)},
    "tenant_id": STR, "updated": STR, "user_id": STR,
    "OS-DCF:diskConfig": {"enum": ["AUTO", "MANUAL"]},
}  # fmt: skip
_BY_STATE = {"fault": _FAULT, "progress": INT}
_EXTENDED = {
    "config_drive": NSTR, "key_name": NSTR,
    "OS-EXT-AZ:availability_zone": STR,
    "OS-EXT-STS:power_state": {"enum": _POWER_STATES}, "OS-EXT-STS:task_state": NSTR,
    "OS-EXT-STS:vm_state": STR,
    "OS-SRV-USG:launched_at": NSTR, "OS-SRV-USG:terminated_at": NSTR,
}  # fmt: skip
# Behind the extended server attributes policy (admin by default), and security groups only
# once the server has ports.
_ADMIN_2_1 = {
    "OS-EXT-SRV-ATTR:host": NSTR,
    "OS-EXT-SRV-ATTR:hypervisor_hostname": NSTR,
    "OS-EXT-SRV-ATTR:instance_name": STR,
}
_ADMIN_2_3 = {
    "OS-EXT-SRV-ATTR:hostname": STR,
    "OS-EXT-SRV-ATTR:kernel_id": NSTR,
    "OS-EXT-SRV-ATTR:launch_index": INT,
    "OS-EXT-SRV-ATTR:ramdisk_id": NSTR,
    "OS-EXT-SRV-ATTR:reservation_id": NSTR,
    "OS-EXT-SRV-ATTR:root_device_name": NSTR,
    "OS-EXT-SRV-ATTR:user_data": NSTR,
}
# Behind the host status policy (admin by default).
_HOST_STATUS = {"host_status": {"enum": ["UP", "DOWN", "MAINTENANCE", "UNKNOWN", ""]}}

# What every later view adds, in the same microversions.
_LOCKED = Step((2, 9), shown={"locked": BOOL})
_DESCRIPTION = Step((2, 19), shown={"description": NSTR})
_TAGS = Step((2, 26), shown={"tags": {**arr(STR), "maxItems": 50}})
_FLAVOR = Step((2, 47), shown={"flavor": _EMBEDDED_FLAVOR})
_CERTIFICATES = Step(
    (2, 63), shown={"trusted_image_certificates": {"type": ["array", "null"], "items": STR}}
)
_GROUPS = Step((2, 71), shown={"server_groups": {**arr(STR), "maxItems": 1}})
_LOCKED_REASON = Step((2, 73), shown={"locked_reason": NSTR})
_HOSTNAME = Step((2, 90), shown={"OS-EXT-SRV-ATTR:hostname": STR})
_PINNED = Step((2, 96), shown={"pinned_availability_zone": NSTR})
_IMAGE_PROPS = Step((2, 98), shown={"image": _image({"properties": _IMAGE_PROPERTIES})})
_HINTS_STEP = Step((2, 100), shown={"scheduler_hints": _HINTS})

# GET /servers/detail: each server.
DETAIL = [
    Step(
        (2, 1),
        shown={**_COMMON, **_EXTENDED, "addresses": _addresses(_EXTENDED_ADDRESS),
               "os-extended-volumes:volumes_attached": _VOLUMES},
        maybe={**_BY_STATE, **_ADMIN_2_1, "security_groups": _SECURITY_GROUPS},
    ),
    Step((2, 3), shown={"os-extended-volumes:volumes_attached": _VOLUMES_2_3}, maybe=_ADMIN_2_3),
    _LOCKED,
    Step((2, 16), maybe=_HOST_STATUS),
    _DESCRIPTION, _TAGS, _FLAVOR, _CERTIFICATES, _LOCKED_REASON, _HOSTNAME, _PINNED,
    _IMAGE_PROPS, _HINTS_STEP,
]  # fmt: skip
# GET /servers/{id}: the detail view and, from 2.71, the server's group.
SHOW = with_step(DETAIL, _GROUPS)
# PUT /servers/{id}: a reduced view (addresses without their type and MAC) until 2.75, then
# the whole show view.
UPDATE = [
    Step((2, 1), shown={**_COMMON, "addresses": _addresses(_ADDRESS)}, maybe=_BY_STATE),
    _LOCKED, _DESCRIPTION, _TAGS, _FLAVOR, _CERTIFICATES, _GROUPS, _LOCKED_REASON,
    Step(
        (2, 75),
        shown={**_EXTENDED, "addresses": _addresses(_EXTENDED_ADDRESS),
               "os-extended-volumes:volumes_attached": _VOLUMES_2_3},
        maybe={**_ADMIN_2_1, **_ADMIN_2_3, **_HOST_STATUS, "security_groups": _SECURITY_GROUPS},
    ),
    _HOSTNAME, _PINNED, _IMAGE_PROPS, _HINTS_STEP,
]  # fmt: skip

# -- flavors --------------------------------------------------------------------------------

# GET /flavors: each flavor.
FLAVOR_BRIEF = [
    Step((2, 1), shown={"id": STR, "name": STR, "links": LINKS}),
    Step((2, 55), shown={"description": NSTR}),
]
# The detailed flavor (list detail, show, create, update).
FLAVOR = [
    Step(
        (2, 1),
        shown={
            "id": STR, "name": STR, "links": LINKS, "ram": INT, "disk": INT, "vcpus": INT,
            # No swap was "" until 2.75.
            "swap": {"anyOf": [INT, {"const": ""}]},
            "OS-FLV-EXT-DATA:ephemeral": INT, "OS-FLV-DISABLED:disabled": BOOL,
            "os-flavor-access:is_public": BOOL, "rxtx_factor": {"type": "number"},
        },
    ),
    Step((2, 55), shown={"description": NSTR}),
    # Behind the extra specs policy (whose default lets every reader see them).
    Step((2, 61), maybe={"extra_specs": _string_map(STR)}),
    Step((2, 75), shown={"swap": INT}),
]  # fmt: skip


# -- naming ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Named:
    name: str
    low: Microversion | None
    high: Microversion | None


@dataclasses.dataclass(frozen=True)
class Catalog:
    components: dict[str, JSON]
    views: dict[str, tuple[Named, ...]]


# The views in the order their names are given: a band equal to one named before reuses it.
_VIEWS: dict[str, Sequence[Step]] = {
    "Server": DETAIL,
    "ServerShown": SHOW,
    "ServerUpdated": UPDATE,
    "FlavorBrief": FLAVOR_BRIEF,
    "Flavor": FLAVOR,
}


@functools.cache
def catalog() -> Catalog:
    components: dict[str, JSON] = {}
    views: dict[str, tuple[Named, ...]] = {}
    for view, steps in _VIEWS.items():
        named: list[Named] = []
        for band in bands(steps):
            name = next((n for n, s in components.items() if s == band.schema), None)
            if name is None:
                name = view if band.low is None else f"{view}_v{band.low[0]}_{band.low[1]}"
                components[name] = band.schema
            named.append(Named(name, band.low, band.high))
        views[view] = tuple(named)
    return Catalog(components, views)


def versioned(view: str, body: Callable[[JSON], JSON]) -> tuple[Versioned, ...]:
    """An operation's response by band: `body` wraps the reference to the view's band."""
    return tuple(Versioned(body(ref(n.name)), n.low, n.high) for n in catalog().views[view])
