"""Key pairs the same on SQLite, PostgreSQL and MariaDB: names compared and ordered by code point
(not by a collation's idea of case or trailing spaces), duplicates refused by the constraint."""

from __future__ import annotations

import pytest

from pocketstack.cloud.deps import CloudDeps
from tests.unit.cloud.compute.helpers import Compute, build_compute
from tests.unit.cloud.compute.keypair_material import ED25519_PUBLIC, RSA_PUBLIC

URL = "/v2.1/os-keypairs"
NAMES = ["b", "B", "a-1", "a_1", "A", "a", "a b", "Z9"]


@pytest.fixture
def any_db(cloud_deps_any_db: CloudDeps) -> Compute:
    compute = build_compute(cloud_deps_any_db)
    for name in NAMES:
        body = {"keypair": {"name": name, "public_key": RSA_PUBLIC}}
        created = compute.call("POST", URL, headers=compute.alice_h, version="2.2", body=body)
        assert created.status_code == 201, created.text
    return compute


def test_names_differing_by_case_are_distinct_and_pages_follow_code_points(any_db: Compute) -> None:
    c = any_db
    seen: list[str] = []
    params = {"limit": "3"}
    for _ in range(5):
        page = c.get(URL, headers=c.alice_h, version="2.35", params=params)
        assert page.status_code == 200, page.text
        seen += [k["keypair"]["name"] for k in page.json["keypairs"]]
        if "keypairs_links" not in page.json:
            break
        params = {"limit": "3", "marker": seen[-1]}
    assert seen == sorted(NAMES)
    duplicate = c.call("POST", URL, headers=c.alice_h, version="2.2",
                       body={"keypair": {"name": "B", "public_key": ED25519_PUBLIC}})  # fmt: skip
    assert duplicate.status_code == 409
    assert c.get(f"{URL}/B", headers=c.alice_h).json["keypair"]["name"] == "B"


def test_a_name_with_a_trailing_space_finds_nothing(any_db: Compute) -> None:
    c = any_db
    assert c.get(f"{URL}/a%20", headers=c.alice_h).status_code == 404
    assert c.call("DELETE", f"{URL}/a%20", headers=c.alice_h, version="2.2").status_code == 404
    assert c.get(f"{URL}/a", headers=c.alice_h).status_code == 200
    assert c.call("DELETE", f"{URL}/a", headers=c.alice_h, version="2.2").status_code == 204
    assert c.get(f"{URL}/a", headers=c.alice_h).status_code == 404
