"""Regular-expression filters that behave alike on SQLite, PostgreSQL and MariaDB, and stay cheap.

Nova matches most text filters as unanchored regular expressions in the database (REGEXP on MySQL,
`~` on PostgreSQL, Python's `re.search` on SQLite). We do the same, with two guards upstream lacks:

- case: MariaDB's REGEXP follows the column collation (case-insensitive by default);
  `(?-i)` makes it case-sensitive like the other two;
- cost: a pattern whose backtracking can explode (a repeated group that itself repeats or
  alternates, or a back-reference) is refused with 400 before it reaches any database, and every
  listing statement runs under a time budget (see `statement_budget`).
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

from sqlalchemy import String, cast, literal, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from pocketstack.cloud.errors import BadRequest

MAX_PATTERN_LENGTH = 255
_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT}
_POSSESSIVE = getattr(sre_constants, "POSSESSIVE_REPEAT", None)
_UNBOUNDED = sre_constants.MAXREPEAT


class CostlyPattern(BadRequest):
    pass


MAX_UNBOUNDED_REPEATS = 3


def _walk(items: Any, *, inside_repeat: bool, counter: list[int]) -> None:
    for op, arg in items:
        if op in _REPEATS or (_POSSESSIVE is not None and op == _POSSESSIVE):
            _low, high, body = arg
            if inside_repeat:
                raise CostlyPattern("nested repetition")
            unbounded = high == _UNBOUNDED or high > 16
            if unbounded:
                counter[0] += 1
                if counter[0] > MAX_UNBOUNDED_REPEATS:
                    raise CostlyPattern("too many unbounded repetitions")
            _walk(body, inside_repeat=unbounded, counter=counter)
        elif op == sre_constants.SUBPATTERN:
            _walk(arg[-1], inside_repeat=inside_repeat, counter=counter)
        elif op == sre_constants.BRANCH:
            if inside_repeat:
                raise CostlyPattern("alternation inside repetition")
            for branch in arg[1]:
                _walk(branch, inside_repeat=inside_repeat, counter=counter)
        elif op in (sre_constants.GROUPREF, sre_constants.GROUPREF_EXISTS):
            raise CostlyPattern("back-reference")
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            _walk(arg[1], inside_repeat=inside_repeat, counter=counter)


def check_pattern(name: str, pattern: str) -> None:
    """400 for an empty, invalid, or potentially catastrophic pattern."""
    if not pattern:
        raise BadRequest(
            f"Invalid input for query parameters {name}. Value: {pattern}. '' is not a 'regex'"
        )
    try:
        re.compile(pattern)
    except re.error:
        raise BadRequest(
            f"Invalid input for query parameters {name}. Value: {pattern}. {pattern!r} is not a"
            " 'regex'"
        ) from None
    try:
        if len(pattern) > MAX_PATTERN_LENGTH:
            raise CostlyPattern("too long")
        _walk(sre_parse.parse(pattern), inside_repeat=False, counter=[0])
    except CostlyPattern as exc:
        raise BadRequest(
            f"Invalid input for query parameters {name}. Value: {pattern}. The regular"
            f" expression is too expensive to evaluate ({exc.message})."
        ) from None


def _sqlite_regexp(pattern: str, value: Any) -> bool:
    if value is None:
        return False
    return re.search(pattern, str(value)) is not None


def prepare_connection(dbapi_connection: Any) -> None:
    """Registers REGEXP on a SQLite connection (a no-op when already there)."""
    dbapi_connection.create_function("regexp", 2, _sqlite_regexp, deterministic=True)


def matches(dialect: str, column: Any, pattern: str) -> ColumnElement[bool]:
    """`column` matches `pattern` somewhere (unanchored), case-sensitively, on any backend."""
    text: ColumnElement[Any] = column
    if not isinstance(column.type, String):
        text = cast(column, String)
    if dialect == "postgresql":
        return text.op("~")(literal(pattern))
    if dialect in ("mysql", "mariadb"):
        return text.op("REGEXP")(literal("(?-i)" + pattern))
    # SQLite: "X REGEXP Y" calls regexp(Y, X).
    return text.op("REGEXP")(literal(pattern))


STATEMENT_BUDGET_SECONDS = 5.0
TOO_SLOW = "The filter took too long to evaluate; use a simpler regular expression."


@contextlib.contextmanager
def statement_budget(
    session: Session, *, seconds: float = STATEMENT_BUDGET_SECONDS
) -> Iterator[None]:
    """Aborts the listing statement(s) run inside after `seconds`: 400 instead of a stuck worker."""
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
