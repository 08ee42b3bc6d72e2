"""A request's transaction run again when the database gave it up to break a deadlock or a
serialization conflict (PostgreSQL 40P01/40001, MariaDB 1213): the other transaction went on,
and this one, rolled back whole, can simply be run again, as oslo.db's wrap_db_retry does for
Neutron. Only for responders whose every effect is in that transaction."""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import DBAPIError

ATTEMPTS = 5
# Seconds before attempt n+1: n times this, jittered, so two retried rivals do not meet again.
BACKOFF_S = 0.02
_PG_STATES = frozenset({"40P01", "40001"})
# 1213: a deadlock. 1305 (no such savepoint): a deadlock inside a savepoint rolls MariaDB's
# whole transaction back, savepoint included, and the rollback to it is what reports.
_MARIADB_CODES = frozenset({1213, 1305})

_log = logging.getLogger(__name__)

Responder = Callable[..., None]


def is_transient(exc: DBAPIError) -> bool:
    """Whether the database refused the transaction only because of another one."""
    orig = exc.orig
    if getattr(orig, "sqlstate", None) in _PG_STATES:
        return True
    args: tuple[object, ...] = getattr(orig, "args", ())
    return len(args) > 0 and args[0] in _MARIADB_CODES


def on_transient_errors(responder: Responder) -> Responder:
    @functools.wraps(responder)
    def run(*args: Any, **params: Any) -> None:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                responder(*args, **params)
                return
            except DBAPIError as exc:
                if attempt == ATTEMPTS or not is_transient(exc):
                    raise
                _log.info("transaction given up by the database (%s); attempt %d of %d",
                          type(exc.orig).__name__, attempt + 1, ATTEMPTS)  # fmt: skip
                time.sleep(BACKOFF_S * attempt * (0.5 + random.random()))

    return run
