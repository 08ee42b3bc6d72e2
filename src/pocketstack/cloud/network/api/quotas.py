"""Quotas declared (Neutron's quotas and quota_details extensions): a project's limits listed,
shown, set and reset, its defaults, and its usage beside its limits. openstacksdk reads the
details at `details.json`, which Neutron serves too.

Policy (neutron/conf/policies/quotas.py): update_quota and delete_quota are an admin's; whether
get_quota allows depends on whose quota is read, which the responders check.
"""

from __future__ import annotations

from pocketstack.cloud.api.operation import JSON, Operation, Rule, every_version
from pocketstack.cloud.api.shapes import INT, STR, arr, obj, ref
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.network import faults, quotas, quotas_api
from pocketstack.cloud.network.api.common import READ_ERRORS, WRITE_ERRORS


def _admin(ctx: RequestContext, name: str) -> None:
    if not ctx.is_admin:
        raise faults.policy_refused(name)


def schemas() -> dict[str, JSON]:
    limits: dict[str, JSON] = {name: INT for name in quotas.DEFAULTS}
    detail = obj({"limit": INT, "used": INT, "reserved": INT}, closed=True)
    return {
        "Quota": obj(limits, closed=True),
        "ProjectQuota": obj({**limits, "project_id": STR, "tenant_id": STR}, closed=True),
        "QuotaDetails": obj({name: detail for name in quotas.DEFAULTS}, closed=True),
    }


def operations() -> tuple[Operation, ...]:
    get = Rule("get_quota")
    one = every_version(obj({"quota": ref("Quota")}, closed=True))
    item = "/v2.0/quotas/{project_id}"
    details = every_version(obj({"quota": ref("QuotaDetails")}, closed=True))
    return (
        Operation(method="GET", path="/v2.0/quotas",
                  summary="List the projects whose quotas are not all the defaults",
                  policy=Rule("get_quota", _admin_or_member), status=(200,),
                  response=every_version(obj({"quotas": arr(ref("ProjectQuota"))},
                                             closed=True)),
                  errors=READ_ERRORS),
        Operation(method="GET", path=item, summary="Show a project's quotas", policy=get,
                  status=(200,), response=one, errors=READ_ERRORS),
        Operation(method="PUT", path=item, summary="Set some of a project's quotas",
                  policy=Rule("update_quota", _admin), status=(200,),
                  request=every_version({"type": "object"}), parse=quotas_api.parse_update,
                  response=one, errors=WRITE_ERRORS),
        Operation(method="DELETE", path=item, summary="Reset a project's quotas to the defaults",
                  policy=Rule("delete_quota", _admin), status=(204,), errors=WRITE_ERRORS),
        Operation(method="GET", path=f"{item}/default", summary="Show the default quotas",
                  policy=get, status=(200,), response=one, errors=READ_ERRORS),
        Operation(method="GET", path=f"{item}/details",
                  summary="Show a project's quotas with its usage", policy=get, status=(200,),
                  response=details, errors=READ_ERRORS),
        Operation(method="GET", path=f"{item}/details.json",
                  summary="Show a project's quotas with its usage (openstacksdk's path)",
                  policy=get, status=(200,), response=details, errors=READ_ERRORS),
    )  # fmt: skip


def _admin_or_member(ctx: RequestContext, name: str) -> None:
    """Anyone with a project may list: a member's list holds their own project only."""
    if not ctx.is_admin and ctx.project_id is None:
        raise faults.policy_refused(name)
