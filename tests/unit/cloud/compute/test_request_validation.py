"""Request bodies validated from their declared schemas, as Nova's: what each microversion
allows, what no microversion does, and how a refusal is worded."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from pocketstack.cloud.compute import driver
from pocketstack.cloud.compute.api import SERVICE
from pocketstack.cloud.compute.validation import FORMATS, VALIDATOR, schema_refusal
from pocketstack.cloud.image.bootstrap import CIRROS_ID
from tests.unit.cloud.compute.helpers import Compute, fault

SERVER = {"name": "vm", "imageRef": CIRROS_ID, "flavorRef": "1", "networks": "auto"}
# Before 2.37 networks are a list, and optional.
OLD_SERVER = {k: v for k, v in SERVER.items() if k != "networks"}


def create(c: Compute, server: dict[str, Any], version: str, **body: Any) -> Any:
    return c.call("POST", "/v2.1/servers", headers=c.alice_h, version=version,
                  body={"server": server, **body})  # fmt: skip


def refusal(result: Any) -> str:
    assert result.status_code == 400, result.text
    name, message = fault(result)
    assert name == "badRequest"
    return message


@pytest.mark.parametrize(
    ("field", "value", "below", "from_"),
    [
        ("description", "d", "2.18", "2.19"),
        ("tags", ["a"], "2.51", "2.52"),
        ("trusted_image_certificates", ["cert"], "2.62", "2.63"),
        ("hostname", "box-1", "2.89", "2.90"),
    ],
)
def test_a_field_of_a_later_microversion_is_refused_below_it(
    compute: Compute, field: str, value: object, below: str, from_: str
) -> None:
    major, minor = below.split(".")
    server = SERVER if (int(major), int(minor)) >= (2, 37) else OLD_SERVER
    early = create(compute, {**server, field: value}, below)
    assert refusal(early).endswith(
        f"Additional properties are not allowed ('{field}' was unexpected)"
    )
    assert create(compute, {**server, field: value}, from_).status_code == 202


def test_a_field_nova_dropped_is_refused_from_then_on(compute: Compute) -> None:
    personality = [{"path": "/etc/motd", "contents": "aGk="}]
    assert create(compute, {**SERVER, "personality": personality}, "2.56").status_code == 202
    assert "'personality' was unexpected" in refusal(
        create(compute, {**SERVER, "personality": personality}, "2.57")
    )


def test_a_hostname_is_a_host_name_until_294_then_a_domain_name(compute: Compute) -> None:
    dotted = create(compute, {**SERVER, "hostname": "web.example.org"}, "2.93")
    assert refusal(dotted) == (
        "Invalid input for field/attribute hostname. Value: web.example.org. 'web.example.org'"
        " does not match '^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$'"
    )
    server_id = create(compute, {**SERVER, "hostname": "web.example.org"}, "2.94").json["server"][
        "id"
    ]
    shown = compute.get(f"/v2.1/servers/{server_id}", headers=compute.alice_h, version="2.94")
    assert shown.json["server"]["OS-EXT-SRV-ATTR:hostname"] == "web.example.org"


def test_networks_are_required_and_their_uuids_checked_from_237(compute: Compute) -> None:
    assert create(compute, OLD_SERVER, "2.36").status_code == 202
    assert refusal(create(compute, OLD_SERVER, "2.37")).endswith(
        "'networks' is a required property"
    )
    not_uuid = {**SERVER, "networks": [{"uuid": "private"}]}
    assert refusal(create(compute, not_uuid, "2.36")) == (
        "Bad networks format: network uuid is not in proper format (private)"
    )
    assert refusal(create(compute, not_uuid, "2.37")) == (
        "Invalid input for field/attribute uuid. Value: private. 'private' is not a 'uuid'"
    )
    mine = {**SERVER, "networks": [{"uuid": driver.NETWORK_ID}]}
    assert create(compute, mine, "2.37").status_code == 202


@pytest.mark.parametrize(
    ("server", "extra", "message"),
    [
        ({**SERVER, "colour": "red"}, {},
         "Additional properties are not allowed ('colour' was unexpected)"),
        (SERVER, {"colour": "red"},
         "Additional properties are not allowed ('colour' was unexpected)"),
        ({**SERVER, "security_groups": [{"name": "default", "id": "x"}]}, {},
         "Additional properties are not allowed ('id' was unexpected)"),
        ({**SERVER, "networks": [{"uuid": driver.NETWORK_ID, "mtu": 9000}]}, {},
         "Additional properties are not allowed ('mtu' was unexpected)"),
    ],
)  # fmt: skip
def test_properties_no_schema_names_are_refused(
    compute: Compute, server: dict[str, Any], extra: dict[str, Any], message: str
) -> None:
    assert refusal(create(compute, server, "2.52", **extra)).endswith(message)


def test_the_legacy_v2_api_ignores_unknown_properties_and_takes_spaced_names(
    compute: Compute,
) -> None:
    server = {"name": "  spaced  ", "imageRef": CIRROS_ID, "flavorRef": "1", "colour": "red"}
    result = compute.call("POST", f"/v2/{compute.alice.project_id}/servers",
                          headers=compute.alice_h, body={"server": server})  # fmt: skip
    assert result.status_code == 202, result.text
    shown = compute.get(f"/v2.1/servers/{result.json['server']['id']}", headers=compute.alice_h)
    assert shown.json["server"]["name"] == "spaced"


@pytest.mark.parametrize(
    ("server", "message"),
    [
        ({**SERVER, "user_data": "not base64!"},
         "Invalid input for field/attribute user_data. Value: not base64!. 'not base64!' is not"
         " a 'base64'"),
        ({**SERVER, "accessIPv4": "10.0.0"},
         "Invalid input for field/attribute accessIPv4. Value: 10.0.0. '10.0.0' is not a"
         " 'ipv4'"),
        ({**SERVER, "name": "tab\tin"},
         "An invalid 'name' value was provided. The name must be: printable characters. Can not"
         " start or end with whitespace."),
        ({**SERVER, "description": "bell\x07"},
         "Invalid input for field/attribute description. Value: bell\x07. 'bell\\x07' is not a"
         " 'printable'"),
        ({**SERVER, "min_count": "0"},
         "Invalid input for field/attribute min_count. Value: 0. 0 is less than the minimum of"
         " 1"),
        ({**SERVER, "min_count": 3, "max_count": "2"}, "min_count must be <= max_count"),
        ({**SERVER, "max_count": "101"},
         "Invalid input for field/attribute max_count. Value: 101. 101 is greater than the"
         " maximum of 100"),
        ({**SERVER, "hostname": "box", "max_count": 2},
         "Unable to allocate a single hostname to multiple instances"),
    ],
)  # fmt: skip
def test_refusals_are_worded_as_novas(
    compute: Compute, server: dict[str, Any], message: str
) -> None:
    assert refusal(create(compute, server, "2.90")) == message


def test_a_missing_property_is_about_the_object_that_lacks_it(compute: Compute) -> None:
    nameless = {k: v for k, v in SERVER.items() if k != "name"}
    assert refusal(create(compute, nameless, "2.52")) == (
        f"Invalid input for field/attribute server. Value: {nameless}. 'name' is a required"
        " property"
    )


def test_a_body_that_is_not_an_object_is_refused_bare(compute: Compute) -> None:
    for body in (None, [], "server"):
        result = compute.call("POST", "/v2.1/servers", headers=compute.alice_h, body=body)
        assert refusal(result).endswith("is not of type 'object'")
    result = compute.client.simulate_post(
        "/v2.1/servers", headers={**compute.alice_h, "Content-Type": "application/json"},
        body=b'{"server": ',
    )  # fmt: skip
    assert refusal(result) == "Malformed request body"


def test_numbers_sent_as_strings_are_taken_and_bounded(compute: Compute) -> None:
    result = create(compute, {**SERVER, "name": "pair", "min_count": "2"}, "2.52")
    assert result.status_code == 202
    # max_count defaults to min_count, as Nova's.
    listed = compute.get("/v2.1/servers", headers=compute.alice_h, params={"name": "^pair"})
    assert sorted(s["name"] for s in listed.json["servers"]) == ["pair-1", "pair-2"]
    big = {"flavor": {"name": "big", "ram": "2147483648", "vcpus": 1, "disk": 0}}
    result = compute.call("POST", "/v2.1/flavors", headers=compute.admin, body=big)
    assert refusal(result) == (
        "Invalid input for field/attribute ram. Value: 2147483648. 2147483648 is greater than"
        " the maximum of 2147483647"
    )


def test_return_reservation_id_answers_the_reservation(compute: Compute) -> None:
    result = create(compute, {**SERVER, "return_reservation_id": "true"}, "2.52")
    assert result.status_code == 202
    reservation = result.json["reservation_id"]
    assert set(result.json) == {"reservation_id"}
    assert reservation.startswith("r-")
    listed = compute.get("/v2.1/servers/detail", headers=compute.alice_h,
                         params={"reservation_id": reservation})  # fmt: skip
    assert len(listed.json["servers"]) == 1


def test_before_219_a_servers_description_is_its_name(compute: Compute) -> None:
    server_id = create(compute, {**OLD_SERVER, "name": "old"}, "2.18").json["server"]["id"]
    shown = compute.get(f"/v2.1/servers/{server_id}", headers=compute.alice_h, version="2.19")
    assert shown.json["server"]["description"] == "old"


def test_a_requested_host_is_an_admins_and_must_exist(compute: Compute) -> None:
    server = {**SERVER, "host": "compute-2"}
    member = create(compute, server, "2.74")
    assert member.status_code == 403, member.text
    assert create(compute, {**SERVER, "host": "compute-2"}, "2.73").status_code == 400
    as_admin = compute.call("POST", "/v2.1/servers", headers=compute.admin, version="2.74",
                            body={"server": {**server, "host": "nowhere"}})  # fmt: skip
    assert refusal(as_admin) == "Compute host nowhere could not be found."
    placed = compute.call("POST", "/v2.1/servers", headers=compute.admin, version="2.74",
                          body={"server": server})  # fmt: skip
    shown = compute.get(f"/v2.1/servers/{placed.json['server']['id']}", headers=compute.admin)
    assert shown.json["server"]["OS-EXT-SRV-ATTR:host"] == "compute-2"


def action(c: Compute, server_id: str, body: object, version: str = "2.1") -> Any:
    return c.call("POST", f"/v2.1/servers/{server_id}/action", headers=c.alice_h,
                  version=version, body=body)  # fmt: skip


def test_action_bodies(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    for body in ({}, {"pause": None, "lock": None}, []):
        assert refusal(action(compute, server_id, body)) == "Malformed request body"
    assert refusal(action(compute, server_id, {"explode": None})) == (
        "There is no such action: explode"
    )
    assert refusal(action(compute, server_id, {"reboot": {"type": "SOFT", "force": True}})) == (
        "Invalid input for field/attribute reboot. Value: {'type': 'SOFT', 'force': True}."
        " Additional properties are not allowed ('force' was unexpected)"
    )
    assert refusal(action(compute, server_id, {"lock": {"why": "x"}}, "2.73")).endswith(
        "Additional properties are not allowed ('why' was unexpected)"
    )
    # Nova's schemas take any argument of the plain actions.
    assert action(compute, server_id, {"pause": {"now": True}}).status_code == 202
    assert action(compute, server_id, {"reboot": {"type": "hard"}}).status_code == 202


def test_metadata_and_tag_bodies(compute: Compute) -> None:
    server_id = compute.boot(compute.alice_h)
    base = f"/v2.1/servers/{server_id}"
    two = compute.call("PUT", f"{base}/metadata/a", headers=compute.alice_h,
                       body={"meta": {"a": "1", "b": "2"}})  # fmt: skip
    assert refusal(two).endswith("{'a': '1', 'b': '2'} has too many properties")
    key = compute.call("POST", f"{base}/metadata", headers=compute.alice_h,
                       body={"metadata": {"a/b": "1"}})  # fmt: skip
    assert refusal(key).endswith(
        "'a/b' does not match any of the regexes: '^[a-zA-Z0-9-_:. ]{1,255}$'"
    )
    bad_tag = compute.call("PUT", f"{base}/tags/a,b", headers=compute.alice_h, version="2.26")
    assert refusal(bad_tag) == (
        "Tag 'a,b' is invalid. It must be a non empty string without characters '/' and ','."
        " Validation error message: 'a,b' does not match '^[^,/]*$'"
    )
    with_body = compute.call("PUT", f"{base}/tags/ok", headers=compute.alice_h,
                             version="2.26", body={"tag": "ok"})  # fmt: skip
    assert refusal(with_body) == "{'tag': 'ok'} is not of type 'null'"
    many = compute.call("PUT", f"{base}/tags", headers=compute.alice_h, version="2.26",
                        body={"tags": ["b", "a", "b"]})  # fmt: skip
    assert many.json == {"tags": ["a", "b"]}


def test_flavor_description_from_255_and_its_update(compute: Compute) -> None:
    body = {"flavor": {"name": "described", "id": "d1", "ram": 64, "vcpus": 1, "disk": 0,
                       "description": "small"}}  # fmt: skip
    early = compute.call("POST", "/v2.1/flavors", headers=compute.admin, version="2.54", body=body)
    assert "'description' was unexpected" in refusal(early)
    created = compute.call("POST", "/v2.1/flavors", headers=compute.admin, version="2.55",
                           body=body)  # fmt: skip
    assert created.json["flavor"]["description"] == "small"
    update = {"flavor": {"description": None}}
    assert compute.call("PUT", "/v2.1/flavors/d1", headers=compute.admin, version="2.54",
                        body=update).status_code == 404  # fmt: skip
    assert compute.call("PUT", "/v2.1/flavors/d1", headers=compute.alice_h, version="2.55",
                        body=update).status_code == 403  # fmt: skip
    updated = compute.call("PUT", "/v2.1/flavors/d1", headers=compute.admin, version="2.55",
                           body=update)  # fmt: skip
    assert updated.status_code == 200
    assert updated.json["flavor"]["description"] is None
    assert compute.call("PUT", "/v2.1/flavors/nope", headers=compute.admin, version="2.55",
                        body=update).status_code == 404  # fmt: skip
    empty = compute.call("PUT", "/v2.1/flavors/d1", headers=compute.admin, version="2.55",
                         body={"flavor": {}})  # fmt: skip
    assert refusal(empty).endswith("'description' is a required property")


def _first_error(schema: dict[str, Any], instance: object) -> jsonschema.ValidationError:
    validator = VALIDATOR(schema, format_checker=FORMATS)
    error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
    assert error is not None
    return error


def test_a_refusal_names_its_field_only_when_it_has_one() -> None:
    nested = _first_error({"properties": {"a": {"type": "integer"}}}, {"a": "x"})
    assert schema_refusal(nested).message == (
        "Invalid input for field/attribute a. Value: x. 'x' is not of type 'integer'"
    )
    top = _first_error({"type": "object"}, 5)
    assert schema_refusal(top).message == "5 is not of type 'object'"
    named = _first_error({"properties": {"n": {"format": "name"}}}, {"n": " x"})
    assert schema_refusal(named).message.startswith("An invalid 'name' value was provided.")
    long = _first_error({"properties": {"a": {"type": "integer"}}}, {"a": "x" * 5000})
    assert len(schema_refusal(long).message) == 1024


def test_every_declared_body_schema_is_a_valid_schema() -> None:
    for op in SERVICE.operations:
        for entry in op.request:
            jsonschema.Draft202012Validator.check_schema(entry.schema)
