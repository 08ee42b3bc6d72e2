"""What a running cloud offers, asked over its API as an operator writing tempest.conf would.

Nothing here knows pocketstack's code: services come from the catalog, the microversion range
from the compute version document, and each feature flag from a request that only a cloud with
the feature answers (an action Nova knows gives 404 on a server that does not exist, one it does
not know gives 400 "There is no such action"; a collection that exists lists). So the flags stay
true to the cloud as it grows, and the same probe can describe any OpenStack cloud.
"""

from __future__ import annotations

import dataclasses
import json
import urllib.error
import urllib.request
import uuid
from typing import Any

# tempest's compute feature flags that are one server action each.
ACTION_FLAGS = {
    "change_password": "changePassword",
    "console_output": "os-getConsoleOutput",
    "resize": "resize",
    "pause": "pause",
    "shelve": "shelve",
    "suspend": "suspend",
    "cold_migration": "migrate",
    "live_migration": "os-migrateLive",
    "rescue": "rescue",
    "snapshot": "createImage",
    "vnc_console": "os-getVNCConsole",
    "spice_console": "os-getSPICEConsole",
    "serial_console": "os-getSerialConsole",
}
# Identity extensions tempest looks for, and a collection each one serves.
IDENTITY_EXTENSIONS = {
    # Keystone lists inherited grants on a domain only (a project's are checked one by one).
    "OS-INHERIT": "/OS-INHERIT/domains/{domain_id}/users/{user_id}/roles/inherited_to_projects",
    "OS-TRUST": "/OS-TRUST/trusts",
    "OS-EP-FILTER": "/OS-EP-FILTER/endpoint_groups",
    "OS-OAUTH1": "/OS-OAUTH1/consumers",
    "OS-REVOKE": "/OS-REVOKE/events",
    "OS-EC2": "/users/{user_id}/credentials/OS-EC2",
}


class ProbeError(Exception):
    """The cloud could not be described; the message says which request failed."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class Answer:
    status: int
    body: Any
    headers: dict[str, str]


@dataclasses.dataclass(frozen=True, kw_only=True)
class CloudFacts:
    region: str
    services: frozenset[str]
    compute_min: str
    compute_max: str
    image_ref: str
    image_ref_alt: str
    flavor_ref: str
    flavor_ref_alt: str
    # tempest flag name -> offered, for every flag of ACTION_FLAGS and the probed ones below
    compute_features: dict[str, bool]
    identity_extensions: tuple[str, ...]
    security_compliance: bool
    image_import: bool
    glance_reserved_namespace: bool
    image_format_enforcement: bool
    image_secure_hash: bool
    # Compute hosts up and enabled: tempest's multi-node tests need two.
    compute_nodes: int
    # The network service's extension aliases; empty without a network service.
    network_extensions: tuple[str, ...] = ()
    # The external network routers take their gateways on, and the shared network servers
    # boot on, as devstack names them (`public`, `private`); None when there is none.
    public_network_id: str | None = None
    shared_network_name: str | None = None


class _Client:
    def __init__(self, token: str) -> None:
        self.token = token
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def call(self, method: str, url: str, body: Any = None) -> Answer:
        data = None if body is None else json.dumps(body).encode()
        return _call(self._opener, method, url, data, {"X-Auth-Token": self.token})

    def call_raw(self, method: str, url: str, data: bytes) -> Answer:
        headers = {"X-Auth-Token": self.token, "Content-Type": "application/octet-stream"}
        return _call(self._opener, method, url, data, headers)


def _call(
    opener: urllib.request.OpenerDirector,
    method: str,
    url: str,
    data: bytes | None,
    headers: dict[str, str],
) -> Answer:
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Accept", "application/json")
    if data is not None and "Content-Type" not in headers:
        request.add_header("Content-Type", "application/json")
    for name, value in headers.items():
        request.add_header(name, value)
    try:
        with opener.open(request, timeout=30) as response:
            status, raw, got = response.status, response.read(), response.headers
    except urllib.error.HTTPError as exc:
        status, raw, got = exc.code, exc.read(), exc.headers
    except (urllib.error.URLError, OSError) as exc:
        raise ProbeError(f"{method} {url}: {exc}") from exc
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = raw.decode(errors="replace")
    return Answer(status=int(status), body=parsed, headers={k.lower(): v for k, v in got.items()})


def openapi(base_url: str) -> Any:
    """The cloud's OpenAPI document (pocketstack serves one at its root)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    return _expect(_call(opener, "GET", f"{base_url}/openapi.json", None, {}), "openapi", 200)


def _expect(answer: Answer, what: str, *statuses: int) -> Any:
    if answer.status not in statuses:
        raise ProbeError(f"{what}: HTTP {answer.status}: {str(answer.body)[:300]}")
    return answer.body


def login(identity_v3: str, *, username: str, password: str, project: str) -> tuple[str, Any]:
    """A project-scoped admin token and its body."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    domain = {"id": "default"}
    auth = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": username, "domain": domain, "password": password}},
            },
            "scope": {"project": {"name": project, "domain": domain}},
        }
    }
    answer = _call(opener, "POST", f"{identity_v3}/auth/tokens", json.dumps(auth).encode(), {})
    body = _expect(answer, "admin login", 201)
    return answer.headers["x-subject-token"], body["token"]


def _public(catalog: list[dict[str, Any]], kind: str) -> tuple[str, str] | None:
    for service in catalog:
        if service["type"] == kind:
            for endpoint in service["endpoints"]:
                if endpoint["interface"] == "public":
                    return endpoint["url"].rstrip("/"), endpoint["region_id"] or endpoint["region"]
    return None


def describe(identity_v3: str, *, username: str, password: str, project: str) -> CloudFacts:
    token, body = login(identity_v3, username=username, password=password, project=project)
    client = _Client(token)
    catalog = body.get("catalog", [])
    compute = _public(catalog, "compute")
    image = _public(catalog, "image")
    if compute is None or image is None:
        raise ProbeError("the catalog has no public compute or image endpoint")
    compute_url, region = compute
    image_url = image[0]
    version = _expect(client.call("GET", compute_url + "/"), "compute version", 200)["version"]
    flavors = _expect(client.call("GET", f"{compute_url}/flavors/detail"), "flavors", 200)
    by_size = sorted(flavors["flavors"], key=lambda f: (f["ram"], f["vcpus"], f["disk"], f["id"]))
    images = _expect(client.call("GET", f"{image_url}/v2/images?status=active"), "images", 200)
    image_ids = [i["id"] for i in images["images"]]
    if len(by_size) < 1 or not image_ids:
        raise ProbeError("tempest needs at least one flavor and one active image")
    features = {flag: _knows_action(client, compute_url, action)
                for flag, action in ACTION_FLAGS.items()}
    features.update(_server_features(client, compute_url, image_ids[0], by_size[0]["id"]))
    user_id, project_id = body["user"]["id"], body["project"]["id"]
    user_domain_id = body["user"]["domain"]["id"]
    extensions = tuple(
        name
        for name, path in IDENTITY_EXTENSIONS.items()
        if client.call(
            "GET",
            identity_v3
            + path.format(project_id=project_id, user_id=user_id, domain_id=user_domain_id),
        ).status == 200
    )
    default_domain = body["user"]["domain"]["id"]
    compliance = client.call(
        "GET", f"{identity_v3}/domains/{default_domain}/config/security_compliance"
    )
    return CloudFacts(
        region=region,
        services=frozenset(service["type"] for service in catalog),
        compute_min=version["min_version"] or "2.1",
        compute_max=version["version"] or "2.1",
        image_ref=image_ids[0],
        image_ref_alt=image_ids[1] if len(image_ids) > 1 else image_ids[0],
        flavor_ref=by_size[0]["id"],
        flavor_ref_alt=(by_size[1] if len(by_size) > 1 else by_size[0])["id"],
        compute_features=features,
        identity_extensions=extensions,
        security_compliance=compliance.status == 200,
        image_import=client.call("GET", f"{image_url}/v2/info/import").status == 200,
        glance_reserved_namespace=_reserves_os_glance(client, image_url),
        compute_nodes=_compute_nodes(client, compute_url),
        network_extensions=_network_extensions(client, _public(catalog, "network")),
        **_networks(client, _public(catalog, "network")),
        **_upload_features(client, image_url),
    )


def _network_extensions(client: _Client, network: tuple[str, str] | None) -> tuple[str, ...]:
    if network is None:
        return ()
    listed = _expect(client.call("GET", f"{network[0]}/v2.0/extensions"), "extensions", 200)
    return tuple(sorted(e["alias"] for e in listed["extensions"]))


def _networks(client: _Client, network: tuple[str, str] | None) -> dict[str, str | None]:
    if network is None:
        return {"public_network_id": None, "shared_network_name": None}
    listed = _expect(client.call("GET", f"{network[0]}/v2.0/networks"), "networks", 200)
    external = [n for n in listed["networks"] if n.get("router:external")]
    shared = [n for n in listed["networks"] if n.get("shared") and not n.get("router:external")]
    return {
        "public_network_id": external[0]["id"] if external else None,
        "shared_network_name": shared[0]["name"] if shared else None,
    }


def _compute_nodes(client: _Client, compute_url: str) -> int:
    listed = _expect(client.call("GET", f"{compute_url}/os-hypervisors"), "hypervisors", 200)
    return sum(1 for h in listed["hypervisors"] if h["state"] == "up" and h["status"] == "enabled")


def _knows_action(client: _Client, compute_url: str, action: str) -> bool:
    answer = client.call("POST", f"{compute_url}/servers/{uuid.uuid4()}/action", {action: None})
    if answer.status == 404:
        return True
    if answer.status == 400:
        # Nova's word for an action it does not have; any other 400 is the action refusing
        # its null argument (createImage wants an object), so it is there.
        message = str((answer.body or {}).get("badRequest", {}).get("message", ""))
        return not message.startswith("There is no such action")
    raise ProbeError(f"action {action} on a missing server: HTTP {answer.status}: {answer.body}")


def _server_features(
    client: _Client, compute_url: str, image_ref: str, flavor_ref: str
) -> dict[str, bool]:
    """Create a server (microversion 2.1: no networks needed), read what it says, delete it."""
    request = {
        "server": {
            "name": "tempest-conf-probe",
            "imageRef": image_ref,
            "flavorRef": flavor_ref,
            "OS-DCF:diskConfig": "MANUAL",
        }
    }
    created = client.call("POST", f"{compute_url}/servers", request)
    server = _expect(created, "server create", 202)["server"]
    try:
        interfaces = client.call("GET", f"{compute_url}/servers/{server['id']}/os-interface")
        return {
            "enable_instance_password": bool(server.get("adminPass")),
            "disk_config": server.get("OS-DCF:diskConfig") == "MANUAL",
            "interface_attach": interfaces.status == 200,
        }
    finally:
        _expect(client.call("DELETE", f"{compute_url}/servers/{server['id']}"), "delete", 204)


def _reserves_os_glance(client: _Client, image_url: str) -> bool:
    """Glance refuses image properties in the os_glance namespace with 403."""
    answer = client.call(
        "POST", f"{image_url}/v2/images", {"name": "tempest-conf-probe", "os_glance_probe": "x"}
    )
    if answer.status == 201:
        _expect(client.call("DELETE", f"{image_url}/v2/images/{answer.body['id']}"), "delete", 204)
        return False
    return answer.status == 403


def _upload_features(client: _Client, image_url: str) -> dict[str, bool]:
    """Upload data that is not the qcow2 it claims to be: Glance with format enforcement
    refuses it; one that takes it computes the secure hash (os_hash_value) on the way."""
    created = client.call(
        "POST", f"{image_url}/v2/images",
        {"name": "tempest-conf-probe", "disk_format": "qcow2", "container_format": "bare"},
    )
    image = _expect(created, "image create", 201)
    try:
        upload = client.call_raw(
            "PUT", f"{image_url}/v2/images/{image['id']}/file", b"not a qcow2 image"
        )
        stored = client.call("GET", f"{image_url}/v2/images/{image['id']}").body or {}
        return {
            "image_format_enforcement": upload.status in (400, 415, 422),
            "image_secure_hash": upload.status == 204 and bool(stored.get("os_hash_value")),
        }
    finally:
        _expect(client.call("DELETE", f"{image_url}/v2/images/{image['id']}"), "delete", 204)
