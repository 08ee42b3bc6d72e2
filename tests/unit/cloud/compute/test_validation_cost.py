"""What a body can make validation cost, and what it can make the parsers after it do: a long
string never reaches a backtracking pattern, a long unsortable array is checked for duplicates
in one pass, and a number of thousands of digits is a 400, never int()'s 500.

Each case would take minutes (or hours) before its fix; the timeout makes that a failure."""

from __future__ import annotations

from typing import Any

import pytest

from pocketstack.cloud.api.keywords import REQUEST_VALIDATOR
from pocketstack.cloud.compute.api.params import HOSTNAME
from pocketstack.cloud.compute.api.quotas import LIMIT_VALUE
from pocketstack.cloud.compute.api.server_groups import MAX_PER_HOST
from pocketstack.cloud.compute.validation import FORMATS, VALIDATOR
from pocketstack.cloud.image.bootstrap import CIRROS_ID
from tests.unit.cloud.compute.helpers import Compute, fault

SERVER = {"name": "vm", "imageRef": CIRROS_ID, "flavorRef": "1", "networks": "auto"}
# Items that do not sort against each other: jsonschema's own uniqueItems compares every pair
# (about a minute for this many; the body stays under the request size limit).
UNSORTABLE = ["a", *range(16_000)]
LONG_ZEROS = "0" * 5_000 + "1"

pytestmark = pytest.mark.timeout(60)


def refusal(result: Any) -> str:
    assert result.status_code == 400, result.text
    name, message = fault(result)
    assert name == "badRequest"
    return message


def errors(validator: Any, schema: dict[str, Any], instance: object) -> list[str]:
    return [e.message for e in validator(schema, format_checker=FORMATS).iter_errors(instance)]


@pytest.mark.parametrize("version", ["2.90", "2.93"])
def test_a_long_near_miss_hostname_is_refused_at_once(compute: Compute, version: str) -> None:
    # Nova's pattern backtracks cubically on this shape: 4,000 characters took a minute.
    hostname = "a" * 100_000 + "!"
    server = {"server": {**SERVER, "hostname": hostname}}
    message = refusal(compute.call("POST", "/v2.1/servers", headers=compute.alice_h,
                                   version=version, body=server))  # fmt: skip
    assert message.startswith("Invalid input for field/attribute hostname. Value: aaaa")
    assert message.endswith("...")  # quoted short: the value fills the message
    assert "is too long" in errors(VALIDATOR, {"maxLength": 63}, hostname)[0]


def test_a_hostname_is_still_checked_as_novas() -> None:
    for good in ("ab", "a-b", "web-01", "A9", "x" * 63):
        assert errors(VALIDATOR, HOSTNAME, good) == [], good
    for bad in ("a", "-ab", "ab-", "a.b", "a_b", "x" * 64):
        assert errors(VALIDATOR, HOSTNAME, bad), bad


@pytest.mark.parametrize("validator", [VALIDATOR, REQUEST_VALIDATOR])
def test_no_pattern_runs_on_a_string_past_its_max_length(validator: Any) -> None:
    # Exponential for the regex engine: without the guard this does not finish.
    schema = {"type": "string", "pattern": "^(a+)+$", "maxLength": 10}
    assert errors(validator, schema, "a" * 10_000 + "!") == [f"'{'a' * 10_000}!' is too long"]
    # Within maxLength the pattern still decides.
    assert errors(validator, schema, "aaa!") == ["'aaa!' does not match '^(a+)+$'"]
    assert errors(validator, schema, "aaa") == []


@pytest.mark.parametrize("validator", [VALIDATOR, REQUEST_VALIDATOR])
def test_unique_items_is_json_schemas_equality_in_one_pass(validator: Any) -> None:
    schema = {"uniqueItems": True}
    assert errors(validator, schema, UNSORTABLE) == []
    assert errors(validator, schema, [*UNSORTABLE, 7]) != []
    # true is not 1, 1.0 is 1; objects and arrays compare by content.
    assert errors(validator, schema, [1, True, 0, False, None, "1"]) == []
    assert errors(validator, schema, [1, 1.0]) == ["[1, 1.0] has non-unique elements"]
    assert errors(validator, schema, [{"a": [1, {"b": 2}]}, {"a": [1.0, {"b": 2}]}]) != []
    assert errors(validator, schema, [{"a": 1}, {"a": True}, [1], [True]]) == []
    assert errors(validator, {"uniqueItems": False}, [1, 1]) == []


@pytest.mark.timeout(30)
def test_a_long_unsortable_policies_list_is_refused_quickly(compute: Compute) -> None:
    body = {"server_group": {"name": "g", "policies": UNSORTABLE}}
    result = compute.call("POST", "/v2.1/os-server-groups", headers=compute.alice_h,
                          version="2.1", body=body)  # fmt: skip
    assert refusal(result).startswith("Invalid input for field/attribute policies.")
    duplicate = {"server_group": {"name": "g", "policies": ["affinity", "affinity"]}}
    result = compute.call("POST", "/v2.1/os-server-groups", headers=compute.alice_h,
                          version="2.1", body=duplicate)  # fmt: skip
    assert refusal(result).startswith("Invalid input for field/attribute policies.")


@pytest.mark.timeout(30)
def test_a_long_unsortable_certificate_list_is_refused_quickly(compute: Compute) -> None:
    server = {**SERVER, "trusted_image_certificates": UNSORTABLE}
    result = compute.call("POST", "/v2.1/servers", headers=compute.alice_h, version="2.63",
                          body={"server": server})  # fmt: skip
    assert refusal(result).startswith(
        "Invalid input for field/attribute trusted_image_certificates."
    )


def test_max_server_per_host_of_thousands_of_digits_is_400(compute: Compute) -> None:
    def create(value: object) -> Any:
        group = {"name": "g", "policy": "anti-affinity", "rules": {"max_server_per_host": value}}
        return compute.call("POST", "/v2.1/os-server-groups", headers=compute.alice_h,
                            version="2.64", body={"server_group": group})  # fmt: skip

    for value in (LONG_ZEROS, "9" * 5_000):
        assert refusal(create(value)).startswith(
            "Invalid input for field/attribute max_server_per_host. Value: "
        )
    assert any("is too long" in e for e in errors(VALIDATOR, MAX_PER_HOST, LONG_ZEROS))
    # Leading zeros within reason are the number they spell.
    made = create("0003")
    assert made.status_code == 200, made.text
    assert made.json["server_group"]["rules"] == {"max_server_per_host": 3}
    assert "is less than the minimum of 1" in refusal(create("0" * 60))
    assert "is greater than the maximum of" in refusal(create("0" * 60 + "2147483648"))


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/v2.1/os-quota-sets/{project}", "quota_set"),
        ("/v2.1/os-quota-class-sets/default", "quota_class_set"),
    ],
)
def test_a_quota_limit_of_thousands_of_digits_is_400(compute: Compute, path: str, key: str) -> None:
    url = path.format(project=compute.alice.project_id)

    def put(value: object) -> Any:
        return compute.call("PUT", url, headers=compute.admin, body={key: {"cores": value}})

    for value in (LONG_ZEROS, "-" + LONG_ZEROS, "9" * 5_000):
        assert refusal(put(value)).startswith("Invalid input for field/attribute cores."), value
        assert any("is too long" in e for e in errors(VALIDATOR, LIMIT_VALUE, value))
    for value, stored in (("-0001", -1), ("0042", 42), ("-0", 0)):
        result = put(value)
        assert result.status_code == 200, result.text
        assert result.json[key]["cores"] == stored
    assert "is less than the minimum of -1" in refusal(put("-" + "0" * 60 + "2"))
