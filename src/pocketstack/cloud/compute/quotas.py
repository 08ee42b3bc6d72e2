"""Quota enforcement: the checks a write runs, in its own transaction, before what it counts.

Design: count under a per-scope row lock, in the writer's transaction.

- Every check of a scope (a project's servers and server groups, a user's key pairs, a server
  group's members) first upserts that scope's row in `quota_lock`, bumping its counter. The
  upsert writes the row, so it holds the row's write lock until the transaction ends, on
  PostgreSQL (INSERT .. ON CONFLICT DO UPDATE), MariaDB (INSERT .. ON DUPLICATE KEY UPDATE) and
  SQLite (which has one writer at a time anyway: the check must run in a `write=True` session,
  whose BEGIN IMMEDIATE takes the database's write lock up front). The row does not have to
  exist beforehand, so the first check of a new project is as safe as the thousandth.
- Holding the lock, the check reads the limits and counts the usage from the rows themselves
  (live instances...), then the caller writes its rows and commits, which releases the lock.
  Both server databases run READ COMMITTED, so each statement after the lock sees everything
  the previous holder committed: two creates of one project can never both count the same
  usage, and an admin lowering a limit (which takes the same lock to check it against usage)
  can never slip between a create's count and its insert.
- Deleting a server needs no call: once its row is marked deleted (in the delete's own
  transaction) it is no longer counted. Nothing is "reserved" and nothing can drift: a row
  written by any path (seeding, tests, a failed request rolled back) is counted exactly as it
  is. A counter updated with `used = used + n WHERE used + n <= limit` would be one statement
  cheaper, but would drift the moment anything writes instances without it, and would still
  need this lock to keep a concurrent limit change honest.

The cost is that one project's quota-checked writes run one at a time, each holding the lock
for one short transaction; counting is an index range scan of the project's live servers.

Callers: take the project's lock before any narrower one (a server group's), always in that
order, so two transactions never wait on each other's locks.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence

from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.orm import Session

from pocketstack.cloud.compute.quota_limits import (
    DEFAULT_CLASS,
    INSTANCE_RESOURCES,
    InstanceUsage,
    class_limits,
    instance_usage,
    limits_for,
    project_limits,
    server_group_count,
    unlimited,
    user_limits,
    user_set_limits,
)
from pocketstack.cloud.errors import Forbidden
from pocketstack.cloud.store.models.quota import QuotaLock


def project_scope(project_id: str) -> str:
    return f"project:{project_id}"


def lock(session: Session, scope: str) -> None:
    """Takes `scope`'s quota lock until `session`'s transaction ends (creating its row if new)."""
    conn = session.connection()
    dialect = conn.dialect.name
    if dialect == "sqlite" and not conn.get_execution_options().get("sqlite_write", False):
        # A deferred SQLite transaction would count, then fail to write ("database is locked")
        # under concurrency: a quota check belongs in a Store.session(write=True).
        raise RuntimeError("a quota check on SQLite needs a write session")
    values = {"scope": scope, "taken": 1}
    bump = {"taken": QuotaLock.taken + 1}
    if dialect == "postgresql":
        pg = postgresql.insert(QuotaLock).values(values)
        session.execute(pg.on_conflict_do_update(index_elements=[QuotaLock.scope], set_=bump))
    elif dialect in ("mysql", "mariadb"):
        my = mysql.insert(QuotaLock).values(values)
        session.execute(my.on_duplicate_key_update(bump))
    else:
        lite = sqlite.insert(QuotaLock).values(values)
        session.execute(lite.on_conflict_do_update(index_elements=[QuotaLock.scope], set_=bump))


def over_quota(
    resources: Sequence[str],
    requested: Sequence[object],
    used: Sequence[int],
    allowed: Sequence[int],
) -> Forbidden:
    """Nova's TooManyInstances wording, answered 403 as its servers API does."""

    def joined(values: Sequence[object]) -> str:
        return ", ".join(str(v) for v in values)

    names = joined(resources)
    return Forbidden(
        f"Quota exceeded for {names}: Requested {joined(requested)}, but already used"
        f" {joined(used)} of {joined(allowed)} {names}"
    )


@dataclasses.dataclass(frozen=True)
class _Scope:
    limits: dict[str, int]
    used: InstanceUsage


def _fits(scope: _Scope, per_server: dict[str, int]) -> float:
    """How many more servers of this size the scope holds (inf: no limit binds)."""
    room = math.inf
    used = scope.used.as_dict()
    for resource, each in per_server.items():
        limit = scope.limits[resource]
        if unlimited(limit) or each == 0:
            continue
        room = min(room, max(0, limit - used[resource]) // each)
    return room


def claim_instances(
    session: Session,
    *,
    project_id: str,
    user_id: str,
    vcpus: int,
    memory_mb: int,
    min_count: int = 1,
    max_count: int = 1,
) -> int:
    """How many servers of `vcpus`/`memory_mb` to create: `max_count` when they fit, else as
    many as fit if that is at least `min_count` (Nova's rule); 403 with Nova's message if not.

    Call in the write transaction that inserts the instance rows, before inserting them: the
    project's lock is held until that transaction commits or rolls back.
    """
    lock(session, project_scope(project_id))
    per_server = {"instances": 1, "cores": vcpus, "ram": memory_mb}
    project = project_limits(session, project_id)
    # As Nova: a user is counted on their own only when a limit was set for them.
    user_set = any(r in user_set_limits(session, project_id, user_id) for r in INSTANCE_RESOURCES)
    user = user_limits(session, project_id, user_id) if user_set else None
    scoped = [limits for limits in (project, user) if limits is not None]
    if all(unlimited(limits[r]) for limits in scoped for r in INSTANCE_RESOURCES):
        # Nothing to count against: a big project's create does not read all its servers.
        return max_count
    scopes = [_Scope(project, instance_usage(session, project_id))]
    if user is not None:
        scopes.append(_Scope(user, instance_usage(session, project_id, user_id)))
    room = min(_fits(scope, per_server) for scope in scopes)
    if room >= max_count:
        return max_count
    if room >= min_count:
        return int(room)
    requested = {
        "instances": str(max_count) if min_count == max_count else f"{min_count}-{max_count}",
        "cores": max_count * vcpus,
        "ram": max_count * memory_mb,
    }
    for scope in scopes:
        used = scope.used.as_dict()
        overs = [
            r
            for r in sorted(INSTANCE_RESOURCES)
            if not unlimited(scope.limits[r])
            and used[r] + max_count * per_server[r] > scope.limits[r]
        ]
        if overs:
            raise over_quota(
                overs,
                [requested[r] for r in overs],
                [used[r] for r in overs],
                [scope.limits[r] for r in overs],
            )
    # Unreachable: room < min_count <= max_count means some limit is exceeded.
    raise over_quota(["instances"], [requested["instances"]], [0], [0])


def check_upsize(
    session: Session, *, project_id: str, user_id: str, cores: int, ram: int
) -> None:
    """A resize that grows a server by `cores` and `ram` (what is not growing is 0): the
    growth against the project's (and a user's own) limits, as Nova checks an upsize; 403 with
    Nova's message when over. Call in the resize's write transaction."""
    deltas = {r: d for r, d in (("cores", cores), ("ram", ram)) if d > 0}
    if not deltas:
        return
    lock(session, project_scope(project_id))
    project = project_limits(session, project_id)
    scopes: list[tuple[dict[str, int], str | None]] = [(project, None)]
    if any(r in user_set_limits(session, project_id, user_id) for r in deltas):
        scopes.append((user_limits(session, project_id, user_id), user_id))
    for limits, user in scopes:
        if all(unlimited(limits[r]) for r in deltas):
            continue
        used = instance_usage(session, project_id, user).as_dict()
        overs = [r for r in sorted(deltas) if _over(limits[r], used[r] + deltas[r])]
        if overs:
            raise over_quota(
                overs, [deltas[r] for r in overs], [used[r] for r in overs],
                [limits[r] for r in overs],
            )  # fmt: skip


def _effective(session: Session, project_id: str | None, user_id: str | None) -> dict[str, int]:
    # A token without a project has only the defaults to go by.
    if project_id is None:
        return class_limits(session, DEFAULT_CLASS)
    return limits_for(session, project_id, user_id)


def _over(limit: int, value: int) -> bool:
    return not unlimited(limit) and value > limit


def check_metadata_items(
    session: Session, *, project_id: str | None, user_id: str | None, count: int
) -> None:
    """A server's metadata (all its items after the change) against metadata_items: 403 with
    Nova's message when over. A limit, not a usage: no lock is needed."""
    for limits in (_effective(session, project_id, None), _effective(session, project_id, user_id)):
        if _over(limits["metadata_items"], count):
            raise Forbidden(f"Maximum number of metadata items exceeds {limits['metadata_items']}")


def check_injected_files(
    session: Session,
    *,
    project_id: str | None,
    user_id: str | None,
    files: Sequence[tuple[str, bytes]],
) -> None:
    """Personality files (before 2.57) against their three limits, as Nova words each (403)."""
    if not files:
        return
    limits = _effective(session, project_id, user_id)
    if _over(limits["injected_files"], len(files)):
        raise Forbidden("Personality file limit exceeded")
    longest_path = max(len(path) for path, _ in files)
    if _over(limits["injected_file_path_bytes"], longest_path):
        raise Forbidden(
            f"Personality file path exceeds maximum {limits['injected_file_path_bytes']}"
        )
    biggest = max(len(content) for _, content in files)
    if _over(limits["injected_file_content_bytes"], biggest):
        raise Forbidden(
            f"Personality file content exceeds maximum {limits['injected_file_content_bytes']}"
        )


def _check_count(
    session: Session,
    *,
    scope: str,
    limit: Callable[[], int],
    count: Callable[[], int],
    requested: int,
    message: str,
) -> None:
    lock(session, scope)
    allowed = limit()
    if _over(allowed, count() + requested):
        raise Forbidden(message)


def check_key_pairs(
    session: Session,
    *,
    project_id: str | None,
    user_id: str,
    count: Callable[[], int],
    requested: int = 1,
) -> None:
    """Before inserting key pairs: `count()` (the user's key pairs, run under the user's lock)
    plus `requested` against key_pairs; 403 "Quota exceeded, too many key pairs." when over.
    Call in the write transaction of the insert."""
    _check_count(
        session,
        scope=f"user:{user_id}",
        limit=lambda: _effective(session, project_id, user_id)["key_pairs"],
        count=count,
        requested=requested,
        message="Quota exceeded, too many key pairs.",
    )


def check_server_groups(
    session: Session,
    *,
    project_id: str,
    count: Callable[[], int],
    requested: int = 1,
    user_id: str | None = None,
) -> None:
    """Before inserting a server group: the project's groups (`count()`, under the project's
    lock) plus `requested` against server_groups; with `user_id`, also the user's own groups
    against a server_groups limit set for that user, as Nova checks both; 403 when over."""
    message = "Quota exceeded, too many server groups."
    _check_count(
        session,
        scope=project_scope(project_id),
        limit=lambda: project_limits(session, project_id)["server_groups"],
        count=count,
        requested=requested,
        message=message,
    )
    if user_id is None:
        return
    own = user_set_limits(session, project_id, user_id).get("server_groups")
    if own is not None and _over(own, server_group_count(session, project_id, user_id) + requested):
        raise Forbidden(message)


def check_server_group_members(
    session: Session,
    *,
    project_id: str,
    user_id: str,
    group_id: str,
    count: Callable[[], int],
    requested: int = 1,
) -> None:
    """Before adding servers to a server group: its members (`count()`, under the group's lock)
    plus `requested` against server_group_members; 403 as Nova when over. In a server create,
    call it after claim_instances (project lock first, then the group's)."""
    _check_count(
        session,
        scope=f"server_group:{group_id}",
        limit=lambda: user_limits(session, project_id, user_id)["server_group_members"],
        count=count,
        requested=requested,
        message="Quota exceeded, too many servers in group",
    )
