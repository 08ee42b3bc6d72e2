"""What `list` prints for real servers of the in-process cloud: nova's columns and formats,
and --long's names resolved in bulk."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from pocketstack.cli.commands.list.paging import BFV_IMAGE
from pocketstack.client.compute.resources import Server, format_networks
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.seed import seed
from pocketstack.cloud.store.models.compute import Instance
from tests.unit.cli.list_harness import Harness, make_harness, parser

UUID = re.compile(r"^[0-9a-f-]{36}$")


@pytest.fixture
def harness(cloud_deps: CloudDeps) -> Harness:
    return make_harness(cloud_deps)


def test_default_columns_sorted_by_name(harness: Harness) -> None:
    for name in ("web", "app", "db"):
        harness.create_server(name)
    table = harness.run([])
    assert table.titles == ["ID", "Name", "Status", "Task State", "Power State", "Networks"]
    assert [row[1] for row in table.rows] == ["app", "db", "web"]
    for row in table.rows:
        assert UUID.match(row[0])
        assert row[2:5] == ["ACTIVE", "-", "Running"]
        assert re.match(r"^\w+=[0-9.]+(, [0-9a-f:.]+)*$", row[5])


def test_server_side_order_kept_with_sort(harness: Harness) -> None:
    for name in ("b", "c", "a"):
        harness.create_server(name)
    table = harness.run(["--sort", "display_name:desc"])
    assert [row[1] for row in table.rows] == ["c", "b", "a"]


def test_tenant_and_updated_columns(harness: Harness) -> None:
    harness.create_server("one")
    table = harness.run(["--all-tenants", "--changes-since", "2000-01-01T00:00:00Z"])
    assert table.titles == [
        "ID", "Name", "Tenant ID", "Status", "Task State", "Power State", "Networks", "Updated"
    ]
    row = table.rows[0]
    assert re.match(r"^[0-9a-f]{32}$", row[2])
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", row[7])


def test_minimal(harness: Harness) -> None:
    harness.create_server("one")
    table = harness.run(["--minimal"])
    assert table.titles == ["ID", "Name"]
    assert table.rows[0][1] == "one"


def test_fields(harness: Harness) -> None:
    harness.create_server("one")
    table = harness.run(
        ["--fields", "name,id,OS-EXT-AZ:availability_zone,networks,power_state,name"]
    )
    assert table.titles == ["ID", "Name", "OS-EXT-AZ: Availability Zone", "Networks",
                            "Power State"]
    assert table.rows[0][1:3] == ["one", "nova"]
    assert table.rows[0][4] == "Running"


def test_long_resolves_names_with_one_image_request(harness: Harness) -> None:
    for name in ("a", "b", "c"):
        harness.create_server(name)
    image_name = harness.compute().images.get(harness.image_id("cirros")).name
    harness.reset()
    table = harness.run(["--long"])
    assert table.titles[6:] == ["Image Name", "Flavor Name", "Availability Zone", "Host",
                                "Created", "Updated"]
    assert {row[6] for row in table.rows} == {image_name}
    assert {row[7] for row in table.rows} == {"m1.tiny"}
    image_urls = harness.urls("/v2/images")
    assert len(image_urls) == 1
    assert "?id=in:" in image_urls[0]
    # From 2.47 the flavor name is in the server body: no flavor request at all.
    assert harness.urls("/flavors") == []


def test_long_below_2_47_lists_flavors_once(harness: Harness) -> None:
    for name in ("a", "b"):
        harness.create_server(name, flavor="2")
    harness.reset()
    table = harness.run(["--long"], version="2.46")
    assert {row[7] for row in table.rows} == {"m1.small"}
    assert harness.urls("/flavors") == ["/compute/v2.1/flavors?is_public=None"]


def test_long_machine_format_keeps_raw_values(harness: Harness) -> None:
    harness.create_server("a")
    table = harness.run(["--long", "-f", "json"])
    row = dict(zip(table.titles, table.rows[0], strict=True))
    assert row["Power State"] == 1
    assert row["Task State"] is None
    assert isinstance(row["Networks"], dict)
    assert row["Flavor Name"] == "m1.tiny"


def test_every_page_with_limit_minus_one(harness: Harness) -> None:
    seed(harness.deps, servers=2100, projects=2)
    with harness.deps.store.session() as session:
        alive = session.scalar(
            select(func.count()).select_from(Instance).where(Instance.deleted.is_(False))
        )
    assert alive is not None
    assert alive > 1000
    harness.reset()
    args = parser().parse_args(["--all-tenants", "--limit", "-1", "--minimal"])

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stderr = Terminal()
    from pocketstack.cli.commands.list.command import list_servers
    from pocketstack.cli.commands.list.options import resolve_options

    table = list_servers(
        args, resolve_options(args, None), harness.compute(), environ={}, stderr=stderr
    )
    assert len(table.rows) == alive
    assert len({row[0] for row in table.rows}) == alive
    queries = harness.server_queries()
    # One request per page and none for an empty page (novaclient sends one more).
    assert len(queries) == -(-alive // 1000)
    assert queries[0] == "?all_tenants=1"
    assert all(q.startswith("?all_tenants=1&marker=") for q in queries[1:])
    assert "Fetched 1000 servers..." in stderr.getvalue()


def test_limit_caps_the_listing(harness: Harness) -> None:
    for name in ("a", "b", "c"):
        harness.create_server(name)
    assert len(harness.run(["--limit", "2"]).rows) == 2


def test_networks_format_and_power_state_names() -> None:
    server = Server.from_body(
        {
            "id": "x",
            "name": "n",
            "addresses": {
                "zeta": [{"addr": "10.0.0.9"}],
                "alpha": [{"addr": "10.1.0.2"}, {"addr": "fd00::2"}],
                "empty": [],
            },
            "OS-EXT-STS:power_state": 4,
            "image": "",
        }
    )
    assert format_networks(server.networks) == "alpha=10.1.0.2, fd00::2; zeta=10.0.0.9"
    assert server.power_state_name == "Shutdown"
    assert server.image_id is None
    assert Server.from_body({"id": "y", "name": "m"}).power_state_name == "N/A"
    assert BFV_IMAGE == "N/A (booted from volume)"
