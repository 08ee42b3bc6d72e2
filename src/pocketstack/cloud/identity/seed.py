"""Identity's part of `manage seed`: demo projects, each with a member user, and the admin
user a member of each (compute's seeding spreads servers over them)."""

from __future__ import annotations

import dataclasses
import secrets
import uuid

import bcrypt
from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import CloudError
from pocketstack.cloud.store.models.identity import Project, Role, RoleAssignment, User

DEFAULT_DOMAIN = "default"


class IdentitySeedError(CloudError):
    """What seeding needs from bootstrap is missing."""


@dataclasses.dataclass(frozen=True)
class SeededProject:
    id: str
    name: str
    user_name: str
    user_id: str
    password: str


def ensure_demo_projects(deps: CloudDeps, count: int) -> tuple[SeededProject, ...]:
    """Projects demo1..demo<count>, each with its member user of the same name (created when
    missing, given a new password when not) and the admin user a member there too."""
    rounds = deps.config.bcrypt_rounds
    result: list[SeededProject] = []
    user_ids: list[str] = []
    with deps.store.session(write=True) as session:
        roles = {r.name: r.id for r in session.scalars(select(Role))}
        if "member" not in roles:
            raise IdentitySeedError("the member role is missing: run bootstrap first")
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
            result.append(SeededProject(project.id, name, name, user.id, password))
            user_ids.append(user.id)
    # A changed password must kill the user's old tokens, as the identity API does.
    for user_id in user_ids:
        deps.tokens.revoke_user(user_id)
    return tuple(result)


def admin_owner(deps: CloudDeps) -> tuple[str, str]:
    """(project id, user id) of bootstrap's admin project and user."""
    with deps.store.session() as session:
        return _admin_owner(session)


def _admin_owner(session: Session) -> tuple[str, str]:
    project_id = session.scalars(
        select(Project.id).where(Project.name == "admin", Project.domain_id == DEFAULT_DOMAIN)
    ).first()
    user_id = session.scalars(
        select(User.id).where(User.name == "admin", User.domain_id == DEFAULT_DOMAIN)
    ).first()
    if project_id is None or user_id is None:
        raise IdentitySeedError("the admin project or user is missing: run bootstrap first")
    return project_id, user_id
