"""/v3/users/{user_id}/access_rules: the access rules of a user's application credentials.

A credential created with access rules names each one by id (one of the user's rules) or by
service, method and path; a rule the user already has is reused, else it is made, so the user
holds each distinct rule once (the unique constraint decides between two creates at once). A
rule any credential still uses cannot be deleted (403, as Keystone); deleting a credential
leaves its rules. Keystone's rules: the user or a reader (admin, to delete) of the system.
"""

from __future__ import annotations

from typing import Any

import falcon
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pocketstack.cloud.errors import BadRequest, Forbidden, NotFound
from pocketstack.cloud.identity.errors import PolicyDenied
from pocketstack.cloud.identity.service import Identity
from pocketstack.cloud.identity.web import collection_links, v3_url
from pocketstack.cloud.store.models.application_credential import (
    AccessRule,
    AppCredentialAccessRule,
)

IN_USE = "May not delete access rule in use"


def _not_found(rule_id: str) -> NotFound:
    return NotFound(f"Could not find access rule: {rule_id}.")


def _view(rule: AccessRule) -> dict[str, str]:
    return {"id": rule.id, "service": rule.service, "path": rule.path, "method": rule.method}


def _existing(session: Session, user_id: str, wanted: dict[str, Any], *,
              latest: bool = False) -> AccessRule | None:  # fmt: skip
    stmt = select(AccessRule).where(
        AccessRule.user_id == user_id, AccessRule.service == wanted.get("service"),
        AccessRule.path == wanted.get("path"), AccessRule.method == wanted.get("method"),
    )  # fmt: skip
    if latest:
        # A locking read sees what another transaction committed since this one's snapshot
        # (MariaDB's repeatable read would not).
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


def _resolve(session: Session, user_id: str, wanted: dict[str, Any]) -> AccessRule:
    by_id = session.get(AccessRule, wanted["id"])
    if by_id is not None:
        if by_id.user_id != user_id:
            raise _not_found(wanted["id"])
        return by_id
    found = _existing(session, user_id, wanted)
    if found is not None:
        return found
    if not all(wanted.get(k) for k in ("service", "path", "method")):
        # Only an id, of no rule of the user's.
        raise _not_found(wanted["id"])
    made = AccessRule(id=wanted["id"], user_id=user_id, service=wanted["service"],
                      path=wanted["path"], method=wanted["method"])  # fmt: skip
    try:
        with session.begin_nested():
            session.add(made)
    except IntegrityError:
        # Made meanwhile by another credential's create: that one is the user's rule.
        again = _existing(session, user_id, wanted, latest=True)
        if again is None:
            raise BadRequest("Invalid access rule") from None
        return again
    return made


def attach(session: Session, credential_id: str, user_id: str,
           wanted: list[dict[str, Any]]) -> list[dict[str, str]]:  # fmt: skip
    """The credential's rules linked (made where new); what the credential shows of them."""
    rules: list[AccessRule] = []
    for one in wanted:
        rule = _resolve(session, user_id, one)
        if rule.id not in [r.id for r in rules]:
            rules.append(rule)
    session.add_all(AppCredentialAccessRule(credential_id=credential_id, access_rule_id=r.id)
                    for r in rules)  # fmt: skip
    return [_view(r) for r in rules]


def _render(req: falcon.Request, rule: AccessRule) -> dict[str, Any]:
    return {
        **_view(rule),
        "links": {"self": v3_url(req, "users", rule.user_id, "access_rules", rule.id)},
    }


def _reader(identity: Identity, req: falcon.Request, user_id: str, action: str) -> None:
    ctx = identity.caller(req)
    if not ctx.is_admin and ctx.user_id != user_id:
        raise PolicyDenied(f"identity:{action}")


class AccessRules:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response, user_id: str) -> None:
        _reader(self.identity, req, user_id, "list_access_rules")
        stmt = select(AccessRule).where(AccessRule.user_id == user_id)
        for name in ("service", "path", "method"):
            value = req.get_param(name)
            if value is not None:
                stmt = stmt.where(getattr(AccessRule, name) == value)
        with self.identity.deps.store.session() as session:
            rules = list(session.scalars(stmt.order_by(AccessRule.id)))
            resp.media = {
                "access_rules": [_render(req, r) for r in rules],
                "links": collection_links(req, f"users/{user_id}/access_rules"),
            }

    on_head = on_get


class AccessRuleItem:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response, user_id: str,
               access_rule_id: str) -> None:  # fmt: skip
        _reader(self.identity, req, user_id, "get_access_rule")
        with self.identity.deps.store.session() as session:
            rule = session.get(AccessRule, access_rule_id)
            if rule is None or rule.user_id != user_id:
                raise _not_found(access_rule_id)
            resp.media = {"access_rule": _render(req, rule)}

    on_head = on_get

    def on_delete(self, req: falcon.Request, resp: falcon.Response, user_id: str,
                  access_rule_id: str) -> None:  # fmt: skip
        _reader(self.identity, req, user_id, "delete_access_rule")
        try:
            with self.identity.deps.store.session(write=True) as session:
                gone = session.execute(delete(AccessRule).where(
                    AccessRule.id == access_rule_id, AccessRule.user_id == user_id))  # fmt: skip
                if not gone.rowcount:  # type: ignore[attr-defined]
                    raise _not_found(access_rule_id)
        except IntegrityError:
            # A credential links it (the foreign key, not a check that a create could outrun).
            raise Forbidden(IN_USE) from None
        resp.status = falcon.HTTP_204
