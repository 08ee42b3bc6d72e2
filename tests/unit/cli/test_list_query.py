"""Each `nova list` flag -> the GET /servers query string sent, through the real cloud app.

The expected strings are novaclient's (ServerManager.list: non-empty options, sorted, quote_plus,
repeated sort_dir/sort_key); tests/interop/test_list_vs_novaclient.py checks them against the
genuine `nova --debug list` as well.
"""

from __future__ import annotations

import pytest

from pocketstack.cli.commands.list.query import UsageError
from pocketstack.cli.errors import CommandError
from pocketstack.cloud.deps import CloudDeps
from tests.unit.cli.list_harness import Harness, make_harness

TIME = "2016-03-04T06:27:59Z"
TIME_Q = "2016-03-04T06%3A27%3A59Z"


@pytest.fixture
def harness(cloud_deps: CloudDeps) -> Harness:
    return make_harness(cloud_deps)


@pytest.mark.parametrize(
    ("argv", "query"),
    [
        ([], ""),
        (["--reservation-id", "r-abc"], "?reservation_id=r-abc"),
        (["--ip", "10.0.0"], "?ip=10.0.0"),
        (["--ip6", "fd00::"], "?ip6=fd00%3A%3A"),
        (["--name", "web server"], "?name=web+server"),
        (["--status", "ACTIVE"], "?status=ACTIVE"),
        (["--host", "compute-1"], "?host=compute-1"),
        (["--all-tenants"], "?all_tenants=1"),
        (["--all-tenants", "1"], "?all_tenants=1"),
        (["--all-tenants", "0"], ""),
        (["--tenant", "p1"], "?all_tenants=1&tenant_id=p1"),
        (["--user", "u1"], "?user_id=u1"),
        (["--deleted"], "?deleted=True"),
        (["--availability-zone", "nova"], "?availability_zone=nova"),
        (["--key-name", "mykey"], "?key_name=mykey"),
        (["--config-drive"], "?config_drive=True"),
        (["--no-config-drive"], "?config_drive=False"),
        (["--progress", "0"], "?progress=0"),
        (["--vm-state", "active"], "?vm_state=active"),
        (["--task-state", "spawning"], "?task_state=spawning"),
        (["--power-state", "1"], "?power_state=1"),
        (["--changes-since", TIME], f"?changes-since={TIME_Q}"),
        (["--changes-before", TIME], f"?changes-before={TIME_Q}"),
        (["--tags", "a,b"], "?tags=a%2Cb"),
        (["--tags-any", "a,b"], "?tags-any=a%2Cb"),
        (["--not-tags", "a"], "?not-tags=a"),
        (["--not-tags-any", "a,b"], "?not-tags-any=a%2Cb"),
        (["--locked", "false"], "?locked=false"),
        (["--fields", "name,status"], ""),
        (["--limit", "5"], "?limit=5"),
        (
            ["--sort", "display_name:asc,created_at"],
            "?sort_dir=asc&sort_dir=desc&sort_key=display_name&sort_key=created_at",
        ),
        (
            ["--status", "ACTIVE", "--name", "x", "--limit", "3", "--all-tenants"],
            "?all_tenants=1&limit=3&name=x&status=ACTIVE",
        ),
        # `name` (the column title) is no Nova sort key: sent as the one Nova means.
        (["--sort", "name:asc"], "?sort_dir=asc&sort_key=display_name"),
        (
            ["--sort", "name,created_at:asc"],
            "?sort_dir=desc&sort_dir=asc&sort_key=display_name&sort_key=created_at",
        ),
    ],
)
def test_flag_to_query(harness: Harness, argv: list[str], query: str) -> None:
    harness.run(argv)
    assert harness.server_queries() == [query]
    assert harness.urls("/servers")[-1].split("?")[0].endswith("/servers/detail")


def test_all_tenants_from_the_environment(harness: Harness) -> None:
    harness.run([], environ={"ALL_TENANTS": "yes"})
    harness.run(["--all-tenants", "0"], environ={"ALL_TENANTS": "true"})
    assert harness.server_queries() == ["?all_tenants=1", ""]


def test_all_tenants_environment_must_be_a_boolean(harness: Harness) -> None:
    with pytest.raises(CommandError, match="Unrecognized value 'maybe'"):
        harness.run([], environ={"ALL_TENANTS": "maybe"})


def test_minimal_lists_without_details(harness: Harness) -> None:
    harness.run(["--minimal", "--name", "a"])
    assert harness.urls("/servers")[-1].endswith("/servers?name=a")


def test_marker(harness: Harness) -> None:
    marker = harness.create_server("first")
    harness.reset()
    harness.run(["--marker", marker])
    assert harness.server_queries() == [f"?marker={marker}"]


def test_flavor_by_id_and_by_name(harness: Harness) -> None:
    harness.run(["--flavor", "1"])
    assert harness.urls("/flavors") == ["/compute/v2.1/flavors/1"]
    harness.reset()
    harness.run(["--flavor", "m1.tiny"])
    assert harness.urls("/flavors") == [
        "/compute/v2.1/flavors/m1.tiny",
        "/compute/v2.1/flavors?is_public=None",
    ]
    assert harness.server_queries() == ["?flavor=1"]


def test_image_by_name_and_by_id(harness: Harness) -> None:
    image_id = harness.image_id("cirros")
    name = harness.compute().images.get(image_id).name
    assert name
    harness.reset()
    harness.run(["--image", name])
    assert harness.urls("/v2/images") == [f"/image/v2/images?name={name}"]
    assert harness.server_queries() == [f"?image={image_id}"]
    harness.reset()
    harness.run(["--image", image_id])
    assert harness.urls("/v2/images") == [f"/image/v2/images/{image_id}"]
    assert harness.server_queries() == [f"?image={image_id}"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--sort", "display_name:up"], "Unknown sort direction: up"),
        (["--image", "no-such-image"], "No Image matching no-such-image. (HTTP 404)"),
        (
            ["--image", "0b5ad6a8-3c35-4d4e-9d43-2c6a1e1e0f00"],
            "No Image matching 0b5ad6a8-3c35-4d4e-9d43-2c6a1e1e0f00. (HTTP 404)",
        ),
        (["--flavor", "no-such-flavor"], "No flavor with a name or ID of 'no-such-flavor' exists."),
        (["--changes-since", "yesterday"], "Invalid changes-since value: yesterday"),
        (["--changes-before", "soon"], "Invalid changes-before value: soon"),
    ],
)
def test_errors(harness: Harness, argv: list[str], message: str) -> None:
    with pytest.raises(CommandError) as info:
        harness.run(argv)
    assert str(info.value) == message
    assert harness.server_queries() == []


def test_sorting_by_name_sorts_by_display_name(harness: Harness) -> None:
    for name in ("bravo", "alpha", "charlie"):
        harness.create_server(name)
    for flag, expected in (("name:asc", ["alpha", "bravo", "charlie"]),
                           ("name:desc", ["charlie", "bravo", "alpha"])):  # fmt: skip
        table = harness.run(["--sort", flag])
        names = [row[table.titles.index("Name")] for row in table.rows]
        assert names == expected, flag


def test_a_bad_sort_key_is_refused_with_the_keys_that_work(harness: Harness) -> None:
    from pocketstack.client.errors import BadRequest

    with pytest.raises(BadRequest) as info:
        harness.run(["--sort", "nmae:asc"])
    message = str(info.value)
    assert "'nmae' is not one of [" in message
    for key in ("'display_name'", "'created_at'", "'vm_state'", "'uuid'"):
        assert key in message


@pytest.mark.parametrize(
    ("argv", "version", "start"),
    [
        (["--tags", "a"], "2.25", "2.26"),
        (["--not-tags-any", "a"], "2.1", "2.26"),
        (["--changes-before", TIME], "2.65", "2.66"),
        (["--locked", "true"], "2.72", "2.73"),
    ],
)
def test_flags_below_their_microversion(
    harness: Harness, argv: list[str], version: str, start: str
) -> None:
    with pytest.raises(UsageError) as info:
        harness.run(argv, version=version)
    assert str(info.value).startswith(f"unrecognized arguments: {argv[0]} {argv[1]}")
    assert f"'{start}'" in str(info.value)
    assert harness.server_queries() == []


def test_unknown_field_needs_a_server_to_be_checked(harness: Harness) -> None:
    # As nova: with no server there is nothing to check against, and nothing fails.
    table = harness.run(["--fields", "bogus"])
    assert table.titles[0] == "ID"
    harness.create_server("one")
    with pytest.raises(CommandError) as info:
        harness.run(["--fields", "name,bogus,other"])
    assert str(info.value) == "Non-existent fields are specified: ['bogus', 'other']"
