"""The migrations (os-migrations) and a server's live migrations (servers/{id}/migrations)
declared, with Nova's defaults: a project manager lists, forces and aborts; only an admin shows
one, lists every project's or sees the hosts (checked in the responder, compute/migrations.py)."""

from __future__ import annotations

from pocketstack.cloud.api.operation import JSON, Microversion, Operation, Versioned
from pocketstack.cloud.api.shapes import INT, NSTR, STR, arr, obj, query, ref
from pocketstack.cloud.compute.api.common import (
    ADMIN,
    MANAGER,
    READ_ERRORS,
    WRITE_ERRORS,
    rule,
)

_NINT: JSON = {"type": ["integer", "null"]}
_ENDS: JSON = {name: NSTR for name in ("dest_compute", "dest_host", "dest_node", "source_compute",
                                       "source_node")}  # fmt: skip
_BYTES = ("disk_processed_bytes", "disk_remaining_bytes", "disk_total_bytes",
          "memory_processed_bytes", "memory_remaining_bytes", "memory_total_bytes")  # fmt: skip
_LIST_QUERY = (
    "hidden", "host", "instance_uuid", "source_compute", "status", "migration_type", "limit",
    "marker", "changes-since", "changes-before", "user_id", "project_id",
)  # fmt: skip
# The versions where a migration's view changes: 2.23 (type, links), 2.59 (uuid, paging),
# 2.80 (user and project).
_BANDS: tuple[tuple[Microversion | None, Microversion | None], ...] = (
    (None, (2, 22)), ((2, 23), (2, 58)), ((2, 59), (2, 79)), ((2, 80), None),
)  # fmt: skip


def _common(low: Microversion | None) -> JSON:
    fields: JSON = {"created_at": STR, **_ENDS, "id": INT, "status": STR, "updated_at": STR}
    if low is not None and low >= (2, 59):
        fields["uuid"] = STR
    if low is not None and low >= (2, 80):
        fields["user_id"] = STR
        fields["project_id"] = STR
    return fields


def _listed(low: Microversion | None) -> JSON:
    fields = _common(low)
    fields |= {"instance_uuid": STR, "old_instance_type_id": _NINT, "new_instance_type_id": _NINT}
    required = tuple(fields)
    if low is not None and low >= (2, 23):
        fields["migration_type"] = STR
        required += ("migration_type",)
        # Only an in-progress live migration has links.
        fields["links"] = arr(ref("ComputeLink"))
    return obj(fields, required=required, closed=True)


def _of_server(low: Microversion | None) -> JSON:
    fields = _common(low) | {"server_uuid": STR} | {name: _NINT for name in _BYTES}
    return obj(fields, closed=True)


def _listing() -> tuple[Versioned, ...]:
    bands = []
    for low, high in _BANDS:
        body: JSON = {"migrations": arr(_listed(low))}
        if low is not None and low >= (2, 59):
            body["migrations_links"] = arr(ref("ComputeLink"))
        bands.append(Versioned(obj(body, required=("migrations",), closed=True), low, high))
    return tuple(bands)


def _server_views(key: str, *, many: bool) -> tuple[Versioned, ...]:
    return tuple(
        Versioned(
            obj({key: arr(_of_server(low)) if many else _of_server(low)}, closed=True), low, high
        )
        for low, high in _BANDS[1:]
    )


FORCE_COMPLETE = (
    Versioned(obj({"force_complete": {"type": "null"}}, closed=True), (2, 22)),
)  # fmt: skip
_ITEM = "/servers/{server_id}/migrations/{migration_id}"


def operations() -> tuple[Operation, ...]:
    return (
        Operation(method="GET", path="/os-migrations",
                  summary="List migrations (paged from 2.59); another project's or every"
                  " project's, and the hosts, for admins only",
                  policy=rule("os-migrations:index", MANAGER), status=(200,),
                  response=_listing(), errors=READ_ERRORS,
                  parameters=tuple(query(n) for n in _LIST_QUERY)),
        Operation(method="GET", path="/servers/{server_id}/migrations",
                  summary="List a server's live migrations in progress (hosts for admins)",
                  policy=rule("servers:migrations:index", MANAGER), status=(200,),
                  response=_server_views("migrations", many=True), errors=READ_ERRORS,
                  since=(2, 23)),
        Operation(method="GET", path=_ITEM,
                  summary="Show a server's live migration in progress",
                  policy=rule("servers:migrations:show", ADMIN), status=(200,),
                  response=_server_views("migration", many=False), errors=READ_ERRORS,
                  since=(2, 23)),
        Operation(method="DELETE", path=_ITEM,
                  summary="Abort a live migration in progress (queued or preparing too from"
                  " 2.65)",
                  policy=rule("servers:migrations:delete", MANAGER), status=(202,),
                  errors=WRITE_ERRORS, since=(2, 24)),
        Operation(method="POST", path=f"{_ITEM}/action",
                  summary="Force a running live migration to complete (force_complete)",
                  policy=rule("servers:migrations:force_complete", MANAGER), status=(202,),
                  request=FORCE_COMPLETE, errors=WRITE_ERRORS, since=(2, 22)),
    )  # fmt: skip
