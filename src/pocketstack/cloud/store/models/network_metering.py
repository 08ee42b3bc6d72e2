"""The network service's metering labels and their rules (Neutron's metering extension: data
only, nothing counts traffic).

A rule belongs to its label and goes with it (ON DELETE CASCADE). Neutron refuses a rule whose
remote_ip_prefix overlaps another of the same label, direction and `excluded`: that check is
made under the label's row lock (network/metering_rules.py), since no constraint can express
an overlap of prefixes.
"""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from pocketstack.cloud.store.base import Base


class MeteringLabel(Base):
    __tablename__ = "metering_label"
    __table_args__ = (
        Index("ix_metering_label_project_id_id", "project_id", "id"),
        Index("ix_metering_label_name_id", "name", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str] = mapped_column(String(1024), default="")
    shared: Mapped[bool] = mapped_column(Boolean, default=False)


class MeteringLabelRule(Base):
    __tablename__ = "metering_label_rule"
    __table_args__ = (
        Index("ix_metering_label_rule_metering_label_id_id", "metering_label_id", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    metering_label_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("metering_label.id", ondelete="CASCADE")
    )
    direction: Mapped[str] = mapped_column(String(16))
    excluded: Mapped[bool] = mapped_column(Boolean, default=False)
    remote_ip_prefix: Mapped[str | None] = mapped_column(String(64), default=None)
    source_ip_prefix: Mapped[str | None] = mapped_column(String(64), default=None)
    destination_ip_prefix: Mapped[str | None] = mapped_column(String(64), default=None)
