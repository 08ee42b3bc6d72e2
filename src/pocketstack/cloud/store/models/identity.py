"""Identity tables: who exists, where they may act, and which tokens were revoked."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from pocketstack.cloud.store.base import Base, UTCDateTime

ID = String(64)


class Domain(Base):
    __tablename__ = "domain"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class Project(Base):
    __tablename__ = "project"
    __table_args__ = (UniqueConstraint("domain_id", "name", name="uq_project_domain_id_name"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    domain_id: Mapped[str] = mapped_column(ID, ForeignKey("domain.id"))
    description: Mapped[str] = mapped_column(Text, default="")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    parent_id: Mapped[str | None] = mapped_column(ID, ForeignKey("project.id"), default=None)


class User(Base):
    __tablename__ = "user"
    __table_args__ = (UniqueConstraint("domain_id", "name", name="uq_user_domain_id_name"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    domain_id: Mapped[str] = mapped_column(ID, ForeignKey("domain.id"))
    # bcrypt hash; None for a user who cannot log in with a password.
    password_hash: Mapped[str | None] = mapped_column(String(128), default=None)
    password_created_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    default_project_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("project.id", ondelete="SET NULL"), default=None
    )
    email: Mapped[str | None] = mapped_column(String(255), default=None)
    description: Mapped[str | None] = mapped_column(Text, default=None)


class Role(Base):
    __tablename__ = "role"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    description: Mapped[str | None] = mapped_column(Text, default=None)


class RoleAssignment(Base):
    """A role granted to a user on a project, a domain or the system."""

    __tablename__ = "role_assignment"
    __table_args__ = (Index("ix_role_assignment_target", "target_type", "target_id"),)

    # "project", "domain" or "system" (target_id "all").
    target_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    target_id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(
        ID, ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    role_id: Mapped[str] = mapped_column(
        ID, ForeignKey("role.id", ondelete="CASCADE"), primary_key=True
    )


class Group(Base):
    """A group of users: roles granted to it hold for each of its members."""

    __tablename__ = "group"
    __table_args__ = (UniqueConstraint("domain_id", "name", name="uq_group_domain_id_name"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    # Keystone's column is 64 long (its schema takes 255 and the database refuses the rest).
    name: Mapped[str] = mapped_column(String(64))
    domain_id: Mapped[str] = mapped_column(ID, ForeignKey("domain.id"))
    description: Mapped[str] = mapped_column(Text, default="")


class UserGroupMembership(Base):
    __tablename__ = "user_group_membership"
    # Listing a user's groups (and their roles at token time) starts from the user.
    __table_args__ = (Index("ix_user_group_membership_user_id", "user_id"),)

    group_id: Mapped[str] = mapped_column(
        ID, ForeignKey("group.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(
        ID, ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )


class GroupRoleAssignment(Base):
    """A role granted to a group on a project, a domain or the system (as RoleAssignment)."""

    __tablename__ = "group_role_assignment"
    __table_args__ = (
        Index("ix_group_role_assignment_target", "target_type", "target_id"),
        Index("ix_group_role_assignment_group_id", "group_id"),
    )

    target_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    target_id: Mapped[str] = mapped_column(ID, primary_key=True)
    group_id: Mapped[str] = mapped_column(
        ID, ForeignKey("group.id", ondelete="CASCADE"), primary_key=True
    )
    role_id: Mapped[str] = mapped_column(
        ID, ForeignKey("role.id", ondelete="CASCADE"), primary_key=True
    )


class Region(Base):
    __tablename__ = "region"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    description: Mapped[str] = mapped_column(Text, default="")
    parent_region_id: Mapped[str | None] = mapped_column(
        String(255), ForeignKey("region.id"), default=None
    )


class Service(Base):
    __tablename__ = "service"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    type: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class Endpoint(Base):
    __tablename__ = "endpoint"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    service_id: Mapped[str] = mapped_column(ID, ForeignKey("service.id", ondelete="CASCADE"))
    # "public", "internal" or "admin".
    interface: Mapped[str] = mapped_column(String(8))
    region_id: Mapped[str | None] = mapped_column(
        String(255), ForeignKey("region.id"), default=None
    )
    url: Mapped[str] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class RevocationEvent(Base):
    """Kills the tokens issued before a time that match every field it sets.

    One token by audit id; all of a user's; all scoped to a project, a domain or the system
    (`project_id`, `domain_id`, `system`), of every user or, with `user_id` set, of that user only.
    """

    __tablename__ = "revocation_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    audit_id: Mapped[str | None] = mapped_column(String(32), index=True, default=None)
    user_id: Mapped[str | None] = mapped_column(ID, index=True, default=None)
    project_id: Mapped[str | None] = mapped_column(ID, index=True, default=None)
    domain_id: Mapped[str | None] = mapped_column(ID, index=True, default=None)
    system: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    issued_before: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)


class FailedLogin(Base):
    """Consecutive failed password checks, for the optional lockout."""

    __tablename__ = "failed_login"

    user_id: Mapped[str] = mapped_column(
        ID, ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    count: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class PasswordHistory(Base):
    """A user's earlier password hashes (the current one is on the user), newest last, kept
    only as many as `unique_last_password_count` needs."""

    __tablename__ = "password_history"
    __table_args__ = (Index("ix_password_history_user_id_seq", "user_id", "seq"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(ID, ForeignKey("user.id", ondelete="CASCADE"))
    password_hash: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
