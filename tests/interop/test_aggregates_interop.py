"""Host aggregates with the genuine clients: tempest's response schemas validate our bodies
before and from 2.41 (uuid), and python-openstackclient's `aggregate create/add host/set/show/
list/cache image/remove host/unset/delete` runs against a real `pocketstack serve`, with the
aggregate's zone showing in `availability zone list`."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pocketstack.cloud.image.bootstrap import CIRROS_ID
from tests.fixtures.cloud import CloudDeps
from tests.fixtures.server import running_cloud
from tests.interop.live_clients import Live
from tests.interop.test_compute_interop import _validate
from tests.unit.cloud.compute.helpers import Compute, build_compute

pytestmark = pytest.mark.interop

URL = "/v2.1/os-aggregates"


def test_tempest_schemas_validate_our_bodies(interop_venv: Path, cloud_deps: CloudDeps) -> None:
    c: Compute = build_compute(cloud_deps)
    cases: list[dict[str, Any]] = []

    def case(schema: str, minor: int, result: Any) -> None:
        body = result.json if result.text else None
        cases.append({"resource": "aggregates", "schema": schema, "minor": minor,
                      "status": result.status_code, "body": body})  # fmt: skip

    for minor in (1, 41):
        version = f"2.{minor}"

        def call(method: str, path: str, body: Any = None, version: str = version) -> Any:
            return c.call(method, path, headers=c.admin, version=version, body=body)

        created = call("POST", URL, {"aggregate": {"name": f"a{minor}", "availability_zone": "z"}})
        case("create_aggregate", minor, created)
        item = f"{URL}/{created.json['aggregate']['id']}"
        case("update_aggregate", minor, call("PUT", item, {"aggregate": {"name": f"b{minor}"}}))
        case("aggregate_add_remove_host", minor,
             call("POST", item + "/action", {"add_host": {"host": "compute-1"}}))  # fmt: skip
        metadata = {"set_metadata": {"metadata": {"k": "v"}}}
        case("aggregate_set_metadata", minor, call("POST", item + "/action", metadata))
        case("get_aggregate", minor, c.get(item, headers=c.admin, version=version))
        case("list_aggregates", minor, c.get(URL, headers=c.admin, version=version))
        case("aggregate_add_remove_host", minor,
             call("POST", item + "/action", {"remove_host": {"host": "compute-1"}}))  # fmt: skip
        case("delete_aggregate", minor, call("DELETE", item))
    assert [e for e in _validate(interop_venv, cases) if e] == []
    assert len(cases) == 16


def _try(live: Live, *argv: str) -> None:
    """A clean-up step: whatever its outcome."""
    subprocess.run(
        [str(live.venv / "bin" / argv[0]), *argv[1:]], env=live.env, capture_output=True,
        timeout=120, check=False, cwd=live.workdir,
    )  # fmt: skip


@pytest.fixture(scope="module")
def fleet(interop_venv: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """A cloud of its own: moving a host into a zone is refused while the host holds servers,
    and the shared live cloud's hosts hold the other tests' servers."""
    root = tmp_path_factory.mktemp("aggregates-cloud")
    with running_cloud(root) as cloud:
        env = cloud.client_env()
        env["OS_COMPUTE_API_VERSION"] = "2.latest"
        yield Live(interop_venv, env, root)


def test_openstackclient_aggregates(fleet: Live) -> None:
    live = fleet
    name, zone, host = "interop-agg", "interop-az", "compute-1"
    try:
        made = live.json("openstack", "aggregate", "create", "--zone", zone,
                         "--property", "ssd=true", name)  # fmt: skip
        assert made["name"] == name
        assert made["availability_zone"] == zone
        # The client sets the properties after the create and shows that answer: the zone too.
        assert made["properties"] == {"ssd": "true", "availability_zone": zone}
        added = live.json("openstack", "aggregate", "add", "host", name, host)
        assert added["hosts"] == [host]
        live.run("openstack", "aggregate", "set", "--property", "gpu=none", name)
        shown = live.json("openstack", "aggregate", "show", name)
        assert shown["hosts"] == [host]
        assert shown["availability_zone"] == zone
        # The client hides the zone's own key from the properties.
        assert shown["properties"] == {"ssd": "true", "gpu": "none"}
        assert len(shown["uuid"]) == 36
        listed = live.json("openstack", "aggregate", "list", "--long")
        (row,) = [a for a in listed if a["Name"] == name]
        assert row["Availability Zone"] == zone
        zones = live.json("openstack", "availability", "zone", "list", "--compute")
        assert (zone, "available") in {(z["Zone Name"], z["Zone Status"]) for z in zones}
        # 2.81: the fake driver caches nothing, but the request is Nova's.
        live.run("openstack", "aggregate", "cache", "image", name, CIRROS_ID)
        removed = live.json("openstack", "aggregate", "remove", "host", name, host)
        assert removed["hosts"] == []
        live.run("openstack", "aggregate", "unset", "--property", "ssd", name)
        assert live.json("openstack", "aggregate", "show", name)["properties"] == {"gpu": "none"}
        live.run("openstack", "aggregate", "delete", name)
        listed = live.json("openstack", "aggregate", "list")
        assert name not in {a["Name"] for a in listed}
    finally:
        # The live cloud is shared: its hosts leave the zone whatever happened above.
        _try(live, "openstack", "aggregate", "remove", "host", name, host)
        _try(live, "openstack", "aggregate", "delete", name)
