"""Seeded fuzzing: every input class that has made the cloud answer 5xx, in every place it fits.

Schemathesis draws from the OpenAPI description, whose bodies are mostly opaque objects: it
rarely reaches a field, and never with these values on purpose. Here each operation gets a
valid request first (real ids in the path, a valid body), then one location at a time (a path
parameter, a query parameter, the microversion header, a leaf of the body) is given a value of
each class below. Every answer must pass the same checks as schemathesis' own cases: no 5xx,
documented status and content type, and headers a real server can send (Latin-1).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import schemathesis

from tests.reliability.conftest import InProcessCloud

# Values that fit in a URL (a path segment or a query parameter): text only, no '/' or '?'.
URL_CLASSES: dict[str, tuple[str, ...]] = {
    "unicode digits": ("\u00b2", "\u2460", "\u0663\u0663"),
    "NUL": ("a\x00b", "\x00"),
    "over-long": ("x" * 300, "y" * 9_000),
    "out-of-range dates": ("0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"),
    "huge integers": ("9" * 5_000, "2147483648"),
    "non-ASCII": ("\u2603", "\U0001f680", "caf\u00e9"),
}
# Values for a JSON body's fields: the URL ones, and what only JSON can carry.
JSON_CLASSES: dict[str, tuple[Any, ...]] = {
    **URL_CLASSES,
    # 70,000 ASCII characters pass the body limit and exceed what a TEXT column holds.
    "over-long": ("x" * 300, "y" * 70_000, "\u00e9" * 256),
    "lone surrogates": ("\ud800", "a\udfffb"),
    "huge integers": (2**70, -(2**70), 2**31, "9" * 5_000),
    "wrong JSON types": ({}, [], True, None, 1.5, ""),
    "booleans as strings": ("false", "True"),
}
MICROVERSIONS = ("compute 2." + "1" * 5_000, "compute " + "9" * 5_000 + ".1", "compute 2.\u00b2")


@dataclasses.dataclass(frozen=True)
class SeedIds:
    """Resources made for the seeded pass, so that what it changes or deletes is its own."""

    values: dict[str, str]

    def fill(self, template: Any) -> Any:
        if isinstance(template, str):
            return template.format_map(self.values)
        if isinstance(template, dict):
            return {self.fill(k): self.fill(v) for k, v in template.items()}
        if isinstance(template, list):
            return [self.fill(v) for v in template]
        return template


def _ok(result: Any, *statuses: int) -> Any:
    assert result.status_code in statuses, (result.status_code, result.text[:500])
    return result.json if result.text else None


def make_seeds(cloud: InProcessCloud) -> SeedIds:
    admin = cloud.admin_token
    suffix = uuid.uuid4().hex[:8]

    def post(path: str, body: Any, token: str = admin) -> Any:
        return _ok(cloud.request("POST", path, token=token, body=body), 200, 201, 202)

    image = post("/image/v2/images", {"name": f"seed-{suffix}"}, cloud.member_token)["id"]
    flavor_body = {"name": f"seed-{suffix}", "ram": 64, "vcpus": 1, "disk": 0}
    flavor = post("/compute/v2.1/flavors", {"flavor": flavor_body})["flavor"]["id"]
    server_body = {"name": f"seed-{suffix}", "imageRef": cloud.image_id, "flavorRef": "1",
                   "networks": "none", "metadata": {"seed-key": "v"}}  # fmt: skip
    server = post("/compute/v2.1/servers", {"server": server_body}, cloud.member_token)
    server = server["server"]["id"]
    tagged = cloud.request("PUT", f"/compute/v2.1/servers/{server}/tags/seed-tag",
                           headers={"OpenStack-API-Version": "compute 2.26"})  # fmt: skip
    _ok(tagged, 201, 409)  # 409 while the server is still building: the tag is optional
    domain = post("/identity/v3/domains", {"domain": {"name": f"seed-{suffix}"}})["domain"]["id"]
    project_body = {"name": f"seed-{suffix}", "domain_id": "default"}
    project = post("/identity/v3/projects", {"project": project_body})["project"]["id"]
    password = f"pw-{suffix}"
    user_body = {"name": f"seed-{suffix}", "password": password, "default_project_id": project}
    user = post("/identity/v3/users", {"user": user_body})["user"]["id"]
    role = post("/identity/v3/roles", {"role": {"name": f"seed-{suffix}"}})["role"]["id"]
    member_role = cloud.request("GET", "/identity/v3/roles", token=admin,
                                query_string="name=member").json["roles"][0]["id"]  # fmt: skip
    _ok(cloud.request("PUT", f"/identity/v3/projects/{project}/users/{user}/roles/{member_role}",
                      token=admin), 204)  # fmt: skip
    region = post("/identity/v3/regions", {"region": {"id": f"seed-{suffix}"}})["region"]["id"]
    service = post("/identity/v3/services", {"service": {"type": f"seed-{suffix}"}})["service"]
    endpoint = post("/identity/v3/endpoints", {"endpoint": {
        "interface": "public", "url": "http://seed.test", "service_id": service["id"],
        "region_id": region}})["endpoint"]["id"]  # fmt: skip
    token = cloud.deps.tokens.issue(
        user_id=user, methods=["password"], project_id=project, roles=("member",)
    ).token_id
    return SeedIds({
        "server_id": server, "tag": "seed-tag", "key": "seed-key", "flavor_id": flavor,
        "image_id": image, "fixture_image": cloud.image_id, "domain_id": domain,
        "project_id": project, "user_id": user, "user_name": f"seed-{suffix}",
        "password": password, "role_id": role, "region_id": region,
        "service_id": service["id"], "endpoint_id": endpoint, "token_id": token,
        "suffix": suffix,
    })  # fmt: skip


_SERVER = "/compute/v2.1/servers/{server_id}"
_AUTH = {"identity": {"methods": ["password"], "password": {"user": {
    "name": "{user_name}", "domain": {"id": "default"}, "password": "{password}"}}},
    "scope": {"project": {"id": "{project_id}"}}}  # fmt: skip
# A valid body for each operation that takes one (paths without the {project_id} forms).
BODIES: dict[tuple[str, str], list[Any]] = {
    ("POST", "/compute/v2.1/servers"): [{
        "server": {"name": "s-{suffix}", "imageRef": "{fixture_image}", "flavorRef": "1",
                   "networks": "none", "metadata": {"k": "v"}, "tags": ["t"], "description": "d",
                   "hostname": "seed-host", "key_name": "k", "availability_zone": "nova",
                   "min_count": 1, "max_count": 1, "user_data": "aGk=", "adminPass": "secret",
                   "accessIPv4": "10.0.0.1", "config_drive": False, "OS-DCF:diskConfig": "AUTO",
                   "return_reservation_id": False, "security_groups": [{"name": "default"}]},
        "os:scheduler_hints": {"hint": "v"}}],
    ("PUT", _SERVER): [{"server": {"name": "s", "description": "d", "hostname": "seed-host",
                                   "accessIPv4": "10.0.0.1", "OS-DCF:diskConfig": "AUTO"}}],
    ("POST", _SERVER + "/action"): [{"lock": {"locked_reason": "r"}}, {"reboot": {"type": "SOFT"}},
                                    {"unlock": None}],
    ("PUT", _SERVER + "/tags"): [{"tags": ["a", "b"]}],
    ("POST", _SERVER + "/metadata"): [{"metadata": {"a": "1"}}],
    ("PUT", _SERVER + "/metadata"): [{"metadata": {"seed-key": "v", "a": "1"}}],
    ("PUT", _SERVER + "/metadata/{key}"): [{"meta": {"seed-key": "v"}}],
    ("POST", "/compute/v2.1/flavors"): [{"flavor": {
        "name": "f-{suffix}", "id": "f-{suffix}", "ram": 64, "vcpus": 1, "disk": 0,
        "OS-FLV-EXT-DATA:ephemeral": 0, "swap": 0, "rxtx_factor": 1.0,
        "os-flavor-access:is_public": True, "description": "d"}}],
    ("POST", "/image/v2/images"): [{
        "name": "i", "container_format": "bare", "disk_format": "raw", "min_disk": 0,
        "min_ram": 0, "protected": False, "os_hidden": False, "visibility": "private",
        "tags": ["t"], "os_distro": "x"}],
    ("POST", "/identity/v3/auth/tokens"): [{"auth": _AUTH}],
    ("POST", "/identity/v2.0/tokens"): [{"auth": {"passwordCredentials": {
        "username": "{user_name}", "password": "{password}"}, "tenantId": "{project_id}"}}],
    ("POST", "/identity/v3/users"): [{"user": {
        "name": "u-{suffix}", "password": "pw", "email": "e@example.test", "description": "d",
        "domain_id": "default", "enabled": True, "default_project_id": "{project_id}"}}],
    ("PATCH", "/identity/v3/users/{user_id}"): [{"user": {
        "name": "{user_name}", "email": "e@example.test", "description": "d", "enabled": True}}],
    ("POST", "/identity/v3/projects"): [{"project": {
        "name": "p-{suffix}", "description": "d", "domain_id": "default", "enabled": True}}],
    ("PATCH", "/identity/v3/projects/{project_id}"): [{"project": {
        "name": "p2-{suffix}", "description": "d", "enabled": True}}],
    ("POST", "/identity/v3/domains"): [{"domain": {
        "name": "d-{suffix}", "description": "d", "enabled": True}}],
    ("PATCH", "/identity/v3/domains/{domain_id}"): [{"domain": {
        "name": "d2-{suffix}", "description": "d", "enabled": True}}],
    ("POST", "/identity/v3/roles"): [{"role": {"name": "r-{suffix}", "description": "d"}}],
    ("POST", "/identity/v3/services"): [{"service": {
        "type": "t-{suffix}", "name": "n", "description": "d", "enabled": True}}],
    ("POST", "/identity/v3/endpoints"): [{"endpoint": {
        "interface": "public", "url": "http://seed.test", "service_id": "{service_id}",
        "region_id": "{region_id}", "enabled": True}}],
    ("POST", "/identity/v3/regions"): [{"region": {
        "id": "r-{suffix}", "description": "d", "parent_region_id": "{region_id}"}}],
}  # fmt: skip


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path to every leaf of a JSON document, containers included as leaves themselves."""
    if path:
        yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))


def _replaced(document: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(document, dict):
        return {k: _replaced(v, rest, new) if k == head else v for k, v in document.items()}
    return [_replaced(v, rest, new) if i == head else v for i, v in enumerate(document)]


def _pick(values: tuple[Any, ...], turn: int, every: bool) -> tuple[Any, ...]:
    """All values of a class in the long run; in CI one, a different one at each location."""
    return values if every else (values[turn % len(values)],)


@dataclasses.dataclass(frozen=True)
class Seeded:
    label: str
    case: Any


def seeded_cases(operation: Any, seeds: SeedIds, *, every: bool) -> Iterator[Seeded]:
    method, path = operation.method.upper(), operation.path
    base_path = {p.name: seeds.values.get(p.name, "seed") for p in operation.path_parameters}
    headers = {}
    if path.startswith("/compute/v2.1"):
        headers["OpenStack-API-Version"] = "compute 2.90"
    bodies = [seeds.fill(b) for b in BODIES.get((method, path), [None])]
    turn = 0

    def case(what: str, value: Any, **changes: Any) -> Seeded:
        fields: dict[str, Any] = {"path_parameters": dict(base_path), "headers": dict(headers),
                                  "query": {}}  # fmt: skip
        if bodies[0] is not None:
            fields["body"] = bodies[0]
            fields["media_type"] = "application/json"
        fields.update(changes)
        shown = repr(value)
        label = f"{method} {path} {what}={shown if len(shown) < 40 else shown[:37] + '...'}"
        return Seeded(label, operation.Case(**fields))

    for param in operation.path_parameters:
        for name, values in URL_CLASSES.items():
            for value in _pick(values, turn, every):
                yield case(f"path {param.name} ({name})", value,
                           path_parameters={**base_path, param.name: value})  # fmt: skip
            turn += 1
    for param in operation.query:
        for name, values in URL_CLASSES.items():
            for value in _pick(values, turn, every):
                yield case(f"query {param.name} ({name})", value, query={param.name: value})
            turn += 1
    if headers:
        for value in MICROVERSIONS:
            yield case("microversion", value, headers={**headers, "OpenStack-API-Version": value})
    for body in bodies:
        if body is None:
            continue
        for leaf in _leaves(body):
            for name, values in JSON_CLASSES.items():
                for value in _pick(values, turn, every):
                    yield case(f"body {'/'.join(map(str, leaf))} ({name})", value,
                               body=_replaced(body, leaf, value))  # fmt: skip
                turn += 1


def ascii_headers(response: Any) -> None:
    """Headers a real server sends intact: gunicorn refused a non-Latin-1 one with a 500 (after
    the tag in it was stored), and clients read any non-ASCII byte as Latin-1."""
    for name, values in response.headers.items():
        for value in values if isinstance(values, list) else [values]:
            assert value.isascii(), f"header {name} is not ASCII: {value!r}"


def operations(document: dict[str, Any], include: Callable[[str], bool]) -> list[Any]:
    """The operations the seeded pass covers: those `include` accepts, but not the {project_id}
    forms of compute (the same resources as /v2.1's) or the bare /v2 API."""
    schema = schemathesis.openapi.from_dict(document)
    found = []
    for result in schema.get_all_operations():
        operation = result.ok()
        path = operation.path
        if "{project_id}/" in path and path.startswith("/compute"):
            continue
        if include(path):
            found.append(operation)
    # Deletes last: what they remove is then no longer needed by the others.
    return sorted(found, key=lambda op: op.method.upper() == "DELETE")
