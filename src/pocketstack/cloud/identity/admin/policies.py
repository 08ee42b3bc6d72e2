"""/v3/policies: policy blobs, created, listed (by type), shown, updated and deleted."""

from __future__ import annotations

import json

import falcon
from sqlalchemy import select

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.errors import BadRequest
from pocketstack.cloud.identity import policies
from pocketstack.cloud.identity.admin.common import get_or_404, new_id
from pocketstack.cloud.identity.policies import PolicyWrite
from pocketstack.cloud.identity.service import Identity
from pocketstack.cloud.identity.web import collection_links
from pocketstack.cloud.store.models.identity_catalog import Policy


class Policies:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        query = select(Policy).order_by(Policy.type, Policy.id)
        kind = req.get_param("type")
        if kind is not None:
            query = query.where(Policy.type == kind)
        with self.identity.deps.store.session() as session:
            rows = [policies.render(req, row) for row in session.execute(query).scalars()]
        resp.media = {"policies": rows, "links": collection_links(req, "policies")}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        new = request_of(req, PolicyWrite)
        row = Policy(id=new_id(), blob=new.blob or "", type=new.type or "",
                     extra=json.dumps(new.extra))  # fmt: skip
        with self.identity.deps.store.session(write=True) as session:
            session.add(row)
            session.flush()
            body = policies.render(req, row)
        resp.status = falcon.HTTP_201
        resp.media = {"policy": body}


class PolicyItem:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response, policy_id: str) -> None:
        with self.identity.deps.store.session() as session:
            body = policies.render(req, get_or_404(session, Policy, policy_id, "policy"))
        resp.media = {"policy": body}

    def on_patch(self, req: falcon.Request, resp: falcon.Response, policy_id: str) -> None:
        change = request_of(req, PolicyWrite)
        if change.id is not None and change.id != policy_id:
            raise BadRequest("Cannot change policy ID")
        with self.identity.deps.store.session(write=True) as session:
            row = get_or_404(session, Policy, policy_id, "policy")
            if change.blob is not None:
                row.blob = change.blob
            if change.type is not None:
                row.type = change.type
            if change.extra:
                row.extra = json.dumps({**policies.extra_of(row), **change.extra})
            session.flush()
            body = policies.render(req, row)
        resp.media = {"policy": body}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, policy_id: str) -> None:
        with self.identity.deps.store.session(write=True) as session:
            session.delete(get_or_404(session, Policy, policy_id, "policy"))
        resp.status = falcon.HTTP_204
