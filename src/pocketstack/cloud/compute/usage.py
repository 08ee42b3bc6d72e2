"""`os-simple-tenant-usage`: what each project's servers used over a period (hours, and vCPU,
RAM and disk hours), as Nova computes it from its instance records.

A server counts when it was launched before the period's end and not terminated before its start,
deleted ones included (that is what a bill needs). Servers are read a page at a time in Nova's
order, project then server id, over an index on exactly those columns, so a page costs the same
however many servers the cloud has ever had; from 2.40 the page carries the next link.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from collections.abc import Sequence
from typing import Any

import falcon
from sqlalchemy import Select, and_, or_, select, tuple_
from sqlalchemy.orm import Session

from pocketstack.cloud.compute import policy
from pocketstack.cloud.compute.listing import MAX_LIMIT
from pocketstack.cloud.compute.microversion import ApiVersion
from pocketstack.cloud.compute.routing import Links, auth_of, refuse_unknown_params, version_of
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import BadRequest, Forbidden
from pocketstack.cloud.inputs import decimal, shown
from pocketstack.cloud.store.models.compute import Instance

# Nova's accepted spellings of `start` and `end` (UTC, no zone).
_FORMATS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%d %H:%M:%S.%f")
_PAGED = "2.40"
_STRICT_QUERY = "2.75"
_COLUMNS = (
    Instance.uuid, Instance.project_id, Instance.display_name, Instance.flavor_name,
    Instance.vcpus, Instance.memory_mb, Instance.root_gb, Instance.ephemeral_gb,
    Instance.vm_state, Instance.launched_at, Instance.terminated_at,
)  # fmt: skip


class _Period:
    def __init__(self, params: dict[str, list[str]], now: dt.datetime) -> None:
        self.start = _moment(params.get("start"), now)
        stop = _moment(params.get("end"), now)
        # Nova reads the clock once for each bound it is not given, the end's later: with
        # neither, the window is the empty one at now, a 200 (Nova's own clients ask so).
        neither = self.start == stop == now and not _given(params, "start", "end")
        if not (self.start < stop or neither):
            raise BadRequest("Invalid start time. The start time cannot occur after the end time.")
        # Usage is never reported ahead of now.
        self.stop = min(stop, now)
        self.now = now

    def hours(self, launched: dt.datetime, terminated: dt.datetime | None) -> float:
        if terminated is not None and terminated < self.start:
            return 0.0
        if launched > self.stop:
            return 0.0
        begin = max(launched, self.start)
        end = self.stop if terminated is None else min(self.stop, terminated)
        return (end - begin).total_seconds() / 3600.0


def _given(params: dict[str, list[str]], *names: str) -> bool:
    return any(params.get(name, [""])[0] for name in names)


def _moment(values: list[str] | None, now: dt.datetime) -> dt.datetime:
    if not values or not values[0]:
        return now
    for fmt in _FORMATS:
        try:
            return dt.datetime.strptime(values[0], fmt).replace(tzinfo=dt.UTC)
        except ValueError:
            continue
    raise BadRequest("Invalid datetime string: Datetime is in invalid format")


def _naive(when: dt.datetime) -> str:
    """Nova's timestamps here: UTC without a zone, microseconds only when there are any."""
    return when.astimezone(dt.UTC).replace(tzinfo=None).isoformat()


def _page_params(
    params: dict[str, list[str]], api: ApiVersion, allowed: Sequence[str]
) -> tuple[int, str | None]:
    if api.at_least(_STRICT_QUERY):
        refuse_unknown_params(params, allowed)
    if not api.at_least(_PAGED):
        return MAX_LIMIT, None
    limit = MAX_LIMIT
    if "limit" in params:
        text = params["limit"][0]
        number = decimal(text, cap=MAX_LIMIT)
        if number is None:
            raise BadRequest(
                f"Invalid input for query parameters limit. Value: {shown(text)}. "
                f"{shown(text)} does not match '^[0-9]*$'"
            )
        limit = number
    marker = params["marker"][0] if "marker" in params else None
    return limit, marker


def page_query(
    start: dt.datetime,
    stop: dt.datetime,
    *,
    project_id: str | None,
    limit: int,
    after: tuple[str, str] | None,
    row_values: bool = True,
) -> Select[*tuple[Any, ...]]:
    """One page of the servers that ran in [start, stop], in (project, uuid) order after the
    marker's (project, uuid). PostgreSQL and SQLite start the index range at the marker itself
    for a row-value comparison, where the OR form would re-read the marker project's earlier
    servers; MariaDB (`row_values=False`) does not range-scan row values, so it keeps the OR
    form with its sargable leading bound. One project's report is a range of that project's
    uuids."""
    stmt = select(*_COLUMNS).where(
        or_(Instance.terminated_at.is_(None), Instance.terminated_at > start),
        Instance.launched_at < stop,
    )
    if project_id is not None:
        stmt = stmt.where(Instance.project_id == project_id)
        if after is not None:
            stmt = stmt.where(Instance.uuid > after[1])
    elif after is not None and row_values:
        stmt = stmt.where(tuple_(Instance.project_id, Instance.uuid) > tuple_(*after))
    elif after is not None:
        project, server = after
        stmt = stmt.where(
            Instance.project_id >= project,
            or_(
                Instance.project_id > project,
                and_(Instance.project_id == project, Instance.uuid > server),
            ),
        )
    return stmt.order_by(Instance.project_id, Instance.uuid).limit(limit)


def _rows(
    session: Session,
    period: _Period,
    *,
    project_id: str | None,
    limit: int,
    marker: str | None,
) -> Sequence[Any]:
    after: tuple[str, str] | None = None
    if marker is not None:
        # The marker must be a server of the report being paged: one project's, for its own.
        find = select(Instance.project_id, Instance.uuid).where(Instance.uuid == marker)
        if project_id is not None:
            find = find.where(Instance.project_id == project_id)
        found = session.execute(find).first()
        if found is None:
            raise BadRequest(f"Marker {marker} could not be found.")
        after = (found.project_id, found.uuid)
    stmt = page_query(
        period.start, period.stop, project_id=project_id, limit=limit, after=after,
        row_values=session.get_bind().dialect.name not in ("mysql", "mariadb"),
    )  # fmt: skip
    return session.execute(stmt).all()


def _usages(rows: Sequence[Any], period: _Period, *, detailed: bool) -> list[dict[str, Any]]:
    by_project: dict[str, dict[str, Any]] = {}
    for row in rows:
        hours = period.hours(row.launched_at, row.terminated_at)
        local_gb = row.root_gb + row.ephemeral_gb
        summary = by_project.get(row.project_id)
        if summary is None:
            summary = by_project[row.project_id] = {
                "tenant_id": row.project_id,
                **({"server_usages": []} if detailed else {}),
                "total_local_gb_usage": 0.0, "total_vcpus_usage": 0.0,
                "total_memory_mb_usage": 0.0, "total_hours": 0.0,
                "start": _naive(period.start), "stop": _naive(period.stop),
            }  # fmt: skip
        summary["total_local_gb_usage"] += local_gb * hours
        summary["total_vcpus_usage"] += row.vcpus * hours
        summary["total_memory_mb_usage"] += row.memory_mb * hours
        summary["total_hours"] += hours
        if detailed:
            ended = row.terminated_at
            uptime = (ended or period.now) - row.launched_at
            summary["server_usages"].append(
                {
                    "instance_id": row.uuid, "name": row.display_name,
                    "tenant_id": row.project_id, "flavor": row.flavor_name, "hours": hours,
                    "memory_mb": row.memory_mb, "local_gb": local_gb, "vcpus": row.vcpus,
                    "started_at": _naive(row.launched_at),
                    "ended_at": None if ended is None else _naive(ended),
                    "state": "terminated" if ended is not None else row.vm_state,
                    "uptime": max(0, int(uptime.total_seconds())),
                }
            )  # fmt: skip
    return list(by_project.values())


def _next_link(req: falcon.Request, collection: str, rows: Sequence[Any], limit: int) -> list[Any]:
    if not rows or len(rows) != limit:
        return []
    pairs = [
        (k, v)
        for k, v in urllib.parse.parse_qsl(req.query_string, keep_blank_values=True)
        if k != "marker"
    ]
    pairs.append(("marker", rows[-1].uuid))
    href = f"{Links(req).collection(collection)}?{urllib.parse.urlencode(sorted(pairs))}"
    return [{"rel": "next", "href": href}]


class TenantUsages:
    """GET /os-simple-tenant-usage: every project's usage (admin)."""

    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        api = version_of(req)
        params = urllib.parse.parse_qs(req.query_string, keep_blank_values=True)
        limit, marker = _page_params(params, api, ("start", "end", "detailed", "limit", "marker"))
        period = _Period(params, self._deps.clock.now())
        detailed = params.get("detailed", ["0"])[0] == "1"
        with self._deps.store.session() as session:
            rows = _rows(session, period, project_id=None, limit=limit, marker=marker)
        body: dict[str, Any] = {"tenant_usages": _usages(rows, period, detailed=detailed)}
        links = _next_link(req, "os-simple-tenant-usage", rows, limit)
        if api.at_least(_PAGED) and links:
            body["tenant_usages_links"] = links
        resp.media = body


class TenantUsage:
    """GET /os-simple-tenant-usage/{tenant_id}: one project's usage, with each server's."""

    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, tenant_id: str) -> None:
        ctx = auth_of(req)
        if not policy.can_see_project(ctx, tenant_id):
            # Upstream's 403 for another project's usage: its servers' usage is not disclosed.
            raise Forbidden(
                "Policy doesn't allow os_compute_api:os-simple-tenant-usage:show to be performed."
            )
        api = version_of(req)
        params = urllib.parse.parse_qs(req.query_string, keep_blank_values=True)
        limit, marker = _page_params(params, api, ("start", "end", "limit", "marker"))
        period = _Period(params, self._deps.clock.now())
        with self._deps.store.session() as session:
            rows = _rows(session, period, project_id=tenant_id, limit=limit, marker=marker)
        usages = _usages(rows, period, detailed=True)
        body: dict[str, Any] = {"tenant_usage": usages[0] if usages else {}}
        links = _next_link(req, f"os-simple-tenant-usage/{tenant_id}", rows, limit)
        if api.at_least(_PAGED) and links:
            body["tenant_usage_links"] = links
        resp.media = body
