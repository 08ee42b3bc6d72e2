"""OS-OAUTH1: consumers, request tokens and access tokens.

Revision ID: 0035_oauth1
Revises: 0034_totp
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pocketstack.cloud.store.base import UTCDateTime

revision = "0035_oauth1"
down_revision = "0034_totp"
branch_labels = None
depends_on = None

ID = sa.String(64)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "oauth_consumer",
        sa.Column("id", ID, nullable=False),
        sa.Column("description", sa.Text, nullable=True),
        sa.Column("secret_encrypted", sa.Text, nullable=False),
        sa.Column("extra", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_oauth_consumer"),
    )
    op.create_table(
        "oauth_request_token",
        sa.Column("id", ID, nullable=False),
        sa.Column("secret_encrypted", sa.Text, nullable=False),
        sa.Column("consumer_id", ID, nullable=False),
        sa.Column("requested_project_id", ID, nullable=False),
        sa.Column("authorizing_user_id", ID, nullable=True),
        sa.Column("verifier_hash", sa.String(64), nullable=True),
        sa.Column("role_ids", sa.Text, nullable=True),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_oauth_request_token"),
        _fk("oauth_request_token", "consumer_id", "oauth_consumer"),
        _fk("oauth_request_token", "requested_project_id", "project"),
        _fk("oauth_request_token", "authorizing_user_id", "user"),
    )
    op.create_index("ix_oauth_request_token_consumer_id", "oauth_request_token", ["consumer_id"])
    op.create_table(
        "oauth_access_token",
        sa.Column("id", ID, nullable=False),
        sa.Column("secret_encrypted", sa.Text, nullable=False),
        sa.Column("consumer_id", ID, nullable=False),
        sa.Column("authorizing_user_id", ID, nullable=False),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("role_ids", sa.Text, nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_oauth_access_token"),
        _fk("oauth_access_token", "consumer_id", "oauth_consumer"),
        _fk("oauth_access_token", "authorizing_user_id", "user"),
        _fk("oauth_access_token", "project_id", "project"),
    )
    op.create_index(
        "ix_oauth_access_token_authorizing_user_id", "oauth_access_token",
        ["authorizing_user_id"],
    )  # fmt: skip
    op.create_index("ix_oauth_access_token_consumer_id", "oauth_access_token", ["consumer_id"])
    op.create_table(
        "oauth_nonce",
        sa.Column("consumer_id", ID, nullable=False),
        sa.Column("nonce", sa.String(64), nullable=False),
        sa.Column("timestamp", sa.String(10), nullable=False),
        sa.Column("seen_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("consumer_id", "nonce", "timestamp", name="pk_oauth_nonce"),
        _fk("oauth_nonce", "consumer_id", "oauth_consumer"),
    )
    op.create_index("ix_oauth_nonce_seen_at", "oauth_nonce", ["seen_at"])


def downgrade() -> None:
    # Each index goes with its table (MariaDB refuses to drop one a foreign key needs).
    op.drop_table("oauth_nonce")
    op.drop_table("oauth_access_token")
    op.drop_table("oauth_request_token")
    op.drop_table("oauth_consumer")
