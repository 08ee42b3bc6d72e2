"""Everything a cloud needs before it can answer: data directory, schema, keys, admin, catalog.

Each step is idempotent, so `serve` runs them all on every start: a newcomer needs nothing but
`pocketstack serve`, and a restart on another port re-points the catalog at the new address.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import secrets
import stat
import string
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from pocketstack.cloud.config import CloudConfig
from pocketstack.cloud.serving.errors import ServingError

log = logging.getLogger(__name__)

# 24 URL-safe characters: far beyond guessing, and still easy to paste.
_PASSWORD_BYTES = 18


def redacted_db_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is reported by whoever parses it; never echo it here
        return "<unparsable database URL>"


def ensure_data_dir(config: CloudConfig) -> bool:
    """Create the data directory (0700: it holds keys and the admin password). True if new.

    An existing one open to group or others is tightened to 0700 when it is ours, and refused
    when it is not (we may not chmod it, and must not keep secrets in it)."""
    path = config.data_dir
    if path.is_dir():
        _tighten_data_dir(path)
        return False
    try:
        path.mkdir(mode=0o700, parents=True)
    except FileExistsError as exc:
        raise ServingError(f"{path} exists and is not a directory") from exc
    except OSError as exc:
        raise ServingError(f"cannot create the data directory {path}: {exc.strerror}") from exc
    os.chmod(path, 0o700)
    log.info("created data directory %s", path)
    return True


def _tighten_data_dir(path: Path) -> None:
    info = path.stat()
    mode = stat.S_IMODE(info.st_mode)
    if not mode & (stat.S_IRWXG | stat.S_IRWXO):
        return
    if info.st_uid != os.geteuid():
        raise ServingError(
            f"the data directory {path} is accessible by group or others (mode {mode:04o}) and "
            f"is owned by uid {info.st_uid}, not by this user (uid {os.geteuid()}): it would "
            "hold the Fernet keys and the admin password; have its owner run chmod 700 on it, "
            "or use another --data-dir"
        )
    try:
        os.chmod(path, 0o700)
    except OSError as exc:
        raise ServingError(
            f"the data directory {path} is accessible by group or others (mode {mode:04o}) and "
            f"cannot be made private: {exc.strerror}; run chmod 700 on it"
        ) from exc
    log.warning(
        "the data directory %s was accessible by group or others (mode %04o); made it 0700",
        path,
        mode,
    )


def ensure_private_file(path: Path) -> None:
    """Create `path` empty with mode 0600 unless it exists (logs name users and projects)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.close(fd)


def _check_private(path: Path) -> None:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ServingError(
            f"{path} is readable by group or others (mode {stat.S_IMODE(mode):04o}); "
            "run chmod 600 on it"
        )


def read_admin_password(config: CloudConfig) -> str | None:
    path = config.admin_password_file
    try:
        _check_private(path)
        password = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return password or None


def _write_admin_password(path: Path, password: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, (password + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def ensure_admin_password(config: CloudConfig, *, given: str | None = None) -> str:
    """The admin password: `given` (then kept), else the kept one, else a new random one.

    It lives in `<data-dir>/admin-password` (0600) so `pocketstack openrc` can print it; there is
    no well-known default.
    """
    if given is not None:
        if not given.strip() or given != given.strip():
            raise ServingError("the admin password must not be empty or start/end with spaces")
        if read_admin_password(config) != given:
            _write_admin_password(config.admin_password_file, given)
            log.info("stored the given admin password in %s", config.admin_password_file)
        return given
    kept = read_admin_password(config)
    if kept is not None:
        return kept
    # A letter first: a leading "-" would be taken for an option by `--os-password` parsers.
    password = secrets.choice(string.ascii_letters) + secrets.token_urlsafe(_PASSWORD_BYTES)
    _write_admin_password(config.admin_password_file, password)
    log.info("generated an admin password; it is in %s", config.admin_password_file)
    return password


def db_upgrade(config: CloudConfig) -> None:
    """Apply every migration to the configured database."""
    from pocketstack.cloud.store import schema_version
    from pocketstack.cloud.store.db import Store

    store = Store(config.db_url)
    try:
        if not schema_version.is_newest(store.engine):
            # Loaded only when there is something to do (see schema_version.py).
            from pocketstack.cloud.store.upgrade import upgrade

            upgrade(store.engine)
        _make_sqlite_file_private(config.db_url)
    except SQLAlchemyError as exc:
        raise ServingError(
            f"cannot migrate the database {redacted_db_url(config.db_url)}: "
            f"{exc.__class__.__name__}: {str(exc).splitlines()[0]}"
        ) from exc
    finally:
        # Never carry an open connection across gunicorn's fork.
        store.dispose()


def _make_sqlite_file_private(url: str) -> None:
    # The database holds password hashes; SQLite gives its -wal/-shm files the same mode.
    database = make_url(url).database if url.startswith("sqlite") else None
    if database and database != ":memory:" and os.path.exists(database):
        os.chmod(database, 0o600)


def fernet_setup(config: CloudConfig) -> bool:
    """Create the Fernet key repository if it has no keys; True if keys were made."""
    from pocketstack.cloud.auth.keys import KeyRepository

    created = KeyRepository(config.key_repository).setup()
    if created:
        log.info("created Fernet keys in %s", config.key_repository)
    return created


def fernet_rotate(config: CloudConfig) -> int:
    from pocketstack.cloud.auth.keys import KeyRepository

    keys = KeyRepository(config.key_repository)
    if not keys.exists():
        raise ServingError(
            f"no Fernet keys in {config.key_repository}; run `pocketstack manage fernet-setup`"
        )
    primary = keys.rotate(max_active_keys=config.max_active_keys)
    log.info("rotated Fernet keys in %s; primary key is now %d", config.key_repository, primary)
    return primary


def credential_keys_setup(config: CloudConfig) -> bool:
    """Create the credential key repository (apart from the token keys) if it has no keys."""
    from pocketstack.cloud.identity import credential_keys

    path = credential_keys.repository_path(config)
    created = credential_keys.setup(path)
    if created:
        log.info("created credential encryption keys in %s", path)
    return created


def run_bootstrap(config: CloudConfig, *, admin_password: str, contents: bool = True) -> None:
    from pocketstack.cloud.bootstrap import bootstrap
    from pocketstack.cloud.deps import build_deps

    deps = build_deps(config)
    try:
        bootstrap(deps, admin_password=admin_password, contents=contents)
    except SQLAlchemyError as exc:
        raise ServingError(
            f"cannot bootstrap the database {redacted_db_url(config.db_url)}: "
            f"{exc.__class__.__name__}: {str(exc).splitlines()[0]}"
        ) from exc
    finally:
        deps.store.dispose()
    log.info("bootstrapped the cloud at %s (region %s)", config.public_url, config.region)


def _database_is_empty(config: CloudConfig) -> bool:
    from pocketstack.cloud.snapshots.ops import database_is_empty
    from pocketstack.cloud.store.db import Store

    store = Store(config.db_url)
    try:
        return database_is_empty(store)
    except SQLAlchemyError as exc:
        raise ServingError(
            f"cannot read the database {redacted_db_url(config.db_url)}: "
            f"{exc.__class__.__name__}: {str(exc).splitlines()[0]}"
        ) from exc
    finally:
        store.dispose()


def bootstrap_snapshot(config: CloudConfig) -> None:
    """The state right after the first bootstrap, kept as the `bootstrap` snapshot: what
    `pocketstack manage reset` puts back."""
    from pocketstack.cloud.snapshots.layout import BOOTSTRAP
    from pocketstack.cloud.snapshots.ops import take
    from pocketstack.cloud.store.db import Store

    store = Store(config.db_url)
    try:
        take(config, BOOTSTRAP, store)
    finally:
        # Never carry an open connection across gunicorn's fork.
        store.dispose()
    log.info("kept the bootstrapped state as the %r snapshot", BOOTSTRAP)


@dataclasses.dataclass(frozen=True, kw_only=True)
class FirstStart:
    created_data_dir: bool
    created_keys: bool
    # The database was empty and the bootstrapped state is now the `bootstrap` snapshot.
    bootstrap_snapshot: bool = False


def initialise(config: CloudConfig, *, admin_password: str | None = None,
               contents: bool = True) -> FirstStart:  # fmt: skip
    """Data directory, log file, schema, keys, admin password, bootstrap — all idempotent —
    and, on an empty database, the `bootstrap` snapshot. `contents=False`: a database known to
    be bootstrapped whole by this version needs identity's part only (bootstrap.py)."""
    created_dir = ensure_data_dir(config)
    ensure_private_file(config.log_file)
    db_upgrade(config)
    created_keys = fernet_setup(config)
    credential_keys_setup(config)
    password = ensure_admin_password(config, given=admin_password)
    fresh = _database_is_empty(config)
    run_bootstrap(config, admin_password=password, contents=contents or fresh)
    if fresh:
        bootstrap_snapshot(config)
    return FirstStart(created_data_dir=created_dir, created_keys=created_keys,
                      bootstrap_snapshot=fresh)  # fmt: skip
