"""The instance usage audit log (os-instance_usage_audit_log, admin only).

Nova's computes audit their servers' usage once a period (a month by default) and record a
task log per host; this cloud runs no such audit, so every compute host - disabled ones too, as
they may hold servers - is one where the audit of the period has not run.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import falcon
from sqlalchemy import select

from pocketstack.cloud.compute import fleet
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import BadRequest
from pocketstack.cloud.store.models.fleet import ComputeService


def last_completed_month(before: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The last whole month that ended before `before` (naive UTC): Nova's default period."""
    end = dt.datetime(before.year, before.month, 1)
    if end >= before:
        end = _month_before(end)
    return _month_before(end), end


_EARLIEST = dt.datetime(1, 3, 1)


def _month_before(when: dt.datetime) -> dt.datetime:
    if when.month == 1:
        return dt.datetime(when.year - 1, 12, 1)
    return dt.datetime(when.year, when.month - 1, 1)


def parse_before(text: str) -> dt.datetime:
    fmt = "%Y-%m-%d %H:%M:%S.%f" if "." in text else "%Y-%m-%d %H:%M:%S"
    try:
        when = dt.datetime.strptime(text, fmt)
    except ValueError:
        raise BadRequest(f"Invalid timestamp for date {text}") from None
    # The period is the month before the last one that ended: it must start in year 1.
    if when < _EARLIEST:
        raise BadRequest(f"Invalid timestamp for date {text}")
    return when


def _audit(deps: CloudDeps, before: dt.datetime | None) -> dict[str, Any]:
    if before is None:
        before = deps.clock.now().astimezone(dt.UTC).replace(tzinfo=None)
    begin, end = last_completed_month(before)
    with deps.store.session() as session:
        hosts = sorted(
            set(
                session.scalars(
                    select(ComputeService.host).where(
                        ComputeService.binary == fleet.COMPUTE, ComputeService.deleted.is_(False)
                    )
                )
            )
        )
    done = "ALL" if not hosts else f"0 of {len(hosts)}"
    return {
        "period_beginning": str(begin),
        "period_ending": str(end),
        "num_hosts": len(hosts),
        "num_hosts_done": 0,
        "num_hosts_running": 0,
        "num_hosts_not_run": len(hosts),
        "hosts_not_run": hosts,
        "total_instances": 0,
        "total_errors": 0,
        "overall_status": f"{done} hosts done. 0 errors.",
        "log": {},
    }


class AuditLogs:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {"instance_usage_audit_logs": _audit(self._deps, None)}


class AuditLogBefore:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, before_timestamp: str) -> None:
        before = parse_before(before_timestamp)
        resp.media = {"instance_usage_audit_log": _audit(self._deps, before)}
