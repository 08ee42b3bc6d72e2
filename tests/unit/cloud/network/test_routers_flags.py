"""Routers' distributed and ha flags: admins set and see them, others may do neither (a 403
for a body naming one), and they change only on a router that is administratively down."""

from __future__ import annotations

from typing import Any

import pytest

from pocketstack.cloud.deps import CloudDeps
from tests.unit.cloud.network.helpers import Net, build_net, error
from tests.unit.cloud.network.l3_helpers import router


@pytest.fixture
def net(cloud_deps: CloudDeps) -> Net:
    return build_net(cloud_deps, public=True)


def _put(net: Net, router_id: str, headers: dict[str, str], **changes: Any) -> Any:
    return net.call("PUT", f"/routers/{router_id}", headers, {"router": changes})


def test_admins_set_and_see_the_flags(net: Net) -> None:
    plain = router(net, net.admin, gateway=False)
    assert (plain["distributed"], plain["ha"]) == (False, False)
    made = router(net, net.admin, gateway=False, distributed=True, ha=True,
                  project_id=net.alice.project_id)  # fmt: skip
    assert (made["distributed"], made["ha"]) == (True, True)
    shown = net.get(f"/routers/{made['id']}", net.admin).json["router"]
    assert (shown["distributed"], shown["ha"]) == (True, True)
    # The project's own members are not shown them.
    mine = net.get(f"/routers/{made['id']}", net.alice_h).json["router"]
    assert "distributed" not in mine
    assert "ha" not in mine
    listed = net.get("/routers", net.admin, query="fields=distributed&fields=id").json["routers"]
    assert {r["id"]: r["distributed"] for r in listed} == {plain["id"]: False, made["id"]: True}
    defaulted = router(net, net.admin, gateway=False, distributed=None)
    assert defaulted["distributed"] is False


@pytest.mark.parametrize("flag", ["distributed", "ha"])
@pytest.mark.parametrize("value", [True, False, None])
def test_others_may_not_name_them(net: Net, flag: str, value: Any) -> None:
    body = {"router": {"name": "r", flag: value}}
    refused = net.call("POST", "/routers", net.alice_h, body)
    assert error(refused)[:2] == (403, "PolicyNotAuthorized")
    assert f"create_router:{flag}" in error(refused)[2]
    made = router(net, net.alice_h, gateway=False, admin_state_up=False)
    assert error(_put(net, made["id"], net.alice_h, **{flag: value}))[0] == 403


@pytest.mark.parametrize("flag", ["distributed", "ha"])
def test_a_flag_changes_only_while_the_router_is_down(net: Net, flag: str) -> None:
    made = router(net, net.admin, gateway=False)
    refused = _put(net, made["id"], net.admin, **{flag: True})
    assert error(refused)[:2] == (400, "BadRequest")
    assert "admin_state_up to False" in error(refused)[2]
    # Unchanged is no change, whatever the state.
    assert _put(net, made["id"], net.admin, **{flag: False}).status_code == 200
    # Down in the same update is down.
    both = _put(net, made["id"], net.admin, admin_state_up=False, **{flag: True})
    assert both.status_code == 200, both.text
    assert both.json["router"][flag] is True
    back = _put(net, made["id"], net.admin, **{flag: False})
    assert back.json["router"][flag] is False
    assert net.get(f"/routers/{made['id']}", net.admin).json["router"][flag] is False


def test_flags_refused_when_not_booleans(net: Net) -> None:
    refused = net.call("POST", "/routers", net.admin, {"router": {"distributed": "maybe"}})
    assert error(refused)[0] == 400
