"""Compute microversions: parsing, the server's version document, and negotiation.

The rules and the error texts are novaclient's (api_versions.py), so that a script that
checks `nova`'s messages keeps working; the code is ours.
"""

from __future__ import annotations

from pocketstack.client.compute.errors import UnsupportedVersion
from pocketstack.client.errors import EndpointNotFound, NotFound, Unauthorized
from pocketstack.client.versions import Version, VersionData, split_microversion

# Warm-path module: see docs/startup.md.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Self

    from pocketstack.client.adapter import Adapter


class APIVersion(Version):
    """A compute microversion: a Version read with novaclient's rules and error texts."""

    __slots__ = ()

    @classmethod
    def parse(cls, text: str) -> Self:
        """`2` -> 2.0, `2.60`, `2.latest`; anything else is novaclient's format error."""
        text = text.strip()
        if text.isdigit():
            text = f"{text}.0"
        parts = split_microversion(text)
        if parts is None:
            raise UnsupportedVersion(
                f"Invalid format of client version '{text}'. Expected format 'X.Y', where X "
                "is a major part and Y is a minor part of version."
            )
        major, minor = parts
        version = cls.latest(major) if minor is None else cls(major, minor)
        if version.major != 2:
            raise UnsupportedVersion(
                f"Invalid client version '{version}'. Major part should be '2'"
            )
        return version

    def header_value(self) -> str | None:
        """The microversion to send, or None for 2.0 (the legacy API takes no header)."""
        if self.is_null or self.minor == 0:
            return None
        return str(self)


CLIENT_MIN = APIVersion(2, 1)
# novaclient's cap; the resources of this package understand every response shape up to it.
CLIENT_MAX = APIVersion(2, 96)


def fetch_version_document(adapter: Adapter) -> VersionData:
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
        return VersionData.unknown()
    return VersionData.from_body(response.json())


def negotiate(requested: APIVersion, document: VersionData) -> APIVersion:
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
    best = min(CLIENT_MAX, server_max)
    return APIVersion(best.major, best.minor)


def check_client_range(requested: APIVersion) -> None:
    """An explicit version beyond what this client understands fails before any request."""
    if requested.is_latest or requested <= APIVersion(2, 0):
        return
    if not requested.matches(CLIENT_MIN, CLIENT_MAX):
        raise UnsupportedVersion(
            "The specified version isn't supported by client. The valid version range is "
            f"'{CLIENT_MIN}' to '{CLIENT_MAX}'"
        )
