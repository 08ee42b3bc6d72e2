"""What a client sends, checked the same way by every service before it can reach a database.

SQLite stores what the server databases refuse: PostgreSQL stores no NUL character and fails any
query that compares with one, no database stores a lone UTF-16 surrogate (which JSON's "\\ud800"
decodes to), PostgreSQL and MariaDB refuse a string longer than its column or an integer past 32
bits, and a MariaDB TEXT column holds 65,535 bytes. Each is refused here as the client's error,
on every backend alike, instead of becoming the database's 500 on some of them.
"""

from __future__ import annotations

import dataclasses
import urllib.parse
from typing import Any

import falcon

from pocketstack.cloud.errors import BadRequest

# INTEGER columns are 32-bit signed on every backend (upstream's own database MAX_INT too).
MAX_INT = 2**31 - 1
# What a TEXT column holds on MariaDB, in bytes of UTF-8.
TEXT_BYTES = 65_535


def text_problem(value: str) -> str | None:
    """Why no database can store `value` (a phrase to follow it), or None when one can."""
    if "\x00" in value:
        return "contains a NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid Unicode (a lone surrogate)"
    return None


def shown(value: Any) -> str:
    """A value as an error message quotes it: cut short, as it may be 100,000 characters."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def too_big_for_text(value: str) -> bool:
    # Characters are at most 4 bytes: only long strings need encoding to know.
    return len(value) * 4 > TEXT_BYTES and len(value.encode("utf-8")) > TEXT_BYTES


@dataclasses.dataclass(frozen=True)
class Unstorable:
    """A string of a request body that no database stores, and the key it sits under."""

    field: str
    value: str
    reason: str


def find_unstorable(body: Any) -> Unstorable | None:
    """The first key or string anywhere in a parsed JSON document that no database stores.

    Iterative, so that a document nested as deep as the JSON parser allows is walked too.
    """
    pending: list[tuple[str, Any]] = [("body", body)]
    while pending:
        field, value = pending.pop()
        if isinstance(value, str):
            reason = text_problem(value)
            if reason is not None:
                return Unstorable(field, value, reason)
        elif isinstance(value, dict):
            for key, item in value.items():
                reason = text_problem(key)
                if reason is not None:
                    return Unstorable(field, key, f"(a key) {reason}")
                pending.append((key, item))
        elif isinstance(value, list):
            pending.extend((field, item) for item in value)
    return None


def decimal(text: str, *, cap: int) -> int | None:
    """A decimal of ASCII digits, at most `cap` (larger ones are `cap`); None when not one.

    `str.isdigit` also holds for '²' and '①', which `int()` refuses, and `int()` refuses more
    than 4,300 digits: neither may reach `int()`.
    """
    if not text or not text.isascii() or not text.isdigit():
        return None
    digits = text.lstrip("0") or "0"
    if len(digits) > len(str(cap)):
        return cap
    return min(int(digits), cap)


class RefuseNul:
    """Falcon middleware: a NUL in the path is a resource that cannot exist, in the query a 400.

    Every write refuses a NUL, so no stored id or value holds one; PostgreSQL would otherwise
    fail the lookup or the filter with a 500. Runs after authentication where the app has it,
    so that an unauthenticated caller still gets its 401 first.
    """

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        if resp.complete:
            return
        if "\x00" in req.path:
            raise falcon.HTTPNotFound()
        query = req.query_string
        if "%00" not in query and "\x00" not in query:
            return
        for key, value in urllib.parse.parse_qsl(query, keep_blank_values=True):
            if "\x00" in key or "\x00" in value:
                raise BadRequest(
                    f"Invalid input for query parameters {key!r}. Value: {value!r}. It contains"
                    " a NUL character."
                )
