"""A server's interfaces (os-interface) declared."""

from __future__ import annotations

from pocketstack.cloud.api.operation import JSON, Operation, Versioned
from pocketstack.cloud.api.shapes import NSTR, STR, arr, obj
from pocketstack.cloud.compute.api import params as p
from pocketstack.cloud.compute.api.common import (
    MEMBER,
    READ_ERRORS,
    READER,
    WRITE_ERRORS,
    rule,
)
from pocketstack.cloud.compute.requests import parse_interface_attach

_FIXED_IP = obj({"subnet_id": STR, "ip_address": STR}, closed=True)


def _attachment(tagged: bool) -> JSON:
    props: dict[str, JSON] = {"net_id": STR, "port_id": STR, "mac_addr": STR,
                              "port_state": STR, "fixed_ips": arr(_FIXED_IP)}  # fmt: skip
    if tagged:
        props["tag"] = NSTR
    return obj(props, required=tuple(props), closed=True)


def _by_tag(wrap: str, many: bool) -> tuple[Versioned, ...]:
    def shape(tagged: bool) -> JSON:
        one = _attachment(tagged)
        return obj({wrap: arr(one) if many else one}, required=(wrap,), closed=True)

    return (Versioned(shape(False), None, (2, 69)), Versioned(shape(True), (2, 70)))


def _request(tagged: bool) -> JSON:
    props: dict[str, JSON] = {
        "net_id": p.UUID,
        "port_id": p.UUID,
        "fixed_ips": {
            "type": "array", "minItems": 1, "maxItems": 1,
            "items": p.closed({"ip_address": p.IP_ADDRESS}, required=("ip_address",)),
        },
    }  # fmt: skip
    if tagged:
        props["tag"] = p.TAG
    return p.closed({"interfaceAttachment": p.closed(props)})


def operations() -> tuple[Operation, ...]:
    base = "/servers/{server_id}/os-interface"
    return (
        Operation(method="GET", path=base, summary="List a server's interfaces (its ports)",
                  policy=rule("os-attach-interfaces:list", READER), status=(200,),
                  response=_by_tag("interfaceAttachments", True), errors=READ_ERRORS),
        Operation(method="POST", path=base,
                  summary="Attach an interface: a new port on a network, or a port given",
                  policy=rule("os-attach-interfaces:create", MEMBER), status=(200,),
                  request=(Versioned(_request(False), None, (2, 48)),
                           Versioned(_request(True), (2, 49))),
                  parse=parse_interface_attach, response=_by_tag("interfaceAttachment", False),
                  errors=WRITE_ERRORS),
        Operation(method="GET", path=f"{base}/{{port_id}}", summary="Show an interface",
                  policy=rule("os-attach-interfaces:show", READER), status=(200,),
                  response=_by_tag("interfaceAttachment", False), errors=READ_ERRORS),
        Operation(method="DELETE", path=f"{base}/{{port_id}}",
                  summary="Detach an interface: a port made for the server is deleted, one"
                  " given is unbound", policy=rule("os-attach-interfaces:delete", MEMBER),
                  status=(202,), errors=WRITE_ERRORS),
    )  # fmt: skip


