"""Compute API microversions: parsing the request headers, comparing, and the supported range."""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Mapping
from functools import total_ordering

from pocketstack.cloud.errors import BadRequest, NotAcceptable

HEADER = "OpenStack-API-Version"
LEGACY_HEADER = "X-OpenStack-Nova-API-Version"
SERVICE_TYPE = "compute"
# ASCII digits only: `\d` would take other scripts' digits too.
_VERSION_RE = re.compile(r"([1-9][0-9]*)\.([1-9][0-9]*|0)")
# More digits than this is no version any cloud serves (and past 4,300 digits `int()` fails).
_MAX_DIGITS = 9


@total_ordering
@dataclasses.dataclass(frozen=True)
class Version:
    major: int
    minor: int

    @classmethod
    def parse(cls, text: str) -> Version:
        match = _VERSION_RE.fullmatch(text)
        shown = text if len(text) <= 40 else text[:37] + "..."
        if match is None:
            raise BadRequest(
                f"API Version String {shown} is of invalid format. Must be of format"
                " MajorNum.MinorNum."
            )
        major, minor = match.group(1), match.group(2)
        if len(major) > _MAX_DIGITS or len(minor) > _MAX_DIGITS:
            raise NotAcceptable(
                f"Version {shown} is not supported by the API. Minimum is {MIN_VERSION} and"
                f" maximum is {MAX_VERSION}."
            )
        return cls(int(major), int(minor))

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return (self.major, self.minor) < (other.major, other.minor)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"


MIN_VERSION = Version(2, 1)
# What changes with each microversion up to 2.100 is in the listing and view code (listing.py,
# views.py), following Nova's rest_api_version_history.
MAX_VERSION = Version(2, 100)


@dataclasses.dataclass(frozen=True)
class ApiVersion:
    """The version a request runs at. `legacy` is the /v2 API: no microversions at all."""

    version: Version
    legacy: bool = False

    def at_least(self, text: str) -> bool:
        if self.legacy:
            return False
        return (self.version.major, self.version.minor) >= _split(text)

    def __str__(self) -> str:
        return str(self.version)


@functools.lru_cache(maxsize=256)
def _split(text: str) -> tuple[int, int]:
    major, minor = text.split(".")
    return int(major), int(minor)


LEGACY = ApiVersion(Version(2, 0), legacy=True)


def _from_openstack_header(value: str) -> str | None:
    # "compute 2.10" — possibly several services separated by commas.
    for part in value.split(","):
        fields = part.strip().split(None, 1)
        if len(fields) == 2 and fields[0].lower() == SERVICE_TYPE:
            return fields[1].strip()
    return None


def requested_version(headers: Mapping[str, str]) -> ApiVersion:
    """The request's microversion; 400 when malformed, 406 when outside MIN..MAX."""
    text: str | None = None
    new_style = headers.get(HEADER.upper())
    if new_style:
        text = _from_openstack_header(new_style)
    if text is None:
        legacy = headers.get(LEGACY_HEADER.upper())
        text = legacy.strip() if legacy else None
    if text is None:
        return ApiVersion(MIN_VERSION)
    if text.lower() == "latest":
        return ApiVersion(MAX_VERSION)
    version = Version.parse(text)
    if not MIN_VERSION <= version <= MAX_VERSION:
        raise NotAcceptable(
            f"Version {version} is not supported by the API. Minimum is {MIN_VERSION} and"
            f" maximum is {MAX_VERSION}."
        )
    return ApiVersion(version)
