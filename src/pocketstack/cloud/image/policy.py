"""Glance's default policy, as far as the token answers it alone (glance/policies/image.py).

Operations name their rule and, where the token decides it, its check (api.py); the enforcer
runs that check before the body is read. `get_image`, `delete_image`, `modify_image` and the
member rules depend on the image (its owner, its visibility, its members) and
`publicize_image` on the body: their responders decide them (images.py, members.py, tags.py).
"""

from __future__ import annotations

import falcon

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.errors import Forbidden


def _deny(name: str) -> Forbidden:
    return Forbidden(f"You are not authorized to complete {name} action.")


def admin_or_project_reader(ctx: RequestContext, name: str) -> None:
    """`rule:context_is_admin or (role:reader and project_id:%(project_id)s)`, the target's
    project being the token's own."""
    if not ctx.is_admin and (ctx.project_id is None or not ctx.can_read):
        raise _deny(name)


def project_member_creating(ctx: RequestContext, name: str) -> None:
    """Glance's `add_image`: an admin, or a member of the project that will own the image. The
    image belongs to the token's project (its owner is not the caller's to name), so a token
    without one - a system- or domain-scoped admin's too - has nowhere to put it."""
    if ctx.project_id is None or not (ctx.is_admin or ctx.can_write):
        raise _deny(name)


def caller_of(req: falcon.Request) -> RequestContext | None:
    """The token's context, set by the token middleware; None on the public paths."""
    caller: RequestContext | None = getattr(req.context, "auth", None)
    return caller
