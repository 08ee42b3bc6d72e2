"""A server's addresses (`/servers/{id}/ips`) declared."""

from __future__ import annotations

from pocketstack.cloud.api.operation import Operation, every_version
from pocketstack.cloud.api.shapes import INT, STR, arr, obj
from pocketstack.cloud.compute.api.common import READ_ERRORS, READER, rule

_ADDRESSES = {
    "type": "object",
    "additionalProperties": arr(obj({"version": INT, "addr": STR}, required=("version", "addr"),
                                    closed=True)),
}  # fmt: skip


def operations() -> tuple[Operation, ...]:
    return (
        Operation(method="GET", path="/servers/{server_id}/ips",
                  summary="List a server's addresses by network",
                  policy=rule("ips:index", READER), status=(200,),
                  response=every_version(obj({"addresses": _ADDRESSES}, required=("addresses",),
                                             closed=True)),
                  errors=READ_ERRORS),
        Operation(method="GET", path="/servers/{server_id}/ips/{network}",
                  summary="Show a server's addresses on one network",
                  policy=rule("ips:show", READER), status=(200,),
                  response=every_version({**_ADDRESSES, "minProperties": 1, "maxProperties": 1}),
                  errors=READ_ERRORS),
    )  # fmt: skip
