"""POST /v3/users/{user_id}/password: a user changes their own password with the original one.

As in Keystone, no token is needed (a user whose password expired can still change it): the
original password is the credential. It is checked as a login is (the login throttle, the
hashing gate, the lockout, the same generic 401 for an unknown user, a wrong password or a
disabled account), so the route costs an attacker exactly what a password login costs. The new
hash replaces the one that was checked only if it is still the stored one: of two concurrent
changes from the same original, one wins and the other is a 401. Every token of the user ends.
"""

from __future__ import annotations

import falcon
from sqlalchemy import delete, update

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.identity.authn import PasswordCredential
from pocketstack.cloud.identity.errors import AuthenticationFailed
from pocketstack.cloud.identity.group_requests import PasswordChange
from pocketstack.cloud.identity.service import Identity
from pocketstack.cloud.store.models.identity import FailedLogin, User


class UserPassword:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_post(self, req: falcon.Request, resp: falcon.Response, user_id: str) -> None:
        ident = self.identity
        change = request_of(req, PasswordChange)
        user = ident.auth.check_password(
            PasswordCredential(password=change.original_password, user_id=user_id),
            source=req.remote_addr,
        )
        ident.auth.require_enabled(user)
        rules = ident.password_rules
        with ident.deps.store.read() as conn:
            rules.check_unlocked(conn, user.id)
            earlier = rules.earlier(conn, user.id)
        rules.check_new(change.password)
        rules.check_age(user.password_created_at, ident.deps.clock.now())
        # The history checked and the new hash made outside the transaction, through the gate,
        # as every bcrypt run is (a change racing this one changes the hash: then a 401 below).
        rules.check_history(ident.hasher, original=change.original_password,
                            new=change.password, earlier=earlier)  # fmt: skip
        new_hash = ident.hasher.hash(change.password)
        with ident.deps.store.session(write=True) as session:
            changed = session.execute(
                update(User)
                .where(User.id == user.id, User.password_hash == user.password_hash)
                .values(password_hash=new_hash, password_created_at=ident.deps.clock.now())
            )
            if not changed.rowcount:  # type: ignore[attr-defined]
                raise AuthenticationFailed()
            session.execute(delete(FailedLogin).where(FailedLogin.user_id == user.id))
            rules.remember(session, user_id=user.id, replaced=user.password_hash,
                           now=ident.deps.clock.now())  # fmt: skip
        ident.deps.tokens.revoke_user(user.id)
        resp.status = falcon.HTTP_204
