"""Upstream Nova's default policy: readers list and show, members act, admins see everything.

Operations name their rule and its check in their declaration (compute/api.py), which the app
enforces before the responder; actions check their own rule once the body names the action."""

from __future__ import annotations

from collections.abc import Callable

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.errors import Forbidden


def can_see_project(ctx: RequestContext, project_id: str) -> bool:
    return ctx.is_admin or project_id == ctx.project_id


Check = Callable[[RequestContext, str], None]

# The checks of the defaults, by the rule's full name, as operation declarations name them
# (compute/api.py); the enforcer runs them before the responder.


def _deny_rule(name: str) -> Forbidden:
    return Forbidden(f"Policy doesn't allow {name} to be performed.")


def project_reader_or_admin(ctx: RequestContext, name: str) -> None:
    if not ctx.is_admin and (ctx.project_id is None or not ctx.can_read):
        raise _deny_rule(name)


def project_member_or_admin(ctx: RequestContext, name: str) -> None:
    if not ctx.is_admin and (ctx.project_id is None or not ctx.can_write):
        raise _deny_rule(name)


def project_member_or_admin_in_project(ctx: RequestContext, name: str) -> None:
    """The same with scope_types=['project']: what the call makes belongs to the token's
    project, so a token without one is refused whatever its roles."""
    if ctx.project_id is None:
        raise _deny_rule(name)
    project_member_or_admin(ctx, name)


def admin_api(ctx: RequestContext, name: str) -> None:
    if not ctx.is_admin:
        raise _deny_rule(name)


def project_manager_or_admin(ctx: RequestContext, name: str) -> None:
    """Nova's `role:manager and project_id:%(project_id)s or role:admin` (2025.1+): the
    target's project is the token's once the responder has found the target there."""
    if not ctx.is_admin and (ctx.project_id is None or "manager" not in ctx.roles):
        raise _deny_rule(name)


def service_or_admin(ctx: RequestContext, name: str) -> None:
    """Nova's `role:service or role:admin`: the calls other services make (Keystone's service
    role implies no other)."""
    if not ctx.is_admin and "service" not in ctx.roles:
        raise _deny_rule(name)


def any_token(ctx: RequestContext, name: str) -> None:
    """Nova's "@": any caller with a valid token (the enforcer has already required one)."""
