"""Aggregate changes at the same moment, on SQLite, PostgreSQL and MariaDB: requests on their own
threads (and connections), released together, end as Nova's statuses say and never leave a host
twice in an aggregate or in two zones."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from pocketstack.cloud.deps import CloudDeps
from tests.unit.cloud.compute.helpers import Compute, build_compute
from tests.unit.cloud.compute.test_aggregates import AGGREGATES, act, create, show
from tests.unit.cloud.compute.test_aggregates_zones import zone_of_services

WORKERS = 6


def _together(calls: list[tuple[object, Any]], compute: Compute) -> list[int]:
    """Each (aggregate id, action body) on its own thread, all started at once; their statuses."""
    start = threading.Barrier(len(calls))
    statuses: list[int] = []
    errors: list[BaseException] = []
    mutex = threading.Lock()

    def run(ident: object, body: Any) -> None:
        start.wait()
        try:
            status = act(compute, ident, body).status_code
        except BaseException as exc:  # reported below
            with mutex:
                errors.append(exc)
            return
        with mutex:
            statuses.append(status)

    threads = [threading.Thread(target=run, args=call) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    return statuses


def test_one_of_concurrent_joins_of_a_host_wins(cloud_deps_any_db: CloudDeps) -> None:
    compute = build_compute(cloud_deps_any_db)
    agg = create(compute, "race")
    body = {"add_host": {"host": "compute-1"}}
    statuses = _together([(agg["id"], body)] * WORKERS, compute)
    assert Counter(statuses) == {200: 1, 409: WORKERS - 1}
    assert show(compute, agg["id"])["hosts"] == ["compute-1"]


def test_a_host_joining_two_zones_at_once_ends_in_one(cloud_deps_any_db: CloudDeps) -> None:
    compute = build_compute(cloud_deps_any_db)
    zoned = [create(compute, f"zone-{n}", availability_zone=f"az-{n}") for n in range(WORKERS)]
    body = {"add_host": {"host": "compute-2"}}
    statuses = _together([(agg["id"], body) for agg in zoned], compute)
    assert Counter(statuses) == {200: 1, 409: WORKERS - 1}
    listed = compute.get(AGGREGATES, headers=compute.admin).json["aggregates"]
    (joined,) = [a for a in listed if a["hosts"]]
    assert zone_of_services(compute)["compute-2"] == joined["availability_zone"]


def test_rezoning_while_a_host_joins_never_splits_it(cloud_deps_any_db: CloudDeps) -> None:
    compute = build_compute(cloud_deps_any_db)
    for _ in range(3):
        holder = create(compute, f"holder-{_}", availability_zone="az-a")
        act(compute, holder["id"], {"add_host": {"host": "compute-1"}})
        joiner = create(compute, f"joiner-{_}", availability_zone="az-a")
        statuses = _together(
            [
                (holder["id"], {"set_metadata": {"metadata": {"availability_zone": "az-b"}}}),
                (joiner["id"], {"add_host": {"host": "compute-1"}}),
            ],
            compute,
        )
        zones = {
            a["availability_zone"]
            for a in compute.get(AGGREGATES, headers=compute.admin).json["aggregates"]
            if "compute-1" in a["hosts"]
        }
        # Whichever went first, the other saw it: the host ends in exactly one zone.
        assert len(zones) == 1, (statuses, zones)
        assert zone_of_services(compute)["compute-1"] in zones
        for agg in (holder, joiner):
            act(compute, agg["id"], {"remove_host": {"host": "compute-1"}})
