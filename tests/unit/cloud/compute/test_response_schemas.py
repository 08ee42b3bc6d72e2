"""The server and flavor views' schemas are declared by microversion band: every band's real
answer passes its declaration, and an answer missing a field that band must show (or showing
one it must not) is caught by the same check the test clouds run on every response."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from pocketstack.cloud.api.operation import Microversion
from pocketstack.cloud.api.responses import ResponseCheck
from pocketstack.cloud.api.shapes import COMMON_SCHEMAS
from pocketstack.cloud.compute.api import SERVICE
from tests.unit.cloud.compute.helpers import Compute

CHECK = ResponseCheck({**COMMON_SCHEMAS, **SERVICE.schemas})
BANDS = ("2.1", "2.3", "2.9", "2.16", "2.19", "2.26", "2.47", "2.63", "2.71", "2.73", "2.75",
         "2.90", "2.96", "2.98", "2.100")  # fmt: skip


def _version(text: str) -> Microversion:
    major, minor = text.split(".")
    return int(major), int(minor)


def _problem(method: str, path: str, version: str, body: Any) -> str | None:
    op = SERVICE.find(method, path)
    assert op is not None
    return CHECK.problem(op, _version(version), 200, json.dumps(body).encode())


@pytest.fixture
def server(compute: Compute) -> str:
    return compute.boot(compute.alice_h, description="first")


@pytest.mark.parametrize("version", BANDS)
@pytest.mark.parametrize("headers", ["alice_h", "admin"])
def test_every_band_answers_as_declared(
    compute: Compute, server: str, version: str, headers: str
) -> None:
    """The app checks each answer itself: a disagreement would be a 500 here."""
    h = getattr(compute, headers)
    query = "all_tenants=1" if headers == "admin" else None
    detail = compute.get("/v2.1/servers/detail", headers=h, version=version, query=query)
    assert detail.status_code == 200, detail.text
    assert server in [s["id"] for s in detail.json["servers"]]
    shown = compute.get(f"/v2.1/servers/{server}", headers=h, version=version)
    assert shown.status_code == 200, shown.text
    put = compute.call("PUT", f"/v2.1/servers/{server}", headers=h, version=version,
                       body={"server": {"name": "renamed"}})  # fmt: skip
    assert put.status_code == 200, put.text
    flavors = compute.get("/v2.1/flavors/detail", headers=h, version=version)
    assert flavors.status_code == 200, flavors.text


# (microversion, field): from that microversion the field is always shown.
REQUIRED = [
    ("2.9", "locked"),
    ("2.19", "description"),
    ("2.26", "tags"),
    ("2.63", "trusted_image_certificates"),
    ("2.73", "locked_reason"),
    ("2.90", "OS-EXT-SRV-ATTR:hostname"),
    ("2.96", "pinned_availability_zone"),
    ("2.100", "scheduler_hints"),
]


def _before(version: str) -> str:
    major, minor = _version(version)
    return f"{major}.{minor - 1}"


@pytest.mark.parametrize(("version", "field"), REQUIRED)
def test_a_field_missing_at_its_microversion_is_caught(
    compute: Compute, server: str, version: str, field: str
) -> None:
    shown = compute.get(f"/v2.1/servers/{server}", headers=compute.alice_h, version=version)
    assert shown.status_code == 200, shown.text
    body = shown.json
    assert _problem("GET", "/servers/{server_id}", version, body) is None
    detail = {"servers": [copy.deepcopy(body["server"])]}
    del body["server"][field]
    del detail["servers"][0][field]
    assert field in str(_problem("GET", "/servers/{server_id}", version, body))
    assert field in str(_problem("GET", "/servers/detail", version, detail))


@pytest.mark.parametrize(("version", "field"), REQUIRED)
def test_a_field_shown_before_its_microversion_is_caught(
    compute: Compute, server: str, version: str, field: str
) -> None:
    earlier = _before(version)
    shown = compute.get(f"/v2.1/servers/{server}", headers=compute.alice_h, version=earlier)
    assert shown.status_code == 200, shown.text
    body = shown.json
    assert field not in body["server"]
    body["server"][field] = None
    assert field in str(_problem("GET", "/servers/{server_id}", earlier, body))


def test_server_groups_only_in_show_and_update_from_2_71(compute: Compute, server: str) -> None:
    shown = compute.get(f"/v2.1/servers/{server}", headers=compute.alice_h, version="2.71").json
    assert shown["server"]["server_groups"] == []
    del shown["server"]["server_groups"]
    assert "server_groups" in str(_problem("GET", "/servers/{server_id}", "2.71", shown))
    detail = compute.get("/v2.1/servers/detail", headers=compute.alice_h, version="2.71").json
    assert "server_groups" not in detail["servers"][0]
    detail["servers"][0]["server_groups"] = []
    assert "server_groups" in str(_problem("GET", "/servers/detail", "2.71", detail))


def test_the_embedded_flavor_replaces_the_reference_at_2_47(compute: Compute, server: str) -> None:
    old = compute.get(f"/v2.1/servers/{server}", headers=compute.alice_h, version="2.46").json
    new = compute.get(f"/v2.1/servers/{server}", headers=compute.alice_h, version="2.47").json
    assert set(old["server"]["flavor"]) == {"id", "links"}
    assert new["server"]["flavor"]["original_name"] == "m1.tiny"
    swapped = copy.deepcopy(new)
    swapped["server"]["flavor"] = old["server"]["flavor"]
    assert "flavor" in str(_problem("GET", "/servers/{server_id}", "2.47", swapped))
    del new["server"]["flavor"]["vcpus"]
    assert "vcpus" in str(_problem("GET", "/servers/{server_id}", "2.47", new))


def test_the_update_view_is_reduced_until_2_75(compute: Compute, server: str) -> None:
    body = {"server": {"name": "renamed"}}
    reduced = compute.call("PUT", f"/v2.1/servers/{server}", headers=compute.alice_h,
                           version="2.74", body=body)  # fmt: skip
    full = compute.call("PUT", f"/v2.1/servers/{server}", headers=compute.alice_h,
                        version="2.75", body=body)  # fmt: skip
    assert "OS-EXT-STS:vm_state" not in reduced.json["server"]
    leaked = reduced.json
    leaked["server"]["OS-EXT-STS:vm_state"] = "active"
    assert "OS-EXT-STS:vm_state" in str(_problem("PUT", "/servers/{server_id}", "2.74", leaked))
    answer = full.json
    del answer["server"]["OS-EXT-STS:vm_state"]
    assert "OS-EXT-STS:vm_state" in str(_problem("PUT", "/servers/{server_id}", "2.75", answer))


def test_flavor_description_extra_specs_and_swap_by_microversion(compute: Compute) -> None:
    listed = compute.get("/v2.1/flavors/1", headers=compute.alice_h, version="2.55").json
    del listed["flavor"]["description"]
    assert "description" in str(_problem("GET", "/flavors/{flavor_id}", "2.55", listed))
    brief = compute.get("/v2.1/flavors", headers=compute.alice_h, version="2.54").json
    brief["flavors"][0]["description"] = None
    assert "description" in str(_problem("GET", "/flavors", "2.54", brief))
    specs = compute.get("/v2.1/flavors/1", headers=compute.alice_h, version="2.60").json
    specs["flavor"]["extra_specs"] = {}
    assert "extra_specs" in str(_problem("GET", "/flavors/{flavor_id}", "2.60", specs))
    # No swap: "" until 2.75, 0 from then on.
    old = compute.get("/v2.1/flavors/1", headers=compute.alice_h, version="2.74").json
    assert old["flavor"]["swap"] == ""
    new = compute.get("/v2.1/flavors/1", headers=compute.alice_h, version="2.75").json
    assert new["flavor"]["swap"] == 0
    new["flavor"]["swap"] = ""
    assert "swap" in str(_problem("GET", "/flavors/{flavor_id}", "2.75", new))
