"""The fleet's routes (os-services, os-hypervisors, os-hosts, os-availability-zone, the usage
audit log) and their resources, for the compute app's mount table."""

from __future__ import annotations

from pocketstack.cloud.compute.audit_log import AuditLogBefore, AuditLogs
from pocketstack.cloud.compute.host_actions import HostPowerAction
from pocketstack.cloud.compute.hypervisors import (
    HypervisorItem,
    HypervisorList,
    HypervisorSearch,
    HypervisorStatistics,
    HypervisorUptime,
)
from pocketstack.cloud.compute.services import ServiceItem, ServiceList
from pocketstack.cloud.compute.zones import HostItem, HostList, ZoneList
from pocketstack.cloud.deps import CloudDeps


def fleet_routes(deps: CloudDeps) -> dict[str, object]:
    return {
        "/os-services": ServiceList(deps),
        "/os-services/{service_id}": ServiceItem(deps),
        "/os-hypervisors": HypervisorList(deps, detail=False),
        "/os-hypervisors/detail": HypervisorList(deps, detail=True),
        "/os-hypervisors/statistics": HypervisorStatistics(deps),
        "/os-hypervisors/{hypervisor_id}": HypervisorItem(deps),
        "/os-hypervisors/{hypervisor_id}/uptime": HypervisorUptime(deps),
        "/os-hypervisors/{hypervisor_id}/search": HypervisorSearch(deps, with_servers=False),
        "/os-hypervisors/{hypervisor_id}/servers": HypervisorSearch(deps, with_servers=True),
        "/os-hosts": HostList(deps),
        "/os-hosts/{host_name}": HostItem(deps),
        "/os-hosts/{host_name}/reboot": HostPowerAction(deps, "reboot"),
        "/os-hosts/{host_name}/shutdown": HostPowerAction(deps, "shutdown"),
        "/os-hosts/{host_name}/startup": HostPowerAction(deps, "startup"),
        "/os-instance_usage_audit_log": AuditLogs(deps),
        "/os-instance_usage_audit_log/{before_timestamp}": AuditLogBefore(deps),
        "/os-availability-zone": ZoneList(deps, detail=False),
        "/os-availability-zone/detail": ZoneList(deps, detail=True),
    }
