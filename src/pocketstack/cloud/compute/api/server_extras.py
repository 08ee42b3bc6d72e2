"""The compute API's server password (os-server-password) and diagnostics declared."""

from __future__ import annotations

from pocketstack.cloud.api.operation import JSON, Operation, Versioned
from pocketstack.cloud.api.shapes import BOOL, INT, NSTR, STR, arr, obj
from pocketstack.cloud.compute.api.common import (
    ADMIN,
    MEMBER,
    READ_ERRORS,
    READER,
    WRITE_ERRORS,
    rule,
)

STANDARD_DIAGNOSTICS = (2, 48)
_NINT: JSON = {"type": ["integer", "null"]}


def _standard() -> JSON:
    cpu = obj({"id": _NINT, "time": _NINT, "utilisation": _NINT}, closed=True)
    nic = obj({name: _NINT for name in (
        "rx_octets", "rx_errors", "rx_drop", "rx_packets", "rx_rate", "tx_octets", "tx_errors",
        "tx_drop", "tx_packets", "tx_rate")} | {"mac_address": NSTR}, closed=True)  # fmt: skip
    disk = obj({name: _NINT for name in (
        "read_bytes", "read_requests", "write_bytes", "write_requests", "errors_count")},
        closed=True)  # fmt: skip
    return obj({
        "state": {"enum": ["pending", "running", "paused", "shutdown", "crashed", "suspended"]},
        "driver": {"enum": ["libvirt", "xenapi", "vmwareapi", "ironic", "hyperv"]},
        "hypervisor": NSTR, "hypervisor_os": NSTR, "uptime": _NINT,
        "config_drive": BOOL, "num_cpus": INT, "num_nics": INT, "num_disks": INT,
        "cpu_details": arr(cpu), "nic_details": arr(nic), "disk_details": arr(disk),
        "memory_details": obj({"maximum": _NINT, "used": _NINT}, closed=True),
    }, closed=True)  # fmt: skip


def operations() -> tuple[Operation, ...]:
    legacy = {"type": "object", "additionalProperties": INT}
    return (
        Operation(method="GET", path="/servers/{server_id}/os-server-password",
                  summary="A server's encrypted password (empty: none was ever set)",
                  policy=rule("os-server-password:show", READER), status=(200,),
                  response=(Versioned(obj({"password": STR}, closed=True)),),
                  errors=READ_ERRORS),
        Operation(method="DELETE", path="/servers/{server_id}/os-server-password",
                  summary="Clear a server's password",
                  policy=rule("os-server-password:clear", MEMBER), status=(204,),
                  errors=WRITE_ERRORS),
        Operation(method="GET", path="/servers/{server_id}/diagnostics",
                  summary="A server's diagnostics (the driver's own keys before 2.48)",
                  policy=rule("os-server-diagnostics", ADMIN), status=(200,),
                  response=(Versioned(legacy, None, (2, 47)),
                            Versioned(_standard(), STANDARD_DIAGNOSTICS)),
                  errors=(*READ_ERRORS, 409, 501)),
    )  # fmt: skip
