"""Credentials (/v3/credentials) and project tags.

A credential's blob is kept only encrypted, with the primary key of the credential key
repository (identity/credential_keys.py); `key_hash` names that key, as Keystone's column does,
so a rotation can tell which rows still need the old key. A credential goes with its user and
its project (ON DELETE CASCADE).

A project's tags are one row each, unique per project: of two concurrent adds of one tag the
database keeps one. They go with their project.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pocketstack.cloud.store.base import Base
from pocketstack.cloud.store.models.identity import ID


class Credential(Base):
    __tablename__ = "credential"
    __table_args__ = (Index("ix_credential_user_id", "user_id"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ID, ForeignKey("user.id", ondelete="CASCADE"))
    project_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("project.id", ondelete="CASCADE"), default=None
    )
    type: Mapped[str] = mapped_column(String(255))
    encrypted_blob: Mapped[str] = mapped_column(Text)
    key_hash: Mapped[str] = mapped_column(String(64))


class ProjectTag(Base):
    __tablename__ = "project_tag"

    project_id: Mapped[str] = mapped_column(
        ID, ForeignKey("project.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(255), primary_key=True)
