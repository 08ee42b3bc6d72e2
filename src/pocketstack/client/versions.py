"""API versions, one kind for every service: a number `major.minor`, and one entry of a version
document (what identity discovery ranks and what compute negotiates against).

Warm-path module: see docs/startup.md. Version ids are read without `re`.
"""

from __future__ import annotations

from pocketstack.client.slotted import Value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Self

_LATEST = 1 << 30
# Rank by status: higher is preferred among usable versions of the same major; statuses
# missing here are not usable (`experimental` only on request).
STATUS_RANK = {"stable": 3, "current": 3, "supported": 2, "deprecated": 1}


class Version(tuple[int, int]):
    """`major.minor`, immutable and ordered as the pair; `Version.null()` (0.0) means "the
    server does not say"; `latest` is a minor above any number."""

    __slots__ = ()

    def __new__(cls, major: int, minor: int) -> Self:
        return tuple.__new__(cls, (major, minor))

    @property
    def major(self) -> int:
        return self[0]

    @property
    def minor(self) -> int:
        return self[1]

    @classmethod
    def null(cls) -> Self:
        return cls(0, 0)

    @classmethod
    def latest(cls, major: int = 2) -> Self:
        return cls(major, _LATEST)

    @classmethod
    def from_id(cls, text: str) -> Self | None:
        """`v3`, `v2.0`, `3.14` (a version document's `id`, any case), else None."""
        text = text.strip()
        if text[:1] in ("v", "V"):
            text = text[1:]
        major, dot, minor = text.partition(".")
        if not _decimal(major) or (dot and not _decimal(minor)):
            return None
        return cls(int(major), int(minor) if dot else 0)

    @classmethod
    def from_microversion(cls, text: Any) -> Self:
        """A microversion field of a version document (`2.96`), null when absent or not one."""
        if not isinstance(text, str) or not text:
            return cls.null()
        parts = split_microversion(text)
        if parts is None or parts[1] is None:
            return cls.null()
        return cls(parts[0], parts[1])

    @property
    def is_latest(self) -> bool:
        return self[1] == _LATEST

    @property
    def is_null(self) -> bool:
        return self == (0, 0)

    def matches(self, low: Version, high: Version) -> bool:
        return low <= self <= high

    def __str__(self) -> str:
        minor = "latest" if self.is_latest else str(self[1])
        return f"{self[0]}.{minor}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self})"


def _decimal(text: str) -> bool:
    # What the `\d+` of a regular expression accepts (any script's decimal digits).
    return text.isdecimal()


def _number(text: str) -> bool:
    """ASCII digits without a leading zero, or "0"."""
    return text == "0" or (text.isascii() and text.isdigit() and not text.startswith("0"))


def split_microversion(text: str) -> tuple[int, int | None] | None:
    """(major, minor) of `X.Y`, minor None for `X.latest`; None unless the text has the form
    of novaclient's pattern `^([1-9][0-9]*)\\.([1-9][0-9]*|0|latest)$`."""
    major, dot, minor = text.partition(".")
    if not dot or major == "0" or not _number(major):
        return None
    if minor == "latest":
        return int(major), None
    return (int(major), int(minor)) if _number(minor) else None


class VersionData(Value):
    """One entry of a version document: `{"id", "status", "links", "min_version", "version"}`.

    Identity discovery fills `version`, `status` and `url` (the self link); a compute
    endpoint's `{"version": {...}}` adds its microversion range."""

    __slots__ = ("id", "max_version", "min_version", "status", "url", "version")
    _fields = ("id", "version", "status", "url", "min_version", "max_version")

    def __init__(
        self,
        *,
        version: Version,
        status: str,
        url: str = "",
        id: str = "",
        min_version: Version | None = None,
        max_version: Version | None = None,
    ) -> None:
        self.id = id
        self.version = version
        self.status = status
        self.url = url
        self.min_version = Version.null() if min_version is None else min_version
        self.max_version = Version.null() if max_version is None else max_version

    @property
    def rank(self) -> int:
        return STATUS_RANK.get(self.status.lower(), 0)

    @classmethod
    def from_body(cls, body: Any) -> VersionData:
        """The `{"version": {...}}` answer of a version root, as the server wrote it (an empty
        entry when the body is not one)."""
        raw = body.get("version") if isinstance(body, dict) else None
        if not isinstance(raw, dict):
            raw = {}
        id = str(raw.get("id") or "")
        return cls(
            id=id,
            version=Version.from_id(id) or Version.null(),
            status=str(raw.get("status") or ""),
            min_version=Version.from_microversion(raw.get("min_version")),
            max_version=Version.from_microversion(raw.get("version")),
        )

    @classmethod
    def unknown(cls) -> VersionData:
        return cls.from_body(None)

    def to_cache(self) -> dict[str, str]:
        """The fields from_body reads, as it reads them (what the auth-state cache keeps)."""
        return {
            "id": self.id,
            "status": self.status,
            "min_version": "" if self.min_version.is_null else str(self.min_version),
            "version": "" if self.max_version.is_null else str(self.max_version),
        }

    @classmethod
    def from_cache(cls, data: Any) -> VersionData | None:
        if not isinstance(data, dict):
            return None
        return cls.from_body({"version": data})
