"""One logging set-up for the master, the workers and first-start: the log file, and the terminal
when there is one to write to.

Access lines carry the request line and status only: tokens travel in headers and passwords in
bodies, and neither is ever logged.
"""

from __future__ import annotations

import logging.config
import os
import sys
from typing import Any

from pocketstack.cloud.config import CloudConfig
from pocketstack.cloud.serving.errors import ServingError

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
ACCESS_FORMAT = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'


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
        }
    }
    if console:
        handlers["console"] = {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": "plain",
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
