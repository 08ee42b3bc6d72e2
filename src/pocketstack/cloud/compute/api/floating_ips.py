"""The compute API's floating IP proxy declared (Nova's os-floating-ips and
os-floating-ip-pools, deprecated and gone from 2.36: 404 past 2.35). Nova relays these to
Neutron: here they go to the network service's functions (network/fip_for_compute.py).

A create's body is optional and unchecked in Nova (`{"pool": name}` or nothing): the responder
reads it. The server actions addFloatingIp and removeFloatingIp (up to 2.43) check their rules
themselves (compute/actions_floating_ips.py)."""

from __future__ import annotations

from pocketstack.cloud.api.operation import JSON, Operation, Versioned
from pocketstack.cloud.api.shapes import NSTR, STR, arr, obj
from pocketstack.cloud.compute.api.common import MEMBER, READ_ERRORS, READER, WRITE_ERRORS, rule
from pocketstack.cloud.compute.policy import any_token

LAST = (2, 35)
# The last microversion of the server actions (Nova removed them in 2.44).
ACTIONS_LAST = (2, 43)

LIST = rule("os-floating-ips:list", READER)
SHOW = rule("os-floating-ips:show", READER)
CREATE = rule("os-floating-ips:create", MEMBER)
DELETE = rule("os-floating-ips:delete", MEMBER)
POOLS = rule("os-floating-ip-pools", any_token)
ADD = "os-floating-ips:add"
REMOVE = "os-floating-ips:remove"

FIP_VIEW = obj(
    {"id": STR, "ip": STR, "pool": STR, "fixed_ip": NSTR, "instance_id": NSTR}, closed=True
)
_ONE = obj({"floating_ip": FIP_VIEW}, closed=True)
_MANY = obj({"floating_ips": arr(FIP_VIEW)}, closed=True)
_POOLS = obj({"floating_ip_pools": arr(obj({"name": STR}, closed=True))}, closed=True)


def _upto(schema: JSON) -> tuple[Versioned, ...]:
    return (Versioned(schema, None, LAST),)


def operations() -> tuple[Operation, ...]:
    return (
        Operation(until=LAST, method="GET", path="/os-floating-ips",
                  summary="List the project's floating IPs (deprecated; up to 2.35)",
                  policy=LIST, status=(200,), response=_upto(_MANY), errors=READ_ERRORS),
        Operation(until=LAST, method="POST", path="/os-floating-ips",
                  summary="Allocate a floating IP from a pool (deprecated; up to 2.35)",
                  policy=CREATE, status=(200,), response=_upto(_ONE), errors=WRITE_ERRORS),
        Operation(until=LAST, method="GET", path="/os-floating-ips/{floating_ip_id}",
                  summary="Show a floating IP (deprecated; up to 2.35)", policy=SHOW,
                  status=(200,), response=_upto(_ONE), errors=READ_ERRORS),
        Operation(until=LAST, method="DELETE", path="/os-floating-ips/{floating_ip_id}",
                  summary="Release a floating IP (deprecated; up to 2.35)", policy=DELETE,
                  status=(202,), errors=WRITE_ERRORS),
        Operation(until=LAST, method="GET", path="/os-floating-ip-pools",
                  summary="List floating IP pools, the external networks (deprecated; up to"
                  " 2.35)", policy=POOLS, status=(200,), response=_upto(_POOLS),
                  errors=READ_ERRORS),
    )  # fmt: skip
