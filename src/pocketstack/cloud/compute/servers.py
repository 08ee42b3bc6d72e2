"""The /servers resources: list, detail, show, create, update, delete."""

from __future__ import annotations

import json
import re
import secrets
import string
import urllib.parse
import uuid
from collections.abc import Sequence
from typing import Any

import falcon
from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.compute import driver, policy, server_db, states
from pocketstack.cloud.compute.bodies import (
    invalid,
    metadata_value,
    name_value,
    no_extra,
    optional_text,
    read_json,
    require_object,
    tag_list,
)
from pocketstack.cloud.compute.listing import parse_server_query
from pocketstack.cloud.compute.microversion import ApiVersion
from pocketstack.cloud.compute.routing import Links, auth_of, version_of
from pocketstack.cloud.compute.views import (
    ServerRenderer,
    server_detail,
    server_index,
    server_update_view,
)
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import BadRequest, Conflict, NotFound
from pocketstack.cloud.store.models.compute import (
    Flavor,
    FlavorProject,
    Instance,
    InstanceMetadata,
    InstanceTag,
)
from pocketstack.cloud.store.models.image import Image

DEFAULT_AZ = "nova"
_HOSTNAME_BAD = re.compile(r"[^a-z0-9.-]+")


def not_found(server_id: str) -> NotFound:
    return NotFound(f"Instance {server_id} could not be found.")


def get_server(session: Session, ctx: RequestContext, server_id: str) -> Instance:
    """A live server the caller may see; 404 otherwise (also for other projects' servers).

    Upstream answers 403 for a server of another project, which tells a caller that it exists;
    a 404 discloses nothing.
    """
    row = session.scalars(
        select(Instance).where(Instance.uuid == server_id, Instance.deleted.is_(False))
    ).first()
    if row is None or not policy.can_see_project(ctx, row.project_id):
        raise not_found(server_id)
    return row


def settle_if_delayed(deps: CloudDeps) -> None:
    if deps.config.driver_delay > 0:
        with deps.store.session(write=True) as session:
            driver.settle(session, deps.clock.now())


def detail_of(
    session: Session, row: Instance, *, req: falcon.Request, show: bool
) -> dict[str, Any]:
    api = version_of(req)
    return server_detail(
        row,
        api=api,
        ctx=auth_of(req),
        links=Links(req),
        tags=server_db.load_tags(session, [row.id])[row.id],
        metadata=server_db.load_metadata(session, [row.id])[row.id],
        show=show,
    )


def _next_link(req: falcon.Request, collection: str, last_id: str) -> str:
    pairs = [(k, v) for k, v in urllib.parse.parse_qsl(req.query_string, keep_blank_values=True)]
    pairs = [p for p in pairs if p[0] != "marker"] + [("marker", last_id)]
    pairs.sort(key=lambda p: p[0])
    return f"{Links(req).collection(collection)}?{urllib.parse.urlencode(pairs)}"


class ServerList:
    """GET /servers and /servers/detail; POST /servers."""

    def __init__(self, deps: CloudDeps, *, detail: bool) -> None:
        self._deps = deps
        self._detail = detail

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx = auth_of(req)
        api = version_of(req)
        rule = "servers:detail" if self._detail else "servers:index"
        policy.authorize_read(ctx, rule)
        pairs = urllib.parse.parse_qsl(req.query_string, keep_blank_values=True)
        query = parse_server_query(pairs, api=api, ctx=ctx, detail=self._detail)
        settle_if_delayed(self._deps)
        links = Links(req)
        with self._deps.store.session() as session:
            rows: Sequence[server_db.ServerFields | server_db.ServerSummary]
            if self._detail:
                rows = details = server_db.list_servers(session, query)
                ids = [r.id for r in details]
                tags = server_db.load_tags(session, ids) if api.at_least("2.26") else {}
                metadata = server_db.load_metadata(session, ids)
                renderer = ServerRenderer(api=api, ctx=ctx, links=links)
                no_tags: list[str] = []
                servers = [
                    renderer.detail(r, tags=tags.get(r.id, no_tags), metadata=metadata[r.id])
                    for r in details
                ]
            else:
                rows = summaries = server_db.list_server_summaries(session, query)
                servers = [server_index(r, links) for r in summaries]
        body: dict[str, Any] = {"servers": servers}
        if rows and len(rows) == query.limit:
            collection = "servers/detail" if self._detail else "servers"
            body["servers_links"] = [
                {"rel": "next", "href": _next_link(req, collection, rows[-1].uuid)}
            ]
        resp.media = body

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        if self._detail:
            raise falcon.HTTPMethodNotAllowed(["GET"])
        ctx = auth_of(req)
        api = version_of(req)
        policy.authorize_write(ctx, "servers:create")
        body = read_json(req, max_size=self._deps.config.max_request_body_size)
        spec = _parse_create(body, api)
        links = Links(req)
        now = self._deps.clock.now()
        with self._deps.store.session(write=True) as session:
            flavor = _flavor_for(session, ctx, spec["flavorRef"])
            image = _image_for(session, ctx, spec["imageRef"])
            count = spec["max_count"]
            reservation = "r-" + "".join(
                secrets.choice(string.ascii_lowercase + string.digits) for _ in range(8)
            )
            first: Instance | None = None
            for index in range(count):
                row = _new_instance(
                    spec, ctx=ctx, flavor=flavor, image=image, now=now, index=index,
                    reservation=reservation, multiple=count > 1,
                )  # fmt: skip
                session.add(row)
                session.flush()
                for key, value in spec["metadata"].items():
                    session.add(InstanceMetadata(instance_id=row.id, key=key, value=value))
                for tag in spec["tags"]:
                    session.add(InstanceTag(instance_id=row.id, tag=tag))
                if spec["networks"] != "none":
                    driver.schedule(row, seq=row.id)
                else:
                    row.host = driver.HOSTS[row.id % len(driver.HOSTS)]
                    row.node = row.host
                driver.start_transition(
                    row, states.SPAWNING, now=now, delay=self._deps.config.driver_delay
                )
                first = first or row
            assert first is not None
            server_id = first.uuid
        server: dict[str, Any] = {
            "id": server_id,
            "links": links.pair("servers", server_id),
            "OS-DCF:diskConfig": "AUTO" if spec["auto_disk_config"] else "MANUAL",
            "security_groups": spec["security_groups"],
            "adminPass": spec["adminPass"],
        }
        resp.status = falcon.HTTP_202
        resp.set_header("Location", links.self_href("servers", server_id))
        resp.media = {"server": server}


_CREATE_KEYS = {
    "name", "imageRef", "flavorRef", "adminPass", "metadata", "networks", "availability_zone",
    "key_name", "config_drive", "user_data", "security_groups", "min_count", "max_count",
    "accessIPv4", "accessIPv6", "OS-DCF:diskConfig", "return_reservation_id",
    "block_device_mapping_v2",
}  # fmt: skip


def _image_from_bdms(value: Any) -> str | None:
    """The image of a boot-from-image block device mapping (what openstackclient sends)."""
    if not isinstance(value, list):
        raise invalid("block_device_mapping_v2", value, f"{value!r} is not of type 'array'")
    image: str | None = None
    for bdm in value:
        if not isinstance(bdm, dict):
            raise invalid("block_device_mapping_v2", value, f"{bdm!r} is not of type 'object'")
        destination = bdm.get("destination_type", "local")
        if bdm.get("source_type") == "image" and destination == "local":
            image = str(bdm.get("uuid") or "") or image
        elif destination == "volume" or bdm.get("source_type") in ("volume", "snapshot"):
            # There is no block storage service here to attach volumes from.
            raise BadRequest("Block device mapping of volumes is not supported by this cloud.")
    return image


def _parse_create(body: Any, api: ApiVersion) -> dict[str, Any]:
    if isinstance(body, dict):
        no_extra(body, {"server", "os:scheduler_hints", "OS-SCH-HNT:scheduler_hints"})
    server = require_object(body, "server")
    allowed = set(_CREATE_KEYS)
    if api.at_least("2.19"):
        allowed.add("description")
    if api.at_least("2.52"):
        allowed.add("tags")
    if api.at_least("2.90"):
        allowed.add("hostname")
    no_extra(server, allowed)
    for key in ("name", "flavorRef"):
        if key not in server:
            raise BadRequest(f"'{key}' is a required property")
    image_from_bdm = _image_from_bdms(server.get("block_device_mapping_v2", []))
    if not server.get("imageRef") and image_from_bdm:
        server = {**server, "imageRef": image_from_bdm}
    if "imageRef" not in server:
        raise BadRequest("Missing imageRef attribute")
    name = name_value("name", server["name"])
    flavor_ref = server["flavorRef"]
    if isinstance(flavor_ref, int) and not isinstance(flavor_ref, bool):
        flavor_ref = str(flavor_ref)
    if not isinstance(flavor_ref, str) or not flavor_ref:
        raise invalid("flavorRef", flavor_ref, f"{flavor_ref!r} is not a valid flavor reference")
    image_ref = server["imageRef"]
    if not isinstance(image_ref, str) or not image_ref:
        raise invalid("imageRef", image_ref, f"{image_ref!r} is not a valid image reference")
    image_ref = image_ref.rstrip("/").rsplit("/", 1)[-1]
    networks = server.get("networks")
    if api.at_least("2.37") and networks is None:
        raise BadRequest("'networks' is a required property")
    networks = _networks(networks if networks is not None else "auto")
    az = server.get("availability_zone")
    if az is not None:
        az = name_value("availability_zone", az)
        if az != DEFAULT_AZ:
            raise BadRequest("The requested availability zone is not available")
    counts = {}
    for key in ("min_count", "max_count"):
        value = server.get(key, 1)
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 100:
            raise invalid(key, value, f"{value!r} must be an integer from 1 to 100")
        counts[key] = value
    if counts["min_count"] > counts["max_count"]:
        raise BadRequest("min_count must be <= max_count")
    disk_config = server.get("OS-DCF:diskConfig", "MANUAL")
    if disk_config not in ("AUTO", "MANUAL"):
        raise invalid(
            "OS-DCF:diskConfig", disk_config, f"{disk_config!r} is not one of AUTO, MANUAL"
        )
    admin_pass = server.get("adminPass")
    if admin_pass is None:
        admin_pass = "".join(
            secrets.choice(string.ascii_letters + string.digits) for _ in range(12)
        )
    elif not isinstance(admin_pass, str):
        raise invalid("adminPass", admin_pass, f"{admin_pass!r} is not of type 'string'")
    groups = server.get("security_groups", [{"name": "default"}])
    if not isinstance(groups, list) or not all(
        isinstance(g, dict) and isinstance(g.get("name"), str) for g in groups
    ):
        raise invalid("security_groups", groups, "must be a list of {'name': ...} objects")
    hints = body.get("os:scheduler_hints", body.get("OS-SCH-HNT:scheduler_hints", {}))
    if not isinstance(hints, dict):
        raise invalid("os:scheduler_hints", hints, f"{hints!r} is not of type 'object'")
    config_drive = server.get("config_drive", False)
    return {
        "name": name,
        "flavorRef": flavor_ref,
        "imageRef": image_ref,
        "networks": networks,
        "availability_zone": az,
        "metadata": metadata_value("metadata", server.get("metadata", {})),
        "tags": tag_list("tags", server.get("tags", [])),
        "description": optional_text("description", server.get("description")),
        "key_name": optional_text("key_name", server.get("key_name")),
        "user_data": optional_text("user_data", server.get("user_data"), max_length=65535),
        "access_ip_v4": optional_text("accessIPv4", server.get("accessIPv4"), max_length=39),
        "access_ip_v6": optional_text("accessIPv6", server.get("accessIPv6"), max_length=39),
        "hostname": server.get("hostname"),
        "max_count": counts["max_count"],
        "auto_disk_config": disk_config == "AUTO",
        "adminPass": admin_pass,
        "security_groups": [{"name": g["name"]} for g in groups],
        "scheduler_hints": hints,
        "config_drive": "True" if config_drive in (True, "True", "true", "1") else "",
    }


def _networks(value: Any) -> str | list[dict[str, Any]]:
    if isinstance(value, str):
        if value not in ("auto", "none"):
            raise invalid("networks", value, f"{value!r} is not one of ['none', 'auto']")
        return value
    if not isinstance(value, list):
        raise BadRequest("Bad networks format")
    for item in value:
        if not isinstance(item, dict):
            raise BadRequest("Bad networks format")
        if item.get("port"):
            raise BadRequest(f"Port {item['port']} could not be found.")
        if "uuid" not in item:
            raise BadRequest("Bad network format: missing 'uuid'")
        try:
            uuid.UUID(str(item["uuid"]))
        except ValueError:
            raise BadRequest(
                f"Bad networks format: network uuid is not in proper format ({item['uuid']})"
            ) from None
        if item["uuid"] != driver.NETWORK_ID:
            raise BadRequest(f"Network {item['uuid']} could not be found.")
    return value


def _flavor_for(session: Session, ctx: RequestContext, flavor_ref: str) -> Flavor:
    flavor = session.get(Flavor, flavor_ref)
    if flavor is not None and not flavor.is_public and not ctx.is_admin:
        access = session.get(FlavorProject, (flavor.id, ctx.project_id or ""))
        flavor = flavor if access is not None else None
    if flavor is None or flavor.disabled:
        raise BadRequest(f"Flavor {flavor_ref} could not be found.")
    return flavor


def _image_for(session: Session, ctx: RequestContext, image_ref: str) -> Image:
    image = session.get(Image, image_ref)
    visible = image is not None and (
        ctx.is_admin or image.visibility in ("public", "community") or image.owner == ctx.project_id
    )
    if image is None or not visible:
        raise BadRequest(f"Image {image_ref} could not be found.")
    if image.status != "active":
        raise BadRequest(f"Image {image_ref} is not active.")
    return image


def hostname_for(name: str) -> str:
    hostname = _HOSTNAME_BAD.sub("-", name.lower()).strip("-.")[:63]
    return hostname or "server"


def _new_instance(
    spec: dict[str, Any],
    *,
    ctx: RequestContext,
    flavor: Flavor,
    image: Image,
    now: Any,
    index: int,
    reservation: str,
    multiple: bool,
) -> Instance:
    name = spec["name"]
    if multiple:
        name = f"{name}-{index + 1}"
    hostname = spec["hostname"] if isinstance(spec["hostname"], str) else hostname_for(name)
    properties = json.loads(image.properties)
    return Instance(
        uuid=str(uuid.uuid4()),
        project_id=ctx.project_id or "",
        user_id=ctx.user_id,
        display_name=name,
        display_description=spec["description"],
        hostname=hostname,
        reservation_id=reservation,
        launch_index=index,
        image_ref=image.id,
        flavor_id=flavor.id,
        flavor_name=flavor.name,
        vcpus=flavor.vcpus,
        memory_mb=flavor.memory_mb,
        root_gb=flavor.root_gb,
        ephemeral_gb=flavor.ephemeral_gb,
        swap=flavor.swap,
        flavor_extra_specs=flavor.extra_specs,
        image_properties=json.dumps({k: v for k, v in properties.items() if v is not None}),
        vm_state=states.BUILDING,
        task_state=None,
        power_state=states.NOSTATE,
        progress=0,
        availability_zone=DEFAULT_AZ,
        pinned_availability_zone=spec["availability_zone"],
        key_name=spec["key_name"],
        config_drive=spec["config_drive"],
        access_ip_v4=spec["access_ip_v4"],
        access_ip_v6=spec["access_ip_v6"],
        auto_disk_config=spec["auto_disk_config"],
        kernel_id="",
        ramdisk_id="",
        root_device_name="/dev/vda",
        user_data=spec["user_data"],
        locked=False,
        addresses="[]",
        ip4="",
        ip6="",
        scheduler_hints=json.dumps(spec["scheduler_hints"]),
        created_at=now,
        updated_at=now,
        deleted=False,
    )


class ServerItem:
    """GET/PUT/DELETE /servers/{server_id}."""

    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, server_id: str) -> None:
        ctx = auth_of(req)
        policy.authorize_read(ctx, "servers:show")
        settle_if_delayed(self._deps)
        with self._deps.store.session() as session:
            row = get_server(session, ctx, server_id)
            resp.media = {"server": detail_of(session, row, req=req, show=True)}

    def on_put(self, req: falcon.Request, resp: falcon.Response, server_id: str) -> None:
        ctx = auth_of(req)
        api = version_of(req)
        policy.authorize_write(ctx, "servers:update")
        body = read_json(req, max_size=self._deps.config.max_request_body_size)
        update = require_object(body, "server")
        allowed = {"name", "accessIPv4", "accessIPv6", "OS-DCF:diskConfig"}
        if api.at_least("2.19"):
            allowed.add("description")
        if api.at_least("2.90"):
            allowed.add("hostname")
        no_extra(update, allowed)
        with self._deps.store.session(write=True) as session:
            row = get_server(session, ctx, server_id)
            if "name" in update:
                row.display_name = name_value("name", update["name"])
            if "description" in update:
                row.display_description = optional_text("description", update["description"])
            if "hostname" in update:
                row.hostname = name_value("hostname", update["hostname"], max_length=63)
            if "accessIPv4" in update:
                row.access_ip_v4 = optional_text("accessIPv4", update["accessIPv4"], max_length=39)
            if "accessIPv6" in update:
                row.access_ip_v6 = optional_text("accessIPv6", update["accessIPv6"], max_length=39)
            if "OS-DCF:diskConfig" in update:
                value = update["OS-DCF:diskConfig"]
                if value not in ("AUTO", "MANUAL"):
                    raise invalid("OS-DCF:diskConfig", value, f"{value!r} is not AUTO or MANUAL")
                row.auto_disk_config = value == "AUTO"
            row.updated_at = self._deps.clock.now()
            session.flush()
            view = server_update_view(
                row, api=api, ctx=ctx, links=Links(req),
                tags=server_db.load_tags(session, [row.id])[row.id],
                metadata=server_db.load_metadata(session, [row.id])[row.id],
            )  # fmt: skip
        resp.media = {"server": view}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, server_id: str) -> None:
        ctx = auth_of(req)
        policy.authorize_write(ctx, "servers:delete")
        now = self._deps.clock.now()
        with self._deps.store.session(write=True) as session:
            row = get_server(session, ctx, server_id)
            check_not_locked(ctx, row)
            if self._deps.config.driver_delay > 0:
                driver.start_transition(
                    row, states.DELETING, now=now, delay=self._deps.config.driver_delay
                )
            else:
                driver.mark_deleted(row, now)
        resp.status = falcon.HTTP_204


def check_not_locked(ctx: RequestContext, row: Instance) -> None:
    if row.locked and not ctx.is_admin:
        raise Conflict(f"Instance {row.uuid} is locked")
