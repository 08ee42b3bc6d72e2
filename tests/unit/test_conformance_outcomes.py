"""How the conformance ratchet counts tempest's records (tests/conformance/outcomes.py)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conformance import outcomes
from tests.conformance.outcomes import FAILED, MISSING, PASSED, SKIPPED, Outcome

REPO = Path(__file__).resolve().parents[2]
OPENAPI = {
    "paths": {
        "/compute/v2.1/servers/{server_id}": {"get": {}, "delete": {}},
        "/compute/v2.1/flavors/{flavor_id}": {"get": {}},
        "/identity/v3/users": {"get": {}, "post": {}},
    }
}
BASE = "tempest.api.compute.test_x"


def _record(name: str, status: str, *requests: list[object], reason: str = "") -> dict[str, object]:
    return {"id": f"{name}[id-1234,negative]", "status": status, "reason": reason,
            "requests": list(requests)}


def _classify(listed: list[str], records: list[dict[str, object]],
              class_log: dict[str, list[list[object]]] | None = None) -> dict[str, Outcome]:
    return outcomes.classify(
        [f"{name}[id-1,smoke]" for name in listed], records,
        operations=outcomes.Operations(OPENAPI), class_log=class_log or {},
    )


def test_a_404_from_a_missing_endpoint_is_not_a_pass() -> None:
    unrouted = f"{BASE}.A.test_delete_missing_keypair"
    routed = f"{BASE}.A.test_get_missing_server"
    got = _classify([unrouted, routed], [
        _record(unrouted, "success", [404, "DELETE", "http://h/compute/v2.1/os-keypairs/k", False]),
        _record(routed, "success", [404, "GET", "http://h:1/compute/v2.1/servers/abc?x=1", False]),
    ])
    assert got[unrouted] == Outcome(MISSING, "404 DELETE /compute/v2.1/os-keypairs/k")
    assert got[routed] == Outcome(PASSED)


def test_a_405_on_a_known_path_with_an_unserved_method_is_missing() -> None:
    name = f"{BASE}.A.test_update_flavor"
    got = _classify([name], [
        _record(name, "success", [405, "PUT", "http://h/compute/v2.1/flavors/1", False]),
    ])
    assert got[name].status == MISSING


def test_an_unknown_server_action_is_missing_and_other_400s_are_not() -> None:
    action = f"{BASE}.A.test_shelve_bad"
    bad_input = f"{BASE}.A.test_create_bad"
    got = _classify([action, bad_input], [
        _record(action, "success", [400, "POST", "http://h/compute/v2.1/servers/1/action", True]),
        _record(bad_input, "success", [400, "POST", "http://h/identity/v3/users", False]),
    ])
    assert got[action].status == MISSING
    assert got[bad_input].status == PASSED


def test_class_set_up_failure_fails_every_test_of_the_class() -> None:
    first, second, other = f"{BASE}.A.test_one", f"{BASE}.A.test_two", f"{BASE}.B.test_three"
    got = _classify([first, second, other], [
        {"id": f"setUpClass ({BASE}.A)", "status": "fail", "reason": "NotFound", "requests": []},
        _record(other, "success"),
    ])
    assert got[first] == got[second] == Outcome(FAILED, "setUpClass failed: NotFound")
    assert got[other].status == PASSED


def test_class_tear_down_failure_fails_tests_that_passed() -> None:
    name = f"{BASE}.A.test_one"
    got = _classify([name], [
        _record(name, "success"),
        {"id": f"tearDownClass ({BASE}.A)", "status": "fail", "reason": "timeout",
         "requests": []},
    ])
    assert got[name].status == FAILED


def test_class_skip_skips_its_tests_and_a_test_without_record_failed() -> None:
    skipped, lost = f"{BASE}.A.test_one", f"{BASE}.B.test_two"
    got = _classify([skipped, lost], [
        {"id": f"setUpClass ({BASE}.A)", "status": "skip", "reason": "Neutron is not available",
         "requests": []},
    ])
    assert got[skipped] == Outcome(SKIPPED, "Neutron is not available")
    assert got[lost].status == FAILED


def test_class_level_requests_to_missing_endpoints_count_against_the_class() -> None:
    name = f"{BASE}.A.test_one"
    log = (
        "2026-12-06 INFO [tempest.lib.common.rest_client] Request (A:tearDownClass): 404 DELETE "
        "http://h/compute/v2.1/os-keypairs/k 0.002s\n"
        "2026-12-06 INFO [tempest.lib.common.rest_client] Request (B:setUpClass): 404 GET "
        "http://h/compute/v2.1/servers/x 0.002s\n"
    )
    class_log = outcomes.class_requests(log)
    assert set(class_log) == {"A", "B"}
    got = _classify([name], [_record(name, "success")], class_log)
    assert got[name].status == MISSING


def test_the_ratchet_fails_on_a_listed_test_that_did_not_pass_and_reports_new_ones() -> None:
    results = {"t.a": Outcome(PASSED), "t.b": Outcome(MISSING, "404"), "t.c": Outcome(PASSED)}
    verdict = outcomes.judge(results, ["t.a", "t.b", "t.gone"])
    assert not verdict.ok
    assert set(verdict.broken) == {"t.b", "t.gone"}
    assert verdict.new == ["t.c"]
    assert outcomes.judge(results, ["t.a"]).ok


def test_serial_tests_count_in_their_services_group() -> None:
    must_pass = ["tempest.serial_tests.api.compute.admin.test_a.C.test_b",
                 "tempest.api.compute.test_c.C.test_d", "tempest.scenario.test_e.C.test_f"]
    assert [outcomes.group_of(name) for name in must_pass] == ["compute", "compute", "other"]
    table = outcomes.table({name: Outcome(PASSED) for name in must_pass}, must_pass)
    assert "| `tempest.api.compute` | 2 | 2 | 0 | 0 | 0 | 2 |" in table


def test_the_committed_list_and_the_readme_counts_agree() -> None:
    must_pass = outcomes.read_list((REPO / "tests/conformance/must-pass.txt").read_text())
    assert must_pass == sorted(set(must_pass)), "must-pass.txt is sorted, without duplicates"
    assert all(name.startswith(("tempest.api.", "tempest.serial_tests.api."))
               and "[" not in name for name in must_pass)
    readme = (REPO / "README.md").read_text()
    section = readme.split("<!-- conformance-counts:begin -->")[1].split("<!-- conformance")[0]
    total = re.search(r"^\| all \|.*\| (\d+) \|$", section, re.MULTILINE)
    assert total is not None, "README's conformance table has no `all` row"
    assert int(total[1]) == len(must_pass)


def test_requests_are_read_from_tempests_captured_log() -> None:
    from tests.conformance.subunit_dump import requests_of

    log = (
        "INFO [rest_client] Request (A:test_x): 200 GET http://h/identity/v3/users 0.010s\n"
        "INFO [rest_client] Request (A:test_x): 400 POST http://h/compute/v2.1/servers/1/action"
        " 0.002s\nDEBUG [rest_client] Request - Headers: {}\n        Body: {\"shelve\": null}\n"
        "    Response - Headers: {'status': '400'}\n"
        "        Body: b'{\"badRequest\": {\"code\": 400,"
        " \"message\": \"There is no such action: shelve\"}}'\n"
        "INFO [rest_client] Request (A:test_x): 400 POST http://h/identity/v3/users 0.002s\n"
        "DEBUG [rest_client] Body: b'{\"error\": {\"message\": \"Invalid input\"}}'\n"
        "INFO [rest_client] Request (A:_run_cleanups): 404 DELETE http://h/compute/v2.1/os-keypairs/k"
        " 0.001s\n"
    )
    assert requests_of(log) == [
        [400, "POST", "http://h/compute/v2.1/servers/1/action", True],
        [404, "DELETE", "http://h/compute/v2.1/os-keypairs/k", False],
    ]
