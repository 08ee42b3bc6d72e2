"""Servers, flavors and images: plain objects over the JSON the API returned.

Unlike novaclient's resources, reading an attribute never sends a request: a missing field is
None (or the documented default), never a surprise GET. Plain classes with __slots__, not
dataclasses: warm-path module, see docs/startup.md.
"""

from __future__ import annotations

# Warm-path module: see docs/startup.md.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

# Nova's power_state integers (nova.compute.power_state); 2 and 5 are unused upstream.
POWER_STATE_NAMES: Mapping[int, str] = {
    0: "NOSTATE",
    1: "Running",
    2: "",
    3: "Paused",
    4: "Shutdown",
    5: "",
    6: "Crashed",
    7: "Suspended",
}


def _str_or_none(value: Any) -> str | None:
    if value is None:
        return None
    return str(value)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class Server:
    """A server as the API returned it; each attribute reads the body (cheap, never remote).

    Reading on demand keeps a 2,500-server listing from building fields nobody prints.
    """

    __slots__ = ("raw",)

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> Server:
        return cls(body)

    def __repr__(self) -> str:
        return f"<Server {self.id} {self.name!r}>"

    def _text(self, key: str) -> str | None:
        return _str_or_none(self.raw.get(key))

    @property
    def id(self) -> str:
        return str(self.raw.get("id", ""))

    @property
    def name(self) -> str:
        return str(self.raw.get("name", ""))

    @property
    def status(self) -> str | None:
        return self._text("status")

    @property
    def tenant_id(self) -> str | None:
        return self._text("tenant_id")

    @property
    def user_id(self) -> str | None:
        return self._text("user_id")

    @property
    def task_state(self) -> str | None:
        return self._text("OS-EXT-STS:task_state")

    @property
    def vm_state(self) -> str | None:
        return self._text("OS-EXT-STS:vm_state")

    @property
    def power_state(self) -> int | None:
        """None when the body has no OS-EXT-STS:power_state at all (not NOSTATE)."""
        value = self.raw.get("OS-EXT-STS:power_state")
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    @property
    def addresses(self) -> Mapping[str, Any]:
        value = self.raw.get("addresses")
        return value if isinstance(value, dict) else {}

    @property
    def image_id(self) -> str | None:
        """None for a server booted from a volume (the API says `"image": ""`)."""
        image = self.raw.get("image")
        return _str_or_none(image.get("id")) if isinstance(image, dict) else None

    @property
    def flavor_id(self) -> str | None:
        """Below microversion 2.47 only; from 2.47 the flavor is embedded without its id."""
        return _str_or_none(_dict(self.raw.get("flavor")).get("id"))

    @property
    def flavor_name(self) -> str | None:
        """Embedded from microversion 2.47 on (`flavor.original_name`), else None."""
        return _str_or_none(_dict(self.raw.get("flavor")).get("original_name"))

    @property
    def availability_zone(self) -> str | None:
        return self._text("OS-EXT-AZ:availability_zone")

    @property
    def host(self) -> str | None:
        """Admin-only extended attribute; None when the body does not carry it."""
        return self._text("OS-EXT-SRV-ATTR:host")

    @property
    def key_name(self) -> str | None:
        return self._text("key_name")

    @property
    def created(self) -> str | None:
        return self._text("created")

    @property
    def updated(self) -> str | None:
        return self._text("updated")

    @property
    def networks(self) -> dict[str, list[str]]:
        """Addresses per network, networks sorted by name (nova's `Server.networks`)."""
        addresses = self.addresses
        return {
            label: [
                str(entry.get("addr", "")) for entry in addresses[label] if isinstance(entry, dict)
            ]
            for label in sorted(addresses)
            if isinstance(addresses[label], list)
        }

    @property
    def power_state_name(self) -> str:
        if self.power_state is None:
            return "N/A"
        return POWER_STATE_NAMES.get(self.power_state, str(self.power_state))


def format_networks(networks: Mapping[str, list[str]]) -> str:
    """`net=ip1, ip2; net2=ip`, networks without an address left out (nova's table format)."""
    return "; ".join(
        f"{label}={', '.join(addresses)}" for label, addresses in networks.items() if addresses
    )


class _NamedResource:
    """A flavor or an image: the JSON body as given, read on attribute access (never fetched)."""

    __slots__ = ("raw",)

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id} {self.raw.get('name')!r}>"

    @property
    def id(self) -> str:
        return str(self.raw.get("id", ""))


class Flavor(_NamedResource):
    __slots__ = ()

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> Flavor:
        return cls(body)

    @property
    def name(self) -> str:
        return str(self.raw.get("name", ""))

    @property
    def human_id(self) -> str:
        return slugify(self.name)


class Image(_NamedResource):
    __slots__ = ()

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> Image:
        return cls(body)

    @property
    def name(self) -> str | None:
        return _str_or_none(self.raw.get("name"))

    @property
    def status(self) -> str | None:
        return _str_or_none(self.raw.get("status"))


def slugify(name: str) -> str:
    """novaclient's human id: lower case, non-word characters dropped, spaces/dashes -> `-`."""
    import re
    import unicodedata

    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)
