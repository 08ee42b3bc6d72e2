"""The metadata definitions catalog (Glance v2 /v2/metadefs): namespaces and what they hold
(objects, property definitions, tags, resource type associations), and the resource types.

A name is unique where Glance makes it so (a namespace in the catalog, an object, property or
tag within its namespace, a resource type), by a unique constraint: of two concurrent creates
the database refuses the second, which the API answers with a 409.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pocketstack.cloud.store.base import Base, UTCDateTime


class MetadefNamespace(Base):
    __tablename__ = "metadef_namespace"
    __table_args__ = (
        UniqueConstraint("namespace", name="uq_metadef_namespace_namespace"),
        Index("ix_metadef_namespace_owner", "owner"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    namespace: Mapped[str] = mapped_column(String(80))
    display_name: Mapped[str | None] = mapped_column(String(80), default=None)
    description: Mapped[str | None] = mapped_column(Text, default=None)
    visibility: Mapped[str] = mapped_column(String(32), default="private")
    protected: Mapped[bool] = mapped_column(Boolean, default=False)
    # A system-scoped admin's namespace may have no project to belong to.
    owner: Mapped[str | None] = mapped_column(String(255), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class MetadefObject(Base):
    __tablename__ = "metadef_object"
    __table_args__ = (
        UniqueConstraint("namespace_id", "name", name="uq_metadef_object_namespace_id_name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    namespace_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("metadef_namespace.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str | None] = mapped_column(Text, default=None)
    # JSON: the list of required property names (or null), the object of property definitions.
    required: Mapped[str] = mapped_column(Text, default="null")
    properties: Mapped[str] = mapped_column(Text, default="null")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class MetadefProperty(Base):
    __tablename__ = "metadef_property"
    __table_args__ = (
        UniqueConstraint("namespace_id", "name", name="uq_metadef_property_namespace_id_name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    namespace_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("metadef_namespace.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(80))
    # JSON: the property's definition (type, title, enum, ...) without its name.
    json_schema: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class MetadefTag(Base):
    __tablename__ = "metadef_tag"
    __table_args__ = (
        UniqueConstraint("namespace_id", "name", name="uq_metadef_tag_namespace_id_name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    namespace_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("metadef_namespace.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class MetadefResourceType(Base):
    __tablename__ = "metadef_resource_type"
    __table_args__ = (UniqueConstraint("name", name="uq_metadef_resource_type_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(80))
    # The seeded types; others are created by a first association naming them.
    protected: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class MetadefNamespaceResourceType(Base):
    __tablename__ = "metadef_association"
    __table_args__ = (Index("ix_metadef_association_namespace_id", "namespace_id"),)

    resource_type_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("metadef_resource_type.id"), primary_key=True
    )
    namespace_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("metadef_namespace.id", ondelete="CASCADE"), primary_key=True
    )
    properties_target: Mapped[str | None] = mapped_column(String(80), default=None)
    prefix: Mapped[str | None] = mapped_column(String(80), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
