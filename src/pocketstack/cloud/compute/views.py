"""Server and flavor JSON exactly per microversion: every field of the version, none beyond it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any, TypeAlias, TypeGuard

from pocketstack.cloud import jsonmedia
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.compute import states
from pocketstack.cloud.compute.microversion import ApiVersion
from pocketstack.cloud.compute.routing import Links
from pocketstack.cloud.compute.server_db import ServerFields, ServerSummary
from pocketstack.cloud.store.models.compute import Flavor, Instance

ServerRow: TypeAlias = Instance | ServerFields
# A time as the listing query reads it (server_db.ServerFields) or as the ORM loads it:
# text on SQLite, a naive UTC datetime on the server databases, an aware one from the ORM.
TimeValue: TypeAlias = dt.datetime | str


def _naive_utc(when: TimeValue) -> dt.datetime:
    if isinstance(when, str):
        when = dt.datetime.fromisoformat(when)
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    return when


def _is_stored_text(when: TimeValue) -> TypeGuard[str]:
    # SQLAlchemy's SQLite format, "YYYY-MM-DD HH:MM:SS.ffffff": sliced rather than parsed.
    return isinstance(when, str) and len(when) == 26 and when[10] == " " and when[19] == "."


def isotime(when: TimeValue) -> str:
    if _is_stored_text(when):
        return f"{when[:10]}T{when[11:19]}Z"
    return _naive_utc(when).isoformat(timespec="seconds") + "Z"


def usage_time(when: TimeValue | None) -> str | None:
    # Nova shows launched_at/terminated_at as naive ISO (no zone suffix).
    if when is None:
        return None
    if _is_stored_text(when):
        # isoformat() leaves out a zero fraction.
        fraction = when[19:] if when[20:] != "000000" else ""
        return f"{when[:10]}T{when[11:19]}{fraction}"
    return _naive_utc(when).isoformat()


def host_id(project_id: str, host: str | None) -> str:
    if not host:
        return ""
    return hashlib.sha224((project_id + host).encode()).hexdigest()


def _address_list(raw: str) -> dict[str, list[dict[str, Any]]]:
    result: dict[str, list[dict[str, Any]]] = {}
    for entry in jsonmedia.loads(raw):
        result.setdefault(entry["network"], []).append(
            {
                "version": entry["version"],
                "addr": entry["addr"],
                "OS-EXT-IPS:type": entry.get("type", "fixed"),
                "OS-EXT-IPS-MAC:mac_addr": entry["mac"],
            }
        )
    return result


class ServerRenderer:
    """The detailed view (list detail and show) for every server of one response.

    What depends only on the request (microversion, admin or not, link prefixes) is decided once;
    what many servers share (flavor and image views, hostIds, JSON columns such as "{}") is built
    once per response and the same object reused: the views are only ever encoded, never changed.
    `show` adds what only GET /servers/{id} has.
    """

    def __init__(
        self, *, api: ApiVersion, ctx: RequestContext, links: Links, show: bool = False
    ) -> None:
        self._admin = ctx.is_admin
        self._self_prefix = links.self_href("servers", "")
        self._bookmark_prefix = links.bookmark("servers", "")
        self._flavor_prefix = links.bookmark("flavors", "")
        self._image_prefix = links.bookmark("images", "")
        self._v2_3 = api.at_least("2.3")
        self._v2_9 = api.at_least("2.9")
        self._host_status = api.at_least("2.16") and self._admin
        self._v2_19 = api.at_least("2.19")
        self._v2_26 = api.at_least("2.26")
        self._flavor_embedded = api.at_least("2.47")
        self._v2_63 = api.at_least("2.63")
        self._server_groups = show and api.at_least("2.71")
        self._v2_73 = api.at_least("2.73")
        self._own_hostname = api.at_least("2.90") and not self._admin
        self._v2_96 = api.at_least("2.96")
        self._image_properties = api.at_least("2.98")
        self._scheduler_hints = api.at_least("2.100")
        self._json: dict[str, Any] = {}
        self._flavors: dict[tuple[Any, ...], dict[str, Any]] = {}
        self._images: dict[tuple[str, str], dict[str, Any]] = {}
        self._host_ids: dict[tuple[str, str | None], str] = {}
        self._security_groups = [{"name": "default"}]
        self._volumes: list[Any] = []

    def unread(self) -> frozenset[str]:
        """The server fields `detail` never reads for this request: the list leaves them out
        of its query (server_db.list_servers)."""
        unread = set()
        if not (self._admin and self._v2_3):
            unread |= {"kernel_id", "ramdisk_id", "launch_index", "reservation_id",
                       "root_device_name", "user_data"}  # fmt: skip
            if not self._own_hostname:
                unread.add("hostname")
        if not self._admin:
            unread.add("node")
        if self._flavor_embedded:
            unread.add("flavor_id")
        else:
            unread |= {"flavor_name", "vcpus", "memory_mb", "root_gb", "ephemeral_gb", "swap",
                       "flavor_extra_specs"}  # fmt: skip
        for field, shown in (
            ("image_properties", self._image_properties),
            ("scheduler_hints", self._scheduler_hints),
            ("locked", self._v2_9),
            ("locked_reason", self._v2_73),
            ("display_description", self._v2_19),
            ("pinned_availability_zone", self._v2_96),
        ):
            if not shown:
                unread.add(field)
        return frozenset(unread)

    def _parsed(self, text: str) -> Any:
        value = self._json.get(text)
        if value is None:
            value = self._json[text] = jsonmedia.loads(text)
        return value

    def _flavor(self, row: ServerRow) -> dict[str, Any]:
        if self._flavor_embedded:
            key: tuple[Any, ...] = (
                row.vcpus, row.memory_mb, row.root_gb, row.ephemeral_gb, row.swap,
                row.flavor_name, row.flavor_extra_specs,
            )  # fmt: skip
        else:
            key = (row.flavor_id,)
        flavor = self._flavors.get(key)
        if flavor is None:
            if self._flavor_embedded:
                flavor = {
                    "vcpus": row.vcpus,
                    "ram": row.memory_mb,
                    "disk": row.root_gb,
                    "ephemeral": row.ephemeral_gb,
                    "swap": row.swap,
                    "original_name": row.flavor_name,
                    # Upstream's default policy lets every project reader see extra specs.
                    "extra_specs": self._parsed(row.flavor_extra_specs),
                }
            else:
                href = self._flavor_prefix + row.flavor_id
                flavor = {"id": row.flavor_id, "links": [{"rel": "bookmark", "href": href}]}
            self._flavors[key] = flavor
        return flavor

    def _image(self, row: ServerRow) -> dict[str, Any] | str:
        if not row.image_ref:
            return ""
        properties = row.image_properties if self._image_properties else ""
        key = (row.image_ref, properties)
        image = self._images.get(key)
        if image is None:
            href = self._image_prefix + row.image_ref
            image = {"id": row.image_ref, "links": [{"rel": "bookmark", "href": href}]}
            if self._image_properties:
                image["properties"] = self._parsed(properties)
            self._images[key] = image
        return image

    def _host_id(self, project_id: str, host: str | None) -> str:
        key = (project_id, host)
        value = self._host_ids.get(key)
        if value is None:
            value = self._host_ids[key] = host_id(project_id, host)
        return value

    def detail(
        self, row: ServerRow, *, tags: list[str], metadata: dict[str, str],
        addresses: str | None = None,
    ) -> dict[str, Any]:
        """`addresses`: the server's addresses as they are now, where they differ from the
        row's cache (server_ports.live_addresses)."""
        uuid = row.uuid
        status = states.status_of(row.vm_state, row.task_state, deleted=row.deleted)
        updated = row.updated_at
        raw = row.addresses if addresses is None else addresses
        address_view = {} if row.vm_state == states.BUILDING else _address_list(raw)
        server: dict[str, Any] = {
            "accessIPv4": row.access_ip_v4 or "",
            "accessIPv6": row.access_ip_v6 or "",
            "addresses": address_view,
            "created": isotime(row.created_at),
            "flavor": self._flavor(row),
            "hostId": self._host_id(row.project_id, row.host),
            "id": uuid,
            "image": self._image(row),
            "links": [
                {"rel": "self", "href": self._self_prefix + uuid},
                {"rel": "bookmark", "href": self._bookmark_prefix + uuid},
            ],
            "metadata": metadata,
            "name": row.display_name,
            "status": status,
            "tenant_id": row.project_id,
            "user_id": row.user_id,
            "updated": isotime(updated),
            "OS-DCF:diskConfig": "AUTO" if row.auto_disk_config else "MANUAL",
        }
        if status in states.FAULT_STATUSES and row.fault_code is not None:
            fault: dict[str, Any] = {
                "code": row.fault_code,
                "created": isotime(row.fault_created_at or updated),
                "message": row.fault_message or "",
            }
            if row.fault_details and (self._admin or row.fault_code != 500):
                fault["details"] = row.fault_details
            server["fault"] = fault
        if status in states.PROGRESS_STATUSES:
            server["progress"] = row.progress
        server["OS-EXT-AZ:availability_zone"] = row.availability_zone or ""
        server["config_drive"] = row.config_drive
        server["key_name"] = row.key_name
        server["OS-SRV-USG:launched_at"] = usage_time(row.launched_at)
        server["OS-SRV-USG:terminated_at"] = usage_time(row.terminated_at)
        if address_view:
            server["security_groups"] = self._security_groups
        if self._admin:
            server["OS-EXT-SRV-ATTR:host"] = row.host
            server["OS-EXT-SRV-ATTR:instance_name"] = f"instance-{row.id:08x}"
            server["OS-EXT-SRV-ATTR:hypervisor_hostname"] = row.node
            if self._v2_3:
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
        server["os-extended-volumes:volumes_attached"] = self._volumes
        if self._v2_9:
            server["locked"] = row.locked
        if self._host_status:
            # The fake compute hosts are always up; a server without a host has no host status.
            server["host_status"] = "UP" if row.host else ""
        if self._v2_19:
            server["description"] = row.display_description
        if self._v2_26:
            server["tags"] = tags
        if self._v2_63:
            server["trusted_image_certificates"] = None
        if self._server_groups:
            server["server_groups"] = []
        if self._v2_73:
            server["locked_reason"] = row.locked_reason
        if self._own_hostname:
            server["OS-EXT-SRV-ATTR:hostname"] = row.hostname
        if self._v2_96:
            server["pinned_availability_zone"] = row.pinned_availability_zone
        if self._scheduler_hints:
            server["scheduler_hints"] = self._parsed(row.scheduler_hints)
        return server


def server_index(row: ServerSummary, links: Links) -> dict[str, Any]:
    return {"id": row.uuid, "links": links.pair("servers", row.uuid), "name": row.display_name}


def server_detail(
    row: ServerRow,
    *,
    api: ApiVersion,
    ctx: RequestContext,
    links: Links,
    tags: list[str],
    metadata: dict[str, str],
    show: bool = False,
    addresses: str | None = None,
) -> dict[str, Any]:
    """The detailed view of one server (show, update); lists use one ServerRenderer for all."""
    renderer = ServerRenderer(api=api, ctx=ctx, links=links, show=show)
    return renderer.detail(row, tags=tags, metadata=metadata, addresses=addresses)


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
