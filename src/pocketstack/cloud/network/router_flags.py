"""A router's `distributed` (dvr, as dvr-configurable rules it) and `ha` (l3-ha) flags: data
only, nothing is distributed or replicated.

Policy (neutron/conf/policies/router.py): only an admin sets either, on create or update
(create_router:distributed, update_router:ha...: a body naming one from anyone else is a 403,
whatever its value), and only an admin is shown them. Both default to false (Neutron's
router_distributed and l3_ha options' defaults); null asks for the default on create and
changes nothing on update. As Neutron's migrations want, a router's flags change only while it
is administratively down.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.network import faults, policy
from pocketstack.cloud.network.body import is_set
from pocketstack.cloud.store.models.network_extra import RouterExtraAttributes
from pocketstack.cloud.store.models.network_l3 import Router

FLAGS = ("distributed", "ha")
_ACTIVE = {
    "distributed": "Cannot change the 'distributed' attribute of active routers. Please set"
                   " router admin_state_up to False prior to upgrade",
    "ha": "Cannot change HA attribute of active routers. Please set router admin_state_up to"
          " False prior to upgrade",
}  # fmt: skip


def check_policy(ctx: RequestContext, action: str, asked: Mapping[str, Any]) -> None:
    """403 when a non-admin's body names a flag (set to anything, null included)."""
    if ctx.is_admin:
        return
    policy.refuse_attributes(action, [f for f in FLAGS if f in asked and is_set(asked[f])])


def create(session: Session, router: Router, item: Mapping[str, Any]) -> None:
    chosen = {f: bool(item[f]) if is_set(item.get(f)) and item[f] is not None else False
              for f in FLAGS}  # fmt: skip
    session.add(RouterExtraAttributes(router_id=router.id, **chosen))


def update(session: Session, router: Router, changes: Mapping[str, Any]) -> None:
    """The flags the update changes (the router row is locked by the caller, its
    admin_state_up already the update's)."""
    asked = {f: changes[f] for f in FLAGS if changes.get(f) is not None}
    if not asked:
        return
    row = session.get(RouterExtraAttributes, router.id)
    if row is None:
        row = RouterExtraAttributes(router_id=router.id, distributed=False, ha=False)
        session.add(row)
    for name, value in asked.items():
        if bool(getattr(row, name)) != value and router.admin_state_up:
            raise faults.bad_request(f"Bad router request: {_ACTIVE[name]}.", kind="BadRequest")
    for name, value in asked.items():
        setattr(row, name, value)


def flags_of(session: Session, router_ids: Iterable[str]) -> dict[str, dict[str, bool]]:
    wanted = list(set(router_ids))
    if not wanted:
        return {}
    rows = session.scalars(select(RouterExtraAttributes).where(
        RouterExtraAttributes.router_id.in_(wanted)))  # fmt: skip
    return {r.router_id: {"distributed": r.distributed, "ha": r.ha} for r in rows}


def fill(session: Session, ctx: RequestContext, views: Sequence[dict[str, Any]]) -> None:
    """The flags on the views of an admin (others are not shown them)."""
    if not ctx.is_admin:
        return
    found = flags_of(session, (v["id"] for v in views))
    for view in views:
        view.update(found.get(view["id"], {"distributed": False, "ha": False}))
