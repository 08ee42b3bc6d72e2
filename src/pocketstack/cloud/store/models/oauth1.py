"""OS-OAUTH1: consumers, the request tokens they ask for and the access tokens a user's
authorization turns those into.

HMAC-SHA1 signatures need each secret itself, not a hash of it, so the consumer's and the
tokens' secrets are kept encrypted with the credential keys (identity/credential_keys.py), never
in clear. A verifier is only ever compared, so only its SHA-256 is kept. Tokens go with their
consumer, their user and their project (ON DELETE CASCADE); the Keystone tokens an access token
issued die by revocation events, not by the cascade. The delegated roles are a JSON list of
role ids, as Keystone keeps them: a role deleted since is dropped when the list is read.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pocketstack.cloud.store.base import Base, UTCDateTime
from pocketstack.cloud.store.models.identity import ID


class OAuthConsumer(Base):
    __tablename__ = "oauth_consumer"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    description: Mapped[str | None] = mapped_column(Text, default=None)
    secret_encrypted: Mapped[str] = mapped_column(Text)
    # Attributes beyond the description, kept and shown as Keystone keeps them (a JSON object).
    extra: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class OAuthRequestToken(Base):
    __tablename__ = "oauth_request_token"
    __table_args__ = (Index("ix_oauth_request_token_consumer_id", "consumer_id"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    secret_encrypted: Mapped[str] = mapped_column(Text)
    consumer_id: Mapped[str] = mapped_column(
        ID, ForeignKey("oauth_consumer.id", ondelete="CASCADE")
    )
    requested_project_id: Mapped[str] = mapped_column(
        ID, ForeignKey("project.id", ondelete="CASCADE")
    )
    # Set together when a user authorizes the token.
    authorizing_user_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("user.id", ondelete="CASCADE"), default=None
    )
    verifier_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    role_ids: Mapped[str | None] = mapped_column(Text, default=None)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)


class OAuthNonce(Base):
    """The nonces of a consumer's signed requests that passed, while their timestamps are
    within oauthlib's window: a request replayed in that window is refused (Keystone keeps no
    nonces, so it would take a replay)."""

    __tablename__ = "oauth_nonce"
    __table_args__ = (Index("ix_oauth_nonce_seen_at", "seen_at"),)

    consumer_id: Mapped[str] = mapped_column(
        ID, ForeignKey("oauth_consumer.id", ondelete="CASCADE"), primary_key=True
    )
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    timestamp: Mapped[str] = mapped_column(String(10), primary_key=True)
    seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class OAuthAccessToken(Base):
    __tablename__ = "oauth_access_token"
    __table_args__ = (
        Index("ix_oauth_access_token_authorizing_user_id", "authorizing_user_id"),
        Index("ix_oauth_access_token_consumer_id", "consumer_id"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    secret_encrypted: Mapped[str] = mapped_column(Text)
    consumer_id: Mapped[str] = mapped_column(
        ID, ForeignKey("oauth_consumer.id", ondelete="CASCADE")
    )
    authorizing_user_id: Mapped[str] = mapped_column(ID, ForeignKey("user.id", ondelete="CASCADE"))
    project_id: Mapped[str] = mapped_column(ID, ForeignKey("project.id", ondelete="CASCADE"))
    role_ids: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
