"""Regular-expression filters that behave alike on SQLite, PostgreSQL and MariaDB, and stay cheap.

Nova matches most text filters as unanchored, case-sensitive regular expressions in the database
(REGEXP on MySQL, `~` on PostgreSQL, Python's `re.search` on SQLite). We do the same, with guards
upstream lacks:

- engine: on SQLite, REGEXP is RE2 (google-re2), whose matching time is linear in the text.
  Python's `re` backtracks inside one call of the SQL function, where neither the statement
  budget nor gunicorn's timeout can stop it short of killing the worker. RE2 has no
  back-references or lookaround; a pattern using them is refused with 400 on every backend, so
  that a filter means the same thing whatever the database;
- cost: PostgreSQL's and MariaDB's engines backtrack. A pattern whose backtracking can explode
  (a repeated group that can match in several ways, bounded repeats such as `(.{0,16}){0,16}`
  included, or too many repeats in a row) is refused with 400 before it reaches any database,
  and every listing statement runs under a time budget (see `statement_budget`); an error the
  engine itself raises (PostgreSQL takes no repeat count above 255) is a 400 too;
- case: MariaDB's REGEXP follows the column collation (case-insensitive by default);
  `(?-i)` makes it case-sensitive like the other two.
"""

from __future__ import annotations

import contextlib
import functools
import re
import time
from collections.abc import Iterator
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

import re2
from sqlalchemy import String, cast, func, literal, text
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from pocketstack.cloud.errors import BadRequest

MAX_PATTERN_LENGTH = 255
# PostgreSQL refuses a larger repeat count (RE_DUP_MAX); one limit keeps every backend alike.
MAX_REPEAT_COUNT = 255
# A repeat up to this many times is "bounded": its choices count toward MAX_WAYS. A larger or
# open-ended one is "unbounded": at most MAX_UNBOUNDED_REPEATS of those, each of a body that
# matches one way only.
BOUNDED_REPEAT = 16
MAX_UNBOUNDED_REPEATS = 3
# Roughly how many ways the pattern may split one piece of text between its parts, i.e. how
# much a backtracking engine may retry per starting position: `(\d{1,3}\.){3}\d{1,3}` is 81,
# `[a-z]{1,16}-[0-9]{1,16}` 256, `(.{0,16}){0,16}` about 10**19.
MAX_WAYS = 10_000

_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT}
_POSSESSIVE = getattr(sre_constants, "POSSESSIVE_REPEAT", None)
if _POSSESSIVE is not None:
    _REPEATS.add(_POSSESSIVE)
_ATOMIC = getattr(sre_constants, "ATOMIC_GROUP", None)
_UNBOUNDED = sre_constants.MAXREPEAT
_LINEAR = "filters are matched in linear time, with RE2's syntax: no back-references or lookaround"
_UNSUPPORTED = {
    sre_constants.GROUPREF: f"Back-references are not supported ({_LINEAR}).",
    sre_constants.GROUPREF_EXISTS: f"Conditional groups are not supported ({_LINEAR}).",
    sre_constants.ASSERT: f"Lookahead and lookbehind assertions are not supported ({_LINEAR}).",
    sre_constants.ASSERT_NOT: f"Lookahead and lookbehind assertions are not supported ({_LINEAR}).",
}

_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # else RE2 writes every refused pattern to the server's stderr
_RE2_OPTIONS.never_capture = True  # a filter only asks whether there is a match


class CostlyPattern(BadRequest):
    pass


class UnsupportedPattern(BadRequest):
    pass


def _ways(items: Any, unbounded: list[int]) -> tuple[int, bool]:
    """(about how many ways `items` can match one text, whether it holds an unbounded repeat)."""
    ways, open_ended = 1, False
    for op, arg in items:
        if op in _UNSUPPORTED:
            raise UnsupportedPattern(_UNSUPPORTED[op])
        if op in _REPEATS:
            low, high, body = arg
            if high != _UNBOUNDED and max(low, high) > MAX_REPEAT_COUNT:
                raise UnsupportedPattern(
                    f"Repeat counts above {MAX_REPEAT_COUNT} are not supported."
                )
            inner, inner_open = _ways(body, unbounded)
            if high > 1 and inner_open:
                raise CostlyPattern("nested repetition")
            if high > BOUNDED_REPEAT:
                if inner > 1:
                    raise CostlyPattern("a repeated group that can match in several ways")
                unbounded[0] += 1
                if unbounded[0] > MAX_UNBOUNDED_REPEATS:
                    raise CostlyPattern("too many unbounded repetitions")
                open_ended = True
            elif inner == 1:
                ways *= high - low + 1
            else:
                ways *= sum(inner**count for count in range(low, high + 1))
        elif op == sre_constants.SUBPATTERN or op == _ATOMIC:
            inner, inner_open = _ways(arg[-1] if op == sre_constants.SUBPATTERN else arg, unbounded)
            ways *= inner
            open_ended |= inner_open
        elif op == sre_constants.BRANCH:
            total = 0
            for branch in arg[1]:
                inner, inner_open = _ways(branch, unbounded)
                total += inner
                open_ended |= inner_open
            ways *= total
        if ways > MAX_WAYS:
            raise CostlyPattern("too many ways to match: nested or long bounded repetition")
    return ways, open_ended


def _refused(name: str, pattern: str, reason: str) -> BadRequest:
    return BadRequest(f"Invalid input for query parameters {name}. Value: {pattern}. {reason}")


def check_pattern(name: str, pattern: str) -> None:
    """400 for an empty, invalid, unsupported or potentially catastrophic pattern."""
    if not pattern:
        raise _refused(name, pattern, "'' is not a 'regex'")
    if len(pattern) > MAX_PATTERN_LENGTH:
        # Before compiling: a long pattern costs to compile too.
        raise _refused(
            name, pattern, "The regular expression is too expensive to evaluate (too long)."
        )
    try:
        re.compile(pattern)
    except re.error:
        raise _refused(name, pattern, f"{pattern!r} is not a 'regex'") from None
    try:
        _ways(sre_parse.parse(pattern), [0])
    except CostlyPattern as exc:
        raise _refused(
            name, pattern, f"The regular expression is too expensive to evaluate ({exc.message})."
        ) from None
    except UnsupportedPattern as exc:
        raise _refused(name, pattern, exc.message) from None
    try:
        _compiled(pattern)
    except re2.error as exc:
        detail = exc.args[0] if exc.args else exc
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        raise _refused(name, pattern, f"Unsupported syntax: {detail} ({_LINEAR}).") from None


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> Any:
    return re2.compile(pattern, _RE2_OPTIONS)


def _sqlite_regexp(pattern: str, value: Any) -> bool:
    if value is None:
        return False
    return _compiled(pattern).search(str(value)) is not None


def prepare_connection(dbapi_connection: Any) -> None:
    """Registers REGEXP (RE2) on a SQLite connection; registering again replaces it."""
    dbapi_connection.create_function("regexp", 2, _sqlite_regexp, deterministic=True)


_SYNTAX = frozenset(".^$*+?{}[]|()")


def literal_text(pattern: str) -> str | None:
    """The text a pattern stands for when it has no regex syntax at all, only characters and
    escaped punctuation (what `re.escape` makes of a name); None otherwise."""
    text: list[str] = []
    chars = iter(pattern)
    for char in chars:
        if char == "\\":
            escaped = next(chars, "")
            # `\d`, `\b`, `\1`, `\x41`, ...: a class, an anchor or a code, not a character.
            if not escaped or escaped.isalnum() or escaped == "_":
                return None
            text.append(escaped)
        elif char in _SYNTAX:
            return None
        else:
            text.append(char)
    return "".join(text)


def matches(dialect: str, column: Any, pattern: str) -> ColumnElement[bool]:
    """`column` matches `pattern` somewhere (unanchored), case-sensitively, on any backend."""
    text: ColumnElement[Any] = column
    if not isinstance(column.type, String):
        text = cast(column, String)
    if dialect == "sqlite":
        plain = literal_text(pattern)
        if plain:
            # A plain text (the dashboard's "name contains" filter): SQLite's own instr, as
            # case-sensitive as RE2, without calling Python once per row (30x faster).
            return func.instr(text, literal(plain)) > 0
    if dialect == "postgresql":
        return text.op("~")(literal(pattern))
    if dialect in ("mysql", "mariadb"):
        return text.op("REGEXP")(literal("(?-i)" + pattern))
    # SQLite: "X REGEXP Y" calls regexp(Y, X).
    return text.op("REGEXP")(literal(pattern))


STATEMENT_BUDGET_SECONDS = 5.0
TOO_SLOW = "The filter took too long to evaluate; use a simpler regular expression."
ENGINE_REFUSED = "The database cannot evaluate this regular expression: {}"
_PG_INVALID_REGEX = "2201B"  # SQLSTATE invalid_regular_expression
_MARIADB_REGEX_ERROR = 1139  # ER_REGEXP_ERROR


def _engine_refusal(exc: Exception) -> BadRequest | None:
    """A 400 for the database's own refusal of a pattern that passed `check_pattern`."""
    orig = getattr(exc, "orig", None)
    if getattr(orig, "sqlstate", None) == _PG_INVALID_REGEX:
        return BadRequest(ENGINE_REFUSED.format(str(orig).strip()))
    args: tuple[Any, ...] = tuple(getattr(orig, "args", ()))
    if len(args) == 2 and args[0] == _MARIADB_REGEX_ERROR:
        return BadRequest(ENGINE_REFUSED.format(args[1]))
    if "user-defined function raised exception" in str(exc):
        return BadRequest(ENGINE_REFUSED.format("RE2 refused it"))
    return None


@contextlib.contextmanager
def statement_budget(
    session: Session, *, seconds: float = STATEMENT_BUDGET_SECONDS
) -> Iterator[None]:
    """Aborts the listing statement(s) run inside after `seconds`, and turns the database's
    refusal of a pattern into a 400: a client error instead of a stuck worker or a 500."""
    try:
        with _budget(session, seconds):
            yield
    except (DataError, OperationalError) as exc:
        refusal = _engine_refusal(exc)
        if refusal is None:
            raise
        raise refusal from None


@contextlib.contextmanager
def _budget(session: Session, seconds: float) -> Iterator[None]:
    conn = session.connection()
    dialect = conn.dialect.name
    if dialect == "sqlite":
        raw = conn.connection.dbapi_connection
        assert raw is not None
        prepare_connection(raw)
        deadline = time.monotonic() + seconds

        def over_budget() -> int:
            return 1 if time.monotonic() > deadline else 0

        raw.set_progress_handler(over_budget, 10_000)
        try:
            yield
        except OperationalError as exc:
            if "interrupted" in str(exc):
                raise BadRequest(TOO_SLOW) from None
            raise
        finally:
            raw.set_progress_handler(None, 0)
        return
    if dialect == "postgresql":
        conn.execute(text(f"SET LOCAL statement_timeout = {int(seconds * 1000)}"))
        try:
            yield
        except OperationalError as exc:
            if "statement timeout" in str(exc):
                raise BadRequest(TOO_SLOW) from None
            raise
        return
    conn.execute(text(f"SET SESSION max_statement_time = {seconds}"))
    try:
        yield
    except OperationalError as exc:
        if "max_statement_time" in str(exc):
            raise BadRequest(TOO_SLOW) from None
        raise
    finally:
        conn.execute(text("SET SESSION max_statement_time = 0"))
