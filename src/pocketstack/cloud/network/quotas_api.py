"""`/v2.0/quotas`: Neutron's quotas (quotasv2) and quota_details extensions.

Policy (neutron/extensions/quotasv2.py, conf/policies/quotas.py): a project reads its own
quota; another project's, the list and any change are an admin's (get_quota, update_quota,
delete_quota). Upstream checks get_quota against the caller's own project, so any reader may
read any project's quota and list every project's; here that is an admin's, and a member's list
holds its own project only.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import falcon
from sqlalchemy import delete, select

from pocketstack.cloud.api.operation import Microversion
from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.network import faults, quotas, values
from pocketstack.cloud.store.models.network_quota import NetworkQuota

# Neutron's DB_INTEGER_MAX_VALUE.
MAX_LIMIT = 2**31 - 1


@dataclasses.dataclass(frozen=True)
class QuotaUpdate:
    limits: dict[str, int]
    check_limit: bool


def _limit(name: str, value: Any) -> int:
    try:
        number = int(value)
    except (ValueError, TypeError, OverflowError):
        raise faults.invalid_input(f"'{values.text(value)}' is not an integer") from None
    if number < quotas.UNLIMITED:
        raise faults.bad_request(f"Invalid input for {name}. Reason: '{number}' is too small -"
                                 f" must be at least '{quotas.UNLIMITED}'.")  # fmt: skip
    if number > MAX_LIMIT:
        raise faults.bad_request(f"Invalid input for {name}. Reason: '{number}' is too large -"
                                 f" must be no more than '{MAX_LIMIT}'.")  # fmt: skip
    return number


def parse_update(body: Any, version: Microversion | None) -> QuotaUpdate:
    raw = body.get("quota")
    if raw is None:
        raise faults.bad_request("Unable to find 'quota' in request body")
    if not isinstance(raw, dict):
        raise faults.bad_request("Object 'quota' contains invalid data")
    item = dict(raw)
    item.pop("force", None)
    check = bool(item.pop("check_limit", False))
    extra = [name for name in item if name not in quotas.DEFAULTS]
    if extra:
        raise faults.bad_request(f"Unrecognized attribute(s) '{', '.join(extra)}'")
    return QuotaUpdate({name: _limit(name, v) for name, v in item.items()}, check)


def _may_read(ctx: RequestContext, project_id: str) -> None:
    if project_id != ctx.project_id and not ctx.is_admin:
        raise faults.policy_refused("get_quota")


class QuotaList:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx: RequestContext = req.context.auth
        stmt = select(NetworkQuota.project_id).distinct().order_by(NetworkQuota.project_id)
        if not ctx.is_admin:
            stmt = stmt.where(NetworkQuota.project_id == (ctx.project_id or ""))
        with self._deps.store.session() as session:
            shown = [{**quotas.limits(session, p), "project_id": p, "tenant_id": p}
                     for p in session.scalars(stmt)]  # fmt: skip
        resp.media = {"quotas": shown}


class QuotaItem:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, project_id: str) -> None:
        _may_read(req.context.auth, project_id)
        with self._deps.store.session() as session:
            resp.media = {"quota": quotas.limits(session, project_id)}

    def on_put(self, req: falcon.Request, resp: falcon.Response, project_id: str) -> None:
        update = request_of(req, QuotaUpdate)
        with self._deps.store.session(write=True) as session:
            if update.check_limit:
                for name, limit in update.limits.items():
                    usage = quotas.used(session, project_id, name)
                    if limit >= 0 and usage > limit:
                        raise faults.bad_request(
                            f"Quota limit {limit} for {name} must be greater than or equal to"
                            f" already used {usage}"
                        )
            for name, limit in update.limits.items():
                row = session.get(NetworkQuota, (project_id, name))
                if row is None:
                    session.add(NetworkQuota(project_id=project_id, resource=name,
                                             hard_limit=limit))  # fmt: skip
                else:
                    row.hard_limit = limit
            session.flush()
            resp.media = {"quota": quotas.limits(session, project_id)}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, project_id: str) -> None:
        with self._deps.store.session(write=True) as session:
            gone = session.execute(delete(NetworkQuota).where(
                NetworkQuota.project_id == project_id))  # fmt: skip
            # Neutron's: a project that had only the defaults has no quota to delete.
            if not getattr(gone, "rowcount", 0):
                raise faults.not_found(
                    "TenantQuotaNotFound", f"Quota for tenant {project_id} could not be found."
                )
        resp.status = falcon.HTTP_204


class QuotaDefault:
    def on_get(self, req: falcon.Request, resp: falcon.Response, project_id: str) -> None:
        _may_read(req.context.auth, project_id)
        resp.media = {"quota": dict(quotas.DEFAULTS)}


class QuotaDetails:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, project_id: str) -> None:
        _may_read(req.context.auth, project_id)
        with self._deps.store.session() as session:
            limits = quotas.limits(session, project_id)
            resp.media = {"quota": {
                name: {"limit": limit, "used": quotas.used(session, project_id, name),
                       "reserved": 0}
                for name, limit in limits.items()
            }}  # fmt: skip
