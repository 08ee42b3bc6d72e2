"""Regex filters that cannot stall a worker: refused up front when a backtracking engine could
explode, evaluated in linear time on SQLite, engine errors as 400s — on all three databases.

The time bounds are generous (a stalled worker took 14.8 s and more); they are not timing tests.
"""

from __future__ import annotations

import contextlib
import time

import pytest

from pocketstack.cloud.compute import server_db
from pocketstack.cloud.compute.listing import ServerQuery
from pocketstack.cloud.compute.regex import check_pattern, literal_text
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import BadRequest
from tests.unit.cloud.compute.helpers import Compute, build_compute, fault, names

QUICK = 5.0
# 27 characters, as in the report; longer names only made it worse.
LONG_NAMES = ("production-web-frontend-007", "x" * 60)
# Each stalls a backtracking engine on a name that does not match; the first took 14.8 s on
# SQLite through Python's `re` (the cost guard let bounded repeats through).
# None matches either name.
PATHOLOGICAL = (
    "(.{0,16}){0,16}!",
    "(.{0,16}){0,16}(.{0,16}){0,16}!",
    "((.{0,16}){0,16}){0,16}!",
    "(.|.){0,20}!",
    "(.{1,16}){1,16}#",
)


@pytest.fixture
def any_db(cloud_deps_any_db: CloudDeps) -> Compute:
    compute = build_compute(cloud_deps_any_db)
    for minute, name in enumerate(LONG_NAMES):
        compute.make(project=compute.alice.project_id, name=name, minutes=minute)
    return compute


def _list(compute: Compute, pattern: str) -> tuple[int, str | list[str], float]:
    start = time.monotonic()
    result = compute.get("/v2.1/servers", headers=compute.alice_h, params={"name": pattern})
    elapsed = time.monotonic() - start
    if result.status_code == 200:
        return 200, names(result), elapsed
    return result.status_code, fault(result)[1], elapsed


@pytest.mark.parametrize("pattern", PATHOLOGICAL)
def test_pathological_patterns_are_refused_quickly(any_db: Compute, pattern: str) -> None:
    status, message, elapsed = _list(any_db, pattern)
    assert elapsed < QUICK
    assert status == 400
    assert "too expensive" in message


@pytest.mark.parametrize("pattern", PATHOLOGICAL)
def test_the_engines_themselves_answer_quickly(cloud_deps_any_db: CloudDeps, pattern: str) -> None:
    # Past the cost guard, straight to the database: SQLite's REGEXP is RE2 now (linear time),
    # the others answer within the statement budget, or refuse with 400.
    compute = build_compute(cloud_deps_any_db)
    for name in LONG_NAMES:
        compute.make(project=compute.alice.project_id, name=name)
    query = ServerQuery(regex={"display_name": pattern}, visible_project=compute.alice.project_id)
    start = time.monotonic()
    with contextlib.suppress(BadRequest), cloud_deps_any_db.store.session() as session:
        assert server_db.list_servers(session, query) == []
    assert time.monotonic() - start < QUICK


@pytest.mark.parametrize("pattern", ["a{0,99999}", "a{256}", "[ab]{2,300}"])
def test_repeat_counts_past_postgresql_limit_are_400(any_db: Compute, pattern: str) -> None:
    # PostgreSQL refused these with an error that became a 500; now every backend says 400.
    status, message, _ = _list(any_db, pattern)
    assert status == 400
    assert "Repeat counts above 255 are not supported" in message


@pytest.mark.parametrize("pattern", ["a{0,99999}"])
def test_an_engine_refusal_is_a_400(cloud_deps_any_db: CloudDeps, pattern: str) -> None:
    # Should a pattern the engine refuses ever get past check_pattern, it is still a 400, not a
    # 500 (PostgreSQL: invalid regular expression; MariaDB: error 1139; SQLite: RE2's error).
    compute = build_compute(cloud_deps_any_db)
    compute.make(project=compute.alice.project_id, name="web")
    query = ServerQuery(regex={"display_name": pattern}, visible_project=compute.alice.project_id)
    with (
        pytest.raises(BadRequest, match="database cannot evaluate"),
        cloud_deps_any_db.store.session() as session,
    ):
        server_db.list_servers(session, query)


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("(web)-\\1", "Back-references are not supported"),
        ("(?P<w>web)(?P=w)", "Back-references are not supported"),
        ("web(?=-)", "Lookahead and lookbehind assertions are not supported"),
        ("(?<!x)web", "Lookahead and lookbehind assertions are not supported"),
        ("(w)?(?(1)eb|x)", "Conditional groups are not supported"),
        ("web\\Z", "Unsupported syntax: invalid escape sequence: \\Z"),
        ("we++b", "Unsupported syntax: bad repetition operator: ++"),
        ("(?>web)", "Unsupported syntax"),
    ],
)
def test_syntax_without_a_linear_time_engine_is_400(
    any_db: Compute, pattern: str, message: str
) -> None:
    status, text, _ = _list(any_db, pattern)
    assert status == 400
    assert f"Invalid input for query parameters name. Value: {pattern}. {message}" in str(text)
    assert "linear time" in str(text)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("web-frontend", ["production-web-frontend-007"]),  # unanchored
        ("WEB", []),  # case-sensitive
        # Escaped punctuation is plain text (evaluated without a regex on SQLite): a dot is
        # a dot there, any character once unescaped.
        ("web\\-frontend\\-007", ["production-web-frontend-007"]),
        ("frontend\\.007", []),
        ("frontend.007", ["production-web-frontend-007"]),
        ("^x{60}$", ["x" * 60]),
        ("(\\d{1,3}-?){1,3}$", ["production-web-frontend-007"]),
        ("[a-z]{1,16}-[0-9]{1,16}", ["production-web-frontend-007"]),
        ("x{0,255}", ["x" * 60, "production-web-frontend-007"]),  # empty matches anywhere
        ("a{,5}", []),  # literal "{,5}" for RE2, PostgreSQL and MariaDB alike
    ],
)
def test_cheap_patterns_match_alike(any_db: Compute, pattern: str, expected: list[str]) -> None:
    status, found, _ = _list(any_db, pattern)
    assert (status, found) == (200, expected)


@pytest.mark.parametrize(
    "pattern",
    ["(\\d{1,3}\\.){3}\\d{1,3}", "^10\\.0\\.[0-9]+\\.", "(ab|cd){4}", "(a*)?b", ".*a.*b.*c"],
)
def test_the_cost_guard_keeps_ordinary_patterns(pattern: str) -> None:
    check_pattern("name", pattern)


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("(.{0,16}){0,16}", "too many ways to match"),
        ("(a{2}b?){16}", "too many ways to match"),
        ("a{0,9}b{0,9}c{0,9}d{0,9}e{0,9}", "too many ways to match"),
        ("(a{0,3})*", "can match in several ways"),
        ("(a+){2}", "nested repetition"),
        ("(ab|cd)+", "can match in several ways"),
        (".*a.*b.*c.*d", "too many unbounded repetitions"),
    ],
)
def test_the_cost_guard_counts_bounded_repeats(pattern: str, reason: str) -> None:
    with pytest.raises(BadRequest, match="too expensive") as caught:
        check_pattern("name", pattern)
    assert reason in caught.value.message


@pytest.mark.parametrize(
    ("pattern", "text"),
    [("web", "web"), ("a\\-b\\.c\\ d", "a-b.c d"), ("\u00fc\\#", "\u00fc#"), ("\\\\", "\\"),
     ("a.b", None), ("\\d", None), ("x|y", None), ("\\_", None), ("a\\", None), ("^a", None)],
)
def test_only_a_pattern_without_regex_syntax_is_plain_text(pattern: str, text: str | None) -> None:
    assert literal_text(pattern) == text
