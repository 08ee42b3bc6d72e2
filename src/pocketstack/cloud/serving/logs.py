"""One logging set-up for the master, the workers and first-start: the log file, and the terminal
when there is one to write to.

Access lines carry the request line and status only: tokens travel in headers and passwords in
bodies, and neither is ever logged. The one token that travels in a URL — v2.0's
`/tokens/{token_id}` — is rewritten as `{SHA256}<hex>` on every handler before it is written.
"""

from __future__ import annotations

import hashlib
import logging.config
import os
import re
import sys
from typing import Any

from pocketstack.cloud.config import CloudConfig
from pocketstack.cloud.serving.errors import ServingError

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
ACCESS_FORMAT = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'


_TOKEN_IN_PATH = re.compile(r"(/tokens/)([^/?\s\"]+)")


def _hash_token(match: re.Match[str]) -> str:
    digest = hashlib.sha256(match.group(2).encode()).hexdigest()
    return f"{match.group(1)}{{SHA256}}{digest}"


class TokenPathFilter(logging.Filter):
    """Replaces a token in a `/tokens/<id>` path by its SHA-256, in any record's final text."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/tokens/" in message:
            record.msg = _TOKEN_IN_PATH.sub(_hash_token, message)
            record.args = None
        return True


def log_level(config: CloudConfig) -> str:
    level = config.log_level.upper()
    if level not in LEVELS:
        choices = ", ".join(LEVELS).lower()
        raise ServingError(f"log_level must be one of {choices}, not {config.log_level!r}")
    return level


def stderr_is_log_file(config: CloudConfig) -> bool:
    """True when stderr already goes to the log file (a background server started by `up`)."""
    try:
        err = os.fstat(sys.stderr.fileno())
        log = os.stat(config.log_file)
    except (OSError, ValueError, AttributeError):
        return False
    return (err.st_dev, err.st_ino) == (log.st_dev, log.st_ino)


def logging_config(config: CloudConfig, *, console: bool) -> dict[str, Any]:
    handlers: dict[str, dict[str, Any]] = {
        "file": {
            "class": "logging.FileHandler",
            "filename": str(config.log_file),
            "mode": "a",
            "encoding": "utf-8",
            "formatter": "plain",
            "filters": ["token_paths"],
        }
    }
    if console:
        handlers["console"] = {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": "plain",
            "filters": ["token_paths"],
        }
    names = sorted(handlers)
    level = log_level(config)
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "plain": {
                "format": "%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s",
            }
        },
        "filters": {"token_paths": {"()": TokenPathFilter}},
        "handlers": handlers,
        "root": {"level": "WARNING", "handlers": names},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": names, "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": names, "propagate": False},
            "pocketstack": {"level": level, "handlers": names, "propagate": False},
        },
    }


def configure_logging(config: CloudConfig, *, console: bool) -> dict[str, Any]:
    settings = logging_config(config, console=console)
    logging.config.dictConfig(settings)
    return settings
