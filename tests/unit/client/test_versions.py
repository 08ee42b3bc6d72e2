"""One version kind for every service, and the slotted value helper the client's classes share."""

from __future__ import annotations

import pytest

from pocketstack.client.auth.base import Scope
from pocketstack.client.catalog import EndpointFilter
from pocketstack.client.compute.versions import APIVersion
from pocketstack.client.transport import Request, TLSOptions
from pocketstack.client.versions import Version, VersionData


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("v3", (3, 0)),
        ("V2.0", (2, 0)),
        ("v3.14", (3, 14)),
        (" 3 ", (3, 0)),
        ("v", None),
        ("v3.", None),
        ("3.x", None),
        ("v3.14.1", None),
        ("beta", None),
    ],
)
def test_version_ids(text: str, expected: tuple[int, int] | None) -> None:
    assert Version.from_id(text) == expected


def test_identity_and_compute_versions_are_one_kind() -> None:
    assert APIVersion(2, 1) == Version(2, 1) == (2, 1)
    assert Version(2, 1) < APIVersion(2, 10) < APIVersion.latest()
    assert hash(APIVersion(2, 1)) == hash(Version(2, 1))
    assert (Version(3, 0).major, Version(3, 0).minor) == (3, 0)
    assert repr(APIVersion.parse("2.latest")) == "APIVersion(2.latest)"
    with pytest.raises(AttributeError):
        Version(3, 0).major = 4  # type: ignore[misc]


def test_version_data_keeps_a_compute_document_through_the_cache() -> None:
    document = VersionData.from_body(
        {"version": {"id": "v2.1", "status": "CURRENT", "min_version": "2.1", "version": "2.90"}}
    )
    assert (document.version, document.min_version, document.max_version) == (
        (2, 1),
        (2, 1),
        (2, 90),
    )
    assert VersionData.from_cache(document.to_cache()) == document
    assert VersionData.unknown().max_version.is_null


def test_value_classes_compare_hash_and_show_their_fields() -> None:
    assert Scope(project_id="p") == Scope(project_id="p")
    assert Scope(project_id="p") != Scope(project_name="p")
    assert len({TLSOptions(), TLSOptions(verify=True)}) == 1
    assert EndpointFilter(service_type="compute") != "compute"
    assert repr(Scope(project_name="demo", domain_id="default")) == (
        "Scope(project_name='demo', domain_id='default')"
    )
    assert repr(Request(method="GET", url="http://x/")) == "Request(method='GET', url='http://x/')"
