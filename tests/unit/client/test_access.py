from __future__ import annotations

import datetime as dt

import pytest

from pocketstack.client.access import access_from_body, parse_epoch, parse_time
from pocketstack.client.catalog import ServiceCatalog, normalize_interface
from pocketstack.client.errors import EndpointNotFound, InvalidResponse

V2_SERVICES = [
    {
        "name": "nova",
        "type": "compute",
        "endpoints_links": [],
        "endpoints": [
            {
                "id": "e1",
                "region": "RegionOne",
                "publicURL": "http://pub:8774/v2/t",
                "internalURL": "http://int:8774/v2/t",
                "adminURL": "http://adm:8774/v2/t",
            },
            {"id": "e2", "region": "RegionTwo", "publicURL": "http://two:8774/v2/t"},
        ],
    },
    {
        "name": "keystone",
        "type": "identity",
        "endpoints": [{"region": "RegionOne", "publicURL": "http://k:5000/v2.0"}],
    },
]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("publicURL", "public"),
        ("public", "public"),
        ("internalURL", "internal"),
        ("adminURL", "admin"),
        ("Admin", "admin"),
    ],
)
def test_interface_spellings(given: str, expected: str) -> None:
    assert normalize_interface(given) == expected


def test_v2_catalog_url_for() -> None:
    catalog = ServiceCatalog.from_v2(V2_SERVICES)
    assert catalog.url_for(service_type="compute") == "http://pub:8774/v2/t"
    assert catalog.url_for(service_type="compute", interface="internalURL") == (
        "http://int:8774/v2/t"
    )
    assert catalog.url_for(service_type="compute", region_name="RegionTwo") == (
        "http://two:8774/v2/t"
    )
    assert catalog.url_for(service_type="compute", service_name="nova") == "http://pub:8774/v2/t"
    with pytest.raises(
        EndpointNotFound, match="admin endpoint for compute service in RegionTwo region not found"
    ):
        catalog.url_for(service_type="compute", interface="admin", region_name="RegionTwo")
    with pytest.raises(EndpointNotFound, match="compute service named other not found"):
        catalog.url_for(service_type="compute", service_name="other")


def test_v3_catalog_region_id_and_grouping() -> None:
    catalog = ServiceCatalog.from_v3(
        [
            {
                "id": "s1",
                "type": "compute",
                "name": "nova",
                "endpoints": [
                    {
                        "id": "a",
                        "interface": "public",
                        "region_id": "RegionOne",
                        "region": "RegionOne",
                        "url": "http://c/v2.1",
                    },
                    {
                        "id": "b",
                        "interface": "internal",
                        "region_id": "RegionOne",
                        "url": "http://ci",
                    },
                ],
            },
        ]
    )
    assert catalog.url_for(service_type="compute", interface="internal") == "http://ci"
    assert [(t, n, len(e)) for t, n, e in catalog.services()] == [("compute", "nova", 2)]


def test_empty_catalog_message_hints_at_scope() -> None:
    with pytest.raises(EndpointNotFound, match="empty catalog"):
        ServiceCatalog([]).url_for(service_type="compute")


def test_access_bodies() -> None:
    v2 = access_from_body(
        {
            "access": {
                "token": {
                    "id": "tok",
                    "expires": "2030-01-01T00:00:00Z",
                    "tenant": {"id": "p", "name": "n"},
                },
                "user": {"id": "u", "name": "un", "roles": [{"name": "admin"}]},
                "serviceCatalog": V2_SERVICES,
            }
        }
    )
    assert (v2.auth_token, v2.project_id, v2.user_id, v2.role_names) == ("tok", "p", "u", ["admin"])
    assert v2.expires.year == 2030
    assert v2.expires.tzinfo is not None
    v3 = access_from_body(
        {
            "token": {
                "expires_at": "2030-01-01T00:00:00.000000Z",
                "user": {"id": "u", "domain": {"id": "d"}},
                "domain": {"id": "dd", "name": "Dom"},
                "roles": [],
                "catalog": [],
            }
        },
        auth_token="t3",
    )
    assert (v3.domain_id, v3.user_domain_id, v3.project_id) == ("dd", "d", None)
    with pytest.raises(InvalidResponse):
        access_from_body({"token": {"expires_at": "2030-01-01T00:00:00Z"}})  # no header token
    with pytest.raises(InvalidResponse):
        access_from_body({"nothing": 1})


@pytest.mark.parametrize(
    "text",
    [
        "2030-01-01T00:00:00Z",
        "2030-01-01T00:00:00.000000Z",
        "2024-02-29T23:59:59.5",
        "1999-12-31T22:30:00-01:30",
        "2030-06-15 12:00:00+02:00",
        "2030-06-15T12:00",  # not the common shape: datetime decides
    ],
)
def test_expiry_without_datetime_agrees_with_datetime(text: str) -> None:
    assert parse_epoch(text) == pytest.approx(parse_time(text).timestamp(), abs=1e-6)


@pytest.mark.parametrize("text", ["2023-02-29T00:00:00Z", "2030-13-01T00:00:00Z", "soon", 7])
def test_a_bad_expiry_is_an_invalid_response(text: object) -> None:
    with pytest.raises(InvalidResponse):
        parse_epoch(text)


def test_will_expire_soon_compares_with_now() -> None:
    body = {"token": {"expires_at": "2030-01-01T00:02:00Z", "catalog": []}}
    access = access_from_body(body, auth_token="t")
    at = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    assert access.will_expire_soon(stale_seconds=119, now=at) is False
    assert access.will_expire_soon(stale_seconds=120, now=at) is True
    assert access.expires == dt.datetime(2030, 1, 1, 0, 2, tzinfo=dt.UTC)
    assert access.issued is None
