"""`manage seed`: many servers across many projects, fast (executemany in batches).

Servers get a spread of states, names, flavors, images, tags, metadata and times, so that every
list filter and sort has something to find. Each seeded project gets a member user `demo<N>`
(password returned in the result) and the admin user gets the member role there too. With
`admin_project`, bootstrap's admin project takes its share as well (owned by the admin user), so
that the admin's own `list` (no --all-tenants) has servers to show.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
import secrets
import uuid
from collections.abc import Callable
from typing import Any, cast

import bcrypt
from sqlalchemy import Connection, Table, func, select, text
from sqlalchemy.orm import Session

from pocketstack.cloud.compute import driver, states
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import CloudError
from pocketstack.cloud.image.bootstrap import CIRROS_ID
from pocketstack.cloud.store.base import UTCDateTime
from pocketstack.cloud.store.models.compute import Flavor, Instance, InstanceMetadata, InstanceTag
from pocketstack.cloud.store.models.identity import Project, Role, RoleAssignment, User
from pocketstack.cloud.store.models.image import Image

BATCH = 5000
_INSTANCE = cast(Table, Instance.__table__)
_TAG = cast(Table, InstanceTag.__table__)
_METADATA = cast(Table, InstanceMetadata.__table__)
DEFAULT_DOMAIN = "default"
_WORDS = ("web", "db", "cache", "worker", "api", "batch", "edge", "queue", "search", "auth")
_TAGS = ("prod", "staging", "dev", "blue", "green", "canary", "gpu", "ssd")
# (vm_state, task_state, power_state, weight)
_STATES = (
    (states.ACTIVE, None, states.RUNNING, 70),
    (states.STOPPED, None, states.SHUTDOWN, 10),
    (states.BUILDING, states.SPAWNING, states.NOSTATE, 3),
    (states.ERROR, None, states.NOSTATE, 4),
    (states.PAUSED, None, states.POWER_PAUSED, 4),
    (states.SUSPENDED, None, states.SHUTDOWN, 4),
    (states.ACTIVE, states.REBOOTING, states.RUNNING, 2),
    (states.DELETED, None, states.NOSTATE, 3),
)


class SeedError(CloudError):
    pass


@dataclasses.dataclass(frozen=True)
class SeededProject:
    id: str
    name: str
    user_name: str
    password: str


@dataclasses.dataclass(frozen=True)
class SeedResult:
    servers: int
    projects: tuple[SeededProject, ...]


def _ensure_projects(deps: CloudDeps, count: int) -> tuple[SeededProject, ...]:
    rounds = deps.config.bcrypt_rounds
    result: list[SeededProject] = []
    user_ids: list[str] = []
    with deps.store.session(write=True) as session:
        roles = {r.name: r.id for r in session.scalars(select(Role))}
        if "member" not in roles:
            raise SeedError("the member role is missing: run bootstrap first")
        admin = session.scalars(
            select(User).where(User.name == "admin", User.domain_id == DEFAULT_DOMAIN)
        ).first()
        for n in range(1, count + 1):
            name = f"demo{n}"
            project = session.scalars(
                select(Project).where(Project.name == name, Project.domain_id == DEFAULT_DOMAIN)
            ).first()
            if project is None:
                project = Project(
                    id=uuid.uuid4().hex, name=name, domain_id=DEFAULT_DOMAIN, description="",
                    enabled=True,
                )  # fmt: skip
                session.add(project)
                session.flush()
            password = secrets.token_urlsafe(12)
            hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds)).decode()
            user = session.scalars(
                select(User).where(User.name == name, User.domain_id == DEFAULT_DOMAIN)
            ).first()
            if user is None:
                user = User(
                    id=uuid.uuid4().hex, name=name, domain_id=DEFAULT_DOMAIN,
                    password_hash=hashed, password_created_at=deps.clock.now(), enabled=True,
                    default_project_id=project.id,
                )  # fmt: skip
                session.add(user)
                session.flush()
            else:
                user.password_hash = hashed
                user.password_created_at = deps.clock.now()
            grants = [(user.id, roles["member"])]
            if admin is not None:
                grants.append((admin.id, roles["member"]))
            for user_id, role_id in grants:
                key = ("project", project.id, user_id, role_id)
                if session.get(RoleAssignment, key) is None:
                    session.add(
                        RoleAssignment(
                            target_type="project", target_id=project.id, user_id=user_id,
                            role_id=role_id,
                        )
                    )  # fmt: skip
            result.append(SeededProject(project.id, name, name, password))
            user_ids.append(user.id)
    # A changed password must kill the user's old tokens, as the identity API does.
    for user_id in user_ids:
        deps.tokens.revoke_user(user_id)
    return tuple(result)


# Besides bootstrap's cirros, so that image filters and image-name columns have a choice.
SEED_IMAGES = (
    ("8c3a2d0e-5b1f-4f0e-9a57-1d2c3b4a5e01", "ubuntu-24.04-server-cloudimg-amd64", "ubuntu"),
    ("8c3a2d0e-5b1f-4f0e-9a57-1d2c3b4a5e02", "fedora-cloud-41-x86_64", "fedora"),
    ("8c3a2d0e-5b1f-4f0e-9a57-1d2c3b4a5e03", "debian-12-genericcloud-amd64", "debian"),
)


def _ensure_images(deps: CloudDeps) -> None:
    now = deps.clock.now()
    with deps.store.session(write=True) as session:
        for image_id, name, distro in SEED_IMAGES:
            if session.get(Image, image_id) is not None:
                continue
            session.add(
                Image(
                    id=image_id, name=name, status="active", visibility="public",
                    protected=False, os_hidden=False, owner=None, container_format="bare",
                    disk_format="qcow2", size=None, virtual_size=None, checksum=None,
                    os_hash_algo=None, os_hash_value=None, min_disk=0, min_ram=0, tags="[]",
                    properties=json.dumps({"os_distro": distro}),
                    created_at=now, updated_at=now,
                )
            )  # fmt: skip


def _admin_owner(session: Session) -> tuple[str, str]:
    """(project id, user id) of bootstrap's admin project and user."""
    project_id = session.scalars(
        select(Project.id).where(Project.name == "admin", Project.domain_id == DEFAULT_DOMAIN)
    ).first()
    user_id = session.scalars(
        select(User.id).where(User.name == "admin", User.domain_id == DEFAULT_DOMAIN)
    ).first()
    if project_id is None or user_id is None:
        raise SeedError("the admin project or user is missing: run bootstrap first")
    return project_id, user_id


def seed(
    deps: CloudDeps,
    *,
    servers: int,
    projects: int,
    admin_project: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> SeedResult:
    """Adds `servers` servers spread over `projects` demo projects (created when missing),
    and over the admin project too with `admin_project`."""
    if servers < 0 or projects < 1:
        raise SeedError("servers must be >= 0 and projects >= 1")
    seeded = _ensure_projects(deps, projects)
    _ensure_images(deps)
    with deps.store.session() as session:
        flavors = list(session.scalars(select(Flavor).where(Flavor.disabled.is_(False))))
        images = list(session.scalars(select(Image).where(Image.status == "active")))
        # (project id, owning user id), one per project the servers are spread over.
        owners = [
            (p.id, session.scalars(select(User.id).where(User.name == p.user_name)).one())
            for p in seeded
        ]
        if admin_project:
            owners.insert(0, _admin_owner(session))
        start_id = (session.scalar(select(func.max(Instance.id))) or 0) + 1
    if not flavors:
        raise SeedError("no flavors: run bootstrap first")
    image_refs = [i.id for i in images] or [CIRROS_ID]
    # Repeatable for a given database state, and never the same ids as an earlier seeding.
    rng = random.Random(start_id)
    weights = [s[3] for s in _STATES]
    now = deps.clock.now()
    span = dt.timedelta(days=90)
    done = 0
    next_id = start_id
    while done < servers:
        count = min(BATCH, servers - done)
        rows: list[dict[str, Any]] = []
        tag_rows: list[dict[str, Any]] = []
        meta_rows: list[dict[str, Any]] = []
        for _ in range(count):
            seq = next_id
            next_id += 1
            project_id, user_id = owners[seq % len(owners)]
            flavor = flavors[seq % len(flavors)]
            vm_state, task_state, power_state, _w = rng.choices(_STATES, weights)[0]
            # Servers are created in order over the span, as in a real cloud: rows then sit in
            # the table in roughly the order the default listing reads them.
            created = now - span + span * ((done + len(rows) + rng.random()) / max(servers, 1))
            updated = min(now, created + dt.timedelta(hours=rng.random() * 48))
            deleted = vm_state == states.DELETED
            launched = None if vm_state == states.BUILDING else created + dt.timedelta(seconds=30)
            name = f"{rng.choice(_WORDS)}-{seq:06d}"
            addresses = [] if vm_state == states.BUILDING else driver.fixed_addresses(seq, rng=rng)
            host = driver.host_for(seq)
            rows.append(
                {
                    "id": seq, "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "project_id": project_id, "user_id": user_id,
                    "display_name": name, "display_description": f"seeded server {seq}",
                    "hostname": name, "reservation_id": f"r-{seq:08x}", "launch_index": 0,
                    "image_ref": image_refs[seq % len(image_refs)], "flavor_id": flavor.id,
                    "flavor_name": flavor.name, "vcpus": flavor.vcpus,
                    "memory_mb": flavor.memory_mb, "root_gb": flavor.root_gb,
                    "ephemeral_gb": flavor.ephemeral_gb, "swap": flavor.swap,
                    "flavor_extra_specs": flavor.extra_specs, "image_properties": "{}",
                    "vm_state": vm_state, "task_state": task_state, "power_state": power_state,
                    "progress": 0, "host": host, "node": host, "availability_zone": "nova",
                    "pinned_availability_zone": None,
                    "key_name": f"key-{seq % 7}" if seq % 3 else None, "config_drive": "",
                    "access_ip_v4": None, "access_ip_v6": None, "auto_disk_config": False,
                    "kernel_id": "", "ramdisk_id": "", "root_device_name": "/dev/vda",
                    "user_data": None, "locked": seq % 17 == 0,
                    "locked_by": "owner" if seq % 17 == 0 else None,
                    "locked_reason": "seeded" if seq % 17 == 0 else None,
                    "addresses": json.dumps(addresses),
                    "ip4": " ".join(str(a["addr"]) for a in addresses if a["version"] == 4),
                    "ip6": " ".join(str(a["addr"]) for a in addresses if a["version"] == 6),
                    "scheduler_hints": "{}",
                    "fault_code": 500 if vm_state == states.ERROR else None,
                    "fault_message": "No valid host was found." if vm_state == states.ERROR
                    else None,
                    "fault_details": None,
                    "fault_created_at": updated if vm_state == states.ERROR else None,
                    "created_at": created, "updated_at": updated, "launched_at": launched,
                    "terminated_at": updated if deleted else None,
                    "deleted_at": updated if deleted else None, "deleted": deleted,
                    "transition_due_at": None,
                }
            )  # fmt: skip
            for tag in rng.sample(_TAGS, rng.randrange(3)):
                tag_rows.append({"instance_id": seq, "tag": tag})
            if seq % 5 == 0:
                meta_rows.append({"instance_id": seq, "key": "role", "value": name.split("-")[0]})
        with deps.store.session(write=True) as session:
            conn = session.connection()
            _insert_many(conn, _INSTANCE, rows)
            if tag_rows:
                _insert_many(conn, _TAG, tag_rows)
            if meta_rows:
                _insert_many(conn, _METADATA, meta_rows)
        done += count
        if progress is not None:
            progress(done, servers)
    if servers:
        _analyze(deps)
    return SeedResult(servers=servers, projects=seeded)


def _insert_many(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """One executemany of rows already in the driver's own terms.

    Through insert(table), SQLAlchemy ran every value of every row through its type processors
    (UTC datetimes, SQLite's datetime text): about a third of the time of seeding a million
    servers on SQLite. The rows here hold every column (no Python-side defaults to fill in), and
    their values need only what those processors did to the datetimes.
    """
    names = list(rows[0])
    sqlite = conn.dialect.name == "sqlite"
    marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    quote = conn.dialect.identifier_preparer.quote
    statement = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
        f"VALUES ({', '.join([marker] * len(names))})"
    )
    dated = [i for i, name in enumerate(names) if isinstance(table.c[name].type, UTCDateTime)]
    values = []
    for row in rows:
        record = [row[name] for name in names]
        for i in dated:
            when = record[i]
            if when is not None:
                when = when.astimezone(dt.UTC).replace(tzinfo=None)
                # SQLAlchemy's SQLite storage format, which its reads and comparisons expect.
                record[i] = when.isoformat(sep=" ", timespec="microseconds") if sqlite else when
        values.append(tuple(record))
    conn.exec_driver_sql(statement, values)


def _analyze(deps: CloudDeps) -> None:
    """Refreshes the planner's statistics after a bulk load.

    Without them PostgreSQL guesses, and its guess for a page's tags (`instance_id IN (...)`) is
    a scan of the whole tag table: a page would then cost more the more servers there are. A
    server with autovacuum off (or not yet run) never gathers them on its own.
    """
    dialect = deps.store.engine.dialect.name
    with deps.store.session(write=True) as session:
        for table in (_INSTANCE, _TAG, _METADATA):
            if dialect == "mysql":
                session.execute(text(f"ANALYZE TABLE {table.name}"))
            else:
                session.execute(text(f"ANALYZE {table.name}"))
