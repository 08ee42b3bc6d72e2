"""Nova's network proxies (os-networks, os-tenant-networks up to 2.35): the networks the caller
sees in the network service, in Nova's views; what only nova-network did answers 410."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from falcon import testing

from pocketstack.cloud.compute.api.networks import ADMIN_FIELDS
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.network.app import create_app as network_app
from tests.unit.cloud.compute.helpers import Compute, build_compute, fault

V = "2.35"
Headers = dict[str, str]


@pytest.fixture
def compute(cloud_deps: CloudDeps) -> Compute:
    return build_compute(cloud_deps)


def _network(c: Compute, h: Headers, name: str, **attrs: Any) -> str:
    net = testing.TestClient(network_app(c.deps))
    made = net.simulate_post("/v2.0/networks", headers=h, json={"network": {"name": name, **attrs}})
    assert made.status_code == 201, made.text
    return str(made.json["network"]["id"])


def _get(c: Compute, path: str, h: Headers, version: str = V) -> testing.Result:
    return c.get(f"/v2.1{path}", headers=h, version=version)


def test_os_networks_lists_what_the_project_sees(compute: Compute) -> None:
    mine = _network(compute, compute.alice_h, "mine")
    theirs = _network(compute, compute.bob_h, "theirs")
    shared = _network(compute, compute.admin, "common", shared=True)
    listed = _get(compute, "/os-networks", compute.alice_h)
    assert listed.status_code == 200
    by_id = {n["id"]: n for n in listed.json["networks"]}
    assert mine in by_id
    assert shared in by_id
    assert theirs not in by_id
    view = by_id[mine]
    assert view["label"] == "mine"
    assert view["cidr"] is None
    assert view["gateway"] is None
    # An admin's view has nova-network's admin fields too, all null.
    admin_view = _get(compute, f"/os-networks/{theirs}", compute.admin).json["network"]
    assert all(admin_view[f] is None for f in ADMIN_FIELDS)
    assert "project_id" not in view


def test_os_networks_show_of_a_hidden_or_missing_network(compute: Compute) -> None:
    theirs = _network(compute, compute.bob_h, "theirs")
    for network_id in (theirs, str(uuid.uuid4())):
        result = _get(compute, f"/os-networks/{network_id}", compute.alice_h)
        assert result.status_code == 404
        assert fault(result) == ("itemNotFound", "Network not found")


def test_os_tenant_networks(compute: Compute) -> None:
    mine = _network(compute, compute.alice_h, "mine")
    listed = _get(compute, "/os-tenant-networks", compute.alice_h)
    assert {"id": mine, "cidr": "None", "label": "mine"} in listed.json["networks"]
    shown = _get(compute, f"/os-tenant-networks/{mine}", compute.alice_h)
    assert shown.json == {"network": {"id": mine, "cidr": "None", "label": "mine"}}


@pytest.mark.parametrize("path", ["/os-networks", "/os-tenant-networks"])
def test_gone_from_2_36(compute: Compute, path: str) -> None:
    assert _get(compute, path, compute.alice_h, version="2.36").status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/os-networks"), ("POST", "/os-networks/add"), ("DELETE", "/os-networks/x"),
     ("POST", "/os-networks/x/action"), ("POST", "/os-tenant-networks"),
     ("DELETE", "/os-tenant-networks/x")],
)  # fmt: skip
def test_nova_network_only_calls_are_gone(compute: Compute, method: str, path: str) -> None:
    result = compute.call(method, f"/v2.1{path}", headers=compute.admin, version="2.1",
                          body={"network": {}} if method == "POST" else None)  # fmt: skip
    assert result.status_code == 410
    assert result.json["computeFault"]["code"] == 410
