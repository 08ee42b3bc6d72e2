"""Property tests: project isolation and marker paging over any sort."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pocketstack.cloud.compute import states
from pocketstack.cloud.compute.listing import SORT_KEYS
from tests.fixtures.cloud import OffsetClock, make_deps
from tests.unit.cloud.compute.helpers import Compute, build_compute, ids


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Compute:
    path: Path = tmp_path_factory.mktemp("prop")
    deps = make_deps(data_dir=path, db_url=f"sqlite:///{path / 'p.db'}", clock=OffsetClock())
    return build_compute(deps)


_counter = itertools.count()
server_spec = st.fixed_dictionaries(
    {
        "owner": st.sampled_from(["alice", "bob"]),
        "name": st.sampled_from(["web", "db", "Web", "cache-1", "x"]),
        "minutes": st.integers(0, 5),
        "vm_state": st.sampled_from([states.ACTIVE, states.STOPPED, states.ERROR]),
        "key_name": st.one_of(st.none(), st.sampled_from(["k1", "k2"])),
        "tags": st.lists(st.sampled_from(["a", "b", "c"]), unique=True, max_size=2),
    }
)
SORTABLE = [*sorted(SORT_KEYS - {"host", "node"}), "locked"]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    servers=st.lists(server_spec, min_size=1, max_size=12),
    sort=st.lists(
        st.tuples(st.sampled_from(SORTABLE), st.sampled_from(["asc", "desc"])), max_size=3
    ),
    name=st.one_of(st.none(), st.sampled_from(["web", "^d", "1$"])),
    status=st.one_of(st.none(), st.sampled_from(["ACTIVE", "SHUTOFF", "ERROR"])),
    tag=st.one_of(st.none(), st.sampled_from(["a", "b"])),
    limit=st.integers(1, 4),
)
def test_isolation_and_paging(
    shared: Compute,
    servers: list[dict[str, object]],
    sort: list[tuple[str, str]],
    name: str | None,
    status: str | None,
    tag: str | None,
    limit: int,
) -> None:
    # Each example gets its own pair of fresh projects inside the one database.
    run = next(_counter)
    from tests.fixtures.cloud import create_user, issue_token

    users = {
        who: create_user(shared.deps, name=f"{who}{run}", project_name=f"{who}-proj{run}")
        for who in ("alice", "bob")
    }
    created: dict[str, set[str]] = {"alice": set(), "bob": set()}
    for spec in servers:
        owner = str(spec["owner"])
        server_id = shared.make(
            project=users[owner].project_id, user=users[owner].id, name=str(spec["name"]),
            minutes=int(spec["minutes"]),  # type: ignore[call-overload]
            vm_state=str(spec["vm_state"]), key_name=spec["key_name"],
            tags=tuple(spec["tags"]),  # type: ignore[arg-type]
        )  # fmt: skip
        created[owner].add(server_id)
    token = issue_token(shared.deps, user_id=users["alice"].id,
                        project_id=users["alice"].project_id)  # fmt: skip
    headers = {"X-Auth-Token": token}
    query = [f"sort_key={k}&sort_dir={d}" for k, d in sort]
    for key, value in (("name", name), ("status", status), ("tags", tag)):
        if value is not None:
            query.append(f"{key}={value}")
    base = "&".join(query)
    full = shared.get("/v2.1/servers", headers=headers, version="2.73", query=base)
    assert full.status_code == 200, full.text
    everything = ids(full)
    assert set(everything) <= created["alice"]
    assert not set(everything) & created["bob"]
    seen: list[str] = []
    marker = ""
    for _ in range(len(everything) + 2):
        page = shared.get("/v2.1/servers", headers=headers, version="2.73",
                          query=f"{base}&limit={limit}{marker}")  # fmt: skip
        assert page.status_code == 200, page.text
        seen += ids(page)
        if "servers_links" not in page.json:
            break
        marker = f"&marker={ids(page)[-1]}"
    assert seen == everything
    assert len(seen) == len(set(seen))
