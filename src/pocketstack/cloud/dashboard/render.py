"""Pages from the package's Jinja2 templates, every value escaped (autoescape on for all of
them): a name with markup in it is shown as text, never run."""

from __future__ import annotations

import datetime as dt
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2

# A server in one of these, or with a task under way, is changing: its row is refreshed live.
TRANSITIONAL = frozenset({"BUILD", "REBOOT", "HARD_REBOOT", "REBUILD", "RESIZE", "MIGRATING",
                          "PASSWORD", "REVERT_RESIZE"})  # fmt: skip
_STATUS_CLASSES = {"ACTIVE": "ok", "ERROR": "bad", "SHUTOFF": "off", "DELETED": "off",
                   "SOFT_DELETED": "off", "SHELVED": "off", "SHELVED_OFFLOADED": "off",
                   "PAUSED": "warn", "SUSPENDED": "warn", "VERIFY_RESIZE": "warn"}  # fmt: skip
# Nova's power_state numbers, as Horizon names them.
POWER_STATES = {0: "No State", 1: "Running", 3: "Paused", 4: "Shut Down", 6: "Crashed",
                7: "Suspended"}  # fmt: skip


def status_class(status: str | None, task_state: str | None = None) -> str:
    if task_state or (status or "") in TRANSITIONAL:
        return "busy"
    return _STATUS_CLASSES.get(status or "", "warn")


def changing(server: dict[str, Any]) -> bool:
    return bool(server.get("OS-EXT-STS:task_state")) or server.get("status") in TRANSITIONAL


def when(value: str | None) -> str:
    """An API timestamp as a reader wants it: date and minute, UTC."""
    if not value:
        return "-"
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def size(mebibytes: float | int | None) -> str:
    if mebibytes is None:
        return "-"
    if mebibytes >= 1024:
        return f"{mebibytes / 1024:g} GB"
    return f"{mebibytes:g} MB"


def file_size(octets: int | None) -> str:
    if octets is None:
        return "-"
    units = ["bytes", "KB", "MB", "GB", "TB"]
    value = float(octets)
    for unit in units:
        if value < 1024 or unit == units[-1]:
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{octets} bytes"


def addresses(server: dict[str, Any]) -> list[tuple[str, str]]:
    """(network, address) pairs in the API's order."""
    pairs: list[tuple[str, str]] = []
    for network, entries in (server.get("addresses") or {}).items():
        for entry in entries:
            pairs.append((network, str(entry.get("addr", ""))))
    return pairs


class Renderer:
    """Jinja2 is loaded by the first page, not by the cloud's start (most clouds serve APIs)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded: jinja2.Environment | None = None

    def _env(self) -> jinja2.Environment:
        with self._lock:
            if self._loaded is None:
                self._loaded = self._load()
            return self._loaded

    @staticmethod
    def _load() -> jinja2.Environment:
        import jinja2

        env = jinja2.Environment(
            loader=jinja2.PackageLoader("pocketstack.cloud.dashboard", "templates"),
            autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
            lstrip_blocks=True,
        )  # fmt: skip
        env.filters.update(when=when, size=size, file_size=file_size)
        env.globals.update(status_class=status_class, addresses=addresses,
                           power_states=POWER_STATES, changing=changing)  # fmt: skip
        return env

    def page(self, name: str, values: dict[str, Any]) -> str:
        return self._env().get_template(name).render(values)
