"""Fault rules: what they match (service, method, path pattern, project), what they do, and
their countdown, kept in the database so that every worker applies the same ones.

"Fail N times then pass" is one conditional UPDATE per injection (`claim`): of concurrent
requests that match a rule with one injection left, exactly one gets it, on every database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import fnmatch
import uuid
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from pocketstack.cloud.controls.errors import ControlError
from pocketstack.cloud.store.db import Store
from pocketstack.cloud.store.models.fault_controls import FaultRule

# The services a rule may name, and the path prefix each is served under.
SERVICES = {"identity": "/identity", "compute": "/compute", "image": "/image",
            "network": "/networking"}  # fmt: skip
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
# What a rule does to a request it matches (inject.py)...
ERROR, LATENCY, DROP = "error", "latency", "drop"
REQUEST_ACTIONS = (ERROR, LATENCY, DROP)
# ... or to a server of the compute service (servers.py): stay in BUILD for `seconds`, end the
# build in ERROR with `message` as its fault, fail a delete (ERROR, with a fault).
BUILD_DELAY, BUILD_ERROR, DELETE_ERROR = "build_delay", "build_error", "delete_error"
SERVER_ACTIONS = (BUILD_DELAY, BUILD_ERROR, DELETE_ERROR)
ACTIONS = (*REQUEST_ACTIONS, *SERVER_ACTIONS)
MAX_LATENCY = 60.0
# A build may be held for up to a day (the clock can move past it).
MAX_BUILD = 86400.0


@dataclasses.dataclass(frozen=True, kw_only=True)
class Spec:
    """A rule as asked for (the validated body of POST /pocketstack/v1/faults)."""

    service: str
    action: str
    method: str | None = None
    path: str | None = None
    project_id: str | None = None
    status: int | None = None
    message: str | None = None
    seconds: float | None = None
    times: int | None = None


def parse(body: Any, _version: object = None) -> Spec:
    """The declared schema has checked the types; what it cannot say is checked here."""
    fault = body["fault"]
    spec = Spec(
        service=fault["service"], action=fault["action"], method=fault.get("method"),
        path=fault.get("path"), project_id=fault.get("project_id"), status=fault.get("status"),
        message=fault.get("message"), seconds=fault.get("seconds"), times=fault.get("times"),
    )  # fmt: skip
    if spec.action == ERROR and spec.status is None:
        raise ControlError(400, "An error fault needs a status (400 to 599).")
    if spec.action != ERROR and spec.status is not None:
        raise ControlError(400, "Only an error fault takes a status.")
    timed = spec.action in (LATENCY, BUILD_DELAY)
    longest = MAX_LATENCY if spec.action == LATENCY else MAX_BUILD
    if timed and (spec.seconds is None or spec.seconds > longest):
        raise ControlError(400, f"A {spec.action} fault needs seconds (up to {longest:g}).")
    if not timed and spec.seconds is not None:
        raise ControlError(400, "Only a latency or build_delay fault takes seconds.")
    if spec.action in SERVER_ACTIONS:
        if spec.service != "compute":
            raise ControlError(400, f"A {spec.action} fault is the compute service's.")
        if spec.method is not None or spec.path is not None:
            raise ControlError(400, f"A {spec.action} fault matches servers, not requests.")
    return spec


def create(store: Store, spec: Spec, *, now: dt.datetime) -> FaultRule:
    rule = FaultRule(
        id=str(uuid.uuid4()), service=spec.service, method=spec.method, path=spec.path,
        project_id=spec.project_id, action=spec.action, status=spec.status,
        message=spec.message,
        duration_ms=None if spec.seconds is None else round(spec.seconds * 1000),
        remaining=spec.times, injected=0, created_at=now,
    )  # fmt: skip
    with store.session(write=True) as session:
        session.add(rule)
    return rule


def listed(store: Store) -> list[FaultRule]:
    with store.session() as session:
        return list(session.scalars(select(FaultRule).order_by(FaultRule.seq)))


def find(store: Store, rule_id: str) -> FaultRule:
    with store.session() as session:
        rule = session.scalars(select(FaultRule).where(FaultRule.id == rule_id)).first()
    if rule is None:
        raise ControlError(404, f"No fault rule {rule_id}.")
    return rule


def remove(store: Store, rule_id: str) -> None:
    with store.session(write=True) as session:
        result = session.execute(delete(FaultRule).where(FaultRule.id == rule_id))
        gone: int = result.rowcount  # type: ignore[attr-defined]
    if not gone:
        raise ControlError(404, f"No fault rule {rule_id}.")


def clear(store: Store) -> int:
    with store.session(write=True) as session:
        count: int = session.execute(delete(FaultRule)).rowcount  # type: ignore[attr-defined]
    return count


def live(store: Store) -> list[FaultRule]:
    """The rules that may still inject, in the order they apply (one read per request)."""
    with store.session() as session:
        return live_in(session)


def live_in(session: Session) -> list[FaultRule]:
    statement = select(FaultRule).where((FaultRule.remaining.is_(None)) | (FaultRule.remaining > 0))
    return list(session.scalars(statement.order_by(FaultRule.seq)))


def claim(store: Store, rule: FaultRule) -> bool:
    """Take one injection of `rule`: False when another request took its last one first."""
    with store.session(write=True) as session:
        return claim_in(session, rule)


def claim_in(session: Session, rule: FaultRule) -> bool:
    """`claim` in the caller's transaction (a server's create or delete)."""
    statement = update(FaultRule).where(FaultRule.id == rule.id)
    if rule.remaining is None:
        statement = statement.values(injected=FaultRule.injected + 1)
    else:
        statement = statement.where(FaultRule.remaining > 0).values(
            remaining=FaultRule.remaining - 1, injected=FaultRule.injected + 1
        )
    taken: int = session.execute(statement).rowcount  # type: ignore[attr-defined]
    return taken == 1


def matches(rule: FaultRule, method: str, path: str) -> bool:
    """Whether `rule` names this request, the project aside (that needs the token: inject.py).
    `path` is below the service's prefix; the pattern is a glob whose `*` crosses slashes."""
    if rule.method is not None and rule.method != method:
        return False
    return rule.path is None or fnmatch.fnmatchcase(path, rule.path)


def view(rule: FaultRule) -> dict[str, Any]:
    return {
        "id": rule.id, "service": rule.service, "method": rule.method, "path": rule.path,
        "project_id": rule.project_id, "action": rule.action, "status": rule.status,
        "message": rule.message,
        "seconds": None if rule.duration_ms is None else rule.duration_ms / 1000,
        "times_left": rule.remaining, "injected": rule.injected,
        "created_at": rule.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }  # fmt: skip


def describe(rule: FaultRule, *, claimed: bool = False) -> str:
    """The rule in a log line: what it matches and what it does (never a token: it has none);
    `claimed`: as it stands after the injection being logged."""
    seconds = (rule.duration_ms or 0) / 1000
    what = {ERROR: f"answer {rule.status}", DROP: "drop the connection",
            LATENCY: f"delay {seconds:g}s", BUILD_DELAY: f"keep servers in BUILD {seconds:g}s",
            BUILD_ERROR: "end builds in ERROR", DELETE_ERROR: "fail deletes (ERROR)",
            }.get(rule.action, rule.action)  # fmt: skip
    left = rule.remaining
    if left is not None and claimed:
        left -= 1
    times = "every time" if left is None else f"{left} more times"
    return (
        f"{rule.service} {rule.method or '*'} {rule.path or '*'}"
        f" project {rule.project_id or '*'}: {what}, {times}"
    )
