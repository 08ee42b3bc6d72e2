"""The compute API's host administration declared: os-hosts' update and power actions (Nova's
deprecated host API, gone from 2.43 like the rest of os-hosts) and the instance usage audit
log (admin only)."""

from __future__ import annotations

from typing import Any

from pocketstack.cloud.api.operation import JSON, Microversion, Operation, Versioned
from pocketstack.cloud.api.shapes import INT, STR, arr, obj
from pocketstack.cloud.compute.api.common import ADMIN, READ_ERRORS, WRITE_ERRORS, rule
from pocketstack.cloud.compute.host_actions import HostUpdate

HOSTS_LAST = (2, 42)
_SWITCH: JSON = {"type": "string", "enum": ["enable", "disable", "Enable", "Disable", "ENABLE",
                                            "DISABLE"]}  # fmt: skip
# Nova names its two fields and nothing else; its `anyOf` sits among the properties, where it
# requires nothing, so an empty body is valid and changes nothing.
_UPDATE = obj({"status": _SWITCH, "maintenance_mode": _SWITCH}, required=(), closed=True)


def parse_host_update(body: Any, version: Microversion | None) -> HostUpdate:
    def switch(name: str) -> bool | None:
        value = body.get(name)
        return None if value is None else value.lower() == "enable"

    return HostUpdate(status=switch("status"), maintenance=switch("maintenance_mode"))


def _hosts() -> tuple[Operation, ...]:
    updated = obj({"host": STR, "status": {"enum": ["enabled", "disabled"]},
                   "maintenance_mode": {"enum": ["on_maintenance", "off_maintenance"]}},
                  required=("host",), closed=True)  # fmt: skip
    ops = [
        Operation(until=HOSTS_LAST, method="PUT", path="/os-hosts/{host_name}",
                  summary="Enable or disable a host, or put it in or out of maintenance"
                  " (deprecated; up to 2.42)",
                  policy=rule("os-hosts:update", ADMIN), status=(200,),
                  request=(Versioned(_UPDATE, None, HOSTS_LAST),), parse=parse_host_update,
                  response=(Versioned(updated, None, HOSTS_LAST),),
                  errors=(*WRITE_ERRORS, 501)),
    ]  # fmt: skip
    for action, policy_name in (("reboot", "reboot"), ("shutdown", "shutdown"),
                                ("startup", "start")):  # fmt: skip
        ops.append(
            Operation(until=HOSTS_LAST, method="GET", path=f"/os-hosts/{{host_name}}/{action}",
                      summary=f"Ask a host to {action} (deprecated; up to 2.42)",
                      policy=rule(f"os-hosts:{policy_name}", ADMIN), status=(200,),
                      response=(Versioned(obj({"host": STR, "power_action": {"const": action}},
                                              closed=True), None, HOSTS_LAST),),
                      errors=(*READ_ERRORS, 501))
        )  # fmt: skip
    return tuple(ops)


def _audit_log() -> tuple[Operation, ...]:
    host_log = obj({"state": STR, "instances": INT, "errors": INT, "message": STR}, closed=True)
    log = obj({
        "hosts_not_run": arr(STR), "log": {"type": "object", "additionalProperties": host_log},
        "num_hosts": INT, "num_hosts_done": INT, "num_hosts_not_run": INT,
        "num_hosts_running": INT, "overall_status": STR, "period_beginning": STR,
        "period_ending": STR, "total_errors": INT, "total_instances": INT,
    }, closed=True)  # fmt: skip
    return (
        Operation(method="GET", path="/os-instance_usage_audit_log",
                  summary="The instance usage audit of the last completed period",
                  policy=rule("os-instance-usage-audit-log:list", ADMIN), status=(200,),
                  response=(Versioned(obj({"instance_usage_audit_logs": log}, closed=True)),),
                  errors=READ_ERRORS),
        Operation(method="GET", path="/os-instance_usage_audit_log/{before_timestamp}",
                  summary="The instance usage audit of the last period completed before a time",
                  policy=rule("os-instance-usage-audit-log:show", ADMIN), status=(200,),
                  response=(Versioned(obj({"instance_usage_audit_log": log}, closed=True)),),
                  errors=READ_ERRORS),
    )  # fmt: skip


def operations() -> tuple[Operation, ...]:
    return _hosts() + _audit_log()
