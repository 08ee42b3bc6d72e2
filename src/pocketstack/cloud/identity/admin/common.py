"""Ids, lookups and conflicts shared by the admin resources, worded as Keystone's errors.

Bodies arrive validated and typed (identity/requests.py); what is left here is what only the
database can answer.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pocketstack.cloud.errors import Conflict, NotFound

T = TypeVar("T")


def new_id() -> str:
    return uuid.uuid4().hex


def get_or_404(session: Session, model: type[T], ident: str, kind: str) -> T:
    row = session.get(model, ident)
    if row is None:
        raise NotFound(f"Could not find {kind}: {ident}.")
    return row


@contextmanager
def conflicts(kind: str, detail: str) -> Iterator[None]:
    """Turn a unique-constraint failure at flush into Keystone's 409."""
    try:
        yield
    except IntegrityError:
        raise Conflict(f"Conflict occurred attempting to store {kind} - {detail}.") from None
