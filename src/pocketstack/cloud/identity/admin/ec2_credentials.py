"""/v3/users/{user_id}/credentials/OS-EC2: a user's EC2 key pairs, stored as `ec2` credentials.

Keystone's default rules: an admin or the user (to create or delete one, a user with the
member role).
A credential is found by its access key (404 when there is none); one that is not an ec2
credential of the path's user is Keystone's 401 "EC2 access key not found." A delegated token
may not use these at all.
"""

from __future__ import annotations

import json
import uuid

import falcon

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.errors import NotFound, Unauthorized
from pocketstack.cloud.identity import credentials
from pocketstack.cloud.identity.admin.credentials import keys_of, primary_auth
from pocketstack.cloud.identity.credential_requests import EC2, Ec2Create
from pocketstack.cloud.identity.credentials import CredentialRecord
from pocketstack.cloud.identity.errors import PolicyDenied
from pocketstack.cloud.identity.service import Identity
from pocketstack.cloud.identity.web import collection_links
from pocketstack.cloud.store.models.identity import Project, User

MEMBER_ROLE = "member"


def _may(ctx: RequestContext, user_id: str, action: str, *, member: bool = False) -> None:
    if ctx.is_admin:
        return
    if ctx.user_id != user_id or (member and MEMBER_ROLE not in ctx.roles):
        raise PolicyDenied(f"identity:{action}")


class Ec2Credentials:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity
        self.keys = keys_of(identity)

    def on_get(self, req: falcon.Request, resp: falcon.Response, user_id: str) -> None:
        ctx = self.identity.caller(req)
        _may(ctx, user_id, "ec2_list_credentials")
        primary_auth(ctx)
        with self.identity.deps.store.session() as session:
            if session.get(User, user_id) is None:
                raise NotFound(f"Could not find user: {user_id}.")
            creds = credentials.listing(session, self.keys, user_id=user_id, kind=EC2)
        resp.media = {
            "credentials": [credentials.render_ec2(req, c) for c in creds],
            "links": collection_links(req, f"users/{user_id}/credentials/OS-EC2"),
        }

    def on_post(self, req: falcon.Request, resp: falcon.Response, user_id: str) -> None:
        ctx = self.identity.caller(req)
        _may(ctx, user_id, "ec2_create_credential", member=True)
        new = request_of(req, Ec2Create)
        access = uuid.uuid4().hex
        blob = {"access": access, "secret": uuid.uuid4().hex, "trust_id": None}
        record = CredentialRecord(
            id=credentials.ec2_id(access),
            user_id=user_id,
            project_id=new.tenant_id,
            type=EC2,
            blob=json.dumps(blob),
        )
        with self.identity.deps.store.session(write=True) as session:
            if session.get(User, user_id) is None:
                raise NotFound(f"Could not find user: {user_id}.")
            if new.tenant_id is None or session.get(Project, new.tenant_id) is None:
                raise NotFound(f"Could not find project: {new.tenant_id}.")
            primary_auth(ctx)
            credentials.store(session, self.keys, record)
        resp.status = falcon.HTTP_201
        resp.media = {"credential": credentials.render_ec2(req, record)}


class Ec2CredentialItem:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity
        self.keys = keys_of(identity)

    def _found(
        self, req: falcon.Request, user_id: str, access: str, action: str, *, member: bool
    ) -> CredentialRecord:
        """Keystone's order: the credential (404), the rule on its own user, the path's user
        (404), then an access key that is not an ec2 credential of that user (401)."""
        ctx = self.identity.caller(req)
        credential_id = credentials.ec2_id(access)
        with self.identity.deps.store.session() as session:
            cred = credentials.load(session, self.keys, credential_id)
            if cred is None:
                raise NotFound(f"Could not find credential: {credential_id}.")
            _may(ctx, cred.user_id, action, member=member)
            if session.get(User, user_id) is None:
                raise NotFound(f"Could not find user: {user_id}.")
        if cred.type != EC2 or cred.user_id != user_id:
            raise Unauthorized("EC2 access key not found.")
        primary_auth(ctx)
        return cred

    def on_get(
        self, req: falcon.Request, resp: falcon.Response, user_id: str, credential_id: str
    ) -> None:
        cred = self._found(req, user_id, credential_id, "ec2_get_credential", member=False)
        resp.media = {"credential": credentials.render_ec2(req, cred)}

    def on_delete(
        self, req: falcon.Request, resp: falcon.Response, user_id: str, credential_id: str
    ) -> None:
        cred = self._found(req, user_id, credential_id, "ec2_delete_credential", member=True)
        with self.identity.deps.store.session(write=True) as session:
            credentials.delete(session, cred.id)
        resp.status = falcon.HTTP_204
