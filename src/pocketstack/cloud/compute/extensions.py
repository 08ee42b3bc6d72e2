"""`/extensions`: Nova's list of the v2.1 API's former extensions, kept for clients that still
ask for it (tempest, old novaclient). Nova builds it from a fixed table; this one names the
parts of the API this cloud serves, so that a client deciding features from it is told the
truth."""

from __future__ import annotations

from typing import Any

import falcon

from pocketstack.cloud.errors import NotFound

_UPDATED = "2014-12-03T00:00:00Z"
_NAMESPACE = "http://docs.openstack.org/compute/ext/fake_xml"
# (alias, name, what it is)
_SERVED = (
    ("os-aggregates", "Aggregates", "Host aggregates and their zones."),
    ("os-availability-zone", "AvailabilityZone", "Availability zones of the compute hosts."),
    ("os-consoles", "Consoles", "Server console output."),
    ("os-deferred-delete", "DeferredDelete", "Restoring and force-deleting deleted servers."),
    ("os-evacuate", "Evacuate", "Evacuating servers from a failed host."),
    ("os-extended-server-attributes", "ExtendedServerAttributes", "Hosts and more in views."),
    ("os-extended-status", "ExtendedStatus", "Task, VM and power states in server views."),
    ("os-flavor-access", "FlavorAccess", "Private flavors and the projects that may use them."),
    ("os-flavor-extra-specs", "FlavorExtraSpecs", "Key/value pairs on flavors."),
    ("os-flavor-manage", "FlavorManage", "Creating and deleting flavors."),
    ("os-floating-ip-pools", "FloatingIpPools", "Floating IP pools (a proxy, up to 2.35)."),
    ("os-floating-ips", "FloatingIps", "Floating IPs and servers' (a proxy, up to 2.35)."),
    ("os-hosts", "Hosts", "Compute hosts, their resources and actions."),
    ("os-hypervisors", "Hypervisors", "Hypervisors and their usage."),
    ("os-instance-actions", "InstanceActions", "The log of each server's actions."),
    ("os-keypairs", "Keypairs", "SSH and x509 key pairs."),
    ("os-lock-server", "LockServer", "Locking servers against changes."),
    ("os-migrate-server", "MigrateServer", "Cold and live migration of servers."),
    ("os-migrations", "Migrations", "The moves of servers and their state."),
    ("os-networks", "Networks", "The networks a project sees (a proxy, up to 2.35)."),
    ("os-pause-server", "PauseServer", "Pausing and unpausing servers."),
    ("os-quota-class-sets", "QuotaClasses", "Default quotas by class."),
    ("os-quota-sets", "Quotas", "Quotas of projects and users."),
    ("os-rescue", "Rescue", "Rescue mode for servers."),
    ("os-security-groups", "SecurityGroups", "Security groups and servers' groups."),
    ("os-server-external-events", "ServerExternalEvents", "Events other services send."),
    ("os-server-groups", "ServerGroups", "Affinity and anti-affinity server groups."),
    ("os-server-password", "ServerPassword", "A server's encrypted password."),
    ("os-services", "Services", "The compute services and their state."),
    ("os-shelve", "Shelve", "Shelving and unshelving servers."),
    ("os-simple-tenant-usage", "SimpleTenantUsage", "Usage of projects over a period."),
    ("os-suspend-server", "SuspendServer", "Suspending and resuming servers."),
    ("os-tenant-networks", "TenantNetworks", "A project's networks (a proxy, up to 2.35)."),
    ("server-metadata", "ServerMetadata", "Key/value pairs on servers."),
    ("servers", "Servers", "Servers."),
)


def _view(alias: str, name: str, description: str) -> dict[str, Any]:
    return {
        "alias": alias, "name": name, "description": description, "namespace": _NAMESPACE,
        "updated": _UPDATED, "links": [],
    }  # fmt: skip


class ExtensionList:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {"extensions": [_view(*entry) for entry in _SERVED]}


class ExtensionItem:
    def on_get(self, req: falcon.Request, resp: falcon.Response, alias: str) -> None:
        for entry in _SERVED:
            if entry[0] == alias:
                resp.media = {"extension": _view(*entry)}
                return
        raise NotFound("The resource could not be found.")
