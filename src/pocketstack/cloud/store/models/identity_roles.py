"""Role inference rules, domain-specific roles and inherited (OS-INHERIT) grants.

A domain-specific role is a role row with a `role_domain` row naming its domain: the role table
keeps its shape, and a role without one is global. Inherited grants live apart from the direct
ones (identity.RoleAssignment) because they never hold on their own target, only on the
projects below it, and every reader of the direct grants must keep ignoring them.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from pocketstack.cloud.store.base import Base
from pocketstack.cloud.store.models.identity import ID


class ImpliedRole(Base):
    """Holding `prior_role_id` also gives `implied_role_id`; either role's deletion ends it."""

    __tablename__ = "implied_role"
    # Revocation walks the rules backwards, from an implied role to what implies it.
    __table_args__ = (Index("ix_implied_role_implied_role_id", "implied_role_id"),)

    prior_role_id: Mapped[str] = mapped_column(
        ID, ForeignKey("role.id", ondelete="CASCADE"), primary_key=True
    )
    implied_role_id: Mapped[str] = mapped_column(
        ID, ForeignKey("role.id", ondelete="CASCADE"), primary_key=True
    )


class RoleDomain(Base):
    """The domain a domain-specific role belongs to (no row: a global role)."""

    __tablename__ = "role_domain"
    __table_args__ = (Index("ix_role_domain_domain_id", "domain_id"),)

    role_id: Mapped[str] = mapped_column(
        ID, ForeignKey("role.id", ondelete="CASCADE"), primary_key=True
    )
    # No foreign key: a cascade from the domain would turn the role global.
    domain_id: Mapped[str] = mapped_column(ID)


class InheritedUserGrant(Base):
    """A role a user holds on every project below a domain or a project (`target_type`)."""

    __tablename__ = "inherited_user_grant"
    __table_args__ = (
        Index("ix_inherited_user_grant_target", "target_type", "target_id"),
        Index("ix_inherited_user_grant_user_id", "user_id"),
    )

    target_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    target_id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(
        ID, ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    role_id: Mapped[str] = mapped_column(
        ID, ForeignKey("role.id", ondelete="CASCADE"), primary_key=True
    )


class InheritedGroupGrant(Base):
    """As InheritedUserGrant, for each member of a group."""

    __tablename__ = "inherited_group_grant"
    __table_args__ = (
        Index("ix_inherited_group_grant_target", "target_type", "target_id"),
        Index("ix_inherited_group_grant_group_id", "group_id"),
    )

    target_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    target_id: Mapped[str] = mapped_column(ID, primary_key=True)
    group_id: Mapped[str] = mapped_column(
        ID, ForeignKey("group.id", ondelete="CASCADE"), primary_key=True
    )
    role_id: Mapped[str] = mapped_column(
        ID, ForeignKey("role.id", ondelete="CASCADE"), primary_key=True
    )
