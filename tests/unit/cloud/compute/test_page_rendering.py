"""What the fast list path shares or reads raw must not show: each server keeps its own flavor,
image and times, list and show agree, and values the fast JSON encoder refuses still answer 200."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from tests.unit.cloud.compute.helpers import BASE_TIME, Compute

DETAIL = "/v2.1/servers/detail"


def _by_name(compute: Compute, version: str) -> dict[str, dict[str, Any]]:
    result = compute.get(DETAIL, headers=compute.admin, version=version, query="all_tenants=1")
    assert result.status_code == 200, result.text
    return {s["name"]: s for s in result.json["servers"]}


def test_servers_on_one_page_keep_their_own_flavor_and_image(compute: Compute) -> None:
    project = compute.alice.project_id
    compute.make(project=project, name="small", flavor_id="1", flavor_name="m1.tiny")
    compute.make(project=project, name="big", flavor_id="3", flavor_name="m1.medium", vcpus=2,
                 memory_mb=4096, root_gb=40, flavor_extra_specs='{"hw:cpu_policy": "dedicated"}',
                 image_ref="other-image", image_properties='{"os_distro": "debian"}')  # fmt: skip
    compute.make(project=project, name="small-too", flavor_id="1", flavor_name="m1.tiny")

    old = _by_name(compute, "2.1")
    assert old["small"]["flavor"]["id"] == old["small-too"]["flavor"]["id"] == "1"
    assert old["big"]["flavor"]["id"] == "3"
    assert old["big"]["flavor"]["links"][0]["href"].endswith("/flavors/3")
    assert old["big"]["image"]["id"] == "other-image"
    assert "properties" not in old["big"]["image"]

    new = _by_name(compute, "2.100")
    assert new["big"]["flavor"] == {
        "vcpus": 2, "ram": 4096, "disk": 40, "ephemeral": 0, "swap": 0,
        "original_name": "m1.medium", "extra_specs": {"hw:cpu_policy": "dedicated"},
    }  # fmt: skip
    assert new["small"]["flavor"]["original_name"] == "m1.tiny"
    assert new["small"]["flavor"]["extra_specs"] == {}
    assert new["big"]["image"]["properties"] == {"os_distro": "debian"}
    assert new["small"]["image"]["properties"] == {}


def test_list_and_show_render_times_alike(compute: Compute) -> None:
    launched = BASE_TIME + dt.timedelta(seconds=30, microseconds=120)
    whole = compute.make(project=compute.alice.project_id, name="whole", launched_at=BASE_TIME)
    fraction = compute.make(project=compute.alice.project_id, name="fraction", minutes=5,
                            launched_at=launched)  # fmt: skip
    listed = _by_name(compute, "2.100")
    assert listed["whole"]["created"] == "2024-01-01T00:00:00Z"
    assert listed["whole"]["OS-SRV-USG:launched_at"] == "2024-01-01T00:00:00"
    assert listed["fraction"]["created"] == "2024-01-01T00:05:00Z"
    assert listed["fraction"]["OS-SRV-USG:launched_at"] == "2024-01-01T00:00:30.000120"
    assert listed["fraction"]["OS-SRV-USG:terminated_at"] is None
    for name, server_id in (("whole", whole), ("fraction", fraction)):
        shown = compute.get(f"/v2.1/servers/{server_id}", headers=compute.admin, version="2.100")
        server = shown.json["server"]
        for key in ("created", "updated", "OS-SRV-USG:launched_at", "addresses", "flavor"):
            assert server[key] == listed[name][key], key


def test_values_beyond_the_fast_encoder_still_list(compute: Compute) -> None:
    hints = {"big": 2**70, "text": "caf\u00e9"}
    compute.make(project=compute.alice.project_id, name="hinted",
                 scheduler_hints=json.dumps(hints))  # fmt: skip
    result = compute.get(DETAIL, headers=compute.admin, version="2.100", query="all_tenants=1")
    assert result.status_code == 200, result.text
    (server,) = result.json["servers"]
    assert server["scheduler_hints"] == hints
