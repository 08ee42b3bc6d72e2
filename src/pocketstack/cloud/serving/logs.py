"""One logging set-up for the master, the workers and first-start: the log file, and the terminal
when there is one to write to.

Access lines (`pocketstack.access`, written by the front door in ACCESS_FORMAT's fields) carry
the request line, status, size and duration only: tokens travel in headers and passwords in
bodies, and neither is ever logged. A token that travels in a URL — v2.0's `/tokens/{token_id}`,
or any path or query a client put one in, percent-encoded or not — is rewritten as
`{SHA256}<hex>` (the SHA-256 of the token, as the client's --debug shows it) on every handler
before anything is written, in the message and in a traceback alike.
"""

from __future__ import annotations

import hashlib
import logging.config
import os
import re
import sys
import urllib.parse
from typing import Any

from pocketstack.cloud.config import CloudConfig
from pocketstack.cloud.serving.errors import ServingError

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
ACCESS_FORMAT = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'


# Fernet tokens are 98 or more urlsafe-base64 characters: a run of 40 or more is taken for a token
# or a piece of one, while ids (32 hex digits, 36-character UUIDs) stay readable. Never a run
# that is already a hash of one, so a record passing two handlers is rewritten once.
_TOKEN_TEXT = re.compile(r"(?<![A-Za-z0-9_-])(?<!\{SHA256\})[A-Za-z0-9_-]{40,}")
# A stretch of text between the separators of a request line, a path or a query, long enough to
# hold a token, percent-encoded or not (`tokens%2F<token>`, `%67AAAA...`).
_URL_RUN = re.compile(r"[^\s/?&=;,\"'<>]{40,}")
# Escapes decoded at most this many times over (a token escaped twice over is still a token).
_MAX_UNQUOTES = 4
_TRACEBACKS = logging.Formatter()


def _hashed(match: re.Match[str]) -> str:
    return "{SHA256}" + hashlib.sha256(match.group(0).encode()).hexdigest()


def _redact_run(match: re.Match[str]) -> str:
    raw = match.group(0)
    decoded = raw
    for _ in range(_MAX_UNQUOTES):
        once = urllib.parse.unquote(decoded, errors="replace")
        if once == decoded:
            break
        decoded = once
    if _TOKEN_TEXT.search(decoded) is None:
        return raw
    redacted = _TOKEN_TEXT.sub(_hashed, decoded)
    # What came escaped is written escaped: an encoded slash must not read as a separator.
    return redacted if decoded == raw else urllib.parse.quote(redacted, safe="{}")


def redact_tokens(text: str) -> str:
    """`text` with everything that may be a token replaced by `{SHA256}<hex>`."""
    return _URL_RUN.sub(_redact_run, text)


class TokenPathFilter(logging.Filter):
    """Hashes anything that may be a token in a record's final text and its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_tokens(message)
        if redacted != message:
            record.msg = redacted
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_tokens(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_tokens(record.stack_info)
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
            # One line per request, from the front door (and the refusals made before it).
            "pocketstack.access": {"level": "INFO", "handlers": names, "propagate": False},
        },
    }


def configure_logging(config: CloudConfig, *, console: bool) -> dict[str, Any]:
    settings = logging_config(config, console=console)
    logging.config.dictConfig(settings)
    return settings
