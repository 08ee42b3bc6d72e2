"""The identity service's collaborators, shared by all its resources."""

from __future__ import annotations

import falcon
from sqlalchemy.engine import Connection

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.auth.tokens import TokenError, TokenPayload
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.identity.authn import Authenticator
from pocketstack.cloud.identity.errors import PolicyDenied, TokenNotFound
from pocketstack.cloud.identity.hashgate import HashGate
from pocketstack.cloud.identity.lockout import Lockout
from pocketstack.cloud.identity.password_rules import PasswordRules
from pocketstack.cloud.identity.passwords import PasswordHasher
from pocketstack.cloud.identity.throttle import LoginThrottle
from pocketstack.cloud.identity.web import caller

SERVICE_ROLE = "service"


class Identity:
    def __init__(self, deps: CloudDeps) -> None:
        self.deps = deps
        config = deps.config
        self.hasher = PasswordHasher(
            rounds=config.bcrypt_rounds,
            gate=HashGate(concurrency=config.hash_concurrency, queue=config.hash_queue),
        )
        self.throttle = LoginThrottle(
            window=config.login_throttle_window,
            per_source=config.login_failures_per_source,
            per_user=config.login_failures_per_user,
            attempts=deps.login_attempts,
        )
        self.lockout = Lockout(
            store=deps.store,
            clock=deps.clock,
            attempts=deps.config.lockout_failure_attempts,
            duration=deps.config.lockout_duration,
        )
        self.password_rules = PasswordRules(config)
        self.auth = Authenticator(
            deps, hasher=self.hasher, lockout=self.lockout, throttle=self.throttle
        )

    def caller(self, req: falcon.Request, *, conn: Connection | None = None) -> RequestContext:
        return caller(req, self.deps.tokens, conn=conn)

    def admin(self, req: falcon.Request, action: str) -> RequestContext:
        """For a rule whose target lets some non-admins through; the rest are declared."""
        ctx = self.caller(req)
        if not ctx.is_admin:
            raise PolicyDenied(f"identity:{action}")
        return ctx

    def admin_or_self(self, req: falcon.Request, user_id: str, action: str) -> RequestContext:
        ctx = self.caller(req)
        if not ctx.is_admin and ctx.user_id != user_id:
            raise PolicyDenied(f"identity:{action}")
        return ctx

    def subject(
        self, token_id: str | None, ctx: RequestContext, *, conn: Connection | None = None
    ) -> TokenPayload:
        """The token being checked: 404 (never 401) when it is missing, bad, expired or revoked."""
        if not token_id:
            raise TokenNotFound("No token in the request")
        if token_id == ctx.token_id:
            # Checking one's own token: it was validated a moment ago as the caller's.
            return ctx.payload
        try:
            return self.deps.tokens.validate(token_id, conn=conn)
        except TokenError:
            raise TokenNotFound() from None

    @staticmethod
    def may_inspect(ctx: RequestContext, subject: TokenPayload, action: str) -> None:
        """Keystone's rule: an admin, a service, or the token's own user."""
        if ctx.is_admin or SERVICE_ROLE in ctx.roles or ctx.user_id == subject.user_id:
            return
        raise PolicyDenied(f"identity:{action}")
