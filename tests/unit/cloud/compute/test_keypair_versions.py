"""`/os-keypairs` by microversion: statuses and bodies (2.1, 2.2, 2.92, the legacy v2 API),
paging (2.35) and the query parameters each version takes (2.75)."""

from __future__ import annotations

import datetime as dt
import urllib.parse
from typing import Any

import pytest

from tests.unit.cloud.compute.helpers import Compute, fault
from tests.unit.cloud.compute.keypair_material import RSA_FINGERPRINT, RSA_PUBLIC

URL = "/v2.1/os-keypairs"


def create(c: Compute, version: str | None, **keypair: Any) -> Any:
    return c.call("POST", URL, headers=c.alice_h, version=version, body={"keypair": keypair})


@pytest.mark.parametrize(("version", "status", "typed"), [("2.1", 200, False), ("2.2", 201, True)])
def test_type_and_statuses_from_2_2(
    compute: Compute, version: str, status: int, typed: bool
) -> None:
    c = compute
    created = create(c, version, name="k", public_key=RSA_PUBLIC)
    assert created.status_code == status, created.text
    assert ("type" in created.json["keypair"]) is typed
    listed = c.get(URL, headers=c.alice_h, version=version).json
    expected: dict[str, Any] = {"name": "k", "public_key": RSA_PUBLIC,
                                "fingerprint": RSA_FINGERPRINT}  # fmt: skip
    if typed:
        expected["type"] = "ssh"
    assert listed == {"keypairs": [{"keypair": expected}]}
    shown = c.get(f"{URL}/k", headers=c.alice_h, version=version).json["keypair"]
    fields = {"name", "public_key", "fingerprint", "user_id", "created_at", "deleted",
              "deleted_at", "updated_at", "id"}  # fmt: skip
    assert set(shown) == fields | ({"type"} if typed else set())
    assert (shown["deleted"], shown["deleted_at"], shown["updated_at"]) == (False, None, None)
    assert isinstance(shown["id"], int)
    created_at = dt.datetime.strptime(shown["created_at"], "%Y-%m-%dT%H:%M:%S.%f")
    assert abs(created_at.replace(tzinfo=dt.UTC) - dt.datetime.now(dt.UTC)) < dt.timedelta(
        minutes=5
    )
    deleted = c.call("DELETE", f"{URL}/k", headers=c.alice_h, version=version)
    assert deleted.status_code == (204 if typed else 202)
    assert c.get(f"{URL}/k", headers=c.alice_h).status_code == 404
    assert c.call("DELETE", f"{URL}/k", headers=c.alice_h, version=version).status_code == 404


def test_type_in_a_body_before_2_2_is_unknown(compute: Compute) -> None:
    result = create(compute, "2.1", name="k", type="ssh", public_key=RSA_PUBLIC)
    assert result.status_code == 400
    assert create(compute, "2.2", name="k", type="rsa", public_key=RSA_PUBLIC).status_code == 400


def test_2_92_imports_only_and_never_returns_a_private_key(compute: Compute) -> None:
    refused = create(compute, "2.92", name="gen")
    assert refused.status_code == 400
    assert "public_key" in fault(refused)[1]
    generated = create(compute, "2.91", name="gen")
    assert generated.status_code == 201
    assert "private_key" in generated.json["keypair"]
    imported = create(compute, "2.92", name="imp", public_key=RSA_PUBLIC)
    assert imported.status_code == 201
    assert set(imported.json["keypair"]) == {"name", "public_key", "fingerprint", "type",
                                             "user_id"}  # fmt: skip


def test_the_legacy_api_strips_names_and_answers_200_and_202(compute: Compute) -> None:
    c = compute
    legacy = f"/v2/{c.alice.project_id}/os-keypairs"
    body = {"keypair": {"name": "  any: name/1  ", "public_key": RSA_PUBLIC}}
    created = c.call("POST", legacy, headers=c.alice_h, body=body)
    assert created.status_code == 200, created.text
    assert created.json["keypair"]["name"] == "any: name/1"
    assert "type" not in created.json["keypair"]
    blank = c.call("POST", legacy, headers=c.alice_h, body={"keypair": {"name": "   "}})
    assert blank.status_code == 400
    created = c.call("POST", legacy, headers=c.alice_h, body={"keypair": {"name": " spaced "}})
    assert created.status_code == 200
    assert c.get(f"{URL}/spaced", headers=c.alice_h).status_code == 200
    assert c.call("DELETE", f"{legacy}/spaced", headers=c.alice_h).status_code == 202


@pytest.fixture
def paged(compute: Compute) -> Compute:
    for name in ("k3", "k0", "k4", "k1", "k2"):
        assert create(compute, "2.2", name=name, public_key=RSA_PUBLIC).status_code == 201
    return compute


def _names(result: Any) -> list[str]:
    return [k["keypair"]["name"] for k in result.json["keypairs"]]


def test_pages_by_name_with_next_links_from_2_35(paged: Compute) -> None:
    c = paged
    first = c.get(URL, headers=c.alice_h, version="2.35", params={"limit": "2"})
    assert _names(first) == ["k0", "k1"]
    (link,) = first.json["keypairs_links"]
    assert link["rel"] == "next"
    href = urllib.parse.urlsplit(link["href"])
    assert href.path == "/v2.1/os-keypairs"
    assert urllib.parse.parse_qs(href.query) == {"limit": ["2"], "marker": ["k1"]}
    second = c.get(URL, headers=c.alice_h, version="2.35", query=href.query)
    assert _names(second) == ["k2", "k3"]
    last = c.get(URL, headers=c.alice_h, version="2.35", params={"limit": "2", "marker": "k3"})
    assert _names(last) == ["k4"]
    assert "keypairs_links" not in last.json
    # A full page without a limit has no link: the page is the default size (1000).
    everything = c.get(URL, headers=c.alice_h, version="2.35")
    assert _names(everything) == ["k0", "k1", "k2", "k3", "k4"]
    assert "keypairs_links" not in everything.json
    assert _names(c.get(URL, headers=c.alice_h, version="2.35", params={"limit": "0"})) == []


def test_limit_and_marker_are_ignored_before_2_35(paged: Compute) -> None:
    result = paged.get(URL, headers=paged.alice_h, version="2.34",
                       params={"limit": "1", "marker": "nope"})  # fmt: skip
    assert _names(result) == ["k0", "k1", "k2", "k3", "k4"]
    assert "keypairs_links" not in result.json


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"marker": "nope"}, "Marker nope could not be found."),
        ({"marker": "k1 "}, "Marker k1  could not be found."),
        ({"limit": "-1"}, "Invalid input for query parameters limit"),
        ({"limit": "two"}, "Invalid input for query parameters limit"),
        ({"limit": ""}, "Invalid input for query parameters limit"),
    ],
)
def test_bad_paging_parameters_are_400(
    paged: Compute, params: dict[str, str], message: str
) -> None:
    result = paged.get(URL, headers=paged.alice_h, version="2.35", params=params)
    assert result.status_code == 400
    assert fault(result) == ("badRequest", fault(result)[1])
    assert fault(result)[1].startswith(message)


def test_a_marker_of_another_users_key_pair_is_not_found(paged: Compute) -> None:
    c = paged
    assert c.get(URL, headers=c.bob_h, version="2.35", params={"marker": "k1"}).status_code == 400


def test_unknown_query_parameters_are_refused_from_2_75(paged: Compute) -> None:
    c = paged
    for path in (URL, f"{URL}/k1"):
        assert c.get(path, headers=c.alice_h, version="2.74", params={"x": "1"}).status_code == 200
        refused = c.get(path, headers=c.alice_h, version="2.75", params={"x": "1"})
        assert refused.status_code == 400
        assert fault(refused)[1] == "Additional properties are not allowed ('x' was unexpected)"
    # Show and delete take no paging parameters.
    refused = c.get(f"{URL}/k1", headers=c.alice_h, version="2.75", params={"limit": "1"})
    assert refused.status_code == 400
