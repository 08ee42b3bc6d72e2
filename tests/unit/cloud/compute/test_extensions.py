"""`/extensions`: the former extensions a client may still ask for, naming what is served."""

from __future__ import annotations

from tests.unit.cloud.compute.helpers import Compute


def test_the_list_names_served_parts_and_one_can_be_shown(compute: Compute) -> None:
    listed = compute.get("/v2.1/extensions", headers=compute.alice_h)
    assert listed.status_code == 200
    by_alias = {e["alias"]: e for e in listed.json["extensions"]}
    assert by_alias["os-hosts"]["name"] == "Hosts"
    assert by_alias["os-keypairs"]["name"] == "Keypairs"
    assert by_alias["os-floating-ips"]["name"] == "FloatingIps"
    # Nothing this cloud does not serve: no floating IP DNS (nova-network's).
    assert "os-floating-ip-dns" not in by_alias
    shown = compute.get("/v2.1/extensions/os-consoles", headers=compute.alice_h)
    assert shown.json["extension"]["alias"] == "os-consoles"
    assert compute.get("/v2.1/extensions/os-nothing", headers=compute.alice_h).status_code == 404
    assert compute.get("/v2.1/extensions", headers={}).status_code == 401
