"""Metering labels and their rules: admin-made CRUD, the project policy (managers manage, readers
read, members neither), the prefix rules and overlaps Neutron refuses, a label's rules deleted
with it, and lists' filters and paging."""

from __future__ import annotations

from typing import Any

import pytest

from pocketstack.cloud.deps import CloudDeps
from tests.fixtures.cloud import create_user, issue_token
from tests.unit.cloud.network.helpers import Net, build_net, error, race

LABELS = "/metering/metering-labels"
RULES = "/metering/metering-label-rules"


@pytest.fixture
def net(cloud_deps: CloudDeps) -> Net:
    return build_net(cloud_deps)


def _label(net: Net, headers: dict[str, str], **attrs: Any) -> dict[str, Any]:
    return net.made(LABELS, headers, {"metering_label": {"name": "l", **attrs}})


def _rule(net: Net, label_id: str, status: int = 201, **attrs: Any) -> Any:
    body = {"metering_label_rule": {"metering_label_id": label_id, "direction": "ingress",
                                    **attrs}}  # fmt: skip
    result = net.call("POST", RULES, net.admin, body)
    assert result.status_code == status, result.text
    return result.json["metering_label_rule"] if status == 201 else result


def test_label_crud(net: Net) -> None:
    made = _label(net, net.admin, description="d", shared=True, project_id=net.alice.project_id)
    assert made["shared"] is True
    assert (made["name"], made["description"]) == ("l", "d")
    assert made["tenant_id"] == made["project_id"] == net.alice.project_id
    shown = net.get(f"{LABELS}/{made['id']}", net.admin).json["metering_label"]
    assert shown == made
    assert net.get(LABELS, net.admin, query="id=33").json["metering_labels"] == []
    listed = net.get(LABELS, net.admin, query=f"id={made['id']}&fields=name").json
    assert listed["metering_labels"] == [{"name": "l"}]
    assert net.call("DELETE", f"{LABELS}/{made['id']}", net.admin).status_code == 204
    missing = net.get(f"{LABELS}/{made['id']}", net.admin)
    assert error(missing)[:2] == (404, "MeteringLabelNotFound")
    # Labels are never updated.
    assert net.call("PUT", f"{LABELS}/{made['id']}", net.admin,
                    {"metering_label": {"name": "x"}}).status_code == 405  # fmt: skip


def test_policy_managers_manage_readers_read_members_neither(net: Net) -> None:
    assert error(net.call("POST", LABELS, net.alice_h, {"metering_label": {}}))[:2] == (
        403, "PolicyNotAuthorized")  # fmt: skip
    boss = create_user(net.deps, name="mona", project_name="alpha", roles=("manager",))
    boss_h = {"X-Auth-Token": issue_token(net.deps, user_id=boss.id, project_id=boss.project_id)}
    made = _label(net, boss_h)
    assert made["project_id"] == net.alice.project_id
    assert [m["id"] for m in net.get(LABELS, net.reader_h).json["metering_labels"]] == [made["id"]]
    assert net.get(LABELS, net.bob_h).json["metering_labels"] == []
    assert error(net.get(f"{LABELS}/{made['id']}", net.bob_h))[0] == 404
    assert error(net.call("DELETE", f"{LABELS}/{made['id']}", net.reader_h))[0] == 403
    assert net.call("DELETE", f"{LABELS}/{made['id']}", boss_h).status_code == 204


def test_rule_crud_and_refusals(net: Net) -> None:
    label = _label(net, net.admin)
    rule = _rule(net, label["id"], remote_ip_prefix="10.0.0.0/24")
    assert rule["excluded"] is False
    assert (rule["remote_ip_prefix"], rule["source_ip_prefix"]) == ("10.0.0.0/24", None)
    assert net.get(f"{RULES}/{rule['id']}", net.admin).json["metering_label_rule"] == rule
    # Overlapping the same label's rule of the same direction and exclusion: 409.
    overlap = _rule(net, label["id"], 409, remote_ip_prefix="10.0.0.128/25")
    assert error(overlap)[1] == "MeteringLabelRuleOverlaps"
    _rule(net, label["id"], remote_ip_prefix="10.0.0.0/25", direction="egress")
    _rule(net, label["id"], remote_ip_prefix="fd02::/64")
    both = _rule(net, label["id"], 400, remote_ip_prefix="10.9.0.0/24",
                 source_ip_prefix="10.1.0.0/24")  # fmt: skip
    assert "in conjunction" in error(both)[2]
    assert "at least one" in error(_rule(net, label["id"], 400))[2]
    bad = _rule(net, label["id"], 400, destination_ip_prefix="nope")
    assert "destination_ip_prefix" in error(bad)[2]
    assert error(_rule(net, label["id"], 400, remote_ip_prefix="10.0.0.0"))[0] == 400
    assert error(_rule(net, label["id"], 400, direction="up", source_ip_prefix="1.2.3.4"))[0] == 400
    sd = _rule(net, label["id"], source_ip_prefix="10.2.0.0/16", destination_ip_prefix="1.1.1.1")
    assert (sd["source_ip_prefix"], sd["destination_ip_prefix"]) == ("10.2.0.0/16", "1.1.1.1/32")
    gone = _rule(net, "6f3c1d2e-0000-4000-8000-000000000000", 404, source_ip_prefix="1.0.0.0/8")
    assert error(gone)[1] == "MeteringLabelNotFound"
    listed = net.get(RULES, net.admin, query=f"metering_label_id={label['id']}&direction=egress")
    assert len(listed.json["metering_label_rules"]) == 1
    page = net.get(RULES, net.admin, query="limit=2").json
    assert len(page["metering_label_rules"]) == 2
    assert page["metering_label_rules_links"]
    assert net.call("DELETE", f"{RULES}/{rule['id']}", net.admin).status_code == 204
    assert error(net.get(f"{RULES}/{rule['id']}", net.admin))[1] == "MeteringLabelRuleNotFound"
    # Deleting the label deletes its rules.
    assert net.call("DELETE", f"{LABELS}/{label['id']}", net.admin).status_code == 204
    assert net.get(RULES, net.admin).json["metering_label_rules"] == []


def test_members_cannot_see_or_add_rules(net: Net) -> None:
    label = _label(net, net.admin, project_id=net.alice.project_id)
    _rule(net, label["id"], remote_ip_prefix="10.0.0.0/24")
    assert len(net.get(RULES, net.reader_h).json["metering_label_rules"]) == 1
    assert net.get(RULES, net.bob_h).json["metering_label_rules"] == []
    body = {"metering_label_rule": {"metering_label_id": label["id"], "direction": "egress",
                                    "remote_ip_prefix": "10.1.0.0/24"}}  # fmt: skip
    assert error(net.call("POST", RULES, net.alice_h, body))[0] == 403
    assert error(net.call("POST", RULES, net.bob_h, body))[:2] == (404, "MeteringLabelNotFound")


def test_changed_since_is_not_a_metering_filter(net: Net) -> None:
    result = net.get(LABELS, net.admin, query="changed_since=2020-01-01T00:00:00Z")
    assert result.status_code == 400


def test_overlapping_rules_created_at_once_one_wins(cloud_deps_any_db: CloudDeps) -> None:
    net = build_net(cloud_deps_any_db)
    label = _label(net, net.admin)
    body = {"metering_label_rule": {"metering_label_id": label["id"], "direction": "ingress"}}
    prefixes = ["10.0.0.0/16", "10.0.1.0/24", "10.0.1.128/25", "10.0.0.0/8"]  # each overlaps all
    results = race([
        (lambda p=p: net.call("POST", RULES, net.admin, {"metering_label_rule": {
            **body["metering_label_rule"], "remote_ip_prefix": p}}))
        for p in prefixes
    ])  # fmt: skip
    statuses = sorted(r.status_code for r in results)
    assert statuses == [201, 409, 409, 409], [r.text for r in results]
    assert len(net.get(RULES, net.admin).json["metering_label_rules"]) == 1
