"""The genuine `openstack flavor ...` commands against a real `pocketstack serve`: a private
flavor with properties (extra specs), shared with a project, shown and listed."""

from __future__ import annotations

import pytest

from tests.interop.live_clients import Live

pytestmark = pytest.mark.interop


def test_private_flavor_with_properties_shared_shown_and_listed(live: Live) -> None:
    created = live.json(
        "openstack", "flavor", "create", "--private", "--property", "hw:cpu_policy=dedicated",
        "--property", "k=v", "--ram", "64", "--disk", "1", "--vcpus", "2", "--id", "ix1",
        "interop-private",
    )  # fmt: skip
    assert created["id"] == "ix1"
    assert created["os-flavor-access:is_public"] is False
    assert created["properties"] == {"hw:cpu_policy": "dedicated", "k": "v"}
    project = live.run("openstack", "token", "issue", "-f", "value", "-c", "project_id").strip()
    live.run("openstack", "flavor", "set", "--project", project, "ix1")
    live.run("openstack", "flavor", "set", "--property", "extra=1", "ix1")
    shown = live.json("openstack", "flavor", "show", "ix1")
    assert shown["name"] == "interop-private"
    assert shown["properties"] == {"hw:cpu_policy": "dedicated", "k": "v", "extra": "1"}
    assert shown["access_project_ids"] == [project]
    listed = live.json("openstack", "flavor", "list", "--all", "--long")
    rows = {row["ID"]: row for row in listed}
    assert rows["ix1"]["Is Public"] is False
    assert rows["ix1"]["Properties"] == {"hw:cpu_policy": "dedicated", "k": "v", "extra": "1"}
    assert {"1", "2", "3", "4", "5"} <= set(rows)
    # --public is Nova's is_public=true: public flavors and those shared with the caller's
    # project, as ix1 now is; --private only the private ones.
    assert "ix1" in {row["ID"] for row in live.json("openstack", "flavor", "list", "--public")}
    assert [row["ID"] for row in live.json("openstack", "flavor", "list", "--private")] == ["ix1"]
    live.run("openstack", "flavor", "unset", "--project", project, "ix1")
    live.run("openstack", "flavor", "delete", "ix1")
    assert "ix1" not in {row["ID"] for row in live.json("openstack", "flavor", "list", "--all")}
