"""Keystone's default policy, as far as a token answers it alone.

Operations name their rule and, where the caller's token decides it, its check (api.py); the
enforcer runs that check before the responder and before the body is read. Keystone's defaults
also let system-scoped readers and domain managers into parts of the admin API; neither is
modelled here, so those rules come down to their `admin_required` part. Rules whose answer
depends on the target (a user reading themselves, a token's own user inspecting it) are named
in the declaration without a check and decided by the responder (service.py).
"""

from __future__ import annotations

from collections.abc import Callable

import falcon

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.auth.tokens import TokenProvider
from pocketstack.cloud.identity.errors import PolicyDenied
from pocketstack.cloud.identity.web import caller


def admin_required(ctx: RequestContext, name: str) -> None:
    """Keystone's `rule:admin_required` (`role:admin or is_admin:1`)."""
    if not ctx.is_admin:
        raise PolicyDenied(name)


def any_token(ctx: RequestContext, name: str) -> None:
    """An empty check string: whoever holds a valid token (the enforcer has checked it)."""


def caller_of(tokens: TokenProvider) -> Callable[[falcon.Request], RequestContext]:
    """The token's caller for the enforcer; Keystone's 401 without a valid token. Kept on the
    request, so the responder does not validate the token again."""

    def of(req: falcon.Request) -> RequestContext:
        return caller(req, tokens)

    return of
