"""Flavor extra specs: /flavors/{id}/os-extra_specs, their body rules, 2.86's validation and
their place in the flavor view from 2.61."""

from __future__ import annotations

from typing import Any

from tests.unit.cloud.compute.helpers import Compute, fault

SPECS = "/v2.1/flavors/x1/os-extra_specs"


def _flavor(compute: Compute, flavor_id: str = "x1", **extra: Any) -> None:
    body = {
        "flavor": {"name": flavor_id, "ram": 64, "vcpus": 1, "disk": 0, "id": flavor_id, **extra}
    }
    assert (
        compute.call("POST", "/v2.1/flavors", headers=compute.admin, body=body).status_code == 200
    )


def test_create_show_update_delete(compute: Compute) -> None:
    _flavor(compute)
    created = compute.call(
        "POST", SPECS, headers=compute.admin, body={"extra_specs": {"a": "1", "n": 5}}
    )
    assert created.status_code == 200
    # The body as sent; stored, every value is text.
    assert created.json == {"extra_specs": {"a": "1", "n": 5}}
    listed = compute.get(SPECS, headers=compute.alice_h)
    assert listed.json == {"extra_specs": {"a": "1", "n": "5"}}
    assert compute.get(f"{SPECS}/n", headers=compute.alice_h).json == {"n": "5"}
    merged = compute.call("POST", SPECS, headers=compute.admin, body={"extra_specs": {"b": "2"}})
    assert merged.status_code == 200
    assert compute.get(SPECS, headers=compute.admin).json["extra_specs"] == {
        "a": "1",
        "n": "5",
        "b": "2",
    }
    updated = compute.call("PUT", f"{SPECS}/a", headers=compute.admin, body={"a": "9"})
    assert updated.status_code == 200
    assert updated.json == {"a": "9"}
    mismatch = compute.call("PUT", f"{SPECS}/a", headers=compute.admin, body={"b": "9"})
    assert fault(mismatch) == ("badRequest", "Request body and URI mismatch")
    deleted = compute.call("DELETE", f"{SPECS}/a", headers=compute.admin)
    assert deleted.status_code == 200
    assert fault(compute.get(f"{SPECS}/a", headers=compute.admin)) == (
        "itemNotFound",
        "Flavor x1 has no extra specs with key a.",
    )
    assert compute.call("DELETE", f"{SPECS}/a", headers=compute.admin).status_code == 404
    shown = compute.get("/v2.1/flavors/x1", headers=compute.alice_h, version="2.61")
    assert shown.json["flavor"]["extra_specs"] == {"n": "5", "b": "2"}
    assert (
        "extra_specs"
        not in compute.get("/v2.1/flavors/x1", headers=compute.alice_h, version="2.60").json[
            "flavor"
        ]
    )


def test_who_may_and_which_flavor(compute: Compute) -> None:
    _flavor(compute)
    body = {"extra_specs": {"a": "1"}}
    forbidden = compute.call("POST", SPECS, headers=compute.alice_h, body=body)
    assert forbidden.status_code == 403
    assert "os-flavor-extra-specs:create" in forbidden.json["forbidden"]["message"]
    assert compute.call("DELETE", f"{SPECS}/a", headers=compute.alice_h).status_code == 403
    missing = compute.call(
        "POST", "/v2.1/flavors/nope/os-extra_specs", headers=compute.admin, body=body
    )
    assert fault(missing) == ("itemNotFound", "Flavor nope could not be found.")
    _flavor(compute, "secret", **{"os-flavor-access:is_public": False})
    hidden = compute.get("/v2.1/flavors/secret/os-extra_specs", headers=compute.alice_h)
    assert fault(hidden) == ("itemNotFound", "Flavor secret could not be found.")


def test_body_rules(compute: Compute) -> None:
    _flavor(compute)
    bad: dict[str, Any]
    for bad in (
        {"extra_specs": {"a": "x" * 256}},
        {"extra_specs": {"bad/key": "1"}},
        {"extra_specs": {"a": True}},
        {"specs": {}},
        {"extra_specs": {"a": 10**300}},
    ):
        result = compute.call("POST", SPECS, headers=compute.admin, body=bad)
        assert result.status_code == 400, bad
    too_long = compute.call(
        "POST", SPECS, headers=compute.admin, body={"extra_specs": {"a": 10**300}}
    )
    assert fault(too_long)[1] == "extra_specs value has more than 255 characters."
    two = compute.call("PUT", f"{SPECS}/a", headers=compute.admin, body={"a": "1", "b": "2"})
    assert two.status_code == 400


def test_validation_from_2_86(compute: Compute) -> None:
    _flavor(compute)

    def post(specs: dict[str, Any], version: str = "2.86") -> Any:
        return compute.call(
            "POST", SPECS, headers=compute.admin, version=version, body={"extra_specs": specs}
        )

    assert post({"hw:cpu_policy": "bogus"}, "2.85").status_code == 200
    assert fault(post({"hw:cpu_policy": "bogus"})) == (
        "badRequest",
        "Validation failed; 'bogus' is not one of: dedicated, shared, mixed.",
    )
    assert fault(post({"hw:no_such_thing": "1"})) == (
        "badRequest",
        "Validation failed; extra spec 'hw:no_such_thing' does not appear to be a valid extra"
        " spec.",
    )
    assert fault(post({"hw:numa_nodes": "0"}))[1] == (
        "Validation failed; '0' is less than the min value of '1'."
    )
    assert fault(post({"quota:disk_read_bytes_sec": "fast"}))[1] == (
        "Validation failed; 'fast' is not a valid integer value."
    )
    assert fault(post({"hw:mem_page_size": "huge"}))[1].startswith(
        "Validation failed; 'huge' is not of the format"
    )
    assert (
        post(
            {
                "hw:cpu_policy": "dedicated",
                "hw:mem_page_size": "2MB",
                "hw:numa_cpus.0": "0-1",
                "hw:cpu_realtime": "yes",
                "quota:cpu_quota": 10,
                "custom:anything": "goes",
                "plain": "x",
                "trait:HW_CPU_X86_AVX": "required",
            }
        ).status_code
        == 200
    )
    put = compute.call(
        "PUT", f"{SPECS}/hw:pmu", headers=compute.admin, version="2.86", body={"hw:pmu": "maybe"}
    )
    assert fault(put)[1] == "Validation failed; 'maybe' is not a valid boolean-like value."


def test_a_mask_or_pmem_value_built_to_backtrack_is_refused_at_once(compute: Compute) -> None:
    # With Nova's own patterns these took hours; here they are matched in linear time.
    for key, value in (("hw:pmem", "a" * 200 + "!"), ("hw:cpu_dedicated_mask", "1,1-1" * 40 + "!")):
        result = compute.call("POST", "/v2.1/flavors/1/os-extra_specs", headers=compute.admin,
                              version="2.86", body={"extra_specs": {key: value}})  # fmt: skip
        assert result.status_code == 400, result.text
