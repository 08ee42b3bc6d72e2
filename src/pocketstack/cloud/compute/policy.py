"""Upstream Nova's default policy: readers list and show, members act, admins see everything."""

from __future__ import annotations

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.errors import Forbidden


def _deny(rule: str) -> Forbidden:
    return Forbidden(f"Policy doesn't allow os_compute_api:{rule} to be performed.")


def authorize_read(ctx: RequestContext, rule: str) -> None:
    """project_reader_or_admin."""
    if ctx.is_admin:
        return
    if ctx.project_id is None or not ctx.can_read:
        raise _deny(rule)


def authorize_write(ctx: RequestContext, rule: str) -> None:
    """project_member_or_admin."""
    if ctx.is_admin:
        return
    if ctx.project_id is None or not ctx.can_write:
        raise _deny(rule)


def authorize_project_write(ctx: RequestContext, rule: str) -> None:
    """project_member_or_admin with scope_types=['project']: only a project-scoped token.

    What the call makes belongs to the token's project; a system- or domain-scoped token has
    none, and Nova (enforcing scope) refuses it whatever its roles.
    """
    if ctx.project_id is None:
        raise _deny(rule)
    authorize_write(ctx, rule)


def authorize_admin(ctx: RequestContext, rule: str) -> None:
    if not ctx.is_admin:
        raise _deny(rule)


def can_see_project(ctx: RequestContext, project_id: str) -> bool:
    return ctx.is_admin or project_id == ctx.project_id
