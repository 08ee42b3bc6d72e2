"""Usage over a period (`os-simple-tenant-usage`) declared."""

from __future__ import annotations

from pocketstack.cloud.api.operation import JSON, Operation, Versioned
from pocketstack.cloud.api.shapes import INT, NSTR, STR, arr, obj, query, ref
from pocketstack.cloud.compute.api.common import ADMIN, READ_ERRORS, READER, rule

_PAGED = (2, 40)
NUMBER: JSON = {"type": "number", "minimum": 0}


def _server_usage() -> JSON:
    return obj(
        {
            "instance_id": STR, "name": STR, "tenant_id": STR, "flavor": STR, "hours": NUMBER,
            "memory_mb": INT, "local_gb": INT, "vcpus": INT, "started_at": STR,
            "ended_at": NSTR, "state": STR, "uptime": INT,
        },
        required=("instance_id", "name", "tenant_id", "flavor", "hours", "started_at",
                  "ended_at", "state", "uptime"),
        closed=True,
    )  # fmt: skip


def _usage(*, with_servers: bool) -> JSON:
    required = ("tenant_id", "start", "stop", "total_hours", "total_local_gb_usage",
                "total_memory_mb_usage", "total_vcpus_usage")  # fmt: skip
    return obj(
        {
            "tenant_id": STR, "start": STR, "stop": STR, "total_hours": NUMBER,
            "total_local_gb_usage": NUMBER, "total_memory_mb_usage": NUMBER,
            "total_vcpus_usage": NUMBER, "server_usages": arr(_server_usage()),
        },
        required=(*required, "server_usages") if with_servers else required,
        closed=True,
    )  # fmt: skip


def _versions(key: str, value: JSON, links: str) -> tuple[Versioned, ...]:
    before = obj({key: value}, required=(key,), closed=True)
    paged = obj({key: value, links: arr(ref("ComputeLink"))}, required=(key,), closed=True)
    return (Versioned(before, high=(2, 39)), Versioned(paged, low=_PAGED))


def operations() -> tuple[Operation, ...]:
    params = tuple(query(n) for n in ("start", "end", "detailed", "limit", "marker"))
    one = {"oneOf": [_usage(with_servers=True), obj({}, closed=True)]}
    return (
        Operation(method="GET", path="/os-simple-tenant-usage",
                  summary="Usage of every project over a period",
                  policy=rule("os-simple-tenant-usage:list", ADMIN), status=(200,),
                  response=_versions("tenant_usages", arr(_usage(with_servers=False)),
                                     "tenant_usages_links"),
                  parameters=params, errors=READ_ERRORS),
        Operation(method="GET", path="/os-simple-tenant-usage/{tenant_id}",
                  summary="Usage of one project over a period, server by server",
                  policy=rule("os-simple-tenant-usage:show", READER), status=(200,),
                  response=_versions("tenant_usage", one, "tenant_usage_links"),
                  parameters=params, errors=READ_ERRORS),
    )  # fmt: skip
