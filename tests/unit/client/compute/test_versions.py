"""Microversion parsing and negotiation with novaclient's rules and messages."""

from __future__ import annotations

import pytest

from pocketstack.client.compute.errors import UnsupportedVersion
from pocketstack.client.compute.versions import (
    CLIENT_MAX,
    APIVersion,
    check_client_range,
    negotiate,
)
from pocketstack.client.versions import VersionData


def doc(min_version: str, max_version: str) -> VersionData:
    return VersionData.from_body(
        {"version": {"id": "v2.1", "status": "CURRENT", "min_version": min_version,
                     "version": max_version}}
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2", APIVersion(2, 0)), ("2.0", APIVersion(2, 0)), ("2.60", APIVersion(2, 60)),
     (" 2.1 ", APIVersion(2, 1))],
)
def test_parse(text: str, expected: APIVersion) -> None:
    assert APIVersion.parse(text) == expected


def test_latest_is_above_every_number() -> None:
    latest = APIVersion.parse("2.latest")
    assert latest.is_latest
    assert str(latest) == "2.latest"
    assert latest > APIVersion(2, 10_000)


@pytest.mark.parametrize("text", ["2.x", "two", "2.01", "", "2.1.1"])
def test_malformed_version(text: str) -> None:
    with pytest.raises(UnsupportedVersion, match="Invalid format of client version"):
        APIVersion.parse(text)


def test_wrong_major() -> None:
    with pytest.raises(UnsupportedVersion) as info:
        APIVersion.parse("3.1")
    assert str(info.value) == "Invalid client version '3.1'. Major part should be '2'"


def test_latest_is_the_lower_of_both_maxima() -> None:
    assert negotiate(APIVersion.latest(), doc("2.1", "2.60")) == APIVersion(2, 60)
    assert negotiate(APIVersion.latest(), doc("2.1", "2.104")) == CLIENT_MAX


def test_explicit_version_outside_the_server_range() -> None:
    with pytest.raises(UnsupportedVersion) as info:
        negotiate(APIVersion(2, 70), doc("2.1", "2.60"))
    assert str(info.value) == (
        "The specified version isn't supported by server. The valid version range is "
        "'2.1' to '2.60'"
    )


def test_explicit_version_outside_the_client_range() -> None:
    with pytest.raises(UnsupportedVersion) as info:
        check_client_range(APIVersion(2, 97))
    assert str(info.value) == (
        "The specified version isn't supported by client. The valid version range is "
        "'2.1' to '2.96'"
    )
    check_client_range(APIVersion(2, 96))
    check_client_range(APIVersion.latest())


def test_server_without_microversions() -> None:
    legacy = VersionData.unknown()
    assert negotiate(APIVersion.latest(), legacy) == APIVersion(2, 0)
    assert negotiate(APIVersion(2, 0), legacy) == APIVersion(2, 0)
    with pytest.raises(UnsupportedVersion, match="Server doesn't support microversions"):
        negotiate(APIVersion(2, 5), legacy)


def test_server_too_new_or_not_backward_compatible() -> None:
    with pytest.raises(UnsupportedVersion, match="Server version is too new"):
        negotiate(APIVersion.latest(), doc("3.0", "3.5"))
    with pytest.raises(UnsupportedVersion, match="isn't backward compatible"):
        negotiate(APIVersion(2, 0), doc("2.10", "2.60"))


def test_header_value() -> None:
    assert APIVersion(2, 0).header_value() is None
    assert APIVersion(2, 47).header_value() == "2.47"


def test_cache_round_trip() -> None:
    original = doc("2.1", "2.90")
    assert VersionData.from_cache(original.to_cache()) == original
    assert VersionData.from_cache(None) is None
