"""/v3/credentials: stored credentials (ec2 key pairs, certificates, TOTP secrets...).

Keystone's default rules: an admin, or the credential's own user (who cannot hand it to
someone else). A listing shows a non-admin their own only. A token that is itself a delegation
(an application credential's or a trust's) may not touch credentials at all.
"""

from __future__ import annotations

import dataclasses

import falcon
from sqlalchemy.orm import Session

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.errors import BadRequest, Conflict, NotFound
from pocketstack.cloud.identity import credentials
from pocketstack.cloud.identity.credential_keys import CredentialKeys, repository_path
from pocketstack.cloud.identity.credential_requests import (
    EC2,
    CredentialCreate,
    CredentialUpdate,
    ec2_blob,
)
from pocketstack.cloud.identity.credentials import CredentialRecord
from pocketstack.cloud.identity.errors import PolicyDenied
from pocketstack.cloud.identity.service import Identity
from pocketstack.cloud.identity.web import collection_links
from pocketstack.cloud.store.models.identity import Project, User

DELEGATED = "Delegated tokens cannot access credentials directly"


def keys_of(identity: Identity) -> CredentialKeys:
    return CredentialKeys(repository_path(identity.deps.config))


def primary_auth(ctx: RequestContext) -> None:
    """Keystone's refusal of delegated tokens (an application credential's, a trust's)."""
    if "application_credential" in ctx.payload.methods or ctx.payload.trust_id is not None:
        raise PolicyDenied(DELEGATED)


def _owner_or_admin(ctx: RequestContext, user_id: str, action: str) -> None:
    if not ctx.is_admin and ctx.user_id != user_id:
        raise PolicyDenied(f"identity:{action}")


def _exists(session: Session, model: type[User] | type[Project], ident: str, kind: str) -> None:
    if session.get(model, ident) is None:
        raise NotFound(f"Could not find {kind}: {ident}.")


class Credentials:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity
        self.keys = keys_of(identity)

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx = self.identity.caller(req)
        user_id = req.get_param("user_id")
        creds: list[CredentialRecord] = []
        # What the caller may not read is left out, as Keystone filters its listing: a
        # non-admin's request for someone else's, any request with a delegated token.
        try:
            primary_auth(ctx)
        except PolicyDenied:
            user_id = ""
        if user_id != "" and (ctx.is_admin or user_id in (None, ctx.user_id)):
            with self.identity.deps.store.session() as session:
                creds = credentials.listing(
                    session,
                    self.keys,
                    user_id=user_id if ctx.is_admin else ctx.user_id,
                    kind=req.get_param("type"),
                )
        resp.media = {
            "credentials": [credentials.render(req, c) for c in creds],
            "links": collection_links(req, "credentials"),
        }

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx = self.identity.caller(req)
        new = request_of(req, CredentialCreate)
        _owner_or_admin(ctx, new.user_id, "create_credential")
        primary_auth(ctx)
        record = CredentialRecord(
            id=credentials.new_id(new.type, new.blob),
            user_id=new.user_id,
            project_id=new.project_id,
            type=new.type,
            blob=new.blob,
        )
        with self.identity.deps.store.session(write=True) as session:
            _exists(session, User, new.user_id, "user")
            if new.project_id is not None:
                _exists(session, Project, new.project_id, "project")
            if credentials.load(session, self.keys, record.id) is not None:
                raise Conflict(
                    f"Conflict occurred attempting to store credential - Duplicate ID, {record.id}."
                )
            credentials.store(session, self.keys, record)
        resp.status = falcon.HTTP_201
        resp.media = {"credential": credentials.render(req, record)}


class CredentialItem:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity
        self.keys = keys_of(identity)

    def _owned(self, req: falcon.Request, credential_id: str, action: str) -> CredentialRecord:
        ctx = self.identity.caller(req)
        with self.identity.deps.store.session() as session:
            cred = credentials.load(session, self.keys, credential_id)
        if cred is None:
            # Keystone judges a missing credential by an empty target: only an admin learns
            # that it is missing.
            if not ctx.is_admin:
                raise PolicyDenied(f"identity:{action}")
            raise NotFound(f"Could not find credential: {credential_id}.")
        _owner_or_admin(ctx, cred.user_id, action)
        primary_auth(ctx)
        return cred

    def on_get(self, req: falcon.Request, resp: falcon.Response, credential_id: str) -> None:
        cred = self._owned(req, credential_id, "get_credential")
        resp.media = {"credential": credentials.render(req, cred)}

    def on_patch(self, req: falcon.Request, resp: falcon.Response, credential_id: str) -> None:
        change = request_of(req, CredentialUpdate)
        current = self._owned(req, credential_id, "update_credential")
        if change.id is not None and change.id != credential_id:
            raise BadRequest("Cannot change ID")
        updated = dataclasses.replace(
            current,
            blob=change.blob if change.blob is not None else current.blob,
            type=change.type if change.type is not None else current.type,
            user_id=change.user_id if change.user_id is not None else current.user_id,
            project_id=change.project_id if change.project_given else current.project_id,
        )
        if current.type == EC2:
            old, new = ec2_blob(current.blob), ec2_blob(updated.blob)
            for key in ("trust_id", "app_cred_id", "access_token_id", "access_id"):
                if old.get(key) != new.get(key):
                    raise BadRequest(f"{key} can not be updated for credential")
        if updated.type == EC2 and updated.project_id is None:
            raise BadRequest("'project_id' is a required property")
        # The new owner must pass the rule too: nobody gives a credential away.
        _owner_or_admin(self.identity.caller(req), updated.user_id, "update_credential")
        with self.identity.deps.store.session(write=True) as session:
            _exists(session, User, updated.user_id, "user")
            if updated.project_id is not None:
                _exists(session, Project, updated.project_id, "project")
            if credentials.load(session, self.keys, credential_id) is None:
                raise NotFound(f"Could not find credential: {credential_id}.")
            credentials.store(session, self.keys, updated)
        resp.media = {"credential": credentials.render(req, updated)}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, credential_id: str) -> None:
        self._owned(req, credential_id, "delete_credential")
        with self.identity.deps.store.session(write=True) as session:
            if not credentials.delete(session, credential_id):
                raise NotFound(f"Could not find credential: {credential_id}.")
        resp.status = falcon.HTTP_204
