"""GET /servers and /servers/detail: filters, allow-list, matching, sorting, paging, errors."""

from __future__ import annotations

import datetime as dt
import urllib.parse

import pytest

from pocketstack.cloud.compute import states
from tests.unit.cloud.compute.helpers import BASE_TIME, Compute, fault, ids, names


@pytest.fixture
def fleet(compute: Compute) -> Compute:
    a, b = compute.alice, compute.bob
    compute.make(project=a.project_id, user=a.id, name="web-1", minutes=1, tags=("prod", "blue"))
    compute.make(project=a.project_id, user=a.id, name="web-2", minutes=2, tags=("prod",),
                 vm_state=states.STOPPED, power_state=states.SHUTDOWN)  # fmt: skip
    compute.make(project=a.project_id, user=a.id, name="db-1", minutes=3, tags=("blue",),
                 key_name="k1", locked=True, locked_by="owner")  # fmt: skip
    compute.make(project=a.project_id, user=a.id, name="Web-Upper", minutes=4,
                 task_state=states.REBOOTING)  # fmt: skip
    compute.make(project=a.project_id, user=a.id, name="gone", minutes=5,
                 vm_state=states.DELETED, updated_at=BASE_TIME + dt.timedelta(hours=2))  # fmt: skip
    compute.make(project=b.project_id, user=b.id, name="web-bob", minutes=6, host="compute-2",
                 node="compute-2", vm_state=states.ERROR, fault_code=500,
                 fault_message="boom", fault_details="trace")  # fmt: skip
    compute.make(project=b.project_id, user=b.id, name="building", minutes=7,
                 vm_state=states.BUILDING, task_state=states.SPAWNING)  # fmt: skip
    return compute


def get(
    c: Compute, *, who: str = "alice", version: str = "2.1", detail: bool = True, **params: object
) -> object:
    headers = {"alice": c.alice_h, "bob": c.bob_h, "admin": c.admin}[who]
    path = "/v2.1/servers/detail" if detail else "/v2.1/servers"
    return c.get(path, headers=headers, version=version, params=params or None)


def test_non_admin_sees_own_live_servers_newest_first(fleet: Compute) -> None:
    result = get(fleet)
    assert result.status_code == 200
    assert names(result) == ["Web-Upper", "db-1", "web-2", "web-1"]
    assert "servers_links" not in result.json


def test_index_items_have_only_id_name_links(fleet: Compute) -> None:
    result = get(fleet, detail=False)
    for item in result.json["servers"]:
        assert set(item) == {"id", "name", "links"}
        assert [link["rel"] for link in item["links"]] == ["self", "bookmark"]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("web", ["web-2", "web-1"]),  # regex, unanchored, case-sensitive
        ("^db", ["db-1"]),
        ("[0-9]$", ["db-1", "web-2", "web-1"]),
        ("Web", ["Web-Upper"]),
        ("nomatch", []),
    ],
)
def test_name_is_a_regex(fleet: Compute, pattern: str, expected: list[str]) -> None:
    assert names(get(fleet, name=pattern)) == expected


@pytest.mark.parametrize("pattern", ["(", "[a-", ""])
def test_invalid_regex_is_400(fleet: Compute, pattern: str) -> None:
    result = get(fleet, name=pattern)
    assert result.status_code == 400
    assert "Invalid input for query parameters name" in fault(result)[1]


@pytest.mark.parametrize("pattern", ["(a+)+$", "(a|aa)*b", "(\\w+\\s?)+$", "(.{0,16}){0,16}!"])
def test_catastrophic_regex_is_refused(fleet: Compute, pattern: str) -> None:
    result = get(fleet, name=pattern)
    assert result.status_code == 400
    assert "too expensive" in fault(result)[1]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("ACTIVE", ["Web-Upper", "db-1", "web-1"]),  # upstream: active with any task
        ("active", ["Web-Upper", "db-1", "web-1"]),
        ("SHUTOFF", ["web-2"]),
        ("REBOOT", ["Web-Upper"]),
        ("ERROR", []),
    ],
)
def test_status_filter(fleet: Compute, status: str, expected: list[str]) -> None:
    assert names(get(fleet, status=status)) == expected


def test_repeated_status(fleet: Compute) -> None:
    result = fleet.get("/v2.1/servers", headers=fleet.alice_h, query="status=SHUTOFF&status=PAUSED")
    assert names(result) == ["web-2"]
    # As upstream: once a "default" task state is asked for (SHUTOFF), the task filter is
    # dropped, so REBOOT also brings every active server.
    result = fleet.get("/v2.1/servers", headers=fleet.alice_h, query="status=SHUTOFF&status=REBOOT")
    assert names(result) == ["Web-Upper", "db-1", "web-2", "web-1"]


def test_invalid_status_400_from_238_empty_before(fleet: Compute) -> None:
    assert get(fleet, status="BOGUS", version="2.37").json == {"servers": []}
    result = get(fleet, status="BOGUS", version="2.38")
    assert result.status_code == 400
    assert fault(result)[1] == "Invalid status value"


def test_deleted_status_is_admin_only(fleet: Compute) -> None:
    result = get(fleet, status="DELETED")
    assert result.status_code == 403
    assert fault(result)[1] == "Only administrators may list deleted instances"
    admin = get(fleet, who="admin", status="DELETED", all_tenants="1")
    assert names(admin) == ["gone"]
    assert admin.json["servers"][0]["status"] == "DELETED"


def test_all_tenants_for_admin(fleet: Compute) -> None:
    assert names(get(fleet, who="admin", all_tenants="")) == [
        "building", "web-bob", "Web-Upper", "db-1", "web-2", "web-1",
    ]  # fmt: skip
    assert names(get(fleet, who="admin", all_tenants="true", tenant_id=fleet.bob.project_id)) == [
        "building", "web-bob",
    ]  # fmt: skip
    assert names(get(fleet, who="admin", all_tenants="1", project_id=fleet.bob.project_id)) == [
        "building", "web-bob",
    ]  # fmt: skip


def test_admin_without_all_tenants_sees_own_project(fleet: Compute) -> None:
    assert names(get(fleet, who="admin")) == []
    assert names(get(fleet, who="admin", all_tenants="0", tenant_id=fleet.bob.project_id)) == []


def test_all_tenants_is_403_for_non_admins_and_falsy_is_ignored(fleet: Compute) -> None:
    result = get(fleet, all_tenants="1")
    assert result.status_code == 403
    assert "get_all_tenants" in fault(result)[1]
    assert get(fleet, detail=False, all_tenants="").status_code == 403
    assert names(get(fleet, all_tenants="false")) == ["Web-Upper", "db-1", "web-2", "web-1"]


def test_all_tenants_bad_value_is_400(fleet: Compute) -> None:
    assert get(fleet, who="admin", all_tenants="maybe").status_code == 400


def test_admin_only_filters_are_dropped_for_non_admins(fleet: Compute) -> None:
    # host/node/tenant_id are silently ignored for a member: the listing is unfiltered.
    assert len(names(get(fleet, host="compute-9"))) == 4
    assert names(get(fleet, tenant_id=fleet.bob.project_id)) == names(get(fleet))
    assert names(get(fleet, who="admin", all_tenants="1", host="compute-2")) == ["web-bob"]


def test_filters_allowed_from_283_for_non_admins(fleet: Compute) -> None:
    assert len(names(get(fleet, version="2.82", key_name="k1"))) == 4
    assert names(get(fleet, version="2.83", key_name="k1")) == ["db-1"]
    assert names(get(fleet, version="2.83", vm_state="stopped")) == ["web-2"]
    assert names(get(fleet, version="2.83", task_state="rebooting")) == ["Web-Upper"]
    assert names(get(fleet, version="2.83", power_state="4")) == ["web-2"]
    assert len(names(get(fleet, version="2.89", hostname="web-1"))) == 4
    assert names(get(fleet, version="2.90", hostname="web-1")) == ["web-1"]


def test_unknown_params_stripped_before_275_and_400_from_275(fleet: Compute) -> None:
    assert len(names(get(fleet, version="2.74", foo="bar"))) == 4
    result = get(fleet, version="2.75", foo="bar")
    assert result.status_code == 400
    assert "'foo' was unexpected" in fault(result)[1]


@pytest.mark.parametrize("param", ["metadata", "system_metadata", "security_groups", "_secret"])
def test_joined_and_underscore_params_are_400(fleet: Compute, param: str) -> None:
    result = get(fleet, who="admin", **{param: "x"})
    assert result.status_code == 400
    assert fault(result)[1] == f"Invalid filter field: {param}."


def test_image_and_flavor_filters(fleet: Compute) -> None:
    assert len(names(get(fleet, image="6f3b4f1e-0b8e-4b43-9c3c-3f5a1c2b9d01"))) == 4
    assert names(get(fleet, image="other")) == []
    assert len(names(get(fleet, flavor="1"))) == 4
    assert names(get(fleet, flavor="2")) == []
    assert get(fleet, flavor="no-such-flavor").json == {"servers": []}


def test_ip_filter_is_a_prefix_regex(fleet: Compute) -> None:
    result = get(fleet)
    first = result.json["servers"][0]
    v4 = next(a["addr"] for a in first["addresses"]["private"] if a["version"] == 4)
    assert names(get(fleet, ip=v4.replace(".", "\\.") + "$")) == [first["name"]]
    assert len(names(get(fleet, ip="10\\.0"))) == 4
    assert names(get(fleet, ip="0\\.0")) == []  # anchored at the start
    v6 = next(a["addr"] for a in first["addresses"]["private"] if a["version"] == 6)
    assert names(get(fleet, version="2.5", ip6=v6 + "$")) == [first["name"]]


def test_tags_filters(fleet: Compute) -> None:
    assert len(names(get(fleet, version="2.25", tags="prod"))) == 4  # stripped before 2.26
    assert names(get(fleet, version="2.26", tags="prod")) == ["web-2", "web-1"]
    assert names(get(fleet, version="2.26", tags="prod,blue")) == ["web-1"]
    assert names(get(fleet, version="2.26", **{"tags-any": "prod,blue"})) == [
        "db-1", "web-2", "web-1",
    ]  # fmt: skip
    assert names(get(fleet, version="2.26", **{"not-tags": "prod,blue"})) == [
        "Web-Upper", "db-1", "web-2",
    ]  # fmt: skip
    assert names(get(fleet, version="2.26", **{"not-tags-any": "prod,blue"})) == ["Web-Upper"]


def test_locked_filter(fleet: Compute) -> None:
    assert len(names(get(fleet, version="2.72", locked="true"))) == 4
    assert names(get(fleet, version="2.73", locked="true")) == ["db-1"]
    assert names(get(fleet, version="2.73", locked="0")) == ["Web-Upper", "web-2", "web-1"]
    assert get(fleet, version="2.73", locked="perhaps").status_code == 400


def test_changes_since_includes_deleted(fleet: Compute) -> None:
    since = (BASE_TIME + dt.timedelta(minutes=3)).isoformat()
    assert names(get(fleet, **{"changes-since": since})) == ["gone", "Web-Upper", "db-1"]


def test_changes_before(fleet: Compute) -> None:
    before = (BASE_TIME + dt.timedelta(minutes=2)).isoformat()
    assert len(names(get(fleet, version="2.65", **{"changes-before": before}))) == 4
    assert names(get(fleet, version="2.66", **{"changes-before": before})) == ["web-2", "web-1"]


def test_changes_since_after_before_is_400(fleet: Compute) -> None:
    result = get(fleet, version="2.66", **{"changes-since": "2024-02-01T00:00:00Z",
                                           "changes-before": "2024-01-01T00:00:00Z"})  # fmt: skip
    assert result.status_code == 400
    assert "changes-since must be less than or equal to changes-before" in fault(result)[1]


@pytest.mark.parametrize("value", ["yesterday", "2024-13-01T00:00:00Z", "2024-01-01"])
def test_unparsable_time_is_400(fleet: Compute, value: str) -> None:
    assert get(fleet, **{"changes-since": value}).status_code == 400


def test_deleted_filter_admin_only(fleet: Compute) -> None:
    assert names(get(fleet, deleted="true")) == names(get(fleet))  # dropped for members
    admin = get(fleet, who="admin", all_tenants="1", deleted="true")
    assert names(admin) == ["gone"]


def test_detail_fault_and_admin_fields(fleet: Compute) -> None:
    result = get(fleet, who="admin", all_tenants="1", name="web-bob", version="2.16")
    (server,) = result.json["servers"]
    assert server["status"] == "ERROR"
    assert server["fault"]["message"] == "boom"
    assert server["fault"]["details"] == "trace"
    assert server["OS-EXT-SRV-ATTR:host"] == "compute-2"
    assert server["host_status"] == "UP"
    assert server["hostId"]
    bob = get(fleet, who="bob", name="web-bob", version="2.16").json["servers"][0]
    assert "details" not in bob["fault"]  # a 500 fault's details are admin only
    assert "OS-EXT-SRV-ATTR:host" not in bob
    assert "host_status" not in bob


def test_building_server_has_no_addresses(fleet: Compute) -> None:
    (server,) = get(fleet, who="bob", name="building").json["servers"]
    assert server["status"] == "BUILD"
    assert server["addresses"] == {}
    assert server["progress"] == 0


# --- sorting ---------------------------------------------------------------------------------


def test_sort_by_name_both_directions(fleet: Compute) -> None:
    asc = names(get(fleet, sort_key="display_name", sort_dir="asc"))
    assert asc == sorted(asc)
    desc = names(get(fleet, sort_key="display_name", sort_dir="desc"))
    assert desc == list(reversed(asc))


def test_repeated_sort_keys(fleet: Compute) -> None:
    result = fleet.get(
        "/v2.1/servers/detail", headers=fleet.alice_h,
        query="sort_key=vm_state&sort_dir=desc&sort_key=display_name&sort_dir=asc",
    )  # fmt: skip
    assert names(result) == ["web-2", "Web-Upper", "db-1", "web-1"]


def test_nullable_sort_key_puts_nulls_first_ascending(fleet: Compute) -> None:
    asc = names(get(fleet, sort_key="task_state", sort_dir="asc"))
    assert asc[-1] == "Web-Upper"
    desc = names(get(fleet, sort_key="task_state", sort_dir="desc"))
    assert desc[0] == "Web-Upper"


def test_host_sort_is_admin_only(fleet: Compute) -> None:
    result = get(fleet, sort_key="host")
    assert result.status_code == 403
    assert fault(result)[1] == "Only administrators can sort servers by host"
    assert get(fleet, who="admin", sort_key="node").status_code == 200


def test_legacy_sort_keys_ignored_before_275_and_400_after(fleet: Compute) -> None:
    assert names(get(fleet, version="2.74", sort_key="vcpus")) == names(get(fleet))
    assert get(fleet, version="2.75", sort_key="vcpus").status_code == 400
    assert get(fleet, version="2.72", sort_key="locked").status_code == 200
    locked_first = names(get(fleet, version="2.73", sort_key="locked", sort_dir="desc"))
    assert locked_first[0] == "db-1"


def test_bad_sort_key_and_dir(fleet: Compute) -> None:
    assert get(fleet, sort_key="bogus").status_code == 400
    result = get(fleet, sort_key="display_name", sort_dir="up")
    assert fault(result)[1] == "Unknown sort direction, must be 'desc' or 'asc'"
    result = fleet.get("/v2.1/servers", headers=fleet.alice_h,
                       query="sort_key=display_name&sort_dir=asc&sort_dir=desc")  # fmt: skip
    assert fault(result)[1] == "Sort direction size exceeds sort key size"


# --- paging ----------------------------------------------------------------------------------


def test_limit_marker_and_next_link(fleet: Compute) -> None:
    first = get(fleet, limit="2", name="-")
    assert names(first) == ["Web-Upper", "db-1"]
    (link,) = first.json["servers_links"]
    assert link["rel"] == "next"
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(link["href"]).query)
    assert query == {"limit": ["2"], "name": ["-"], "marker": [ids(first)[-1]]}
    assert link["href"].startswith("http://falconframework.org/v2.1/servers/detail?")
    second = get(fleet, limit="2", name="-", marker=ids(first)[-1])
    assert names(second) == ["web-2", "web-1"]
    third = get(fleet, limit="2", name="-", marker=ids(second)[-1])
    assert third.json == {"servers": []}


def test_limit_zero_and_clamping(fleet: Compute) -> None:
    assert get(fleet, limit="0").json == {"servers": []}
    assert len(names(get(fleet, limit="5000"))) == 4


@pytest.mark.parametrize("value", ["-1", "abc", "1.5", ""])
def test_bad_limit_is_400(fleet: Compute, value: str) -> None:
    assert get(fleet, limit=value).status_code == 400


def test_unknown_marker_is_400(fleet: Compute) -> None:
    result = get(fleet, marker="no-such-server")
    assert fault(result) == ("badRequest", "marker [no-such-server] not found")


def test_other_projects_server_is_not_a_marker(fleet: Compute) -> None:
    bob_server = ids(get(fleet, who="bob"))[0]
    assert get(fleet, marker=bob_server).status_code == 400


def test_paging_with_mixed_sort_and_nulls_returns_each_once(fleet: Compute) -> None:
    for n in range(7):
        fleet.make(project=fleet.alice.project_id, name=f"p-{n % 3}", minutes=10 + n % 2,
                   key_name=None if n % 2 else f"k{n}")  # fmt: skip
    query = "sort_key=key_name&sort_dir=asc&sort_key=display_name&sort_dir=desc&limit=2"
    expected = ids(fleet.get("/v2.1/servers", headers=fleet.alice_h, query=query[:-8]))
    seen: list[str] = []
    marker = ""
    while True:
        page = fleet.get("/v2.1/servers", headers=fleet.alice_h, query=query + marker)
        seen += ids(page)
        if "servers_links" not in page.json:
            break
        marker = "&marker=" + ids(page)[-1]
    assert seen == expected
    assert len(seen) == len(set(seen)) == 11
