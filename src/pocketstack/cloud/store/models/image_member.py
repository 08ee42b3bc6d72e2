"""Image members: the projects an image owner shares a `shared` image with (Glance v2).

A project is a member of an image at most once: the unique (image_id, member) pair makes a
second, concurrent add a refusal by the database, never a second row.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pocketstack.cloud.store.base import Base, UTCDateTime

MEMBER_STATUSES = ("pending", "accepted", "rejected")


class ImageMember(Base):
    __tablename__ = "image_member"
    __table_args__ = (
        UniqueConstraint("image_id", "member", name="uq_image_member_image_id_member"),
        # A project's shared images, for the image listing's membership filter.
        Index("ix_image_member_member_status", "member", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    image_id: Mapped[str] = mapped_column(String(36), ForeignKey("image.id", ondelete="CASCADE"))
    # The member project's id.
    member: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
