"""Create, show, update, delete, actions, tags and metadata of servers; the fake driver."""

from __future__ import annotations

from pathlib import Path

import pytest

from pocketstack.cloud.compute import driver
from pocketstack.cloud.image.bootstrap import CIRROS_ID
from tests.fixtures.cloud import OffsetClock, make_deps
from tests.unit.cloud.compute.helpers import Compute, build_compute, fault

SERVER = {"name": "vm1", "imageRef": CIRROS_ID, "flavorRef": "1", "networks": "auto"}


def create(
    c: Compute, body: object, *, version: str = "2.52", headers: dict[str, str] | None = None
):  # type: ignore[no-untyped-def]
    return c.call("POST", "/v2.1/servers", headers=headers or c.alice_h, version=version, body=body)


def test_create_returns_202_location_and_admin_pass(compute: Compute) -> None:
    result = create(compute, {"server": SERVER})
    assert result.status_code == 202
    server = result.json["server"]
    assert set(server) == {"id", "links", "OS-DCF:diskConfig", "security_groups", "adminPass"}
    assert result.headers["Location"] == server["links"][0]["href"]
    assert server["security_groups"] == [{"name": "default"}]
    shown = compute.get(f"/v2.1/servers/{server['id']}", headers=compute.alice_h)
    body = shown.json["server"]
    assert body["status"] == "ACTIVE"
    assert body["OS-EXT-STS:power_state"] == 1
    assert body["OS-SRV-USG:launched_at"]
    assert body["hostId"]
    (addr4, addr6) = body["addresses"][driver.NETWORK_NAME]
    assert (addr4["version"], addr6["version"]) == (4, 6)
    assert addr4["OS-EXT-IPS-MAC:mac_addr"].startswith("fa:16:3e:")
    assert body["user_id"] == compute.alice.id
    assert body["tenant_id"] == compute.alice.project_id


def test_create_with_metadata_tags_description_az(compute: Compute) -> None:
    made = compute.call(
        "POST", "/v2.1/os-keypairs", headers=compute.alice_h, body={"keypair": {"name": "k"}}
    )
    assert made.status_code == 200, made.text
    body = {
        "server": {
            **SERVER,
            "metadata": {"a": "1"},
            "tags": ["x", "y"],
            "description": "d",
            "availability_zone": "nova",
            "key_name": "k",
        }
    }
    server_id = create(compute, body).json["server"]["id"]
    shown = compute.get(f"/v2.1/servers/{server_id}", headers=compute.alice_h, version="2.96")
    server = shown.json["server"]
    assert server["metadata"] == {"a": "1"}
    assert server["tags"] == ["x", "y"]
    assert server["description"] == "d"
    assert server["pinned_availability_zone"] == "nova"
    assert server["key_name"] == "k"


def test_create_with_a_key_the_caller_does_not_have_is_400(compute: Compute) -> None:
    compute.call(
        "POST", "/v2.1/os-keypairs", headers=compute.bob_h, body={"keypair": {"name": "bobs"}}
    )
    for key_name in ("nope", "bobs"):
        result = create(compute, {"server": {**SERVER, "key_name": key_name}})
        assert result.status_code == 400
        assert result.json["badRequest"]["message"] == "Invalid key_name provided."


@pytest.mark.parametrize(
    ("server", "version", "message"),
    [
        (
            {"imageRef": CIRROS_ID, "flavorRef": "1", "networks": "auto"},
            "2.52",
            "'name' is a required property",
        ),
        (
            {"name": "x", "imageRef": CIRROS_ID, "networks": "auto"},
            "2.52",
            "'flavorRef' is a required property",
        ),
        ({"name": "x", "flavorRef": "1", "networks": "auto"}, "2.52", "Missing imageRef attribute"),
        (
            {"name": "x", "imageRef": CIRROS_ID, "flavorRef": "1"},
            "2.37",
            "'networks' is a required property",
        ),
        ({**SERVER, "flavorRef": "99"}, "2.52", "Flavor 99 could not be found."),
        (
            {**SERVER, "imageRef": "nope"},
            "2.52",
            "Invalid input for field/attribute imageRef. Value: nope. 'nope' is not valid under"
            " any of the given schemas",
        ),
        (
            {**SERVER, "imageRef": "0b8e4b43-6f3b-4f1e-9c3c-3f5a1c2b9d01"},
            "2.52",
            "Image 0b8e4b43-6f3b-4f1e-9c3c-3f5a1c2b9d01 could not be found.",
        ),
        (
            {**SERVER, "name": " padded"},
            "2.52",
            "An invalid 'name' value was provided. The name must be: printable characters. Can"
            " not start or end with whitespace.",
        ),
        ({**SERVER, "bogus": 1}, "2.52", "'bogus' was unexpected"),
        ({**SERVER, "tags": ["a/b"]}, "2.52", "'a/b' does not match '^[^,/]*$'"),
        ({**SERVER, "tags": ["a"]}, "2.51", "'tags' was unexpected"),
        ({**SERVER, "networks": "some"}, "2.52", "is not one of ['none', 'auto']"),
        ({**SERVER, "availability_zone": "mars"}, "2.52", "availability zone is not available"),
        ({**SERVER, "metadata": {"k": 1}}, "2.52", "is not of type 'string'"),
    ],
)
def test_create_validation(compute: Compute, server: dict[str, object], version: str,
                           message: str) -> None:  # fmt: skip
    result = create(compute, {"server": server}, version=version)
    assert result.status_code == 400, result.text
    name, text = fault(result)
    assert name == "badRequest"
    assert message in text
    assert compute.get("/v2.1/servers", headers=compute.alice_h).json == {"servers": []}


def test_create_networks_optional_before_237(compute: Compute) -> None:
    body = {"server": {"name": "old", "imageRef": CIRROS_ID, "flavorRef": "1"}}
    assert create(compute, body, version="2.36").status_code == 202


def test_create_networks_none_has_no_addresses(compute: Compute) -> None:
    server_id = create(compute, {"server": {**SERVER, "networks": "none"}}).json["server"]["id"]
    body = compute.get(f"/v2.1/servers/{server_id}", headers=compute.alice_h).json["server"]
    assert body["addresses"] == {}


def test_create_malformed_json(compute: Compute) -> None:
    result = compute.client.simulate_post(
        "/v2.1/servers", headers={**compute.alice_h, "Content-Type": "application/json"},
        body=b"{not json",
    )  # fmt: skip
    assert result.status_code == 400


def test_show_other_project_and_unknown_are_404(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    assert compute.get(f"/v2.1/servers/{server_id}", headers=compute.bob_h).status_code == 404
    assert compute.get(f"/v2.1/servers/{server_id}", headers=compute.admin).status_code == 200


def test_show_at_271_has_server_groups(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    body = compute.get(f"/v2.1/servers/{server_id}", headers=compute.alice_h, version="2.71")
    assert body.json["server"]["server_groups"] == []
    old = compute.get(f"/v2.1/servers/{server_id}", headers=compute.alice_h, version="2.70")
    assert "server_groups" not in old.json["server"]


def test_update_name_and_description(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    result = compute.call(
        "PUT",
        f"/v2.1/servers/{server_id}",
        headers=compute.alice_h,
        version="2.19",
        body={"server": {"name": "new", "description": "d"}},
    )
    assert result.status_code == 200
    assert result.json["server"]["name"] == "new"
    assert result.json["server"]["description"] == "d"
    result = compute.call(
        "PUT",
        f"/v2.1/servers/{server_id}",
        headers=compute.alice_h,
        version="2.18",
        body={"server": {"description": "d"}},
    )
    assert result.status_code == 400


def test_delete_soft_deletes(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    result = compute.call("DELETE", f"/v2.1/servers/{server_id}", headers=compute.alice_h)
    assert result.status_code == 204
    assert compute.get(f"/v2.1/servers/{server_id}", headers=compute.alice_h).status_code == 404
    assert compute.call("DELETE", f"/v2.1/servers/{server_id}",
                        headers=compute.alice_h).status_code == 404  # fmt: skip
    listed = compute.get("/v2.1/servers/detail", headers=compute.admin,
                         params={"all_tenants": "1", "deleted": "1"}).json["servers"]  # fmt: skip
    assert [s["id"] for s in listed] == [server_id]
    assert listed[0]["OS-SRV-USG:terminated_at"]


def action(
    c: Compute,
    server_id: str,
    body: object,
    *,
    headers: dict[str, str] | None = None,
    version: str = "2.1",
):  # type: ignore[no-untyped-def]
    return c.call("POST", f"/v2.1/servers/{server_id}/action", headers=headers or c.alice_h,
                  version=version, body=body)  # fmt: skip


def status(c: Compute, server_id: str) -> str:
    return str(c.get(f"/v2.1/servers/{server_id}", headers=c.admin).json["server"]["status"])


def test_power_actions_cycle(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    assert action(compute, server_id, {"os-stop": None}).status_code == 202
    assert status(compute, server_id) == "SHUTOFF"
    result = action(compute, server_id, {"os-stop": None})
    assert result.status_code == 409
    assert fault(result)[1] == f"Cannot 'stop' instance {server_id} while it is in vm_state stopped"
    assert action(compute, server_id, {"os-start": None}).status_code == 202
    assert status(compute, server_id) == "ACTIVE"
    assert action(compute, server_id, {"pause": None}).status_code == 202
    assert status(compute, server_id) == "PAUSED"
    assert action(compute, server_id, {"unpause": None}).status_code == 202
    assert action(compute, server_id, {"suspend": None}).status_code == 202
    assert status(compute, server_id) == "SUSPENDED"
    assert action(compute, server_id, {"resume": None}).status_code == 202
    assert action(compute, server_id, {"reboot": {"type": "SOFT"}}).status_code == 202
    assert action(compute, server_id, {"reboot": {"type": "HARD"}}).status_code == 202
    assert status(compute, server_id) == "ACTIVE"


def test_bad_actions(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    assert fault(action(compute, server_id, {"explode": None}))[1] == (
        "There is no such action: explode"
    )
    assert action(compute, server_id, {"reboot": {"type": "GENTLE"}}).status_code == 400
    assert action(compute, server_id, {"reboot": {}}).status_code == 400
    assert action(compute, "nope", {"os-stop": None}).status_code == 404


def test_lock_blocks_member_actions_and_delete(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    assert action(compute, server_id, {"lock": {"locked_reason": "maint"}},
                  version="2.73").status_code == 202  # fmt: skip
    shown = compute.get(f"/v2.1/servers/{server_id}", headers=compute.alice_h, version="2.73")
    assert shown.json["server"]["locked"] is True
    assert shown.json["server"]["locked_reason"] == "maint"
    assert fault(action(compute, server_id, {"os-stop": None})) == (
        "conflictingRequest",
        f"Instance {server_id} is locked",
    )
    result = compute.call("DELETE", f"/v2.1/servers/{server_id}", headers=compute.alice_h)
    assert result.status_code == 409
    assert action(compute, server_id, {"unlock": None}).status_code == 202
    assert compute.call("DELETE", f"/v2.1/servers/{server_id}",
                        headers=compute.alice_h).status_code == 204  # fmt: skip


def test_locked_reason_is_ignored_before_273(compute: Compute) -> None:
    # Nova's lock schema takes any argument before 2.73 and the action does not read it.
    server_id = compute.boot(compute.alice_h)
    assert action(compute, server_id, {"lock": {"locked_reason": "x"}},
                  version="2.72").status_code == 202  # fmt: skip
    shown = compute.get(f"/v2.1/servers/{server_id}", headers=compute.alice_h, version="2.73")
    assert (shown.json["server"]["locked"], shown.json["server"]["locked_reason"]) == (True, None)


def test_admin_lock_cannot_be_undone_by_member(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    assert action(compute, server_id, {"lock": None}, headers=compute.admin).status_code == 202
    assert action(compute, server_id, {"unlock": None}).status_code == 403
    assert action(compute, server_id, {"unlock": None}, headers=compute.admin).status_code == 202


def test_tags_api(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    base = f"/v2.1/servers/{server_id}/tags"
    assert compute.get(base, headers=compute.alice_h, version="2.25").status_code == 404
    put = compute.call("PUT", base, headers=compute.alice_h, version="2.26",
                       body={"tags": ["b", "a"]})  # fmt: skip
    assert put.json == {"tags": ["a", "b"]}
    one = compute.call("PUT", f"{base}/c", headers=compute.alice_h, version="2.26")
    assert one.status_code == 201
    assert compute.call("PUT", f"{base}/c", headers=compute.alice_h,
                        version="2.26").status_code == 204  # fmt: skip
    assert compute.get(f"{base}/c", headers=compute.alice_h, version="2.26").status_code == 204
    assert compute.get(f"{base}/z", headers=compute.alice_h, version="2.26").status_code == 404
    assert compute.call("DELETE", f"{base}/a", headers=compute.alice_h,
                        version="2.26").status_code == 204  # fmt: skip
    assert compute.get(base, headers=compute.alice_h, version="2.26").json == {"tags": ["b", "c"]}
    too_many = {"tags": [f"t{i}" for i in range(51)]}
    assert compute.call("PUT", base, headers=compute.alice_h, version="2.26",
                        body=too_many).status_code == 400  # fmt: skip
    assert compute.call("DELETE", base, headers=compute.alice_h, version="2.26").status_code == 204
    assert compute.get(base, headers=compute.alice_h, version="2.26").json == {"tags": []}


def test_metadata_api(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    base = f"/v2.1/servers/{server_id}/metadata"
    assert compute.call("POST", base, headers=compute.alice_h,
                        body={"metadata": {"a": "1", "b": "2"}}).json == {
        "metadata": {"a": "1", "b": "2"}
    }  # fmt: skip
    assert compute.call("POST", base, headers=compute.alice_h, body={"metadata": {"b": "3"}}).json[
        "metadata"
    ] == {"a": "1", "b": "3"}
    assert compute.call("PUT", base, headers=compute.alice_h, body={"metadata": {"c": "4"}}).json[
        "metadata"
    ] == {"c": "4"}
    assert compute.call(
        "PUT", f"{base}/d", headers=compute.alice_h, body={"meta": {"d": "5"}}
    ).json == {"meta": {"d": "5"}}
    assert (
        compute.call(
            "PUT", f"{base}/d", headers=compute.alice_h, body={"meta": {"e": "5"}}
        ).status_code
        == 400
    )
    assert compute.get(f"{base}/d", headers=compute.alice_h).json == {"meta": {"d": "5"}}
    assert compute.call("DELETE", f"{base}/d", headers=compute.alice_h).status_code == 204
    assert compute.get(f"{base}/d", headers=compute.alice_h).status_code == 404
    assert compute.get(base, headers=compute.alice_h).json == {"metadata": {"c": "4"}}


def test_driver_delay_moves_through_build(tmp_path: Path) -> None:
    import dataclasses

    clock = OffsetClock()
    deps = make_deps(data_dir=tmp_path, db_url=f"sqlite:///{tmp_path / 'd.db'}", clock=clock)
    deps = dataclasses.replace(deps, config=dataclasses.replace(deps.config, driver_delay=5.0))
    compute = build_compute(deps)
    server_id = compute.boot(compute.alice_h)
    assert status(compute, server_id) == "BUILD"
    clock.advance(6)
    assert status(compute, server_id) == "ACTIVE"
    assert action(compute, server_id, {"os-stop": None}).status_code == 202
    shown = compute.get(f"/v2.1/servers/{server_id}", headers=compute.admin).json["server"]
    assert shown["OS-EXT-STS:task_state"] == "powering-off"
    assert fault(action(compute, server_id, {"os-start": None}))[0] == "conflictingRequest"
    clock.advance(6)
    assert status(compute, server_id) == "SHUTOFF"
    assert compute.call("DELETE", f"/v2.1/servers/{server_id}",
                        headers=compute.alice_h).status_code == 204  # fmt: skip
    assert status(compute, server_id) == "SHUTOFF"
    clock.advance(6)
    assert compute.get(f"/v2.1/servers/{server_id}", headers=compute.admin).status_code == 404
    deps.store.dispose()
