"""The port and floating IP quotas hold for what compute makes too: a server whose new ports
would not fit is refused with Nova's 403 and leaves nothing behind; a floating IP over quota is
Nova's 403."""

from __future__ import annotations

from typing import Any

import pytest
from falcon import testing

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.image.bootstrap import CIRROS_ID
from pocketstack.cloud.network.app import create_app as network_app
from tests.unit.cloud.compute.helpers import Compute, build_compute, fault


@pytest.fixture
def compute(cloud_deps: CloudDeps) -> Compute:
    return build_compute(cloud_deps)


def _neutron(c: Compute, method: str, path: str, body: Any = None,
             headers: dict[str, str] | None = None) -> testing.Result:  # fmt: skip
    client = testing.TestClient(network_app(c.deps))
    return client.simulate_request(method, f"/v2.0{path}", headers=headers or c.admin, json=body)


def _limit(c: Compute, **limits: int) -> None:
    put = _neutron(c, "PUT", f"/quotas/{c.alice.project_id}", {"quota": limits})
    assert put.status_code == 200, put.text


def _network(c: Compute) -> str:
    made = _neutron(c, "POST", "/networks", {"network": {"name": "n"}}, c.alice_h)
    net_id: str = made.json["network"]["id"]
    subnet = {"subnet": {"network_id": net_id, "cidr": "192.168.10.0/24", "ip_version": 4}}
    assert _neutron(c, "POST", "/subnets", subnet, c.alice_h).status_code == 201
    return net_id


def _boot(c: Compute, networks: Any, **more: Any) -> testing.Result:
    body = {"server": {"name": "vm", "imageRef": CIRROS_ID, "flavorRef": "1",
                       "networks": networks, **more}}  # fmt: skip
    return c.call("POST", "/v2.1/servers", headers=c.alice_h, version="2.52", body=body)


def _ports(c: Compute) -> int:
    listed = _neutron(c, "GET", f"/ports?project_id={c.alice.project_id}")
    return len(listed.json["ports"])


def test_a_server_whose_ports_would_not_fit_is_refused(compute: Compute) -> None:
    net_id = _network(compute)
    _limit(compute, port=2)
    refused = _boot(compute, [{"uuid": net_id}] * 3)
    assert refused.status_code == 403
    assert fault(refused) == ("forbidden", "Maximum number of ports exceeded")
    assert _ports(compute) == 0
    # Two servers of one port each fit; a third does not.
    refused = _boot(compute, [{"uuid": net_id}], min_count=3, max_count=3)
    assert refused.status_code == 403
    assert _ports(compute) == 0
    assert _boot(compute, [{"uuid": net_id}] * 2).status_code == 202
    assert _ports(compute) == 2
    assert _boot(compute, [{"uuid": net_id}]).status_code == 403


def test_a_floating_ip_over_quota_is_novas_403(compute: Compute) -> None:
    _limit(compute, floatingip=0)
    refused = compute.call("POST", "/v2.1/os-floating-ips", headers=compute.alice_h,
                           version="2.35", body={"pool": "public"})  # fmt: skip
    assert refused.status_code == 403
    assert fault(refused) == ("forbidden", "IP allocation over quota in pool public.")


def test_a_multiple_create_is_cut_to_the_ports_there_is_room_for(compute: Compute) -> None:
    net_id = _network(compute)
    _limit(compute, port=5)
    # Two ports per server: room for two servers of five asked, at least one wanted.
    made = _boot(compute, [{"uuid": net_id}] * 2, min_count=1, max_count=5,
                 return_reservation_id=True)  # fmt: skip
    assert made.status_code == 202, made.text
    reservation = made.json["reservation_id"]
    listed = compute.call("GET", f"/v2.1/servers?reservation_id={reservation}",
                          headers=compute.alice_h, version="2.52")  # fmt: skip
    assert len(listed.json["servers"]) == 2
    assert _ports(compute) == 4
    # One port left: a request that needs at least two servers is refused whole.
    refused = _boot(compute, [{"uuid": net_id}], min_count=2, max_count=4)
    assert refused.status_code == 403
    assert fault(refused) == ("forbidden", "Maximum number of ports exceeded")
    assert _ports(compute) == 4
    # Asking for no network needs no port: the quota does not count.
    assert _boot(compute, "none", min_count=2, max_count=2).status_code == 202
