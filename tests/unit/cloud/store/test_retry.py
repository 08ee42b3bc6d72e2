"""A transaction the database gives up to break a deadlock is run again: real deadlocks made on
PostgreSQL and MariaDB (two transactions locking two rows in opposite orders) are recognised, a
responder that lost one is run again and answers, and any other database error is not retried."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from pocketstack.cloud.store import retry
from tests.fixtures.databases import make_database


@pytest.fixture(params=["postgresql", "mariadb"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    for url in make_database(request.param, tmp_path):
        made = create_engine(url)
        with made.begin() as conn:
            conn.execute(text("CREATE TABLE pair (id INTEGER PRIMARY KEY, n INTEGER)"))
            conn.execute(text("INSERT INTO pair (id, n) VALUES (1, 0), (2, 0)"))
        yield made
        made.dispose()


def _deadlock(engine: Engine) -> DBAPIError:
    """Two transactions, each holding one row and asking for the other's: the database picks
    one to give up. Its error is returned."""
    both = threading.Barrier(2)
    errors: list[DBAPIError] = []

    def run(first: int, second: int) -> None:
        try:
            with engine.begin() as conn:
                conn.execute(text("UPDATE pair SET n = n + 1 WHERE id = :i"), {"i": first})
                both.wait()
                conn.execute(text("UPDATE pair SET n = n + 1 WHERE id = :i"), {"i": second})
        except DBAPIError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=order) for order in ((1, 2), (2, 1))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(errors) == 1
    return errors[0]


def test_a_real_deadlock_is_transient(engine: Engine) -> None:
    assert retry.is_transient(_deadlock(engine))


def test_other_database_errors_are_not(engine: Engine) -> None:
    with pytest.raises(DBAPIError) as refused, engine.begin() as conn:
        conn.execute(text("INSERT INTO pair (id, n) VALUES (1, 0)"))
    assert not retry.is_transient(refused.value)


def test_a_responder_that_lost_a_deadlock_is_run_again(engine: Engine) -> None:
    lost = _deadlock(engine)
    calls: list[str] = []

    def responder(req: object, resp: dict[str, str], *, item_id: str) -> None:
        calls.append(item_id)
        if len(calls) == 1:
            raise lost
        resp["status"] = "answered"

    resp: dict[str, str] = {}
    retry.on_transient_errors(responder)(object(), resp, item_id="x")
    assert calls == ["x", "x"]
    assert resp == {"status": "answered"}


def test_a_lasting_conflict_is_given_up_after_the_last_attempt(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retry, "BACKOFF_S", 0.0)
    lost = _deadlock(engine)
    calls: list[int] = []

    def responder() -> None:
        calls.append(1)
        raise lost

    with pytest.raises(DBAPIError):
        retry.on_transient_errors(responder)()
    assert len(calls) == retry.ATTEMPTS


def test_an_error_that_is_not_transient_is_raised_at_once(engine: Engine) -> None:
    with pytest.raises(DBAPIError) as refused, engine.begin() as conn:
        conn.execute(text("SELECT * FROM no_such_table"))
    calls: list[int] = []

    def responder() -> None:
        calls.append(1)
        raise refused.value

    with pytest.raises(DBAPIError):
        retry.on_transient_errors(responder)()
    assert calls == [1]
