"""`os-simple-tenant-usage`: hours and resource-hours per project over a period, as Nova
reports them (what `openstack usage list/show` prints)."""

from __future__ import annotations

import datetime as dt
import urllib.parse

import pytest

from pocketstack.cloud.compute import states
from pocketstack.cloud.compute.usage import page_query
from tests.unit.cloud.compute.helpers import BASE_TIME, Compute

T0 = BASE_TIME
WINDOW = {"start": "2024-01-01T00:00:00", "end": "2024-01-01T10:00:00"}
HOUR = dt.timedelta(hours=1)


def _usage(compute: Compute, path: str, headers: dict[str, str], version: str = "2.1",
           **params: str) -> object:  # fmt: skip
    return compute.get(f"/v2.1/os-simple-tenant-usage{path}", headers=headers, version=version,
                       query=urllib.parse.urlencode(params))  # fmt: skip


@pytest.fixture
def fleet(compute: Compute) -> dict[str, str]:
    alpha, beta = compute.alice.project_id, compute.bob.project_id
    return {
        # Running the whole window: 10 hours.
        "running": compute.make(project=alpha, name="running", launched_at=T0 - HOUR),
        # Launched an hour in, deleted three hours in: 2 hours.
        "gone": compute.make(
            project=beta,
            name="gone",
            vm_state=states.DELETED,
            launched_at=T0 + HOUR,
            terminated_at=T0 + 3 * HOUR,
        ),
        # Outside the window or never launched: not reported.
        "later": compute.make(project=alpha, name="later", launched_at=T0 + 11 * HOUR),
        "earlier": compute.make(
            project=alpha,
            name="earlier",
            vm_state=states.DELETED,
            launched_at=T0 - 5 * HOUR,
            terminated_at=T0 - HOUR,
        ),
        "building": compute.make(project=alpha, name="building", vm_state=states.BUILDING),
    }


def test_every_projects_usage_over_the_period(compute: Compute, fleet: dict[str, str]) -> None:
    result = _usage(compute, "", compute.admin, **WINDOW)
    assert result.status_code == 200
    usages = {u["tenant_id"]: u for u in result.json["tenant_usages"]}
    alpha = usages[compute.alice.project_id]
    assert alpha["total_hours"] == pytest.approx(10)
    assert alpha["total_vcpus_usage"] == pytest.approx(10)
    assert alpha["total_memory_mb_usage"] == pytest.approx(5120)
    assert alpha["total_local_gb_usage"] == pytest.approx(10)
    assert (alpha["start"], alpha["stop"]) == ("2024-01-01T00:00:00", "2024-01-01T10:00:00")
    assert "server_usages" not in alpha
    assert usages[compute.bob.project_id]["total_hours"] == pytest.approx(2)


def test_detailed_usage_names_each_server_and_its_state(
    compute: Compute, fleet: dict[str, str]
) -> None:
    result = _usage(compute, "", compute.admin, detailed="1", **WINDOW)
    servers = {s["name"]: s for u in result.json["tenant_usages"] for s in u["server_usages"]}
    assert set(servers) == {"running", "gone"}
    gone = servers["gone"]
    assert gone["state"] == "terminated"
    assert gone["ended_at"] == "2024-01-01T03:00:00"
    assert gone["uptime"] == 7200
    assert gone["hours"] == pytest.approx(2)
    assert gone["instance_id"] == fleet["gone"]
    assert (gone["flavor"], gone["vcpus"], gone["memory_mb"], gone["local_gb"]) == (
        "m1.tiny",
        1,
        512,
        1,
    )
    assert servers["running"]["state"] == "active"
    assert servers["running"]["ended_at"] is None


def test_one_projects_usage_for_its_members_only(compute: Compute, fleet: dict[str, str]) -> None:
    own = _usage(compute, f"/{compute.alice.project_id}", compute.alice_h, **WINDOW)
    assert own.status_code == 200
    assert [s["name"] for s in own.json["tenant_usage"]["server_usages"]] == ["running"]
    other = _usage(compute, f"/{compute.alice.project_id}", compute.bob_h, **WINDOW)
    assert other.status_code == 403
    nothing = _usage(compute, "/0123456789abcdef", compute.admin, **WINDOW)
    assert nothing.json == {"tenant_usage": {}}
    assert _usage(compute, "", compute.alice_h, **WINDOW).status_code == 403


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2024-01-01", "end": "2024-01-02T00:00:00"}, "Datetime is in invalid format"),
        ({"start": "2024-01-02T00:00:00", "end": "2024-01-01T00:00:00"}, "Invalid start time"),
    ],
)
def test_a_bad_period_is_400(compute: Compute, params: dict[str, str], message: str) -> None:
    result = _usage(compute, "", compute.admin, **params)
    assert result.status_code == 400
    assert message in result.json["badRequest"]["message"]


def test_pages_follow_the_next_link_from_2_40(compute: Compute, fleet: dict[str, str]) -> None:
    for n in range(3):
        compute.make(project=compute.alice.project_id, name=f"extra{n}", launched_at=T0)
    seen: list[str] = []
    first = _usage(compute, "", compute.admin, "2.40", detailed="1", limit="2", **WINDOW)
    body = first.json
    while True:
        seen += [s["instance_id"] for u in body["tenant_usages"] for s in u["server_usages"]]
        links = body.get("tenant_usages_links")
        if not links:
            break
        href = links[0]["href"]
        assert links[0]["rel"] == "next"
        body = compute.get(
            urllib.parse.urlsplit(href).path, headers=compute.admin, version="2.40",
            query=urllib.parse.urlsplit(href).query,
        ).json  # fmt: skip
    assert len(seen) == len(set(seen)) == 5
    # Before 2.40 the parameters are not paging ones: one page, no links.
    old = _usage(compute, "", compute.admin, "2.39", detailed="1", limit="2", **WINDOW)
    assert "tenant_usages_links" not in old.json
    assert sum(len(u["server_usages"]) for u in old.json["tenant_usages"]) == 5


def test_an_unknown_marker_or_parameter_is_400(compute: Compute) -> None:
    bad = _usage(compute, "", compute.admin, "2.40", marker="nope", **WINDOW)
    assert (bad.status_code, bad.json["badRequest"]["message"]) == (
        400, "Marker nope could not be found."
    )  # fmt: skip
    assert _usage(compute, "", compute.admin, "2.74", colour="red", **WINDOW).status_code == 200
    strict = _usage(compute, "", compute.admin, "2.75", colour="red", **WINDOW)
    assert strict.status_code == 400
    assert "'colour' was unexpected" in strict.json["badRequest"]["message"]


def test_no_period_is_the_empty_window_at_now_as_novas(
    compute: Compute, fleet: dict[str, str]
) -> None:
    """Nova reads the clock once per missing bound, the end's later: a 200, never its 400."""
    every = _usage(compute, "", compute.admin)
    assert every.status_code == 200, every.text
    assert all(u["total_hours"] == 0 for u in every.json["tenant_usages"])
    own = _usage(compute, f"/{compute.alice.project_id}", compute.alice_h)
    assert own.status_code == 200, own.text
    assert own.json["tenant_usage"]["total_hours"] == 0
    # Given bounds are still checked: an end at or before the start is refused.
    same = _usage(compute, "", compute.admin, start=WINDOW["start"], end=WINDOW["start"])
    assert same.status_code == 400


def _follow(compute: Compute, path: str, headers: dict[str, str], key: str) -> list[str]:
    seen: list[str] = []
    result = _usage(compute, path, headers, "2.40", detailed="1", limit="1", **WINDOW)
    while True:
        body = result.json
        usages = body[key] if isinstance(body[key], list) else [body[key]]
        seen += [s["instance_id"] for u in usages for s in u.get("server_usages", [])]
        links = body.get(f"{key}_links")
        if not links:
            return seen
        href = urllib.parse.urlsplit(links[0]["href"])
        result = compute.get(href.path, headers=headers, version="2.40", query=href.query)


def test_a_marker_page_crosses_projects_in_novas_order(
    compute: Compute, fleet: dict[str, str]
) -> None:
    alpha, beta = compute.alice.project_id, compute.bob.project_id
    extra = [compute.make(project=p, name=f"x{n}", launched_at=T0)
             for n, p in enumerate([alpha, beta, alpha, beta])]  # fmt: skip
    expected = sorted(
        [(alpha, fleet["running"]), (beta, fleet["gone"])]
        + [(p, s) for p, s in zip([alpha, beta, alpha, beta], extra, strict=True)]
    )
    listed = _follow(compute, "", compute.admin, "tenant_usages")
    assert listed == [server for _, server in expected]
    own = _follow(compute, f"/{alpha}", compute.alice_h, "tenant_usage")
    assert own == [server for project, server in expected if project == alpha]
    # One project's report pages by its own servers: another project's is no marker there.
    foreign = _usage(compute, f"/{alpha}", compute.alice_h, "2.40", marker=fleet["gone"],
                     **WINDOW)  # fmt: skip
    assert foreign.status_code == 400
    assert foreign.json["badRequest"]["message"] == f"Marker {fleet['gone']} could not be found."


def _plan(compute: Compute, project_id: str | None, *, row_values: bool = True) -> list[str]:
    stmt = page_query(T0, T0 + HOUR, project_id=project_id, limit=10, after=("p", "u"),
                      row_values=row_values)  # fmt: skip
    with compute.deps.store.session() as session:
        conn = session.connection()
        compiled = stmt.compile(conn)
        params = compiled.construct_params()
        positional = tuple(params[name] for name in compiled.positiontup or ())
        plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", positional).all()
    return [str(row[-1]) for row in plan]


def test_a_marker_page_starts_the_index_range_at_the_marker(compute: Compute) -> None:
    # A row value starts the range at the marker's (project, uuid) itself.
    assert _plan(compute, None) == [
        "SEARCH instance USING INDEX ix_instance_project_uuid ((project_id,uuid)>(?,?))"
    ]
    # MariaDB's form: the sargable leading bound starts the range at the marker's project.
    every = page_query(T0, T0 + HOUR, project_id=None, limit=10, after=("p", "u"),
                       row_values=False)  # fmt: skip
    assert "instance.project_id >= " in str(every)
    assert _plan(compute, None, row_values=False) == [
        "SEARCH instance USING INDEX ix_instance_project_uuid (project_id>?)"
    ]
    assert _plan(compute, "p") == [
        "SEARCH instance USING INDEX ix_instance_project_uuid (project_id=? AND uuid>?)"
    ]
