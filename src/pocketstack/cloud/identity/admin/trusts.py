"""/v3/OS-TRUST/trusts: a trustor's delegations of project roles to a trustee.

Keystone's default rules: only the trustor creates a trust (in their own name, delegating roles
they hold on the project); admin lists every trust, a user the trusts they are the trustor or
the trustee of (through the matching filter); an admin, the trustor or the trustee reads a trust
and its roles; the trustor or an admin deletes it. A token from an
application credential manages no trust. A trust-scoped token may create a further trust from
its own when that one allows redelegation. Deleting a trust deletes the trusts redelegated from
it and kills every token they issued.
"""

from __future__ import annotations

import datetime as dt

import falcon
from sqlalchemy import delete, select

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.errors import BadRequest, Forbidden, NotFound
from pocketstack.cloud.identity import directory, trusts
from pocketstack.cloud.identity.admin.common import new_id
from pocketstack.cloud.identity.directory import Reader
from pocketstack.cloud.identity.errors import PolicyDenied
from pocketstack.cloud.identity.service import Identity
from pocketstack.cloud.identity.trust_requests import TrustCreate
from pocketstack.cloud.identity.trusts import TrustRecord, TrustRoleRef
from pocketstack.cloud.identity.web import collection_links
from pocketstack.cloud.store.models.identity import Role
from pocketstack.cloud.store.models.trust import Trust, TrustRole

# Keystone's [trust] max_redelegation_count default.
MAX_REDELEGATION_COUNT = 3
DELEGATED = "Delegated tokens cannot manage trusts."


def _forbidden(action: str) -> Forbidden:
    return Forbidden(f"You are not authorized to perform the requested action: {action}.")


def refuse_delegated(ctx: RequestContext) -> None:
    """Keystone's _check_delegated_token: an application credential's token never manages
    trusts (a trust-scoped one may: that is redelegation)."""
    if "application_credential" in ctx.payload.methods:
        raise _forbidden(DELEGATED)


def _role_refs(session: Reader, new: TrustCreate) -> list[TrustRoleRef]:
    """The roles asked for, each looked up by id or by name (Keystone's 404 otherwise)."""
    wanted: list[TrustRoleRef] = []
    for role in new.roles:
        query = select(Role.id, Role.name, Role.description)
        if role.id is not None:
            row = session.execute(query.where(Role.id == role.id)).first()
            missing = role.id
        else:
            row = session.execute(query.where(Role.name == role.name)).first()
            missing = role.name or ""
        if row is None:
            raise NotFound(f"Could not find role: {missing}.")
        ref = TrustRoleRef(id=row[0], name=row[1], description=row[2])
        if ref not in wanted:
            wanted.append(ref)
    return wanted


def _original_trustor(session: Reader, parent: TrustRecord | None, trustor_id: str) -> str:
    while parent is not None:
        trustor_id = parent.trustor_user_id
        parent = trusts.load(session, parent.redelegated_trust_id or "")
    return trustor_id


def _redelegation(
    new: TrustCreate, parent: TrustRecord | None, roles: list[TrustRoleRef]
) -> tuple[int, dt.datetime | None]:
    """(redelegation_count, expires_at) of the new trust: Keystone's create_trust rules."""
    requested = new.redelegation_count
    redelegatable = new.allow_redelegation and requested != 0
    if not redelegatable:
        count = 0
    else:
        if requested is not None and requested > MAX_REDELEGATION_COUNT:
            raise Forbidden(
                f"Requested redelegation depth of {requested} is greater than allowed"
                f" {MAX_REDELEGATION_COUNT}"
            )
        if new.remaining_uses is not None:
            raise BadRequest("remaining_uses must not be set if redelegation is allowed")
        count = requested if requested is not None else MAX_REDELEGATION_COUNT
    expires_at = new.expires_at
    if parent is None:
        return count, expires_at
    remaining = parent.redelegation_count - 1
    if redelegatable and requested and requested != remaining:
        raise Forbidden(
            'Modifying "redelegation_count" upon redelegation is forbidden. Omitting this'
            " parameter is advised."
        )
    if not 0 < parent.redelegation_count <= MAX_REDELEGATION_COUNT:
        raise Forbidden(
            f"Remaining redelegation depth of {parent.redelegation_count} out of allowed range"
            f" of [0..{MAX_REDELEGATION_COUNT}]"
        )
    if new.remaining_uses is not None:
        raise Forbidden(
            f'Field "remaining_uses" is set to {new.remaining_uses} while it must not be set'
            " in order to redelegate a trust"
        )
    if expires_at is None:
        expires_at = parent.expires_at
    elif parent.expires_at is not None and parent.expires_at < expires_at:
        raise Forbidden("Requested expiration time is more than redelegated trust can provide")
    parent_roles = {r.id for r in parent.roles}
    if any(r.id not in parent_roles for r in roles):
        raise Forbidden("Some of requested roles are not in redelegated trust")
    if new.impersonation and not parent.impersonation:
        raise Forbidden(
            "Impersonation is not allowed because redelegated trust does not specify"
            f" impersonation. Redelegated trust id: {parent.id}"
        )
    return (remaining if redelegatable else 0), expires_at


class Trusts:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ident = self.identity
        ctx = ident.caller(req)
        trustor = req.get_param("trustor_user_id")
        trustee = req.get_param("trustee_user_id")
        if trustor:
            if not ctx.is_admin and ctx.user_id != trustor:
                raise PolicyDenied("identity:list_trusts_for_trustor")
        elif trustee:
            if not ctx.is_admin and ctx.user_id != trustee:
                raise PolicyDenied("identity:list_trusts_for_trustee")
        elif not ctx.is_admin:
            raise PolicyDenied("identity:list_trusts")
        refuse_delegated(ctx)
        with ident.deps.store.read() as conn:
            found = trusts.list_trusts(
                conn,
                trustor_user_id=trustor or None,
                trustee_user_id=trustee or None,
            )
        resp.media = {
            "trusts": [trusts.render(req, t, with_roles=False) for t in found],
            "links": collection_links(req, trusts.TRUSTS),
        }

    def on_head(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.on_get(req, resp)
        resp.media = None

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        ident = self.identity
        ctx = ident.caller(req)
        new = request_of(req, TrustCreate)
        if ctx.user_id != new.trustor_user_id:
            raise PolicyDenied("identity:create_trust")
        refuse_delegated(ctx)
        if ctx.payload.access_token_id is not None:
            # Keystone: of delegated tokens, only a trust's may delegate again.
            raise _forbidden("Redelegation allowed for delegated by trust only")
        if new.project_id is not None and not new.roles:
            raise _forbidden("At least one role should be specified")
        with ident.deps.store.read() as conn:
            if directory.find_user(conn, user_id=new.trustee_user_id) is None:
                raise NotFound(f"Could not find user: {new.trustee_user_id}.")
            roles = _role_refs(conn, new)
            parent = None
            if ctx.payload.trust_id is not None:
                parent = trusts.load_usable(conn, ctx.payload.trust_id, ident.deps.clock.now())
            if new.project_id is not None:
                if directory.find_project(conn, project_id=new.project_id) is None:
                    raise NotFound(f"Could not find project: {new.project_id}.")
                # A redelegation delegates what the first trustor holds on the first project.
                origin = parent.project_id if parent and parent.project_id else new.project_id
                held = trusts.effective_role_ids(
                    conn,
                    user_id=_original_trustor(conn, parent, new.trustor_user_id),
                    project_id=origin,
                )
                for role in roles:
                    if role.id not in held:
                        raise NotFound(f"Could not find role: {role.id}.")
            elif roles:
                # Keystone: without a project the trustor holds no role to delegate.
                raise NotFound(f"Could not find role: {roles[0].id}.")
            count, expires_at = _redelegation(new, parent, roles)
        trust_id = new_id()
        with ident.deps.store.session(write=True) as session:
            session.add(
                Trust(
                    id=trust_id,
                    trustor_user_id=new.trustor_user_id,
                    trustee_user_id=new.trustee_user_id,
                    project_id=new.project_id,
                    impersonation=new.impersonation,
                    expires_at=expires_at,
                    remaining_uses=new.remaining_uses,
                    redelegated_trust_id=parent.id if parent else None,
                    redelegation_count=count,
                    created_at=ident.deps.clock.now(),
                )
            )
            session.flush()
            session.add_all(TrustRole(trust_id=trust_id, role_id=r.id) for r in roles)
            session.flush()
            created = trusts.load(session, trust_id)
        assert created is not None
        resp.status = falcon.HTTP_201
        resp.media = {"trust": trusts.render(req, created)}


def _related(identity: Identity, req: falcon.Request, trust_id: str, action: str) -> TrustRecord:
    """The usable trust, for Keystone's admin, trustor or trustee (its system reader is not
    modelled here), never through a delegated token."""
    ctx = identity.caller(req)
    with identity.deps.store.read() as conn:
        trust = trusts.load_usable(conn, trust_id, identity.deps.clock.now())
    if not ctx.is_admin and ctx.user_id not in (trust.trustor_user_id, trust.trustee_user_id):
        raise PolicyDenied(f"identity:{action}")
    refuse_delegated(ctx)
    return trust


class TrustItem:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response, trust_id: str) -> None:
        trust = _related(self.identity, req, trust_id, "get_trust")
        resp.media = {"trust": trusts.render(req, trust)}

    def on_head(self, req: falcon.Request, resp: falcon.Response, trust_id: str) -> None:
        self.on_get(req, resp, trust_id)
        resp.media = None

    def on_delete(self, req: falcon.Request, resp: falcon.Response, trust_id: str) -> None:
        ident = self.identity
        ctx = ident.caller(req)
        with ident.deps.store.read() as conn:
            trust = trusts.load_usable(conn, trust_id, ident.deps.clock.now())
        if not ctx.is_admin and ctx.user_id != trust.trustor_user_id:
            raise PolicyDenied("identity:delete_trust")
        refuse_delegated(ctx)
        with ident.deps.store.session(write=True) as session:
            # The trusts redelegated from this one go with it (their FK cascades): gather their
            # ids first, for their tokens.
            doomed = [trust_id]
            frontier = [trust_id]
            while frontier:
                frontier = list(
                    session.execute(
                        select(Trust.id).where(Trust.redelegated_trust_id.in_(frontier))
                    ).scalars()
                )
                doomed.extend(frontier)
            gone = session.execute(delete(Trust).where(Trust.id == trust_id))
            if not gone.rowcount:  # type: ignore[attr-defined]
                raise trusts.not_found(trust_id)
        for doomed_id in doomed:
            ident.deps.tokens.revoke_trust(doomed_id)
        resp.status = falcon.HTTP_204


class TrustRoles:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response, trust_id: str) -> None:
        trust = _related(self.identity, req, trust_id, "list_roles_for_trust")
        resp.media = {
            "roles": [trusts.render_role(req, r) for r in trust.roles],
            "links": trusts.roles_links(req, trust.id),
        }

    def on_head(self, req: falcon.Request, resp: falcon.Response, trust_id: str) -> None:
        self.on_get(req, resp, trust_id)
        resp.media = None


class TrustRoleItem:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(
        self, req: falcon.Request, resp: falcon.Response, trust_id: str, role_id: str
    ) -> None:
        trust = _related(self.identity, req, trust_id, "get_role_for_trust")
        for role in trust.roles:
            if role.id == role_id:
                resp.media = {"role": trusts.render_role(req, role)}
                return
        raise NotFound(f"Could not find role: {role_id}.")

    def on_head(
        self, req: falcon.Request, resp: falcon.Response, trust_id: str, role_id: str
    ) -> None:
        self.on_get(req, resp, trust_id, role_id)
        resp.media = None
