"""`/v2.0/metering/metering-labels`: list, create, show, delete (Neutron's metering extension;
data only: nothing counts traffic). A label is its project's; deleting it deletes its rules.

Policy (neutron/conf/policies/metering.py): an admin or a manager of the label's project
creates and deletes labels and their rules (ADMIN_OR_PROJECT_MANAGER), an admin or a reader of
that project reads them; a label the caller may not read is answered as missing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import falcon
from sqlalchemy import select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.network import access, faults, listing, metering_attributes, policy
from pocketstack.cloud.network.body import Creates
from pocketstack.cloud.network.networks import owner_of
from pocketstack.cloud.store.models.network_metering import MeteringLabel

Label = MeteringLabel

LISTABLE = listing.Listable(
    collection="metering_labels",
    attributes=metering_attributes.LABEL,
    id_column=Label.id,
    # No timestamps: changed_since is refused before it would reach this column.
    updated_column=Label.id,
    columns={
        "id": Label.id, "name": Label.name, "description": Label.description,
        "project_id": Label.project_id, "shared": Label.shared,
    },
)  # fmt: skip


def manages(ctx: RequestContext, project_id: str) -> bool:
    """ADMIN_OR_PROJECT_MANAGER."""
    return ctx.is_admin or (ctx.project_id == project_id and "manager" in ctx.roles)


def sees(ctx: RequestContext, project_id: str) -> bool:
    """ADMIN_OR_PROJECT_READER."""
    return ctx.is_admin or policy.reads(ctx, project_id)


def visible_labels(ctx: RequestContext) -> ColumnElement[bool]:
    return true() if ctx.is_admin else Label.project_id == access.own_project(ctx)


def label_missing(label_id: str) -> faults.NeutronError:
    return faults.not_found("MeteringLabelNotFound", f"Metering label '{label_id}' does not exist.")


def label(session: Session, ctx: RequestContext, label_id: str, *,
          lock: str | None = None) -> Label:  # fmt: skip
    stmt = access.locked(select(Label).where(Label.id == label_id), lock)
    found: Label | None = session.scalars(stmt).first()
    if found is None or not sees(ctx, found.project_id):
        raise label_missing(label_id)
    return found


def parse_list(req: falcon.Request, listable: listing.Listable) -> listing.ListQuery:
    query = listing.parse(req.query_string, listable)
    if listing.CHANGED_SINCE in query.filters:
        # Only resources with standard attributes have a change time to filter on.
        raise faults.bad_request(f"['{listing.CHANGED_SINCE}'] is invalid attribute for filtering")
    return query


def label_views(labels: Sequence[Label]) -> list[dict[str, Any]]:
    return [{"id": row.id, "name": row.name, "description": row.description,
             "tenant_id": row.project_id, "project_id": row.project_id, "shared": row.shared}
            for row in labels]  # fmt: skip


def _no_bulk(new: Creates) -> None:
    if new.bulk:
        raise faults.bad_request("Bulk operation not supported")


class MeteringLabelList:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx: RequestContext = req.context.auth
        query = parse_list(req, LISTABLE)
        stmt = select(Label).where(visible_labels(ctx), *listing.where(LISTABLE, query.filters))
        with self._deps.store.session() as session:
            marker = None
            if query.limit is not None and query.marker is not None:
                marker = listing.marker_of(label(session, ctx, query.marker), LISTABLE)
            rows = listing.keyset_page(session, stmt, LISTABLE, query, marker)
        resp.media = listing.page_body(req, query, "metering_labels", label_views(rows),
                                       [r.id for r in rows])  # fmt: skip

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx: RequestContext = req.context.auth
        new = request_of(req, Creates)
        _no_bulk(new)
        item = new.items[0]
        project = owner_of(ctx, item)
        if not manages(ctx, project):
            raise faults.policy_refused("create_metering_label")
        row = Label(id=str(uuid.uuid4()), project_id=project, name=item["name"],
                    description=item["description"], shared=item["shared"])  # fmt: skip
        with self._deps.store.session(write=True) as session:
            session.add(row)
            session.flush()
            view = label_views([row])[0]
        resp.status = falcon.HTTP_201
        resp.media = {"metering_label": view}


class MeteringLabelItem:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, metering_label_id: str) -> None:
        with self._deps.store.session() as session:
            view = label_views([label(session, req.context.auth, metering_label_id)])[0]
        resp.media = {"metering_label": listing.select_fields(view, listing.show_fields(req))}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, metering_label_id: str) -> None:
        ctx: RequestContext = req.context.auth
        with self._deps.store.session(write=True) as session:
            found = label(session, ctx, metering_label_id, lock=access.UPDATE)
            if not manages(ctx, found.project_id):
                raise faults.policy_refused("delete_metering_label")
            # Its rules go by the foreign key's cascade.
            session.delete(found)
        resp.status = falcon.HTTP_204
