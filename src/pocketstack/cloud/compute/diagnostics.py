"""A server's diagnostics as Nova's fake driver reports them: its driver-specific dictionary
before 2.48, the standard format from 2.48 (admin only)."""

from __future__ import annotations

from typing import Any

import falcon

from pocketstack.cloud.compute import states
from pocketstack.cloud.compute.routing import auth_of, version_of
from pocketstack.cloud.compute.servers import get_server
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import Conflict

# Nova's names of the power states (power_state.STATE_MAP).
_POWER_NAMES = {
    states.NOSTATE: "pending", states.RUNNING: "running", states.POWER_PAUSED: "paused",
    states.SHUTDOWN: "shutdown", states.CRASHED: "crashed", states.POWER_SUSPENDED: "suspended",
}  # fmt: skip

LEGACY: dict[str, int] = {
    "cpu0_time": 17300000000, "memory": 524288, "vda_errors": -1, "vda_read": 262144,
    "vda_read_req": 112, "vda_write": 5778432, "vda_write_req": 488, "vnet1_rx": 2070139,
    "vnet1_rx_drop": 0, "vnet1_rx_errors": 0, "vnet1_rx_packets": 26701, "vnet1_tx": 140208,
    "vnet1_tx_drop": 0, "vnet1_tx_errors": 0, "vnet1_tx_packets": 662,
}  # fmt: skip


def standard(power_state: int) -> dict[str, Any]:
    """The fake driver's figures (those of Nova's api-ref example), its state the server's."""
    return {
        "state": _POWER_NAMES.get(power_state, "pending"),
        "driver": "libvirt",
        "hypervisor": "kvm",
        "hypervisor_os": "ubuntu",
        "uptime": 46664,
        "config_drive": True,
        "num_cpus": 1,
        "num_nics": 1,
        "num_disks": 1,
        "cpu_details": [{"id": 0, "time": 17300000000, "utilisation": 15}],
        "nic_details": [
            {
                "mac_address": "01:23:45:67:89:ab",
                "rx_octets": 2070139,
                "rx_errors": 100,
                "rx_drop": 200,
                "rx_packets": 26701,
                "rx_rate": 300,
                "tx_octets": 140208,
                "tx_errors": 400,
                "tx_drop": 500,
                "tx_packets": 662,
                "tx_rate": 600,
            }
        ],
        "disk_details": [
            {
                "read_bytes": 262144,
                "read_requests": 112,
                "write_bytes": 5778432,
                "write_requests": 488,
                "errors_count": 1,
            }
        ],
        "memory_details": {"maximum": 524288, "used": 0},
    }


class ServerDiagnostics:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, server_id: str) -> None:
        with self._deps.store.session() as session:
            row = get_server(session, auth_of(req), server_id)
            host, power_state, uuid = row.host, row.power_state, row.uuid
        if not host:
            # Nova asks the server's compute host; a server not yet placed has none to ask.
            raise Conflict(f"Instance {uuid} is not ready")
        if power_state != states.RUNNING:
            # Nova's compute host reads diagnostics from a running guest only.
            raise Conflict(
                f"Instance {uuid} in power state {_POWER_NAMES.get(power_state, 'pending')}."
                " Cannot get_diagnostics while the instance is in this state."
            )
        resp.media = standard(power_state) if version_of(req).at_least("2.48") else LEGACY
