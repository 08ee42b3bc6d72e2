"""Compute microversions: parsing, the server's version document, and negotiation.

The rules and the error texts are novaclient's (api_versions.py), so that a script that
checks `nova`'s messages keeps working; the code is ours.
"""

from __future__ import annotations

from pocketstack.client.compute.errors import UnsupportedVersion
from pocketstack.client.errors import EndpointNotFound, NotFound, Unauthorized

# Not `typing.TYPE_CHECKING`: a warm `pocketstack list` imports this module, and typing
# costs it ~3 ms; mypy treats a module-level TYPE_CHECKING = False as the real thing.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from pocketstack.client.adapter import Adapter

_LATEST = 1 << 30


def _split(text: str) -> tuple[int, int | None] | None:
    """(major, minor) of `X.Y`, minor None for `X.latest`; None unless the text has the form
    of novaclient's pattern `^([1-9][0-9]*)\\.([1-9][0-9]*|0|latest)$`. Read without `re`,
    which with the enum it imports costs a warm `pocketstack list` ~3 ms."""
    major, dot, minor = text.partition(".")
    if not dot or major == "0" or not _number(major):
        return None
    if minor == "latest":
        return int(major), None
    return (int(major), int(minor)) if _number(minor) else None


def _number(text: str) -> bool:
    """Digits without a leading zero, or "0"."""
    return text == "0" or (text.isascii() and text.isdigit() and not text.startswith("0"))


class APIVersion:
    """A compute API version; `APIVersion.null()` (0.0) means "the server does not say".

    Immutable and ordered like the tuple (major, minor); `latest` is a minor above any number.
    """

    __slots__ = ("major", "minor")
    major: int
    minor: int

    def __init__(self, major: int, minor: int) -> None:
        object.__setattr__(self, "major", major)
        object.__setattr__(self, "minor", minor)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("APIVersion is immutable")

    def _key(self) -> tuple[int, int]:
        return (self.major, self.minor)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, APIVersion) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __lt__(self, other: APIVersion) -> bool:
        return self._key() < other._key()

    def __le__(self, other: APIVersion) -> bool:
        return self._key() <= other._key()

    def __gt__(self, other: APIVersion) -> bool:
        return self._key() > other._key()

    def __ge__(self, other: APIVersion) -> bool:
        return self._key() >= other._key()

    def __repr__(self) -> str:
        return f"APIVersion({self})"

    @classmethod
    def null(cls) -> APIVersion:
        return cls(0, 0)

    @classmethod
    def latest(cls, major: int = 2) -> APIVersion:
        return cls(major, _LATEST)

    @classmethod
    def parse(cls, text: str) -> APIVersion:
        """`2` -> 2.0, `2.60`, `2.latest`; anything else is novaclient's format error."""
        text = text.strip()
        if text.isdigit():
            text = f"{text}.0"
        parts = _split(text)
        if parts is None:
            raise UnsupportedVersion(
                f"Invalid format of client version '{text}'. Expected format 'X.Y', where X "
                "is a major part and Y is a minor part of version."
            )
        major, minor = parts
        version = cls(major, _LATEST if minor is None else minor)
        if version.major != 2:
            raise UnsupportedVersion(
                f"Invalid client version '{version}'. Major part should be '2'"
            )
        return version

    @classmethod
    def from_document(cls, text: Any) -> APIVersion:
        if not isinstance(text, str) or not text:
            return cls.null()
        parts = _split(text)
        if parts is None or parts[1] is None:
            return cls.null()
        return cls(parts[0], parts[1])

    @property
    def is_latest(self) -> bool:
        return self.minor == _LATEST

    @property
    def is_null(self) -> bool:
        return self.major == 0 and self.minor == 0

    def matches(self, low: APIVersion, high: APIVersion) -> bool:
        return low <= self <= high

    def header_value(self) -> str | None:
        """The microversion to send, or None for 2.0 (the legacy API takes no header)."""
        if self.is_null or self.minor == 0:
            return None
        return str(self)

    def __str__(self) -> str:
        minor = "latest" if self.is_latest else str(self.minor)
        return f"{self.major}.{minor}"


CLIENT_MIN = APIVersion(2, 1)
# novaclient's cap; the resources of this package understand every response shape up to it.
CLIENT_MAX = APIVersion(2, 96)


class VersionDocument:
    """The `{"version": {...}}` answer of the compute endpoint's version root."""

    __slots__ = ("id", "max_version", "min_version", "status")

    def __init__(
        self, *, id: str, status: str, min_version: APIVersion, max_version: APIVersion
    ) -> None:
        self.id = id
        self.status = status
        self.min_version = min_version
        self.max_version = max_version

    def __eq__(self, other: object) -> bool:
        return isinstance(other, VersionDocument) and self.to_cache() == other.to_cache()

    def __hash__(self) -> int:
        return hash(tuple(self.to_cache().values()))

    def __repr__(self) -> str:
        return f"VersionDocument({self.to_cache()!r})"

    @classmethod
    def from_body(cls, body: Any) -> VersionDocument:
        version = body.get("version") if isinstance(body, dict) else None
        if not isinstance(version, dict):
            version = {}
        return cls(
            id=str(version.get("id") or ""),
            status=str(version.get("status") or ""),
            min_version=APIVersion.from_document(version.get("min_version")),
            max_version=APIVersion.from_document(version.get("version")),
        )

    @classmethod
    def unknown(cls) -> VersionDocument:
        return cls(id="", status="", min_version=APIVersion.null(), max_version=APIVersion.null())

    def to_cache(self) -> dict[str, str]:
        return {
            "id": self.id,
            "status": self.status,
            "min_version": "" if self.min_version.is_null else str(self.min_version),
            "version": "" if self.max_version.is_null else str(self.max_version),
        }

    @classmethod
    def from_cache(cls, data: Any) -> VersionDocument | None:
        if not isinstance(data, dict):
            return None
        return cls.from_body({"version": data})


def fetch_version_document(adapter: Adapter) -> VersionDocument:
    """GET the compute endpoint itself; on 404 its parent plus `/` (novaclient's fallback for
    catalogs whose endpoint carries the project id, where the first URL is not a version root).
    """
    endpoint = adapter.get_endpoint()
    if not endpoint:
        raise EndpointNotFound(f"{adapter.interface} endpoint for compute service not found")
    url = endpoint.rstrip("/")
    try:
        try:
            response = adapter.session.request(url, "GET", authenticated=True)
        except NotFound:
            parent = url.rsplit("/", 1)[0] + "/"
            response = adapter.session.request(parent, "GET", authenticated=True)
    except Unauthorized:
        # Some proxies refuse the version root; novaclient then assumes no microversions.
        return VersionDocument.unknown()
    return VersionDocument.from_body(response.json())


def negotiate(requested: APIVersion, document: VersionDocument) -> APIVersion:
    """The version to use for `requested` against a server that advertises `document`."""
    server_min, server_max = document.min_version, document.max_version
    no_microversions = server_min.is_null and server_max.is_null
    if not requested.is_latest and requested != APIVersion(2, 0):
        if no_microversions:
            raise UnsupportedVersion("Server doesn't support microversions")
        if not requested.matches(server_min, server_max):
            raise UnsupportedVersion(
                "The specified version isn't supported by server. The valid version range is "
                f"'{server_min}' to '{server_max}'"
            )
        return requested
    if requested == APIVersion(2, 0):
        if server_min == APIVersion(2, 1) or no_microversions:
            return requested
        raise UnsupportedVersion("The server isn't backward compatible with Nova V2 REST API")
    if no_microversions:
        return APIVersion(2, 0)
    ranges = (
        f"The client valid version range is '{CLIENT_MIN}' to '{CLIENT_MAX}'. "
        f"The server valid version range is '{server_min}' to '{server_max}'."
    )
    if server_max < CLIENT_MIN:
        raise UnsupportedVersion(f"Server version is too old. {ranges}")
    if server_min > CLIENT_MAX:
        raise UnsupportedVersion(f"Server version is too new. {ranges}")
    return min(CLIENT_MAX, server_max)


def check_client_range(requested: APIVersion) -> None:
    """An explicit version beyond what this client understands fails before any request."""
    if requested.is_latest or requested <= APIVersion(2, 0):
        return
    if not requested.matches(CLIENT_MIN, CLIENT_MAX):
        raise UnsupportedVersion(
            "The specified version isn't supported by client. The valid version range is "
            f"'{CLIENT_MIN}' to '{CLIENT_MAX}'"
        )
