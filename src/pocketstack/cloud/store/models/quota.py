"""Quota tables: limits set per project (and per user inside a project), limits of quota classes,
and the rows a quota check locks so that counting and writing are one step.

Usage is never stored: it is counted from the rows themselves (live instances, key pairs...)
while the scope's lock row is held (compute/quotas.py explains why).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from pocketstack.cloud.store.base import Base

# Nova's own widths for project and user ids. With a 64-character resource name, the limit
# table's primary key stays within MariaDB's 3,072 bytes of index key in utf8mb4.
OWNER_ID = String(255)
RESOURCE = String(64)


class QuotaLimit(Base):
    """A limit set by an admin: for the whole project (user_id ''), or for one user in it."""

    __tablename__ = "quota_limit"

    project_id: Mapped[str] = mapped_column(OWNER_ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(OWNER_ID, primary_key=True)
    resource: Mapped[str] = mapped_column(RESOURCE, primary_key=True)
    # -1: unlimited.
    hard_limit: Mapped[int] = mapped_column(Integer)


class QuotaClassLimit(Base):
    """A limit of a quota class; the 'default' class overrides the built-in defaults."""

    __tablename__ = "quota_class_limit"

    class_name: Mapped[str] = mapped_column(OWNER_ID, primary_key=True)
    resource: Mapped[str] = mapped_column(RESOURCE, primary_key=True)
    hard_limit: Mapped[int] = mapped_column(Integer)


class QuotaLock(Base):
    """One row per scope whose usage is checked ('project:<id>', 'user:<id>', ...): a check
    takes the row's write lock before counting, so checks of one scope run one at a time."""

    __tablename__ = "quota_lock"

    scope: Mapped[str] = mapped_column(String(300), primary_key=True)
    # Bumped by every lock taken: an upsert that always changes the row locks it on every
    # backend, and the count shows how often a scope was checked.
    taken: Mapped[int] = mapped_column(BigInteger)
