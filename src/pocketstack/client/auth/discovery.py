"""Identity version discovery: the three shapes of version data, and the URL-path fallback.

Shapes: `{"versions": {"values": [...]}}` (Keystone root, 300), `{"versions": [...]}`
(Nova style), `{"version": {...}}` (one versioned endpoint, e.g. `/v2.0/` in the seed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pocketstack.client.errors import DiscoveryFailure, HttpError
from pocketstack.client.versions import STATUS_RANK, Version, VersionData

if TYPE_CHECKING:
    from pocketstack.client.session import Session


def version_from_url(url: str) -> Version | None:
    """The identity version a URL's path names (`/v2.0`, `/v3`), if any."""
    for segment in reversed([s for s in urlsplit(url).path.split("/") if s]):
        if segment.lower().startswith("v"):
            version = Version.from_id(segment)
            if version is not None:
                return version
    return None


def _raw_versions(body: Any) -> list[Any]:
    if not isinstance(body, dict):
        return []
    versions = body.get("versions")
    if isinstance(versions, dict):
        values = versions.get("values")
        return values if isinstance(values, list) else []
    if isinstance(versions, list):
        return versions
    version = body.get("version")
    if isinstance(version, dict):
        return [version]
    return []


def parse_versions(body: Any, *, url: str, allow_experimental: bool = False) -> list[VersionData]:
    """Usable versions in the body, best first (highest version, then best status)."""
    found: list[VersionData] = []
    for raw in _raw_versions(body):
        if not isinstance(raw, dict):
            continue
        version = Version.from_id(str(raw.get("id", "")))
        status = str(raw.get("status", "")).lower()
        if version is None:
            continue
        if status not in STATUS_RANK and not (allow_experimental and status == "experimental"):
            continue
        href = url
        for link in raw.get("links") or []:
            if isinstance(link, dict) and link.get("rel") == "self" and link.get("href"):
                href = str(link["href"])
                break
        found.append(VersionData(version=version, status=status, url=href))
    found.sort(key=lambda v: (v.version.major, v.rank, v.version.minor), reverse=True)
    return found


def discover(session: Session, url: str) -> list[VersionData]:
    """GET the auth URL once per session; raise DiscoveryFailure when nothing usable comes back."""
    cached = session.discovery_cache.get(url)
    if cached is None:
        try:
            response = session.request(url, "GET", authenticated=False, raise_exc=False)
        except HttpError as exc:  # pragma: no cover - raise_exc=False never raises these
            raise DiscoveryFailure(str(exc)) from exc
        if response.status not in (200, 300):
            raise DiscoveryFailure(f"Version discovery at {url} answered HTTP {response.status}")
        try:
            cached = response.json()
        except ValueError as exc:
            raise DiscoveryFailure(f"Version discovery at {url} did not answer JSON") from exc
        session.discovery_cache[url] = cached
    versions = parse_versions(cached, url=url)
    if not versions:
        raise DiscoveryFailure(f"No usable identity version in the discovery document at {url}")
    return versions
