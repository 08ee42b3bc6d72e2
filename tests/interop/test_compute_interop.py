"""The genuine upstream clients against our compute API.

- tempest's own response schemas validate list/detail/show/update/create bodies at every
  microversion where the server view changes (run in the interoperability venv);
- python-novaclient's `nova list` with each flag, python-openstackclient's `openstack server ...`
  and openstacksdk paging, against a real `pocketstack serve`.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from pocketstack.cloud.config import load_config
from pocketstack.cloud.deps import build_deps
from pocketstack.cloud.image.bootstrap import CIRROS_ID, CIRROS_NAME
from pocketstack.cloud.image.seed import SEED_IMAGES
from pocketstack.cloud.seed import seed
from pocketstack.cloud.store.models.compute import Instance, InstanceTag
from pocketstack.cloud.store.models.identity import Project
from tests.fixtures.cloud import CloudDeps
from tests.unit.cloud.compute.helpers import Compute, build_compute

pytestmark = pytest.mark.interop

IMAGE_NAMES = {CIRROS_ID: CIRROS_NAME, **{image_id: name for image_id, name, _ in SEED_IMAGES}}
VALIDATOR = Path(__file__).with_name("tempest_validate.py")
MICROVERSIONS = [1, 3, 9, 16, 19, 26, 47, 63, 71, 73, 75, 89, 90, 96, 98, 100]


def _validate(venv: Path, cases: list[dict[str, Any]]) -> list[str]:
    result = subprocess.run(
        [str(venv / "bin" / "python"), str(VALIDATOR)],
        input=json.dumps(cases), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    errors: list[str] = json.loads(result.stdout)
    return errors


def test_tempest_schemas_validate_our_bodies(interop_venv: Path, cloud_deps: CloudDeps) -> None:
    c: Compute = build_compute(cloud_deps)
    cases: list[dict[str, Any]] = []
    for who, headers in (("admin", c.admin), ("member", c.alice_h)):
        created = c.call("POST", "/v2.1/servers", headers=headers, version="2.52", body={
            "server": {"name": f"s-{who}", "imageRef": CIRROS_ID, "flavorRef": "1",
                       "networks": "auto", "tags": ["t"], "metadata": {"k": "v"}}})  # fmt: skip
        cases.append({"schema": "create_server_with_admin_pass", "minor": 1,
                      "status": created.status_code, "body": created.json})  # fmt: skip
        server_id = created.json["server"]["id"]
        stopped = c.call("POST", "/v2.1/servers", headers=headers, version="2.52", body={
            "server": {"name": f"off-{who}", "imageRef": CIRROS_ID, "flavorRef": "2",
                       "networks": "none"}})  # fmt: skip
        c.call("POST", f"/v2.1/servers/{stopped.json['server']['id']}/action", headers=headers,
               body={"os-stop": None})  # fmt: skip
        for minor in MICROVERSIONS:
            version = f"2.{minor}"
            for path, schema in (
                ("/v2.1/servers", "list_servers"),
                ("/v2.1/servers/detail", "list_servers_detail"),
                (f"/v2.1/servers/{server_id}", "get_server"),
            ):
                result = c.get(path, headers=headers, version=version)
                cases.append({"schema": schema, "minor": minor, "status": result.status_code,
                              "body": result.json})  # fmt: skip
            paged = c.get("/v2.1/servers/detail", headers=headers, version=version,
                          params={"limit": "1"})  # fmt: skip
            assert "servers_links" in paged.json
            cases.append({"schema": "list_servers_detail", "minor": minor,
                          "status": paged.status_code, "body": paged.json})  # fmt: skip
            updated = c.call("PUT", f"/v2.1/servers/{server_id}", headers=headers,
                             version=version, body={"server": {"name": f"s-{who}"}})  # fmt: skip
            cases.append({"schema": "update_server", "minor": minor,
                          "status": updated.status_code, "body": updated.json})  # fmt: skip
        tags = c.get(f"/v2.1/servers/{server_id}/tags", headers=headers, version="2.26")
        cases.append({"schema": "list_tags", "minor": 26, "status": tags.status_code,
                      "body": tags.json})  # fmt: skip
    errors = [e for e in _validate(interop_venv, cases) if e]
    assert errors == []
    assert len(cases) > 150


# --- real clients against a real server ------------------------------------------------------


class Live:
    def __init__(self, venv: Path, env: dict[str, str], deps: CloudDeps) -> None:
        self.venv = venv
        self.env = env
        self.deps = deps

    def run(self, *argv: str) -> str:
        result = subprocess.run(
            [str(self.venv / "bin" / argv[0]), *argv[1:]], env=self.env, capture_output=True,
            text=True, timeout=120, check=False,
        )  # fmt: skip
        assert result.returncode == 0, f"{argv}: {result.stderr}"
        return result.stdout

    def nova_ids(self, *flags: str) -> list[str]:
        out = self.run("nova", "list", "--fields", "id", *flags)
        found = []
        for line in out.splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) >= 1 and len(cells[0]) == 36 and cells[0].count("-") == 4:
                found.append(cells[0])
        return found

    def rows(self, *where: Any) -> list[Instance]:
        with self.deps.store.session() as session:
            return list(session.scalars(select(Instance).where(*where)))


@pytest.fixture(scope="module")
def live(interop_venv: Path, live_cloud: Any) -> Iterator[Live]:
    config = load_config(data_dir=live_cloud.data_dir)
    deps = build_deps(config)
    seed(deps, servers=40, projects=2)
    env = live_cloud.client_env()
    env["OS_COMPUTE_API_VERSION"] = "2.latest"
    yield Live(interop_venv, env, deps)
    deps.store.dispose()


def live_ids(live: Live, *where: Any) -> set[str]:
    return {r.uuid for r in live.rows(Instance.deleted.is_(False), *where)}


def test_nova_list_all_tenants_and_tenant(live: Live) -> None:
    assert set(live.nova_ids("--all-tenants", "--limit", "-1")) == live_ids(live)
    with live.deps.store.session() as session:
        demo1 = session.scalars(select(Project.id).where(Project.name == "demo1")).one()
    got = live.nova_ids("--all-tenants", "--tenant", demo1, "--limit", "-1")
    assert set(got) == live_ids(live, Instance.project_id == demo1)
    assert got


def test_nova_list_status_name_flavor_image(live: Live) -> None:
    stopped = live.nova_ids("--all-tenants", "--status", "SHUTOFF")
    assert set(stopped) == live_ids(live, Instance.vm_state == "stopped")
    named = live.nova_ids("--all-tenants", "--name", "^web")
    assert set(named) == live_ids(live, Instance.display_name.like("web%"))
    small = live.nova_ids("--all-tenants", "--flavor", "m1.small")
    assert set(small) == live_ids(live, Instance.flavor_id == "2")
    by_image = live.nova_ids("--all-tenants", "--image", CIRROS_NAME)
    assert set(by_image) == live_ids(live, Instance.image_ref == CIRROS_ID)


def test_nova_list_ip_sort_fields_minimal(live: Live) -> None:
    target = sorted(live.rows(Instance.deleted.is_(False), Instance.ip4 != ""),
                    key=lambda r: r.id)[0]  # fmt: skip
    got = live.nova_ids("--all-tenants", "--ip", target.ip4.replace(".", "\\.") + "$")
    assert got == [target.uuid]
    out = live.run("nova", "list", "--all-tenants", "--sort", "display_name:asc",
                   "--fields", "name,status", "--limit", "-1")  # fmt: skip
    listed = [line.split("|")[2].strip() for line in out.splitlines()
              if line.startswith("|") and "Name" not in line]  # fmt: skip
    assert listed == sorted(r.display_name for r in live.rows(Instance.deleted.is_(False)))
    minimal = live.run("nova", "list", "--all-tenants", "--minimal")
    assert "Status" not in minimal
    assert target.uuid in minimal


def test_nova_list_limit_marker_changes_since(live: Live) -> None:
    everything = live.nova_ids("--all-tenants", "--limit", "-1", "--sort", "created_at:asc")
    first = live.nova_ids("--all-tenants", "--limit", "5", "--sort", "created_at:asc")
    assert first == everything[:5]
    after = live.nova_ids("--all-tenants", "--limit", "5", "--sort", "created_at:asc",
                          "--marker", first[-1])  # fmt: skip
    assert after == everything[5:10]
    rows = sorted(live.rows(), key=lambda r: r.updated_at)
    since = rows[len(rows) // 2].updated_at
    got = live.nova_ids("--all-tenants", "--changes-since", since.isoformat())
    assert set(got) == {r.uuid for r in rows if r.updated_at >= since}


def test_nova_list_tags_locked_deleted(live: Live) -> None:
    tagged = live.nova_ids("--all-tenants", "--tags", "prod")
    prod = select(InstanceTag.instance_id).where(InstanceTag.tag == "prod")
    assert tagged
    assert set(tagged) == live_ids(live, Instance.id.in_(prod))
    locked = live.nova_ids("--all-tenants", "--locked", "true")
    assert set(locked) == live_ids(live, Instance.locked.is_(True))
    deleted = live.nova_ids("--all-tenants", "--deleted")
    assert set(deleted) == {r.uuid for r in live.rows(Instance.deleted.is_(True))}


def test_openstack_server_list(live: Live) -> None:
    # Without --limit the client follows every page.
    out = live.run("openstack", "server", "list", "--all-projects", "--long", "-f", "json")
    servers = json.loads(out)
    assert {s["ID"] for s in servers} == live_ids(live)
    by_id = {r.uuid: r for r in live.rows(Instance.deleted.is_(False))}
    for server in servers:
        assert server["Name"] == by_id[server["ID"]].display_name
        row = by_id[server["ID"]]
        assert server["Flavor"] == row.flavor_name  # 2.47+: the embedded flavor's name
        assert server["Image Name"] == IMAGE_NAMES[row.image_ref]
        assert server["Project ID"] == row.project_id
        assert server["Host"] == row.host
    limited = json.loads(live.run("openstack", "server", "list", "--all-projects", "-f", "json",
                                  "--limit", "3"))  # fmt: skip
    assert len(limited) == 3


def test_openstack_server_lifecycle(live: Live) -> None:
    created = json.loads(live.run(
        "openstack", "server", "create", "--image", CIRROS_ID, "--flavor", "m1.tiny",
        "--nic", "auto", "--wait", "-f", "json", "interop-vm",
    ))  # fmt: skip
    server_id = created["id"]
    shown = json.loads(live.run("openstack", "server", "show", server_id, "-f", "json"))
    assert shown["status"] == "ACTIVE"
    live.run("openstack", "server", "stop", server_id)
    shown = json.loads(live.run("openstack", "server", "show", server_id, "-f", "json"))
    assert shown["status"] == "SHUTOFF"
    live.run("openstack", "server", "start", server_id)
    shown = json.loads(live.run("openstack", "server", "show", server_id, "-f", "json"))
    assert shown["status"] == "ACTIVE"
    live.run("openstack", "server", "delete", "--wait", server_id)
    assert server_id not in live_ids(live)


def test_openstacksdk_follows_next_links(live: Live) -> None:
    script = (
        "import json, openstack\n"
        "conn = openstack.connect()\n"
        "ids = [s.id for s in conn.compute.servers(all_projects=True, limit=7)]\n"
        "print(json.dumps(ids))\n"
    )
    ids = json.loads(live.run("python", "-c", script))
    assert len(ids) == len(set(ids))
    assert set(ids) == live_ids(live)
    assert len(ids) > 7
