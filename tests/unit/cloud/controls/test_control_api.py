"""The control API: off unless enabled, admin only, declared in the OpenAPI document, and its
rules kept as asked."""

from __future__ import annotations

from falcon import testing

from pocketstack.cloud.app import WSGIApp
from tests.unit.cloud.controls.conftest import Controlled


def test_off_by_default_nothing_is_mounted(cloud_app: WSGIApp) -> None:
    client = testing.TestClient(cloud_app)
    assert client.simulate_get("/pocketstack/v1/faults").status_code == 404
    paths = client.simulate_get("/openapi.json").json["paths"]
    assert not [p for p in paths if p.startswith("/pocketstack")]
    assert type(cloud_app).__name__ == "PrefixDispatcher"


def test_openapi_describes_the_control_api_when_on(controlled: Controlled) -> None:
    paths = controlled.client.simulate_get("/openapi.json").json["paths"]
    assert set(paths["/pocketstack/v1/faults"]) == {"get", "post", "delete"}
    assert set(paths["/pocketstack/v1/faults/{fault_id}"]) >= {"get", "delete"}
    assert set(paths["/pocketstack/v1/clock"]) == {"get", "post"}


def test_admin_only(controlled: Controlled) -> None:
    client = controlled.client
    anonymous = client.simulate_get("/pocketstack/v1/faults")
    assert anonymous.status_code == 401
    assert anonymous.json["error"]["code"] == 401
    member = client.simulate_post(
        "/pocketstack/v1/faults", headers=controlled.member,
        json={"fault": {"service": "compute", "action": "error", "status": 503}},
    )  # fmt: skip
    assert member.status_code == 403
    assert member.json["error"]["title"] == "Forbidden"
    assert (
        client.simulate_get("/pocketstack/v1/clock", headers=controlled.member).status_code == 403
    )
    assert client.simulate_get("/pocketstack/v1/faults", headers=controlled.admin).json == {
        "faults": []
    }


def test_rules_are_listed_shown_and_removed(controlled: Controlled) -> None:
    client, admin = controlled.client, controlled.admin
    first = controlled.add(service="compute", action="error", status=503, times=2,
                           method="GET", path="/v2.1/servers*")  # fmt: skip
    second = controlled.add(service="network", action="latency", seconds=0.5)
    assert first["times_left"] == 2
    assert first["injected"] == 0
    assert first["method"] == "GET"
    assert first["path"] == "/v2.1/servers*"
    assert second["seconds"] == 0.5
    assert second["status"] is None
    listed = client.simulate_get("/pocketstack/v1/faults", headers=admin).json["faults"]
    assert [f["id"] for f in listed] == [first["id"], second["id"]]
    shown = client.simulate_get(f"/pocketstack/v1/faults/{first['id']}", headers=admin)
    assert shown.json["fault"] == first
    gone = client.simulate_delete(f"/pocketstack/v1/faults/{first['id']}", headers=admin)
    assert gone.status_code == 204
    again = client.simulate_delete(f"/pocketstack/v1/faults/{first['id']}", headers=admin)
    assert again.status_code == 404
    assert again.json["error"]["message"] == f"No fault rule {first['id']}."
    assert client.simulate_delete("/pocketstack/v1/faults", headers=admin).status_code == 204
    assert client.simulate_get("/pocketstack/v1/faults", headers=admin).json == {"faults": []}


def test_bad_rules_are_refused_with_a_reason(controlled: Controlled) -> None:
    def refused(fault: object) -> str:
        result = controlled.client.simulate_post(
            "/pocketstack/v1/faults", headers=controlled.admin, json={"fault": fault}
        )
        assert result.status_code == 400, result.text
        message: str = result.json["error"]["message"]
        return message

    assert "'volume' is not one of" in refused({"service": "volume", "action": "drop"})
    assert "needs a status" in refused({"service": "compute", "action": "error"})
    assert "status" in refused({"service": "compute", "action": "error", "status": 200})
    assert "needs seconds" in refused({"service": "image", "action": "latency"})
    assert "Only an error" in refused({"service": "image", "action": "drop", "status": 500})
    assert "times" in refused({"service": "image", "action": "drop", "times": 0})
    assert "Additional properties" in refused({"service": "image", "action": "drop", "x": 1})
    bad_json = controlled.client.simulate_post(
        "/pocketstack/v1/faults", headers={**controlled.admin, "Content-Type": "application/json"},
        body=b"{nope",
    )  # fmt: skip
    assert bad_json.status_code == 400
    assert bad_json.json["error"]["message"] == "The body is not JSON."
