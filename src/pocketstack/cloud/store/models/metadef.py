"""The metadata definitions catalog (Glance v2 /v2/metadefs): namespaces and what they hold
(objects, property definitions, tags, resource type associations), and the resource types.

A name is unique where Glance makes it so (a namespace in the catalog, an object, property or
tag within its namespace, a resource type), by a unique constraint: of two concurrent creates
the database refuses the second, which the API answers with a 409.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

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


class InNamespace:
    """What an object, a property definition and a tag each are: a row of one namespace, named
    uniquely within it (the migration's `_in_namespace`)."""

    __tablename__: str
    # sort_order puts these columns first, where the migration creates them, rather than after
    # the class's own.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True, sort_order=-1)
    namespace_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("metadef_namespace.id", ondelete="CASCADE"), sort_order=-1
    )
    name: Mapped[str] = mapped_column(String(80), sort_order=-1)

    @declared_attr.directive
    def __table_args__(cls) -> tuple[UniqueConstraint]:
        # Named in full: the naming convention would name it after its first column only.
        name = f"uq_{cls.__tablename__}_namespace_id_name"
        return (UniqueConstraint("namespace_id", "name", name=name),)


class MetadefObject(InNamespace, Base):
    __tablename__ = "metadef_object"

    description: Mapped[str | None] = mapped_column(Text, default=None)
    # JSON: the list of required property names (or null), the object of property definitions.
    required: Mapped[str] = mapped_column(Text, default="null")
    properties: Mapped[str] = mapped_column(Text, default="null")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class MetadefProperty(InNamespace, Base):
    __tablename__ = "metadef_property"

    # JSON: the property's definition (type, title, enum, ...) without its name.
    json_schema: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class MetadefTag(InNamespace, Base):
    __tablename__ = "metadef_tag"

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
