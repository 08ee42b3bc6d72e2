"""First-run identity contents, idempotent: the Default domain, admin, roles, and the catalog.

Re-running keeps every id, resets the admin password only when it changed, and points the
endpoints at the current `public_url` (so moving the port moves the catalog). It is also the way
back in, as `keystone-manage bootstrap` is: whatever the admin needs to log in — the Default
domain, the admin project and user, the admin role and its grants — is made to exist and be
enabled again, and the admin's failed logins are forgotten.
"""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.identity.directory import SYSTEM_TARGET
from pocketstack.cloud.identity.passwords import PasswordHasher
from pocketstack.cloud.store.models.identity import (
    Domain,
    Endpoint,
    FailedLogin,
    Project,
    Region,
    Role,
    RoleAssignment,
    Service,
    User,
)

LOG = logging.getLogger(__name__)

DEFAULT_DOMAIN_ID = "default"
ADMIN = "admin"
# Keystone's bootstrap roles (2023.2+). There admin implies manager, manager member, member
# reader, and service implies none; this identity keeps no implied roles, so a token carries the
# roles granted and the checks read the chain into them (auth/context.py).
ROLES = ("admin", "manager", "member", "reader", "service")
INTERFACES = ("public", "internal", "admin")
# (type, name, path under public_url)
SERVICES = (
    ("identity", "keystone", "/identity"),
    ("compute", "nova", "/compute/v2.1"),
    ("image", "glance", "/image"),
    ("network", "neutron", "/networking"),
)


def _new_id() -> str:
    return uuid.uuid4().hex


def _domain(session: Session) -> Domain:
    domain = session.get(Domain, DEFAULT_DOMAIN_ID)
    if domain is None:
        domain = Domain(
            id=DEFAULT_DOMAIN_ID, name="Default", description="The default domain", enabled=True
        )
        session.add(domain)
        session.flush()
    elif not domain.enabled:
        # The admin lives here: a disabled Default domain would lock every admin out for good.
        domain.enabled = True
        LOG.warning("re-enabled the disabled domain %s: the admin user is in it", domain.id)
    return domain


def _project(session: Session) -> Project:
    project = session.execute(
        select(Project).where(Project.name == ADMIN, Project.domain_id == DEFAULT_DOMAIN_ID)
    ).scalar_one_or_none()
    if project is None:
        project = Project(
            id=_new_id(),
            name=ADMIN,
            domain_id=DEFAULT_DOMAIN_ID,
            description="Bootstrap project for initializing the cloud.",
            enabled=True,
        )
        session.add(project)
        session.flush()
    elif not project.enabled:
        project.enabled = True
        LOG.warning("re-enabled the disabled project %s (%s)", ADMIN, project.id)
    return project


def _user(session: Session, deps: CloudDeps, *, project: Project, password: str) -> User:
    hasher = PasswordHasher(rounds=deps.config.bcrypt_rounds)
    user = session.execute(
        select(User).where(User.name == ADMIN, User.domain_id == DEFAULT_DOMAIN_ID)
    ).scalar_one_or_none()
    if user is None:
        user = User(
            id=_new_id(),
            name=ADMIN,
            domain_id=DEFAULT_DOMAIN_ID,
            password_hash=hasher.hash(password),
            password_created_at=deps.clock.now(),
            enabled=True,
            default_project_id=project.id,
        )
        session.add(user)
        session.flush()
        return user
    if not hasher.verify(password, user.password_hash):
        user.password_hash = hasher.hash(password)
        user.password_created_at = deps.clock.now()
    if not user.enabled:
        user.enabled = True
        LOG.warning("re-enabled the disabled user %s (%s)", ADMIN, user.id)
    # A locked-out admin is a lock-out bootstrap exists to undo (it runs on every start).
    session.execute(delete(FailedLogin).where(FailedLogin.user_id == user.id))
    if user.default_project_id is None:
        user.default_project_id = project.id
    return user


def _roles(session: Session) -> dict[str, Role]:
    existing = {
        r.name: r for r in session.execute(select(Role).where(Role.name.in_(ROLES))).scalars()
    }
    for name in ROLES:
        if name not in existing:
            existing[name] = Role(id=_new_id(), name=name)
            session.add(existing[name])
    session.flush()
    return existing


def _grant(session: Session, *, target_type: str, target_id: str, user: User, role: Role) -> None:
    key = (target_type, target_id, user.id, role.id)
    if session.get(RoleAssignment, key) is None:
        session.add(
            RoleAssignment(
                target_type=target_type, target_id=target_id, user_id=user.id, role_id=role.id
            )
        )


def _catalog(session: Session, *, public_url: str, region_id: str) -> None:
    if session.get(Region, region_id) is None:
        session.add(Region(id=region_id, description=""))
        session.flush()
    base = public_url.rstrip("/")
    for service_type, name, path in SERVICES:
        service = (
            session.execute(
                select(Service).where(Service.type == service_type).order_by(Service.id)
            )
            .scalars()
            .first()
        )
        if service is None:
            service = Service(id=_new_id(), type=service_type, name=name, enabled=True)
            session.add(service)
            session.flush()
        endpoints = {
            ep.interface: ep
            for ep in session.execute(
                select(Endpoint).where(
                    Endpoint.service_id == service.id, Endpoint.region_id == region_id
                )
            ).scalars()
        }
        for interface in INTERFACES:
            endpoint = endpoints.get(interface)
            if endpoint is None:
                session.add(
                    Endpoint(
                        id=_new_id(),
                        service_id=service.id,
                        interface=interface,
                        region_id=region_id,
                        url=base + path,
                        enabled=True,
                    )
                )
            else:
                endpoint.url = base + path


def bootstrap_identity(deps: CloudDeps, *, admin_password: str) -> None:
    with deps.store.session(write=True) as session:
        _domain(session)
        project = _project(session)
        user = _user(session, deps, project=project, password=admin_password)
        roles = _roles(session)
        _grant(session, target_type="project", target_id=project.id, user=user, role=roles["admin"])
        _grant(
            session, target_type="system", target_id=SYSTEM_TARGET, user=user, role=roles["admin"]
        )
        _catalog(session, public_url=deps.config.public_url, region_id=deps.config.region)
