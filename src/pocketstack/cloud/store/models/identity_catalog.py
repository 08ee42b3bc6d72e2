"""Keystone's catalog extras: endpoint groups and the endpoints and groups a project is limited
to (OS-EP-FILTER), policy blobs (/v3/policies), domain-specific configuration, and the
attributes of a user Keystone keeps beside the ones it knows (its `extra`), and a user's
resource options (`options`: the MFA rules among them).

Associations go with their project, endpoint or group (ON DELETE CASCADE), as Keystone drops
them when either side is deleted; a primary key on both sides makes a repeated PUT idempotent
without a check-then-insert race. A domain's configuration goes with its domain.
"""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pocketstack.cloud.store.base import Base
from pocketstack.cloud.store.models.identity import ID


class EndpointGroup(Base):
    __tablename__ = "endpoint_group"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text, default=None)
    # The endpoint attributes an endpoint must match, as a JSON object.
    filters: Mapped[str] = mapped_column(Text)


class ProjectEndpointGroup(Base):
    __tablename__ = "project_endpoint_group"
    __table_args__ = (Index("ix_project_endpoint_group_project_id", "project_id"),)

    endpoint_group_id: Mapped[str] = mapped_column(
        ID, ForeignKey("endpoint_group.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[str] = mapped_column(
        ID, ForeignKey("project.id", ondelete="CASCADE"), primary_key=True
    )


class ProjectEndpoint(Base):
    __tablename__ = "project_endpoint"
    __table_args__ = (Index("ix_project_endpoint_project_id", "project_id"),)

    endpoint_id: Mapped[str] = mapped_column(
        ID, ForeignKey("endpoint.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[str] = mapped_column(
        ID, ForeignKey("project.id", ondelete="CASCADE"), primary_key=True
    )


class Policy(Base):
    __tablename__ = "policy"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    type: Mapped[str] = mapped_column(String(255))
    blob: Mapped[str] = mapped_column(Text)
    # Attributes Keystone keeps beside type and blob, as a JSON object.
    extra: Mapped[str] = mapped_column(Text, default="{}")


class DomainConfigOption(Base):
    """One option of a domain's configuration; `sensitive` ones (a password) are never shown."""

    __tablename__ = "domain_config_option"

    domain_id: Mapped[str] = mapped_column(
        ID, ForeignKey("domain.id", ondelete="CASCADE"), primary_key=True
    )
    group_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    option_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    # The option's value as JSON (a string, a number, a list...).
    value: Mapped[str] = mapped_column(Text)
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)


class UserExtra(Base):
    """A user's other attributes (a `project_id`, say), as a JSON object; goes with the user."""

    __tablename__ = "user_extra"

    user_id: Mapped[str] = mapped_column(
        ID, ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    extra: Mapped[str] = mapped_column(Text)


class UserOption(Base):
    """One of a user's resource options (Keystone's user_option): its value as JSON, one row per
    option so that setting one never rewrites another; goes with the user."""

    __tablename__ = "user_option"

    user_id: Mapped[str] = mapped_column(
        ID, ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    option_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
