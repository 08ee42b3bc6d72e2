"""The cloud's settings: defaults < `<data-dir>/pocketstack.toml` < environment < flags."""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from pathlib import Path
from typing import Any

from pocketstack.cloud.errors import ConfigError

DEFAULT_PORT = 8770
CONFIG_FILE_NAME = "pocketstack.toml"


@dataclasses.dataclass(frozen=True)
class FleetHost:
    """One compute host of the fake fleet (compute/fleet.py): what it offers and its zone.

    The defaults are as big as Nova's fake driver makes its hosts: servers here keep data only,
    so a seeded cloud of a million servers still has room for the next one. Configure smaller
    hosts to see placement refuse ("No valid host was found")."""

    name: str
    vcpus: int = 1_000_000
    memory_mb: int = 2_000_000_000
    disk_gb: int = 2_000_000_000
    availability_zone: str = "nova"


DEFAULT_FLEET = (FleetHost("compute-1"), FleetHost("compute-2"))


def default_data_dir() -> Path:
    env = os.environ.get("POCKETSTACK_DATA_DIR")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "pocketstack"


@dataclasses.dataclass(frozen=True, kw_only=True)
class CloudConfig:
    data_dir: Path
    db_url: str
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    # What the catalog advertises; defaults to http://host:port.
    public_url: str = ""
    token_expiration: int = 3600
    bcrypt_rounds: int = 12
    lockout_failure_attempts: int | None = None
    lockout_duration: int = 1800
    # Keystone's [security_compliance] password rules, each off by default: passwords expire
    # this many days after they are set; a user's own change may not reuse any of their last
    # N passwords (the new one counted), nor come sooner than this many days after the last;
    # every password set must match the expression (its description tells users why not).
    password_expires_days: int | None = None
    unique_last_password_count: int = 0
    minimum_password_age: int = 0
    password_regex: str | None = None
    password_regex_description: str | None = None
    # Keystone's [totp] included_previous_windows: how many 30 s steps before the current one
    # a passcode may come from (clock drift, a code typed as it rolled over); 0 to 10.
    totp_included_previous_windows: int = 1
    # Keystone's [receipt] expiration: how long the receipt a multi-factor 401 hands back (the
    # methods that succeeded) may be presented with the missing ones, in seconds.
    receipt_expiration: int = 300
    # Keystone's default max_request_body_size.
    max_request_body_size: int = 114688
    driver_delay: float = 0.0
    # Nova's [DEFAULT] reclaim_instance_interval: above 0, a deleted server stays SOFT_DELETED
    # (restorable, off, not counted against the quota) for this many seconds before it is
    # deleted for good.
    reclaim_instance_interval: int = 0
    region: str = "RegionOne"
    workers: int = 2
    max_active_keys: int = 3
    log_level: str = "info"
    # The front end (serving/): a request head (line and headers) must arrive whole within
    # header_timeout seconds of the connection or of its first byte, and a body within
    # body_timeout seconds of its head; a slow client is then answered 408 and dropped.
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    max_request_line: int = 8190
    max_header_bytes: int = 32768
    # Password checks (bcrypt) per worker process: how many run at once, how many may wait.
    hash_concurrency: int = 1
    hash_queue: int = 8
    # Failed password logins counted over a sliding window, per source address and per user;
    # past a limit the login is refused with 429 before any bcrypt work.
    login_throttle_window: int = 60
    login_failures_per_source: int = 20
    login_failures_per_user: int = 10
    # Every success response checked against its operation's declaration, and answered 500 if
    # it disagrees (cloud/api/responses.py): the test suite's in-process clouds run with it.
    check_responses: bool = False
    # The compute hosts (`[[hosts]]` tables in the file); their services are created on the
    # first start that sees them.
    hosts: tuple[FleetHost, ...] = DEFAULT_FLEET
    # Glance's image_size_cap (the largest image data accepted, in bytes; 1 TiB) and
    # user_storage_quota (the bytes of image data a project may store; 0: unlimited).
    image_size_cap: int = 1099511627776
    user_storage_quota: int = 0
    # The test controls (cloud/controls/): fault injection and a movable clock under
    # /pocketstack, for testing tools against the cloud. Off: nothing of them is mounted.
    test_controls: bool = False

    def __post_init__(self) -> None:
        if self.reclaim_instance_interval < 0:
            # Nova would soft-delete and then never reclaim: refused rather than half-working.
            raise ConfigError("reclaim_instance_interval must be 0 (off) or more seconds")
        # Glance's own bound: sizes are 64-bit integer columns.
        if not 1 <= self.image_size_cap <= 9223372036854775808:
            raise ConfigError("image_size_cap must be from 1 to 9223372036854775808 bytes")
        if self.user_storage_quota < 0:
            raise ConfigError("user_storage_quota must be 0 (unlimited) or more bytes")
        if self.password_expires_days is not None and self.password_expires_days < 1:
            raise ConfigError("password_expires_days must be 1 or more days (absent: never)")
        if self.unique_last_password_count < 0 or self.minimum_password_age < 0:
            raise ConfigError(
                "unique_last_password_count and minimum_password_age must be 0 (off) or more"
            )
        if self.password_regex is not None:
            try:
                re.compile(self.password_regex)
            except re.error as exc:
                raise ConfigError(f"password_regex is not a regular expression: {exc}") from None
        if not 0 <= self.totp_included_previous_windows <= 10:
            raise ConfigError("totp_included_previous_windows must be from 0 to 10")
        if self.receipt_expiration < 1:
            raise ConfigError("receipt_expiration must be 1 or more seconds")
        if not self.public_url:
            object.__setattr__(self, "public_url", f"http://{self.host}:{self.port}")

    @property
    def key_repository(self) -> Path:
        return self.data_dir / "fernet-keys"

    @property
    def admin_password_file(self) -> Path:
        return self.data_dir / "admin-password"

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "pocketstack.pid"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "pocketstack.log"


_FIELD_TYPES: dict[str, type] = {
    "db_url": str,
    "host": str,
    "port": int,
    "public_url": str,
    "token_expiration": int,
    "bcrypt_rounds": int,
    "lockout_failure_attempts": int,
    "lockout_duration": int,
    "password_expires_days": int,
    "unique_last_password_count": int,
    "minimum_password_age": int,
    "password_regex": str,
    "password_regex_description": str,
    "totp_included_previous_windows": int,
    "receipt_expiration": int,
    "max_request_body_size": int,
    "driver_delay": float,
    "reclaim_instance_interval": int,
    "region": str,
    "workers": int,
    "max_active_keys": int,
    "log_level": str,
    "header_timeout": float,
    "body_timeout": float,
    "max_request_line": int,
    "max_header_bytes": int,
    "hash_concurrency": int,
    "hash_queue": int,
    "login_throttle_window": int,
    "login_failures_per_source": int,
    "login_failures_per_user": int,
    "image_size_cap": int,
    "user_storage_quota": int,
    "test_controls": bool,
}


def _read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    values: dict[str, Any] = {}
    for key, value in raw.items():
        name = key.replace("-", "_")
        if name == "hosts":
            values[name] = _fleet(path, value)
            continue
        expected = _FIELD_TYPES.get(name)
        if expected is None:
            raise ConfigError(f"{path}: unknown setting {key!r}")
        if expected is float and isinstance(value, int):
            value = float(value)
        if not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
            raise ConfigError(f"{path}: {key} must be of type {expected.__name__}")
        values[name] = value
    return values


_HOST_FIELDS: dict[str, type] = {
    "name": str,
    "vcpus": int,
    "memory_mb": int,
    "disk_gb": int,
    "availability_zone": str,
}
# A host name as Nova takes one (its fqdn type) and as it fits in the service table.
_HOST_NAME = re.compile(r"[a-zA-Z0-9._-]{1,255}")


def _fleet(path: Path, raw: Any) -> tuple[FleetHost, ...]:
    if not isinstance(raw, list) or not raw:
        raise ConfigError(f"{path}: hosts must be one or more [[hosts]] tables")
    hosts: list[FleetHost] = []
    for entry in raw:
        if not isinstance(entry, dict):
            raise ConfigError(f"{path}: each of hosts must be a table")
        for key, value in entry.items():
            expected = _HOST_FIELDS.get(key)
            if expected is None:
                raise ConfigError(f"{path}: unknown host setting {key!r}")
            if not isinstance(value, expected) or isinstance(value, bool):
                raise ConfigError(f"{path}: hosts.{key} must be of type {expected.__name__}")
        if "name" not in entry:
            raise ConfigError(f"{path}: every host needs a name")
        default = FleetHost(entry["name"])
        host = FleetHost(
            name=default.name,
            vcpus=entry.get("vcpus", default.vcpus),
            memory_mb=entry.get("memory_mb", default.memory_mb),
            disk_gb=entry.get("disk_gb", default.disk_gb),
            availability_zone=entry.get("availability_zone", default.availability_zone),
        )
        if not _HOST_NAME.fullmatch(host.name):
            raise ConfigError(f"{path}: host name {host.name!r} is not a valid host name")
        # The sizes are 32-bit integer columns; placement multiplies vCPUs by its 4x overcommit
        # in SQL (sums are 64-bit on every database).
        if not 1 <= host.vcpus < 1 << 29:
            raise ConfigError(f"{path}: host {host.name} needs vcpus from 1 to {(1 << 29) - 1}")
        if not all(1 <= n < 1 << 31 for n in (host.memory_mb, host.disk_gb)):
            raise ConfigError(
                f"{path}: host {host.name} needs memory_mb and disk_gb from 1 to {(1 << 31) - 1}"
            )
        if not 1 <= len(host.availability_zone) <= 255 or host.availability_zone == "internal":
            raise ConfigError(f"{path}: host {host.name} has an unusable availability zone")
        hosts.append(host)
    if len({h.name for h in hosts}) != len(hosts):
        raise ConfigError(f"{path}: a host is named twice")
    return tuple(hosts)


def load_config(
    *,
    data_dir: Path | str | None = None,
    db_url: str | None = None,
    host: str | None = None,
    port: int | None = None,
    workers: int | None = None,
) -> CloudConfig:
    """Resolve settings: flags win over POCKETSTACK_* variables, which win over the config file."""
    home = Path(data_dir).expanduser() if data_dir else default_data_dir()
    values = _read_file(home / CONFIG_FILE_NAME)
    env_url = os.environ.get("POCKETSTACK_DB_URL")
    if env_url:
        values["db_url"] = env_url
    for name, flag in (("db_url", db_url), ("host", host), ("port", port), ("workers", workers)):
        if flag is not None:
            values[name] = flag
    values.setdefault("db_url", f"sqlite:///{home.resolve() / 'pocketstack.db'}")
    return CloudConfig(data_dir=home, **values)
