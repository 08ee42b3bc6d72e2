"""Access rules of application credentials, one row per distinct rule of a user, and the rules
each credential uses; the rules credentials kept as JSON until now move there.

Revision ID: 0031_access_rules
Revises: 0030_ipam_hint
"""

from __future__ import annotations

import json
import uuid

import sqlalchemy as sa
from alembic import op

revision = "0031_access_rules"
down_revision = "0030_ipam_hint"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "access_rule",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(64), sa.ForeignKey("user.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("service", sa.String(64), nullable=False),
        sa.Column("path", sa.String(255), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.UniqueConstraint("user_id", "service", "path", "method",
                            name="uq_access_rule_user_id_service_path_method"),
    )  # fmt: skip
    op.create_table(
        "app_credential_access_rule",
        sa.Column("credential_id", sa.String(64),
                  sa.ForeignKey("application_credential.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("access_rule_id", sa.String(64), sa.ForeignKey("access_rule.id"),
                  primary_key=True),
    )  # fmt: skip
    _move_json_rules()


def _move_json_rules() -> None:
    """Each credential's JSON rules become rows (one per distinct rule of its user), and its
    JSON names them by their rows' ids."""
    conn = op.get_bind()
    creds = sa.table("application_credential", sa.column("id"), sa.column("user_id"),
                     sa.column("access_rules"))  # fmt: skip
    rules = sa.table("access_rule", sa.column("id"), sa.column("user_id"), sa.column("service"),
                     sa.column("path"), sa.column("method"))  # fmt: skip
    links = sa.table("app_credential_access_rule", sa.column("credential_id"),
                     sa.column("access_rule_id"))  # fmt: skip
    made: dict[tuple[str, str, str, str], str] = {}
    rows = conn.execute(sa.select(creds.c.id, creds.c.user_id, creds.c.access_rules)
                        .where(creds.c.access_rules.is_not(None))).all()  # fmt: skip
    for cred_id, user_id, text in rows:
        kept: list[dict[str, str]] = []
        for rule in json.loads(text) or []:
            key = (user_id, str(rule.get("service", "")), str(rule.get("path", "")),
                   str(rule.get("method", "")))  # fmt: skip
            if key not in made:
                made[key] = str(rule.get("id") or uuid.uuid4().hex)
                conn.execute(sa.insert(rules).values(id=made[key], user_id=user_id,
                             service=key[1], path=key[2], method=key[3]))  # fmt: skip
            if made[key] in [r["id"] for r in kept]:
                continue
            conn.execute(sa.insert(links).values(credential_id=cred_id,
                                                 access_rule_id=made[key]))  # fmt: skip
            kept.append({"id": made[key], "service": key[1], "path": key[2], "method": key[3]})
        conn.execute(sa.update(creds).where(creds.c.id == cred_id)
                     .values(access_rules=json.dumps(kept) if kept else None))  # fmt: skip


def downgrade() -> None:
    op.drop_table("app_credential_access_rule")
    op.drop_table("access_rule")
