"""Each input that made the cloud answer 5xx: now a 4xx with a JSON body, on every database, and
nothing stored. (The fuzzer, test_fuzz.py, sends the same classes everywhere; these are the cases
as they were found.)"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.reliability.conftest import InProcessCloud
from tests.reliability.test_malformed import keystone_error, nova_fault, snapshot

SERVERS = "/compute/v2.1/servers"
IMAGES = "/image/v2/images"


@pytest.fixture
def cloud(inprocess_cloud_any_db: InProcessCloud) -> Iterator[InProcessCloud]:
    """The in-process cloud on each backend; whatever a test sends, what is listed is unchanged."""
    before = snapshot(inprocess_cloud_any_db)
    yield inprocess_cloud_any_db
    assert snapshot(inprocess_cloud_any_db) == before


def glance_error(result: Any, status: int) -> str:
    """Glance's (webob's) JSON error: {"message", "code": "400 Bad Request", "title"}."""
    assert result.status_code == status, (result.status_code, result.text)
    assert result.headers["content-type"].startswith("application/json"), result.headers
    body = result.json
    assert body["code"].startswith(f"{status} "), body
    assert body["title"], body
    message: str = body["message"]
    return message


def server_body(cloud: InProcessCloud, **fields: Any) -> dict[str, Any]:
    return {"server": {"name": "x", "imageRef": cloud.image_id, "flavorRef": "1",
                       "networks": "none", **fields}}  # fmt: skip


@pytest.mark.parametrize(
    ("path", "query"),
    [(SERVERS, "limit=%C2%B2"), (f"{SERVERS}/detail", "limit=%E2%91%A0"),
     ("/compute/v2.1/flavors", "minRam=%E2%91%A0"), ("/compute/v2.1/flavors", "minDisk=%C2%B2"),
     ("/compute/v2.1/flavors", "limit=%C2%B2")],
)  # fmt: skip
def test_unicode_digits_in_query_integers(cloud: InProcessCloud, path: str, query: str) -> None:
    nova_fault(cloud.request("GET", path, query_string=query), 400)


def test_unicode_digits_in_image_limit(cloud: InProcessCloud) -> None:
    glance_error(cloud.request("GET", IMAGES, query_string="limit=%C2%B2"), 400)


def test_thousands_of_digits_are_a_limit_not_a_crash(cloud: InProcessCloud) -> None:
    huge = "limit=" + "9" * 5_000
    for path in (SERVERS, "/compute/v2.1/flavors", IMAGES):
        assert cloud.request("GET", path, query_string=huge).status_code == 200
    # As Nova, which reads minRam with int(): a number beyond every flavor filters all out, and
    # one past Python's 4,300 digits is its "Invalid minRam filter" 400, never a 500.
    assert cloud.request("GET", "/compute/v2.1/flavors", query_string="minRam=" + "9" * 40
                         ).json == {"flavors": []}  # fmt: skip
    refused = cloud.request("GET", "/compute/v2.1/flavors", query_string="minRam=" + "9" * 5_000)
    assert nova_fault(refused, 400).startswith("Invalid minRam filter [")


def test_unicode_digits_in_body_integers(cloud: InProcessCloud) -> None:
    nova_fault(cloud.request("POST", SERVERS, body=server_body(cloud, max_count="\u00b2")), 400)
    nova_fault(cloud.request("POST", SERVERS, body=server_body(cloud, min_count="\u2460")), 400)
    flavor = {"flavor": {"name": "digits", "ram": "\u00b2", "vcpus": 1, "disk": 1}}
    nova_fault(cloud.request("POST", "/compute/v2.1/flavors", token=cloud.admin_token,
                             body=flavor), 400)  # fmt: skip
    flavor = {"flavor": {"name": "huge", "ram": 2**70, "vcpus": 1, "disk": 1}}
    nova_fault(cloud.request("POST", "/compute/v2.1/flavors", token=cloud.admin_token,
                             body=flavor), 400)  # fmt: skip


@pytest.mark.parametrize(
    "query",
    ["changes-since=0001-01-01T00:00:00%2B05:00", "changes-before=9999-12-31T23:59:59-05:00",
     "changes-since=9999-12-31T23:59:59-05:00"],
)  # fmt: skip
def test_dates_out_of_range(cloud: InProcessCloud, query: str) -> None:
    version = {"OpenStack-API-Version": "compute 2.66"}
    result = cloud.request("GET", SERVERS, query_string=query, headers=version)
    assert "out of the range" in nova_fault(result, 400)
    # The first and last instants in UTC are compared, on every backend.
    for edge in ("changes-since=0001-01-01T00:00:00Z", "changes-before=9999-12-31T23:59:59Z"):
        listed = cloud.request("GET", SERVERS, query_string=edge, headers=version)
        assert listed.status_code == 200, listed.text


@pytest.mark.parametrize("token", ["", "not-a-token", "member"])
def test_microversion_of_5000_digits(cloud: InProcessCloud, token: str) -> None:
    sent = cloud.member_token if token == "member" else token
    for version in ("compute 2." + "1" * 5_000, "compute " + "1" * 5_000 + ".1"):
        result = cloud.request("GET", SERVERS, token=sent,
                               headers={"OpenStack-API-Version": version})  # fmt: skip
        if token == "member":
            nova_fault(result, 406, "computeFault")
        else:
            assert result.status_code == 401, result.text
            assert result.json["error"]["code"] == 401


SURROGATE = "\\ud800"
# Every compute and image string field a client can set, with a lone surrogate in it.
SURROGATE_BODIES = [
    ("POST", SERVERS, '{"server": {"name": "%s", "imageRef": "IMG", "flavorRef": "1", '
                      '"networks": "none"}}'),
    *[("POST", SERVERS, '{"server": {"name": "ok", "imageRef": "IMG", "flavorRef": "1", '
                        '"networks": "none", "' + field + '": "%s"}}')
      for field in ("description", "key_name", "adminPass", "user_data", "accessIPv4",
                    "accessIPv6", "availability_zone", "hostname")],
    ("POST", SERVERS, '{"server": {"name": "ok", "imageRef": "IMG", "flavorRef": "1", '
                      '"networks": "none", "metadata": {"k": "%s"}}}'),
    ("POST", SERVERS, '{"server": {"name": "ok", "imageRef": "IMG", "flavorRef": "1", '
                      '"networks": "none", "metadata": {"%s": "v"}}}'),
    ("POST", SERVERS, '{"server": {"name": "ok", "imageRef": "IMG", "flavorRef": "1", '
                      '"networks": "none", "tags": ["%s"]}}'),
    ("POST", SERVERS, '{"server": {"name": "ok", "imageRef": "IMG", "flavorRef": "1", '
                      '"networks": "none"}, "os:scheduler_hints": {"a": "%s"}}'),
    ("PUT", f"{SERVERS}/SRV", '{"server": {"name": "%s"}}'),
    ("PUT", f"{SERVERS}/SRV", '{"server": {"description": "%s"}}'),
    ("PUT", f"{SERVERS}/SRV", '{"server": {"hostname": "%s"}}'),
    ("POST", f"{SERVERS}/SRV/metadata", '{"metadata": {"k": "%s"}}'),
    ("PUT", f"{SERVERS}/SRV/metadata", '{"metadata": {"k": "%s"}}'),
    ("PUT", f"{SERVERS}/SRV/metadata/k", '{"meta": {"k": "%s"}}'),
    ("PUT", f"{SERVERS}/SRV/tags", '{"tags": ["%s"]}'),
    ("POST", f"{SERVERS}/SRV/action", '{"lock": {"locked_reason": "%s"}}'),
    ("POST", "/compute/v2.1/flavors", '{"flavor": {"name": "%s", "ram": 1, "vcpus": 1, '
                                      '"disk": 1}}'),
    ("POST", "/compute/v2.1/flavors", '{"flavor": {"name": "f", "ram": 1, "vcpus": 1, '
                                      '"disk": 1, "description": "%s"}}'),
    ("POST", "/compute/v2.1/flavors", '{"flavor": {"name": "f", "ram": 1, "vcpus": 1, '
                                      '"disk": 1, "id": "%s"}}'),
    *[("POST", IMAGES, '{"' + field + '": "%s"}')
      for field in ("name", "container_format", "disk_format", "os_distro")],
    ("POST", IMAGES, '{"tags": ["%s"]}'),
    ("POST", IMAGES, '{"%s": "property"}'),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "template"), SURROGATE_BODIES)
def test_lone_surrogates_in_string_fields(
    cloud: InProcessCloud, method: str, path: str, template: str
) -> None:
    raw = (template % SURROGATE).replace("IMG", cloud.image_id).encode()
    path = path.replace("SRV", cloud.server_ids[0])
    headers = {"OpenStack-API-Version": "compute 2.90"}
    token = cloud.admin_token if "flavors" in path else None
    result = cloud.request(method, path, raw=raw, token=token, headers=headers)
    if path.startswith(IMAGES):
        glance_error(result, 400)
    else:
        nova_fault(result, 400)


@pytest.mark.parametrize(
    ("field", "value"),
    [("min_disk", "abc"), ("min_disk", {}), ("min_disk", 2**70), ("min_ram", 2**70),
     ("min_ram", -1), ("min_disk", 1.5), ("container_format", {}), ("disk_format", []),
     ("container_format", "x" * 100), ("name", {}), ("id", {}), ("visibility", []),
     ("protected", "false"), ("os_hidden", "true"), ("tags", "t"), ("tags", [{}]),
     ("os_distro", 5)],
)  # fmt: skip
def test_wrong_json_types_in_image_create(cloud: InProcessCloud, field: str, value: Any) -> None:
    message = glance_error(cloud.request("POST", IMAGES, body={field: value}), 400)
    assert message


def test_image_errors_are_plain_text_to_a_client_that_asks_for_text(cloud: InProcessCloud) -> None:
    result = cloud.request("POST", IMAGES, body={"min_disk": "abc"},
                           headers={"Accept": "text/plain"})  # fmt: skip
    assert result.status_code == 400
    assert result.headers["content-type"].startswith("text/plain")
    assert result.text.startswith("400 Bad Request")


@pytest.mark.parametrize(
    "path",
    [f"{SERVERS}/%00", f"{SERVERS}/a%00b", f"{SERVERS}/SRV/tags/a%00",
     f"{SERVERS}/SRV/metadata/a%00", "/compute/v2.1/flavors/%00", f"{IMAGES}/%00",
     "/identity/v3/users/%00", "/identity/v3/projects/%00", "/identity/v3/regions/%00",
     "/identity/v3/roles/%00"],
)  # fmt: skip
def test_nul_in_ids_is_404(cloud: InProcessCloud, path: str) -> None:
    path = path.replace("SRV", cloud.server_ids[0])
    for method in ("GET", "DELETE"):
        result = cloud.request(method, path, token=cloud.admin_token)
        if path.startswith("/identity"):
            keystone_error(result, 404)
        elif path.startswith(IMAGES):
            glance_error(result, 404)
        else:
            nova_fault(result, 404, "itemNotFound")


@pytest.mark.parametrize(
    "param",
    ["name", "ip", "flavor", "image", "status", "uuid", "host", "marker", "tags", "user_id",
     "hostname", "tenant_id", "changes-since", "sort_key"],
)  # fmt: skip
def test_nul_in_filters_is_400(cloud: InProcessCloud, param: str) -> None:
    query = f"all_tenants=1&{param}=a%00"
    nova_fault(cloud.request("GET", f"{SERVERS}/detail", token=cloud.admin_token,
                             query_string=query,
                             headers={"OpenStack-API-Version": "compute 2.90"}), 400)  # fmt: skip
    glance_error(cloud.request("GET", IMAGES, query_string=f"name=a%00&{param}=a%00"), 400)
    keystone_error(cloud.request("GET", "/identity/v3/users", token=cloud.admin_token,
                                 query_string=f"name=a%00&{param}=a%00"), 400)  # fmt: skip


def test_nul_in_bodies_is_400(cloud: InProcessCloud) -> None:
    server = cloud.server_ids[0]
    nova_fault(cloud.request("POST", f"{SERVERS}/{server}/metadata",
                             body={"metadata": {"k": "a\x00"}}), 400)  # fmt: skip
    nova_fault(cloud.request("PUT", f"{SERVERS}/{server}", body={"server": {"description": "\x00"}},
                             headers={"OpenStack-API-Version": "compute 2.19"}), 400)  # fmt: skip
    nova_fault(cloud.request("POST", SERVERS, body=server_body(cloud, key_name="k\x00")), 400)
    glance_error(cloud.request("POST", IMAGES, body={"name": "a\x00"}), 400)
    glance_error(cloud.request("POST", IMAGES, body={"os_distro": "a\x00"}), 400)


LONG = "h" * 100_000


@pytest.mark.parametrize(
    ("method", "path", "body", "version"),
    [("POST", SERVERS, {"hostname": LONG}, "2.90"),
     ("POST", SERVERS, {"description": LONG}, "2.19"),
     ("POST", SERVERS, {"key_name": "k" * 300}, "2.1"),
     ("POST", SERVERS, {"user_data": "\u00e9" * 40_000}, "2.1"),
     ("PUT", f"{SERVERS}/SRV", {"server": {"hostname": LONG}}, "2.90"),
     ("PUT", f"{SERVERS}/SRV", {"server": {"description": LONG}}, "2.19"),
     ("POST", f"{SERVERS}/SRV/action", {"lock": {"locked_reason": LONG}}, "2.73"),
     ("POST", "/compute/v2.1/flavors",
      {"flavor": {"name": "long", "ram": 1, "vcpus": 1, "disk": 1, "description": LONG}}, "2.55"),
     ("POST", "/compute/v2.1/flavors",
      {"flavor": {"name": "long", "ram": 1, "vcpus": 1, "disk": 1, "id": "i" * 300}}, "2.1")],
)  # fmt: skip
def test_strings_longer_than_their_column_in_compute(
    cloud: InProcessCloud, method: str, path: str, body: dict[str, Any], version: str
) -> None:
    if path == SERVERS:
        body = server_body(cloud, **body)
    token = cloud.admin_token if "flavors" in path else None
    # Sent as UTF-8, as most clients do: 40,000 'é' are 80,000 bytes, within the body limit.
    raw = json.dumps(body, ensure_ascii=False).encode()
    version = {"OpenStack-API-Version": f"compute {version}"}
    path = path.replace("SRV", cloud.server_ids[0])
    nova_fault(cloud.request(method, path, raw=raw, token=token, headers=version), 400)


@pytest.mark.parametrize(
    ("path", "body"),
    [("/identity/v3/regions", {"region": {"id": "r" * 300}}),
     ("/identity/v3/regions", {"region": {"description": LONG}}),
     ("/identity/v3/projects", {"project": {"name": "long", "description": LONG}}),
     ("/identity/v3/users", {"user": {"name": "long", "description": LONG}}),
     ("/identity/v3/users", {"user": {"name": "long", "email": "e" * 300}}),
     ("/identity/v3/domains", {"domain": {"name": "long", "description": LONG}}),
     ("/identity/v3/roles", {"role": {"name": "long", "description": LONG}}),
     ("/identity/v3/services", {"service": {"type": "long", "description": LONG}})],
)  # fmt: skip
def test_strings_longer_than_their_column_in_identity(
    cloud: InProcessCloud, path: str, body: dict[str, Any]
) -> None:
    keystone_error(cloud.request("POST", path, token=cloud.admin_token, body=body), 400)
    listed = cloud.request("GET", "/identity/v3/regions", token=cloud.admin_token).json
    assert all(len(r["id"]) < 300 for r in listed["regions"])


def test_images_with_too_much_to_store(cloud: InProcessCloud) -> None:
    utf8 = json.dumps({"os_distro": "\u00e9" * 40_000}, ensure_ascii=False).encode()
    glance_error(cloud.request("POST", IMAGES, raw=utf8), 400)
    glance_error(cloud.request("POST", IMAGES, body={"os_distro": "y" * 70_000}), 400)
    glance_error(cloud.request("POST", IMAGES, body={"k" * 256: "v"}), 400)
    glance_error(cloud.request("POST", IMAGES, body={"tags": ["t" * 256]}), 400)
    glance_error(cloud.request("POST", IMAGES, body={"tags": [f"t{i}" for i in range(129)]}), 413)
    many = {f"p{i}": "v" for i in range(129)}
    glance_error(cloud.request("POST", IMAGES, body=many), 413)
