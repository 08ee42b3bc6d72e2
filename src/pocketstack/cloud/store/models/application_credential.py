"""Application credentials: a user's delegation of some of their roles on one project to an
application, which authenticates with the credential's id (or name) and secret.

Names are unique per user: of two concurrent creates with one name the database keeps one, and
the other is a 409. The secret is kept only as its bcrypt hash. A credential goes with its user
and its project (ON DELETE CASCADE); a deleted role leaves the credentials that named it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pocketstack.cloud.store.base import Base, UTCDateTime
from pocketstack.cloud.store.models.identity import ID


class ApplicationCredential(Base):
    __tablename__ = "application_credential"
    __table_args__ = (
        UniqueConstraint("user_id", "name", name="uq_application_credential_user_id_name"),
        # A user's credentials on a project, for what a lost role assignment takes away.
        Index("ix_application_credential_project_id", "project_id"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[str] = mapped_column(ID, ForeignKey("user.id", ondelete="CASCADE"))
    project_id: Mapped[str] = mapped_column(ID, ForeignKey("project.id", ondelete="CASCADE"))
    secret_hash: Mapped[str] = mapped_column(String(128))
    description: Mapped[str | None] = mapped_column(Text, default=None)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    unrestricted: Mapped[bool] = mapped_column(Boolean, default=False)
    # The access rules as given (a JSON list), or None: none were given.
    access_rules: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class ApplicationCredentialRole(Base):
    __tablename__ = "app_credential_role"

    credential_id: Mapped[str] = mapped_column(
        ID, ForeignKey("application_credential.id", ondelete="CASCADE"), primary_key=True
    )
    role_id: Mapped[str] = mapped_column(
        ID, ForeignKey("role.id", ondelete="CASCADE"), primary_key=True
    )


class AccessRule(Base):
    """What a restricted credential may call: one service, one method, a path pattern. A
    user's rules are shared by their credentials (one row per distinct rule, by constraint),
    and listed, shown and deleted on their own, as Keystone's are."""

    __tablename__ = "access_rule"
    __table_args__ = (
        UniqueConstraint("user_id", "service", "path", "method",
                         name="uq_access_rule_user_id_service_path_method"),
    )  # fmt: skip

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ID, ForeignKey("user.id", ondelete="CASCADE"))
    service: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(255))
    method: Mapped[str] = mapped_column(String(16))


class AppCredentialAccessRule(Base):
    """A credential's rules. No cascade from the rule: one a credential uses cannot go (403)."""

    __tablename__ = "app_credential_access_rule"

    credential_id: Mapped[str] = mapped_column(
        ID, ForeignKey("application_credential.id", ondelete="CASCADE"), primary_key=True
    )
    access_rule_id: Mapped[str] = mapped_column(
        ID, ForeignKey("access_rule.id"), primary_key=True
    )
