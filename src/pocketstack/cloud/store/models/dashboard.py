"""The dashboard's server-side sessions: the browser holds only an opaque random cookie; the row
is found by the cookie's SHA-256, so a copy of the table cannot be replayed as cookies.

The tokens the session acts with are kept encrypted with the token keys (a copy of the table
is no set of live tokens either); the row lives no longer than its token (expires_at), and a
logout removes it after revoking the token.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pocketstack.cloud.store.base import Base, UTCDateTime
from pocketstack.cloud.store.models.identity import ID


class DashboardSession(Base):
    __tablename__ = "dashboard_session"
    __table_args__ = (Index("ix_dashboard_session_expires_at", "expires_at"),)

    cookie_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ID)
    user_name: Mapped[str] = mapped_column(String(255))
    domain_name: Mapped[str] = mapped_column(String(255))
    # The unscoped token switches projects; the scoped one makes every call.
    unscoped_token: Mapped[str] = mapped_column(Text)
    scoped_token: Mapped[str | None] = mapped_column(Text, default=None)
    project_id: Mapped[str | None] = mapped_column(ID, default=None)
    project_name: Mapped[str | None] = mapped_column(String(255), default=None)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    # The projects the switcher offers ([[id, name], ...] in JSON), read at login and at each
    # switch rather than on every page.
    projects: Mapped[str] = mapped_column(Text, default="[]")
    # Every form carries it; compared in constant time.
    csrf_token: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
