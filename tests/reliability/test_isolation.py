"""Tenant isolation: a caller without the admin role never reads, changes or deletes another
project's server, private flavor or token — whatever roles it holds, wherever else it holds them,
however it scopes its token, and whichever path form (/v2.1, /v2.1/{project}, /v2/{project}) it
uses.

Users, projects, roles and names are drawn by hypothesis (a bounded number of examples) against
the real WSGI apps in-process; each example checks every endpoint that names a server, flavor or
token, then that the victim's view of its things is exactly what it was.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import falcon.testing
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from pocketstack.cloud.app import create_cloud_app
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.store.models.compute import Flavor, FlavorProject
from pocketstack.cloud.store.models.identity import Role
from tests.fixtures.cloud import TestUser, create_user, issue_token
from tests.reliability.conftest import report_figure

EXAMPLES = 20
COMPUTE = {"OpenStack-API-Version": "compute 2.73"}
# Roles a non-admin may hold: the standard ones and one the policy does not know.
NON_ADMIN_ROLES = ("reader", "member", "observer")


@dataclasses.dataclass(frozen=True)
class Cloud:
    deps: CloudDeps
    client: falcon.testing.TestClient
    image_id: str

    def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> falcon.testing.Result:
        sent = dict(COMPUTE if path.startswith("/compute") else {})
        if token is not None:
            sent["X-Auth-Token"] = token
        sent.update(headers or {})
        return self.client.simulate_request(method, path, headers=sent, json=body)


@pytest.fixture
def cloud(cloud_deps: CloudDeps) -> Cloud:
    with cloud_deps.store.session(write=True) as session:
        if session.scalars(select(Role).where(Role.name == "observer")).first() is None:
            session.add(Role(id=uuid.uuid4().hex, name="observer"))
    client = falcon.testing.TestClient(create_cloud_app(cloud_deps))
    cloud = Cloud(cloud_deps, client, image_id="")
    admin = _admin_token(cloud_deps)
    images = cloud.call("GET", "/image/v2/images", token=admin).json["images"]
    return dataclasses.replace(cloud, image_id=images[0]["id"])


def _admin_token(deps: CloudDeps) -> str:
    from tests.fixtures.cloud import admin_token

    return admin_token(deps)


@dataclasses.dataclass(frozen=True)
class Victim:
    owner: TestUser
    token: str
    server_id: str
    server_name: str
    flavor_id: str


@dataclasses.dataclass(frozen=True)
class Scenario:
    attacker_roles: frozenset[str]
    # Roles the attacker also holds on the victim's project (its token is not scoped there).
    roles_in_victim_project: frozenset[str]
    scope: str  # "project" or "unscoped"
    path_style: str  # how the attacker addresses compute
    server_name: str


role_sets = st.frozensets(st.sampled_from(NON_ADMIN_ROLES), max_size=3)
scenarios = st.builds(
    Scenario,
    attacker_roles=role_sets,
    roles_in_victim_project=role_sets,
    scope=st.sampled_from(["project", "project", "unscoped"]),
    path_style=st.sampled_from(["v2.1", "v2.1/own", "v2/own", "v2.1/victim"]),
    server_name=st.text(
        alphabet=st.characters(categories=("L", "N", "Pd", "Zs")),
        min_size=1,
        max_size=24,
    ).map(lambda s: s.strip() or "x"),
)


def _make_victim(cloud: Cloud, *, server_name: str) -> Victim:
    tag = uuid.uuid4().hex[:8]
    owner = create_user(
        cloud.deps, name=f"owner-{tag}", project_name=f"victim-{tag}", roles=("member",)
    )
    token = issue_token(cloud.deps, user_id=owner.id, project_id=owner.project_id)
    created = cloud.call(
        "POST",
        "/compute/v2.1/servers",
        token=token,
        body={
            "server": {
                "name": server_name,
                "imageRef": cloud.image_id,
                "flavorRef": "1",
                "networks": "auto",
                "metadata": {"owner": "victim"},
                "tags": ["victim"],
            }
        },
    )
    assert created.status_code == 202, created.text
    flavor_id = f"private-{tag}"
    with cloud.deps.store.session(write=True) as session:
        session.add(
            Flavor(
                id=flavor_id, name=f"private-{tag}", vcpus=1, memory_mb=64, root_gb=1,
                ephemeral_gb=0, swap=0, rxtx_factor="1.0", is_public=False, disabled=False,
                description=None, extra_specs="{}", created_at=dt.datetime.now(dt.UTC),
            )
        )  # fmt: skip
        session.flush()
        session.add(FlavorProject(flavor_id=flavor_id, project_id=owner.project_id))
    return Victim(owner, token, created.json["server"]["id"], server_name, flavor_id)


def _victim_view(cloud: Cloud, victim: Victim) -> dict[str, Any]:
    """Everything the owner can see of its things (each read must succeed)."""
    sid = victim.server_id
    views: dict[str, Any] = {}
    for key, path in {
        "server": f"/compute/v2.1/servers/{sid}",
        "tags": f"/compute/v2.1/servers/{sid}/tags",
        "metadata": f"/compute/v2.1/servers/{sid}/metadata",
        "flavor": f"/compute/v2.1/flavors/{victim.flavor_id}",
    }.items():
        result = cloud.call("GET", path, token=victim.token)
        assert result.status_code == 200, (path, result.text)
        views[key] = result.json
    listed = cloud.call("GET", "/compute/v2.1/servers/detail", token=victim.token)
    assert [s["id"] for s in listed.json["servers"]] == [sid]
    with cloud.deps.store.session() as session:
        views["flavor_access"] = sorted(
            session.scalars(
                select(FlavorProject.project_id).where(FlavorProject.flavor_id == victim.flavor_id)
            )
        )
    check = cloud.call(
        "GET",
        "/identity/v3/auth/tokens",
        token=victim.token,
        headers={"X-Subject-Token": victim.token},
    )
    assert check.status_code == 200, check.text
    return views


def _attacker(cloud: Cloud, scenario: Scenario, victim: Victim) -> tuple[TestUser, str]:
    tag = uuid.uuid4().hex[:8]
    attacker = create_user(
        cloud.deps,
        name=f"attacker-{tag}",
        project_name=f"attacker-{tag}",
        roles=tuple(sorted(scenario.attacker_roles)),
    )
    if scenario.roles_in_victim_project:
        from pocketstack.cloud.store.models.identity import RoleAssignment

        with cloud.deps.store.session(write=True) as session:
            for name in scenario.roles_in_victim_project:
                role = session.scalars(select(Role).where(Role.name == name)).one()
                session.add(
                    RoleAssignment(
                        target_type="project",
                        target_id=victim.owner.project_id,
                        user_id=attacker.id,
                        role_id=role.id,
                    )
                )
    if scenario.scope == "unscoped":
        token = cloud.deps.tokens.issue(user_id=attacker.id, methods=["password"]).token_id
    else:
        token = issue_token(cloud.deps, user_id=attacker.id, project_id=attacker.project_id)
    return attacker, token


def _compute_root(scenario: Scenario, attacker: TestUser, victim: Victim) -> str:
    return {
        "v2.1": "/compute/v2.1",
        "v2.1/own": f"/compute/v2.1/{attacker.project_id}",
        "v2/own": f"/compute/v2/{attacker.project_id}",
        "v2.1/victim": f"/compute/v2.1/{victim.owner.project_id}",
    }[scenario.path_style]


def _ids(body: Any, key: str) -> set[str]:
    return {item["id"] for item in body.get(key, [])} if isinstance(body, dict) else set()


def _check_refused(result: falcon.testing.Result, what: str) -> None:
    # 400 (a path naming another project), 401 (no usable scope), 403 (policy), 404 (hidden).
    assert result.status_code in (400, 401, 403, 404), (what, result.status_code, result.text)


def _attack_compute(
    cloud: Cloud, scenario: Scenario, attacker: TestUser, token: str, victim: Victim
) -> int:
    root = _compute_root(scenario, attacker, victim)
    sid = victim.server_id
    victim_project = victim.owner.project_id
    requests = 0
    for collection in ("servers", "servers/detail"):
        for query in (
            "",
            f"?project_id={victim_project}",
            f"?tenant_id={victim_project}",
            "?all_tenants=1",
            "?all_tenants=0",
            "?name=.",
            f"?user_id={victim.owner.id}",
            "?changes-since=2000-01-01T00:00:00Z",
            "?deleted=true",
            "?tags=victim",
            f"?uuid={sid}",
        ):
            result = cloud.call("GET", f"{root}/{collection}{query}", token=token)
            requests += 1
            assert result.status_code < 500, (query, result.text)
            if result.status_code == 200:
                assert sid not in _ids(result.json, "servers"), (collection, query)
                assert sid not in result.text
            if query == "?all_tenants=1":
                assert result.status_code in (400, 401, 403), result.text
    for path in ("", "/tags", "/tags/victim", "/metadata", "/metadata/owner"):
        result = cloud.call("GET", f"{root}/servers/{sid}{path}", token=token)
        requests += 1
        _check_refused(result, f"GET servers/{{id}}{path}")
        assert "victim" not in result.text
    writes: list[tuple[str, str, Any]] = [
        ("PUT", "", {"server": {"name": "taken-over"}}),
        ("PUT", "/tags", {"tags": ["taken-over"]}),
        ("PUT", "/tags/taken-over", None),
        ("DELETE", "/tags/victim", None),
        ("DELETE", "/tags", None),
        ("POST", "/metadata", {"metadata": {"taken": "over"}}),
        ("PUT", "/metadata", {"metadata": {}}),
        ("PUT", "/metadata/owner", {"meta": {"owner": "attacker"}}),
        ("DELETE", "/metadata/owner", None),
    ]
    writes += [
        ("POST", "/action", body)
        for body in (
            {"os-stop": None},
            {"os-start": None},
            {"reboot": {"type": "HARD"}},
            {"reboot": {"type": "SOFT"}},
            {"pause": None},
            {"unpause": None},
            {"suspend": None},
            {"resume": None},
            {"lock": {"locked_reason": "mine now"}},
            {"unlock": None},
        )
    ]
    writes.append(("DELETE", "", None))
    for method, path, body in writes:
        result = cloud.call(method, f"{root}/servers/{sid}{path}", token=token, body=body)
        requests += 1
        _check_refused(result, f"{method} servers/{{id}}{path} {body}")
    return requests


def _attack_flavor(
    cloud: Cloud, scenario: Scenario, attacker: TestUser, token: str, victim: Victim
) -> int:
    root = _compute_root(scenario, attacker, victim)
    fid = victim.flavor_id
    requests = 0
    for query in ("", "?is_public=None", "?is_public=false", "?is_public=true"):
        for collection in ("flavors", "flavors/detail"):
            result = cloud.call("GET", f"{root}/{collection}{query}", token=token)
            requests += 1
            assert result.status_code < 500, result.text
            if result.status_code == 200:
                assert fid not in _ids(result.json, "flavors"), (collection, query)
    for method, path, body in (
        ("GET", f"/flavors/{fid}", None),
        ("GET", f"/flavors/{fid}/os-flavor-access", None),
        ("POST", f"/flavors/{fid}/action", {"addTenantAccess": {"tenant": attacker.project_id}}),
        (
            "POST",
            f"/flavors/{fid}/action",
            {"removeTenantAccess": {"tenant": victim.owner.project_id}},
        ),
        ("DELETE", f"/flavors/{fid}", None),
        (
            "POST",
            "/servers",
            {
                "server": {
                    "name": "on-a-private-flavor",
                    "imageRef": cloud.image_id,
                    "flavorRef": fid,
                    "networks": "auto",
                }
            },
        ),
    ):
        result = cloud.call(method, f"{root}{path}", token=token, body=body)
        requests += 1
        _check_refused(result, f"{method} {path}")
    return requests


def _attack_tokens(
    cloud: Cloud, scenario: Scenario, attacker: TestUser, token: str, victim: Victim
) -> int:
    requests = 0
    subject = {"X-Subject-Token": victim.token}
    for method in ("GET", "HEAD", "DELETE"):
        result = cloud.call(method, "/identity/v3/auth/tokens", token=token, headers=subject)
        requests += 1
        assert result.status_code == 403, (method, result.status_code, result.text)
        result = cloud.call(method, f"/identity/v2.0/tokens/{victim.token}", token=token)
        requests += 1
        assert result.status_code == 403, (method, "v2.0", result.status_code, result.text)
        assert victim.token not in result.text
    if not scenario.roles_in_victim_project:
        # Rescoping one's own token into a project one has no role on.
        result = cloud.call(
            "POST",
            "/identity/v3/auth/tokens",
            token=None,
            body={
                "auth": {
                    "identity": {"methods": ["token"], "token": {"id": token}},
                    "scope": {"project": {"id": victim.owner.project_id}},
                }
            },
        )
        requests += 1
        assert result.status_code == 401, result.text
        result = cloud.call(
            "POST",
            "/identity/v2.0/tokens",
            token=None,
            body={"auth": {"token": {"id": token}, "tenantId": victim.owner.project_id}},
        )
        requests += 1
        assert result.status_code == 401, result.text
    return requests


TALLY: list[int] = []


@pytest.fixture(scope="module", autouse=True)
def _report_examples() -> Iterator[None]:
    yield
    if TALLY:
        report_figure(
            f"isolation: {len(TALLY)} hypothesis examples, {sum(TALLY)} requests by non-admins "
            "at other projects' servers, flavors and tokens, all refused or filtered"
        )


@pytest.mark.slow
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
@given(scenario=scenarios)
def test_non_admin_cannot_touch_another_projects_things(cloud: Cloud, scenario: Scenario) -> None:
    victim = _make_victim(cloud, server_name=scenario.server_name)
    before = _victim_view(cloud, victim)
    attacker, token = _attacker(cloud, scenario, victim)
    requests = _attack_compute(cloud, scenario, attacker, token, victim)
    requests += _attack_flavor(cloud, scenario, attacker, token, victim)
    requests += _attack_tokens(cloud, scenario, attacker, token, victim)
    assert _victim_view(cloud, victim) == before
    TALLY.append(requests)


def test_admin_does_see_and_act_on_other_projects(cloud: Cloud) -> None:
    """The checks above can fail: the same requests by an admin reach the victim's server."""
    victim = _make_victim(cloud, server_name="visible-to-admin")
    admin = _admin_token(cloud.deps)
    listed = cloud.call("GET", "/compute/v2.1/servers?all_tenants=1", token=admin)
    assert victim.server_id in _ids(listed.json, "servers")
    shown = cloud.call("GET", f"/compute/v2.1/servers/{victim.server_id}", token=admin)
    assert shown.status_code == 200
    flavor = cloud.call("GET", f"/compute/v2.1/flavors/{victim.flavor_id}", token=admin)
    assert flavor.status_code == 200
    peek = cloud.call(
        "GET", "/identity/v3/auth/tokens", token=admin, headers={"X-Subject-Token": victim.token}
    )
    assert peek.status_code == 200
    gone = cloud.call("DELETE", f"/compute/v2.1/servers/{victim.server_id}", token=admin)
    assert gone.status_code == 204
    shown = cloud.call("GET", f"/compute/v2.1/servers/{victim.server_id}", token=victim.token)
    assert shown.status_code == 404


@pytest.mark.parametrize("space", ["\u00a0", "\u2009", "\u3000"])
def test_names_with_inner_unicode_spaces_are_accepted(cloud: Cloud, space: str) -> None:
    """Found by the property test above: a victim named 'a<NBSP>b' could not be created."""
    owner = create_user(cloud.deps, name=f"spacer-{uuid.uuid4().hex[:8]}", project_name="spaces")
    token = issue_token(cloud.deps, user_id=owner.id, project_id=owner.project_id)
    name = f"a{space}b"
    created = cloud.call(
        "POST",
        "/compute/v2.1/servers",
        token=token,
        body={
            "server": {
                "name": name,
                "imageRef": cloud.image_id,
                "flavorRef": "1",
                "networks": "auto",
            }
        },
    )
    assert created.status_code == 202, created.text
    shown = cloud.call("GET", f"/compute/v2.1/servers/{created.json['server']['id']}", token=token)
    assert shown.json["server"]["name"] == name
    # At either end it stays refused, as in Nova.
    edged = cloud.call(
        "POST",
        "/compute/v2.1/servers",
        token=token,
        body={
            "server": {
                "name": f"{space}ab",
                "imageRef": cloud.image_id,
                "flavorRef": "1",
                "networks": "auto",
            }
        },
    )
    assert edged.status_code == 400
