"""A compute API test harness: the real falcon app, tokens for an admin and two projects, and a
factory that writes servers with chosen attributes straight into the store."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
import uuid
from typing import Any

from falcon import testing

from pocketstack.cloud.compute import driver, states
from pocketstack.cloud.compute.app import create_app
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.image.bootstrap import CIRROS_ID
from pocketstack.cloud.store.models.compute import Instance, InstanceMetadata, InstanceTag
from tests.fixtures.cloud import TestUser, admin_token, create_user, issue_token

BASE_TIME = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
_seq = itertools.count(1000)


@dataclasses.dataclass
class Compute:
    deps: CloudDeps
    client: testing.TestClient
    admin: dict[str, str]
    alice: TestUser
    bob: TestUser
    alice_h: dict[str, str]
    bob_h: dict[str, str]
    admin_project: str

    def get(
        self,
        path: str,
        *,
        headers: dict[str, str],
        version: str | None = None,
        params: Any = None,
        query: str | None = None,
    ) -> testing.Result:
        h = dict(headers)
        if version:
            h["OpenStack-API-Version"] = f"compute {version}"
        return self.client.simulate_get(path, headers=h, params=params, query_string=query)

    def call(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str],
        version: str | None = None,
        body: Any = None,
    ) -> testing.Result:
        h = dict(headers)
        if version:
            h["OpenStack-API-Version"] = f"compute {version}"
        return self.client.simulate_request(method, path, headers=h, json=body)

    def boot(self, headers: dict[str, str], name: str = "vm", **extra: Any) -> str:
        body = {
            "server": {
                "name": name,
                "imageRef": CIRROS_ID,
                "flavorRef": "1",
                "networks": "auto",
                **extra,
            }
        }
        result = self.call("POST", "/v2.1/servers", headers=headers, version="2.52", body=body)
        assert result.status_code == 202, result.text
        return str(result.json["server"]["id"])

    def make(
        self,
        *,
        project: str,
        user: str = "u",
        name: str = "srv",
        minutes: int = 0,
        vm_state: str = states.ACTIVE,
        task_state: str | None = None,
        tags: tuple[str, ...] = (),
        metadata: dict[str, str] | None = None,
        **columns: Any,
    ) -> str:
        """Writes a server row directly; created/updated `minutes` after BASE_TIME."""
        seq = next(_seq)
        when = BASE_TIME + dt.timedelta(minutes=minutes)
        row = Instance(
            uuid=str(uuid.uuid4()), project_id=project, user_id=user, display_name=name,
            hostname=name, reservation_id=f"r-{seq}", launch_index=0, image_ref=CIRROS_ID,
            flavor_id="1", flavor_name="m1.tiny", vcpus=1, memory_mb=512, root_gb=1,
            ephemeral_gb=0, swap=0, flavor_extra_specs="{}", image_properties="{}",
            vm_state=vm_state, task_state=task_state,
            power_state=states.RUNNING if vm_state == states.ACTIVE else states.NOSTATE,
            progress=0, host="compute-1", node="compute-1", availability_zone="nova",
            config_drive="", auto_disk_config=False, kernel_id="", ramdisk_id="",
            locked=False, addresses="[]", ip4="", ip6="", scheduler_hints="{}",
            created_at=when, updated_at=when, deleted=vm_state == states.DELETED,
        )  # fmt: skip
        if vm_state != states.BUILDING:
            driver.set_addresses(row, driver.fixed_addresses(seq))
        for key, value in columns.items():
            setattr(row, key, value)
        with self.deps.store.session(write=True) as session:
            session.add(row)
            session.flush()
            for tag in tags:
                session.add(InstanceTag(instance_id=row.id, tag=tag))
            for key, value in (metadata or {}).items():
                session.add(InstanceMetadata(instance_id=row.id, key=key, value=value))
        return row.uuid


def build_compute(deps: CloudDeps) -> Compute:
    alice = create_user(deps, name="alice", project_name="alpha")
    bob = create_user(deps, name="bob", project_name="beta")
    admin = {"X-Auth-Token": admin_token(deps)}
    client = testing.TestClient(create_app(deps))
    admin_project = json.loads(json.dumps(deps.tokens.validate(admin["X-Auth-Token"]).project_id))
    return Compute(
        deps=deps,
        client=client,
        admin=admin,
        alice=alice,
        bob=bob,
        alice_h={"X-Auth-Token": issue_token(deps, user_id=alice.id, project_id=alice.project_id)},
        bob_h={"X-Auth-Token": issue_token(deps, user_id=bob.id, project_id=bob.project_id)},
        admin_project=admin_project,
    )


def names(result: testing.Result) -> list[str]:
    return [s["name"] for s in result.json["servers"]]


def ids(result: testing.Result) -> list[str]:
    return [s["id"] for s in result.json["servers"]]


def fault(result: testing.Result) -> tuple[str, str]:
    ((name, body),) = result.json.items()
    return name, body["message"]
