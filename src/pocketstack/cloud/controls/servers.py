"""Fault rules on servers, asked by the compute service in the transaction that creates or
deletes one (compute/server_build.py, compute/servers.py): a build held in BUILD, a build that
ends in ERROR, a delete that fails.

A failed delete is as Nova's compute makes one: the API accepted it (204), the termination
failed, and the server is left in ERROR with the fault, where a wait for its deletion sees it;
a later delete goes through.
"""

from __future__ import annotations

import dataclasses
import logging

from sqlalchemy.orm import Session

from pocketstack.cloud.controls import rules
from pocketstack.cloud.store.models.fault_controls import FaultRule

LOG = logging.getLogger("pocketstack.faults")
DELETE_FAULT = "Failed to terminate instance (injected fault)"
BUILD_FAULT = "Build of instance aborted (injected fault)"


@dataclasses.dataclass(frozen=True)
class Build:
    """What a rule makes of one server's build: seconds in BUILD, or the fault it ends with."""

    seconds: float | None = None
    fault: str | None = None


def _take(
    session: Session, server: str, project_id: str | None, actions: tuple[str, ...]
) -> FaultRule | None:
    for rule in rules.live_in(session):
        if rule.action not in actions:
            continue
        if rule.project_id is not None and rule.project_id != project_id:
            continue
        if rules.claim_in(session, rule):
            LOG.warning("injected fault %s: server %s -> %s", rule.id, server,
                        rules.describe(rule, claimed=True))  # fmt: skip
            return rule
    return None


def on_build(session: Session, server: str, project_id: str | None) -> Build | None:
    rule = _take(session, server, project_id, (rules.BUILD_DELAY, rules.BUILD_ERROR))
    if rule is None:
        return None
    if rule.action == rules.BUILD_ERROR:
        return Build(fault=rule.message or BUILD_FAULT)
    return Build(seconds=(rule.duration_ms or 0) / 1000)


def on_delete(session: Session, server: str, project_id: str | None) -> str | None:
    """The fault of a delete that fails, or None."""
    rule = _take(session, server, project_id, (rules.DELETE_ERROR,))
    return None if rule is None else (rule.message or DELETE_FAULT)
