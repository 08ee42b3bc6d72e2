"""`/os-keypairs`: a user's key pairs, listed by name a page at a time, imported or generated,
shown and deleted; an admin may name another user (2.10).

Names are unique per user by the table's constraint: a concurrent create of the same name is a
409, never a second row. Other parts of compute ask keypair_db.py (a server's key_name).
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from typing import Any

import falcon
from sqlalchemy.exc import IntegrityError

from pocketstack.cloud.api.operation import Rule
from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.compute import keys, quotas
from pocketstack.cloud.compute.api.keypairs import CREATE, DELETE, INDEX, SHOW, NewKeypair
from pocketstack.cloud.compute.keypair_db import (
    count_keypairs,
    delete_keypair,
    find_keypair,
    page_of_keypairs,
)
from pocketstack.cloud.compute.listing import MAX_LIMIT
from pocketstack.cloud.compute.microversion import ApiVersion
from pocketstack.cloud.compute.routing import auth_of, next_link, refuse_unknown_params, version_of
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import BadRequest, Conflict, Forbidden, NotFound
from pocketstack.cloud.inputs import decimal, too_big_for_text
from pocketstack.cloud.store.models.compute import KeyPair

COLLECTION = "os-keypairs"
# Nova's datetimes in a key pair's show (oslo's format: microseconds, no zone).
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"


def _authorize(ctx: RequestContext, rule: Rule, user_id: str) -> None:
    """Nova's default, `admin or user_id:%(user_id)s`, for the project-scoped tokens only."""
    if ctx.project_id is None or (user_id != ctx.user_id and not ctx.is_admin):
        raise Forbidden(f"Policy doesn't allow {rule.name} to be performed.")


def _query(req: falcon.Request, api: ApiVersion, allowed: tuple[str, ...]) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for key, value in urllib.parse.parse_qsl(req.query_string, keep_blank_values=True):
        params.setdefault(key, []).append(value)
    if api.at_least("2.75"):
        refuse_unknown_params(params, allowed)
    return params


def _target(ctx: RequestContext, api: ApiVersion, params: dict[str, list[str]]) -> str:
    """Whose key pairs: the `user_id` query (its first value, from 2.10), else the caller's."""
    named = params.get("user_id", [""])[0] if api.at_least("2.10") else ""
    return named or ctx.user_id


def _limit(values: list[str]) -> int:
    for value in values:
        if value == "":
            raise BadRequest(
                f"Invalid input for query parameters limit. Value: . '{value}' is too short"
            )
        if decimal(value, cap=MAX_LIMIT) is None:
            raise BadRequest(
                f"Invalid input for query parameters limit. Value: {value}. '{value}' does not"
                " match '^[0-9]*$'"
            )
    number = decimal(values[-1], cap=MAX_LIMIT)
    return MAX_LIMIT if number is None else number


def _listed(row: KeyPair, api: ApiVersion) -> dict[str, Any]:
    view: dict[str, Any] = {
        "name": row.name,
        "public_key": row.public_key,
        "fingerprint": row.fingerprint,
    }
    if api.at_least("2.2"):
        view["type"] = row.type
    return view


def _shown(row: KeyPair, api: ApiVersion) -> dict[str, Any]:
    return {
        **_listed(row, api),
        "user_id": row.user_id,
        "created_at": row.created_at.astimezone(dt.UTC).strftime(_TIME_FORMAT),
        "deleted": False,
        "deleted_at": None,
        "updated_at": None,
        "id": row.id,
    }


class KeypairList:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx, api = auth_of(req), version_of(req)
        params = _query(req, api, ("user_id", "limit", "marker"))
        user_id = _target(ctx, api, params)
        _authorize(ctx, INDEX, user_id)
        # Before 2.35 Nova lists every key pair; the key_pairs quota (100 by default) keeps that
        # within a page.
        limit, marker = MAX_LIMIT, None
        paged = api.at_least("2.35")
        if paged:
            limit = _limit(params.get("limit", [str(MAX_LIMIT)]))
            marker = params["marker"][-1] if "marker" in params else None
        with self._deps.store.session() as session:
            rows = page_of_keypairs(session, user_id=user_id, limit=limit, marker=marker)
        body: dict[str, Any] = {"keypairs": [{"keypair": _listed(r, api)} for r in rows]}
        if paged and rows and len(rows) == limit:
            body["keypairs_links"] = next_link(req, COLLECTION, rows[-1].name)
        resp.media = body

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx, api = auth_of(req), version_of(req)
        new = request_of(req, NewKeypair)
        user_id = new.user_id or ctx.user_id
        _authorize(ctx, CREATE, user_id)
        private_key: str | None = None
        if new.public_key is not None:
            if too_big_for_text(new.public_key):
                raise keys.invalid_keypair("the public key is too long")
            public_key = new.public_key
            fingerprint = keys.fingerprint(public_key, new.key_type)
        else:
            generated = keys.generate(new.key_type, user_id, now=self._deps.clock.now())
            public_key, private_key = generated.public_key, generated.private_key
            fingerprint = generated.fingerprint
        row = KeyPair(
            user_id=user_id, name=new.name, type=new.key_type, fingerprint=fingerprint,
            public_key=public_key, created_at=self._deps.clock.now(),
        )  # fmt: skip
        # The key is checked (or made) first: the user's quota lock is held only for the insert.
        with self._deps.store.session(write=True) as session:
            quotas.check_key_pairs(
                session, project_id=ctx.project_id, user_id=user_id,
                count=lambda: count_keypairs(session, user_id=user_id),
            )  # fmt: skip
            session.add(row)
            try:
                session.flush()
            except IntegrityError:
                # The (user_id, name) constraint: the name is taken, maybe a moment ago.
                raise Conflict(f"Key pair '{new.name}' already exists.") from None
        view: dict[str, Any] = {**_listed(row, api), "user_id": row.user_id}
        if private_key is not None:
            view["private_key"] = private_key
        resp.status = falcon.HTTP_201 if api.at_least("2.2") else falcon.HTTP_200
        resp.media = {"keypair": view}


class KeypairItem:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, keypair_name: str) -> None:
        ctx, api = auth_of(req), version_of(req)
        user_id = _target(ctx, api, _query(req, api, ("user_id",)))
        _authorize(ctx, SHOW, user_id)
        with self._deps.store.session() as session:
            row = find_keypair(session, user_id=user_id, name=keypair_name)
        if row is None:
            raise _not_found(keypair_name, user_id)
        resp.media = {"keypair": _shown(row, api)}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, keypair_name: str) -> None:
        ctx, api = auth_of(req), version_of(req)
        user_id = _target(ctx, api, _query(req, api, ("user_id",)))
        _authorize(ctx, DELETE, user_id)
        with self._deps.store.session(write=True) as session:
            deleted = delete_keypair(session, user_id=user_id, name=keypair_name)
        if not deleted:
            raise _not_found(keypair_name, user_id)
        resp.status = falcon.HTTP_204 if api.at_least("2.2") else falcon.HTTP_202


def _not_found(name: str, user_id: str) -> NotFound:
    return NotFound(f"Keypair {name} not found for user {user_id}")
