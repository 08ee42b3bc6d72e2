"""Image table (the Glance v2 subset): metadata only, no image data is ever stored."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pocketstack.cloud.store.base import Base, UTCDateTime


class Image(Base):
    __tablename__ = "image"
    __table_args__ = (Index("ix_image_created", "created_at", "id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(255), default=None, index=True)
    status: Mapped[str] = mapped_column(String(30))
    visibility: Mapped[str] = mapped_column(String(20), default="shared")
    protected: Mapped[bool] = mapped_column(Boolean, default=False)
    os_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    owner: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    container_format: Mapped[str | None] = mapped_column(String(32), default=None)
    disk_format: Mapped[str | None] = mapped_column(String(32), default=None)
    size: Mapped[int | None] = mapped_column(BigInteger, default=None)
    virtual_size: Mapped[int | None] = mapped_column(BigInteger, default=None)
    checksum: Mapped[str | None] = mapped_column(String(32), default=None)
    os_hash_algo: Mapped[str | None] = mapped_column(String(64), default=None)
    os_hash_value: Mapped[str | None] = mapped_column(String(128), default=None)
    min_disk: Mapped[int] = mapped_column(Integer, default=0)
    min_ram: Mapped[int] = mapped_column(Integer, default=0)
    # JSON list of strings, and JSON object of the free-form properties.
    tags: Mapped[str] = mapped_column(Text, default="[]")
    properties: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class ImageTombstone(Base):
    """The id of an image that was deleted. Glance keeps its deleted rows, so an id is never
    taken twice: a new image under an old id could pass for the old one to those who trusted
    it (OSSN-0075). Only the id and when it went are kept."""

    __tablename__ = "image_tombstone"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    deleted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
