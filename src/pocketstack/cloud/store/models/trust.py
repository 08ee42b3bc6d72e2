"""Trusts (OS-TRUST): a trustor's delegation of some of their roles on one project to a trustee.

A trust goes with either of its users and with its project (ON DELETE CASCADE); the tokens it
issued die by revocation events, not by the cascade. `remaining_uses` counts down in place, one
conditional UPDATE per token, so two concurrent logins never both take the last use.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from pocketstack.cloud.store.base import Base, UTCDateTime
from pocketstack.cloud.store.models.identity import ID


class Trust(Base):
    __tablename__ = "trust"
    __table_args__ = (
        Index("ix_trust_trustor_user_id", "trustor_user_id"),
        Index("ix_trust_trustee_user_id", "trustee_user_id"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    trustor_user_id: Mapped[str] = mapped_column(ID, ForeignKey("user.id", ondelete="CASCADE"))
    trustee_user_id: Mapped[str] = mapped_column(ID, ForeignKey("user.id", ondelete="CASCADE"))
    project_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("project.id", ondelete="CASCADE"), default=None
    )
    impersonation: Mapped[bool] = mapped_column(Boolean)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    # None: unlimited.
    remaining_uses: Mapped[int | None] = mapped_column(Integer, default=None)
    # The trust this one was redelegated from; it goes with its parent.
    redelegated_trust_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("trust.id", ondelete="CASCADE"), default=None
    )
    redelegation_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class TrustRole(Base):
    __tablename__ = "trust_role"

    trust_id: Mapped[str] = mapped_column(
        ID, ForeignKey("trust.id", ondelete="CASCADE"), primary_key=True
    )
    role_id: Mapped[str] = mapped_column(
        ID, ForeignKey("role.id", ondelete="CASCADE"), primary_key=True
    )
