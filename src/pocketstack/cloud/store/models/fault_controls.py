"""The test controls' state (cloud/controls/): fault rules, the clock's offset and the driver's
delay. In the database, so that every worker of a served cloud sees the same rules, counts down
the same "fail N times", reads the same time and waits the same delay."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from pocketstack.cloud.store.base import Base, UTCDateTime


class FaultRule(Base):
    __tablename__ = "test_fault_rule"

    # Creation order: the first rule that matches a request is the one applied.
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    service: Mapped[str] = mapped_column(String(16))
    # None: any method, any path, any project.
    method: Mapped[str | None] = mapped_column(String(10), default=None)
    path: Mapped[str | None] = mapped_column(String(255), default=None)
    project_id: Mapped[str | None] = mapped_column(String(64), default=None)
    action: Mapped[str] = mapped_column(String(16))
    status: Mapped[int | None] = mapped_column(Integer, default=None)
    message: Mapped[str | None] = mapped_column(String(255), default=None)
    # Latency, or how long a server stays in BUILD.
    duration_ms: Mapped[int | None] = mapped_column(Integer, default=None)
    # Injections left (counted down by one conditional UPDATE); None: every match.
    remaining: Mapped[int | None] = mapped_column(Integer, default=None)
    injected: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class ClockOffset(Base):
    """One row (id 1, made by the migration): how far the cloud's time is ahead of real time, and
    the driver delay a test set (None: the configured one). One row, so that a request reads
    both at once."""

    __tablename__ = "test_clock"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    offset_us: Mapped[int] = mapped_column(BigInteger, default=0)
    driver_delay_ms: Mapped[int | None] = mapped_column(Integer, default=None)
