"""A network API test harness: the real falcon app, tokens for an admin, two projects' members
and a reader, and shortcuts that create networks, subnets and ports and check the status."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from typing import Any

from falcon import testing
from sqlalchemy import delete

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.network import bootstrap, private_network
from pocketstack.cloud.network.app import create_app
from pocketstack.cloud.store.models.network import Network, Subnet
from tests.fixtures.cloud import TestUser, admin_token, create_user, issue_token

Headers = dict[str, str]


@dataclasses.dataclass
class Net:
    deps: CloudDeps
    client: testing.TestClient
    admin: Headers
    alice: TestUser
    bob: TestUser
    alice_h: Headers
    bob_h: Headers
    reader_h: Headers

    def call(
        self, method: str, path: str, headers: Headers, body: Any = None, query: str | None = None
    ) -> testing.Result:
        return self.client.simulate_request(
            method, f"/v2.0{path}", headers=headers, json=body, query_string=query
        )

    def get(self, path: str, headers: Headers, query: str | None = None) -> testing.Result:
        return self.call("GET", path, headers, query=query)

    def made(self, path: str, headers: Headers, body: Any, status: int = 201) -> dict[str, Any]:
        result = self.call("POST", path, headers, body)
        assert result.status_code == status, result.text
        resource = next(iter(body))
        made: dict[str, Any] = result.json[resource]
        return made

    def network(self, headers: Headers, **attrs: Any) -> dict[str, Any]:
        return self.made("/networks", headers, {"network": {"name": "net", **attrs}})

    def subnet(self, headers: Headers, network_id: str, cidr: str, **attrs: Any) -> dict[str, Any]:
        version = 6 if ":" in cidr else 4
        body = {"subnet": {"network_id": network_id, "cidr": cidr, "ip_version": version, **attrs}}
        return self.made("/subnets", headers, body)

    def port(self, headers: Headers, network_id: str, **attrs: Any) -> dict[str, Any]:
        return self.made("/ports", headers, {"port": {"network_id": network_id, **attrs}})


def error(result: testing.Result) -> tuple[int, str, str]:
    """The status, Neutron's error type and message of a refusal."""
    fault = result.json["NeutronError"]
    assert set(fault) == {"type", "message", "detail"}
    return result.status_code, fault["type"], fault["message"]


def _without_bootstrap_networks(deps: CloudDeps, *, public: bool) -> None:
    """The network service's own tests start without the bootstrapped networks whose listing
    they do not expect: the shared `private` one servers boot on, and the external `public`
    one unless the test routes to it (`public`)."""
    ids = [private_network.NETWORK_ID] + ([] if public else [bootstrap.PUBLIC_NETWORK_ID])
    with deps.store.session(write=True) as session:
        session.execute(delete(Subnet).where(Subnet.network_id.in_(ids)))
        session.execute(delete(Network).where(Network.id.in_(ids)))


def build_net(deps: CloudDeps, *, public: bool = False) -> Net:
    _without_bootstrap_networks(deps, public=public)
    alice = create_user(deps, name="alice", project_name="alpha")
    bob = create_user(deps, name="bob", project_name="beta")
    reader = create_user(deps, name="rita", project_name="alpha", roles=("reader",))

    def token(user: TestUser) -> Headers:
        return {"X-Auth-Token": issue_token(deps, user_id=user.id, project_id=user.project_id)}

    return Net(
        deps=deps,
        client=testing.TestClient(create_app(deps)),
        admin={"X-Auth-Token": admin_token(deps)},
        alice=alice,
        bob=bob,
        alice_h=token(alice),
        bob_h=token(bob),
        reader_h=token(reader),
    )


def race(calls: list[Callable[[], testing.Result]]) -> list[testing.Result]:
    """Runs every call in its own thread, all released at once; their results in order."""
    results: list[Any] = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = calls[index]()
        except BaseException as exc:  # reported below, with the others
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert [r for r in results if isinstance(r, BaseException)] == []
    return results
