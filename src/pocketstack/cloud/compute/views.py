"""Server and flavor JSON exactly per microversion: every field of the version, none beyond it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.compute import states
from pocketstack.cloud.compute.microversion import ApiVersion
from pocketstack.cloud.compute.routing import Links
from pocketstack.cloud.store.models.compute import Flavor, Instance


def isotime(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def usage_time(when: dt.datetime | None) -> str | None:
    # Nova shows launched_at/terminated_at as naive ISO (no zone suffix).
    if when is None:
        return None
    return when.astimezone(dt.UTC).replace(tzinfo=None).isoformat()


def host_id(project_id: str, host: str | None) -> str:
    if not host:
        return ""
    return hashlib.sha224((project_id + host).encode()).hexdigest()


def instance_name(row: Instance) -> str:
    return f"instance-{row.id:08x}"


def addresses(row: Instance) -> dict[str, list[dict[str, Any]]]:
    if row.vm_state == states.BUILDING:
        return {}
    result: dict[str, list[dict[str, Any]]] = {}
    for entry in json.loads(row.addresses):
        result.setdefault(entry["network"], []).append(
            {
                "version": entry["version"],
                "addr": entry["addr"],
                "OS-EXT-IPS:type": entry.get("type", "fixed"),
                "OS-EXT-IPS-MAC:mac_addr": entry["mac"],
            }
        )
    return result


def _flavor(row: Instance, api: ApiVersion, links: Links) -> dict[str, Any]:
    if api.at_least("2.47"):
        return {
            "vcpus": row.vcpus,
            "ram": row.memory_mb,
            "disk": row.root_gb,
            "ephemeral": row.ephemeral_gb,
            "swap": row.swap,
            "original_name": row.flavor_name,
            # Upstream's default policy lets every project reader see extra specs.
            "extra_specs": json.loads(row.flavor_extra_specs),
        }
    return {
        "id": row.flavor_id,
        "links": [{"rel": "bookmark", "href": links.bookmark("flavors", row.flavor_id)}],
    }


def _image(row: Instance, api: ApiVersion, links: Links) -> dict[str, Any] | str:
    if not row.image_ref:
        return ""
    image: dict[str, Any] = {
        "id": row.image_ref,
        "links": [{"rel": "bookmark", "href": links.bookmark("images", row.image_ref)}],
    }
    if api.at_least("2.98"):
        image["properties"] = json.loads(row.image_properties)
    return image


def server_index(row: Instance, links: Links) -> dict[str, Any]:
    return {"id": row.uuid, "links": links.pair("servers", row.uuid), "name": row.display_name}


def server_detail(
    row: Instance,
    *,
    api: ApiVersion,
    ctx: RequestContext,
    links: Links,
    tags: list[str],
    metadata: dict[str, str],
    show: bool = False,
) -> dict[str, Any]:
    """The detailed view (list detail and show); `show` adds what only GET /servers/{id} has."""
    status = states.status_of(row.vm_state, row.task_state, deleted=row.deleted)
    server: dict[str, Any] = {
        "accessIPv4": row.access_ip_v4 or "",
        "accessIPv6": row.access_ip_v6 or "",
        "addresses": addresses(row),
        "created": isotime(row.created_at),
        "flavor": _flavor(row, api, links),
        "hostId": host_id(row.project_id, row.host),
        "id": row.uuid,
        "image": _image(row, api, links),
        "links": links.pair("servers", row.uuid),
        "metadata": metadata,
        "name": row.display_name,
        "status": status,
        "tenant_id": row.project_id,
        "user_id": row.user_id,
        "updated": isotime(row.updated_at),
        "OS-DCF:diskConfig": "AUTO" if row.auto_disk_config else "MANUAL",
    }
    if status in states.FAULT_STATUSES and row.fault_code is not None:
        fault: dict[str, Any] = {
            "code": row.fault_code,
            "created": isotime(row.fault_created_at or row.updated_at),
            "message": row.fault_message or "",
        }
        if row.fault_details and (ctx.is_admin or row.fault_code != 500):
            fault["details"] = row.fault_details
        server["fault"] = fault
    if status in states.PROGRESS_STATUSES:
        server["progress"] = row.progress
    server["OS-EXT-AZ:availability_zone"] = row.availability_zone or ""
    server["config_drive"] = row.config_drive
    server["key_name"] = row.key_name
    server["OS-SRV-USG:launched_at"] = usage_time(row.launched_at)
    server["OS-SRV-USG:terminated_at"] = usage_time(row.terminated_at)
    if server["addresses"]:
        server["security_groups"] = [{"name": "default"}]
    if ctx.is_admin:
        server["OS-EXT-SRV-ATTR:host"] = row.host
        server["OS-EXT-SRV-ATTR:instance_name"] = instance_name(row)
        server["OS-EXT-SRV-ATTR:hypervisor_hostname"] = row.node
        if api.at_least("2.3"):
            server["OS-EXT-SRV-ATTR:hostname"] = row.hostname
            server["OS-EXT-SRV-ATTR:kernel_id"] = row.kernel_id
            server["OS-EXT-SRV-ATTR:launch_index"] = row.launch_index
            server["OS-EXT-SRV-ATTR:ramdisk_id"] = row.ramdisk_id
            server["OS-EXT-SRV-ATTR:reservation_id"] = row.reservation_id
            server["OS-EXT-SRV-ATTR:root_device_name"] = row.root_device_name
            server["OS-EXT-SRV-ATTR:user_data"] = row.user_data
    server["OS-EXT-STS:task_state"] = row.task_state
    server["OS-EXT-STS:vm_state"] = row.vm_state
    server["OS-EXT-STS:power_state"] = row.power_state
    server["os-extended-volumes:volumes_attached"] = []
    if api.at_least("2.9"):
        server["locked"] = row.locked
    if api.at_least("2.16") and ctx.is_admin:
        # The fake compute hosts are always up; a server without a host has no host status.
        server["host_status"] = "UP" if row.host else ""
    if api.at_least("2.19"):
        server["description"] = row.display_description
    if api.at_least("2.26"):
        server["tags"] = tags
    if api.at_least("2.63"):
        server["trusted_image_certificates"] = None
    if show and api.at_least("2.71"):
        server["server_groups"] = []
    if api.at_least("2.73"):
        server["locked_reason"] = row.locked_reason
    if api.at_least("2.90") and not ctx.is_admin:
        server["OS-EXT-SRV-ATTR:hostname"] = row.hostname
    if api.at_least("2.96"):
        server["pinned_availability_zone"] = row.pinned_availability_zone
    if api.at_least("2.100"):
        server["scheduler_hints"] = json.loads(row.scheduler_hints)
    return server


def server_update_view(
    row: Instance,
    *,
    api: ApiVersion,
    ctx: RequestContext,
    links: Links,
    tags: list[str],
    metadata: dict[str, str],
) -> dict[str, Any]:
    """PUT /servers/{id}: the full show view from 2.75, a reduced one before."""
    if api.at_least("2.75"):
        return server_detail(
            row, api=api, ctx=ctx, links=links, tags=tags, metadata=metadata, show=True
        )
    full = server_detail(
        row, api=api, ctx=ctx, links=links, tags=tags, metadata=metadata, show=True
    )
    keep = {
        "accessIPv4", "accessIPv6", "addresses", "created", "flavor", "hostId", "id", "image",
        "links", "metadata", "name", "status", "tenant_id", "user_id", "updated",
        "OS-DCF:diskConfig", "fault", "progress", "locked", "description", "tags",
        "trusted_image_certificates", "locked_reason", "server_groups",
    }  # fmt: skip
    reduced = {k: v for k, v in full.items() if k in keep}
    # The reduced view shows addresses without the extended (type/MAC) attributes.
    reduced["addresses"] = {
        net: [{"version": a["version"], "addr": a["addr"]} for a in addrs]
        for net, addrs in full["addresses"].items()
    }
    return reduced


def flavor_view(flavor: Flavor, *, api: ApiVersion, links: Links, detail: bool) -> dict[str, Any]:
    view: dict[str, Any] = {"id": flavor.id, "name": flavor.name}
    if detail:
        view.update(
            {
                "ram": flavor.memory_mb,
                "disk": flavor.root_gb,
                "swap": flavor.swap if (flavor.swap or api.at_least("2.75")) else "",
                "vcpus": flavor.vcpus,
                "OS-FLV-EXT-DATA:ephemeral": flavor.ephemeral_gb,
                "OS-FLV-DISABLED:disabled": flavor.disabled,
                "os-flavor-access:is_public": flavor.is_public,
                "rxtx_factor": float(flavor.rxtx_factor),
            }
        )
    view["links"] = links.pair("flavors", flavor.id)
    if api.at_least("2.55"):
        view["description"] = flavor.description
    if detail and api.at_least("2.61"):
        view["extra_specs"] = json.loads(flavor.extra_specs)
    return view
