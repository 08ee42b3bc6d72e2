"""/v3/roles/{prior_role_id}/implies[/{implies_role_id}] and /v3/role_inferences: Keystone's
role inference rules (declared in implied_role_api.py).

Keystone refuses a rule implying a role its `prohibited_implied_role` option names (`admin` by
default) and one from a global role to a domain-specific one, both with 403; it takes cycles,
which the expansion (implied_roles.py) stops on. A new or removed rule ends the tokens of those
who hold its prior role (role_holders.py). The prior role's path field is `role_id`, as
falcon needs one name per path level (/v3/roles/{role_id}).
"""

from __future__ import annotations

from typing import Any

import falcon
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pocketstack.cloud.errors import Conflict, Forbidden, NotFound
from pocketstack.cloud.identity import implied_roles, role_holders
from pocketstack.cloud.identity.service import Identity
from pocketstack.cloud.identity.web import v3_url
from pocketstack.cloud.store.models.identity import Role
from pocketstack.cloud.store.models.identity_roles import ImpliedRole

# Keystone's default for [assignment] prohibited_implied_role.
PROHIBITED_IMPLIED = frozenset({"admin"})


def _role(session: Session, role_id: str, *, lock: bool = False) -> Role:
    row = session.get(Role, role_id, with_for_update=lock)
    if row is None:
        raise NotFound(f"Could not find role: {role_id}.")
    return row


def _ref(req: falcon.Request, role_id: str, name: str) -> dict[str, Any]:
    return {"id": role_id, "name": name, "links": {"self": v3_url(req, "roles", role_id)}}


def _rule(session: Session, prior_id: str, implied_id: str) -> ImpliedRole:
    row = session.get(ImpliedRole, (prior_id, implied_id))
    if row is None:
        raise NotFound(f"{prior_id} does not imply {implied_id}.")
    return row


def _one(req: falcon.Request, prior: Role, implied: Role) -> dict[str, Any]:
    return {
        "role_inference": {
            "prior_role": _ref(req, prior.id, prior.name),
            "implies": _ref(req, implied.id, implied.name),
        },
        "links": {"self": v3_url(req, "roles", prior.id, "implies", implied.id)},
    }


class ImpliedRoleItem:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_put(
        self, req: falcon.Request, resp: falcon.Response, role_id: str, implies_role_id: str
    ) -> None:
        ident = self.identity
        with ident.deps.store.session(write=True) as session:
            prior = _role(session, role_id)
            implied = _role(session, implies_role_id)
            if implied.name in PROHIBITED_IMPLIED:
                raise Forbidden(f"{implies_role_id} cannot be an implied roles.")
            domains = implied_roles.domains_of(session, (prior.id, implied.id))
            if prior.id not in domains and implied.id in domains:
                raise Forbidden("Global role cannot imply a domain-specific role")
            try:
                with session.begin_nested():
                    session.add(ImpliedRole(prior_role_id=prior.id, implied_role_id=implied.id))
            except IntegrityError:
                # The same rule committed meanwhile, or a role deleted since it was read.
                if session.get(ImpliedRole, (prior.id, implied.id)) is None:
                    raise NotFound(f"Could not find role: {role_id}.") from None
                raise Conflict(
                    "Conflict occurred attempting to store implied_role - Duplicate entry."
                ) from None
            # Their tokens lack the role this rule now gives with the prior one.
            holders = role_holders.of_roles(session, [prior.id])
            body = _one(req, prior, implied)
        holders.revoke(ident.deps.tokens)
        resp.status = falcon.HTTP_201
        resp.media = body

    def on_get(
        self, req: falcon.Request, resp: falcon.Response, role_id: str, implies_role_id: str
    ) -> None:
        with self.identity.deps.store.session() as session:
            prior = _role(session, role_id)
            implied = _role(session, implies_role_id)
            _rule(session, prior.id, implied.id)
            resp.media = _one(req, prior, implied)

    def on_head(
        self, req: falcon.Request, resp: falcon.Response, role_id: str, implies_role_id: str
    ) -> None:
        with self.identity.deps.store.session() as session:
            _rule(session, role_id, implies_role_id)
        resp.status = falcon.HTTP_204

    def on_delete(
        self, req: falcon.Request, resp: falcon.Response, role_id: str, implies_role_id: str
    ) -> None:
        ident = self.identity
        with ident.deps.store.session(write=True) as session:
            row = _rule(session, role_id, implies_role_id)
            # Read before the rule goes: their tokens carry what it gave.
            holders = role_holders.of_roles(session, [role_id])
            session.delete(row)
        holders.revoke(ident.deps.tokens)
        resp.status = falcon.HTTP_204


class ImpliedRoleList:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response, role_id: str) -> None:
        with self.identity.deps.store.session() as session:
            prior = _role(session, role_id)
            rows = session.execute(
                select(Role.id, Role.name)
                .join(ImpliedRole, ImpliedRole.implied_role_id == Role.id)
                .where(ImpliedRole.prior_role_id == prior.id)
                .order_by(Role.name, Role.id)
            ).all()
            resp.media = {
                "role_inference": {
                    "prior_role": _ref(req, prior.id, prior.name),
                    "implies": [_ref(req, i, n) for i, n in rows],
                },
                "links": {"self": v3_url(req, "roles", prior.id, "implies")},
            }

    def on_head(self, req: falcon.Request, resp: falcon.Response, role_id: str) -> None:
        with self.identity.deps.store.session() as session:
            _role(session, role_id)
        resp.status = falcon.HTTP_200


class RoleInferences:
    """GET /v3/role_inferences: every rule, grouped by prior role."""

    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        prior_role = Role.__table__.alias("prior_role")
        implied_role = Role.__table__.alias("implied_role_row")
        with self.identity.deps.store.session() as session:
            rows = session.execute(
                select(prior_role.c.id, prior_role.c.name, implied_role.c.id, implied_role.c.name)
                .select_from(ImpliedRole)
                .join(prior_role, prior_role.c.id == ImpliedRole.prior_role_id)
                .join(implied_role, implied_role.c.id == ImpliedRole.implied_role_id)
                .order_by(prior_role.c.name, prior_role.c.id, implied_role.c.name)
            ).all()
        grouped: dict[str, dict[str, Any]] = {}
        for prior_id, prior_name, implied_id, implied_name in rows:
            rule = grouped.setdefault(
                prior_id, {"prior_role": _ref(req, prior_id, prior_name), "implies": []}
            )
            rule["implies"].append(_ref(req, implied_id, implied_name))
        resp.media = {
            "role_inferences": list(grouped.values()),
            "links": {"self": v3_url(req, "role_inferences")},
        }

    def on_head(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.status = falcon.HTTP_200
