"""Key pairs in the store: found by owner and exact name, a page by name, deleted by name.

The module other parts of compute ask (a server's key_name: `has_keypair`); it imports nothing of
the API's, so any of them may import it.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from pocketstack.cloud.errors import BadRequest
from pocketstack.cloud.store.models.compute import KeyPair


def has_keypair(session: Session, *, user_id: str, name: str) -> bool:
    """Whether `user_id` has a key pair called `name` (exactly: case and spaces count)."""
    return find_keypair(session, user_id=user_id, name=name) is not None


def find_keypair(session: Session, *, user_id: str, name: str) -> KeyPair | None:
    if not _could_be_stored(name):
        return None
    return session.scalars(
        select(KeyPair).where(KeyPair.user_id == user_id, KeyPair.name == name)
    ).first()


def count_keypairs(session: Session, *, user_id: str) -> int:
    """The user's key pairs (their key_pairs quota's usage): an index range count."""
    counted = session.scalar(select(func.count()).where(KeyPair.user_id == user_id))
    return int(counted or 0)


def _could_be_stored(name: str) -> bool:
    # No stored name ends with a space (2.1 refuses one, the legacy API strips it), and MariaDB
    # compares "a " equal to "a": such a name must not find, page after or delete "a".
    return not name.endswith(" ")


def page_of_keypairs(
    session: Session, *, user_id: str, limit: int, marker: str | None
) -> Sequence[KeyPair]:
    """Up to `limit` of the user's key pairs by name, after `marker` (400 when it is none of
    theirs): a range of the (user_id, name) unique index."""
    stmt = select(KeyPair).where(KeyPair.user_id == user_id)
    if marker is not None:
        if find_keypair(session, user_id=user_id, name=marker) is None:
            raise BadRequest(f"Marker {marker} could not be found.")
        stmt = stmt.where(KeyPair.name > marker)
    return session.scalars(stmt.order_by(KeyPair.name).limit(limit)).all()


def delete_keypair(session: Session, *, user_id: str, name: str) -> bool:
    """Deletes the key pair in one statement; False when there was none."""
    if not _could_be_stored(name):
        return False
    result = session.execute(
        delete(KeyPair).where(KeyPair.user_id == user_id, KeyPair.name == name)
    )
    return bool(getattr(result, "rowcount", 0))
