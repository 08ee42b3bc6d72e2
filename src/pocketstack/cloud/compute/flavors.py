"""GET /flavors, /flavors/detail, /flavors/{id}; POST and DELETE for admins."""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
import uuid
from typing import Any

import falcon
from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.compute.flavor_listing import page_of_flavors, parse_query
from pocketstack.cloud.compute.requests import FlavorCreate, FlavorUpdate
from pocketstack.cloud.compute.routing import Links, auth_of, version_of
from pocketstack.cloud.compute.views import flavor_view
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import Conflict, NotFound
from pocketstack.cloud.store.models.compute import Flavor, FlavorProject


class FlavorList:
    def __init__(self, deps: CloudDeps, *, detail: bool) -> None:
        self._deps = deps
        self._detail = detail

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        ctx = auth_of(req)
        api = version_of(req)
        query = parse_query(req.query_string, ctx, api)
        with self._deps.store.session() as session:
            page = page_of_flavors(session, ctx, query)
        links = Links(req)
        body: dict[str, Any] = {
            "flavors": [flavor_view(f, api=api, links=links, detail=self._detail) for f in page]
        }
        if page and len(page) == query.limit:
            pairs = [p for p in urllib.parse.parse_qsl(req.query_string, keep_blank_values=True)]
            pairs = sorted([p for p in pairs if p[0] != "marker"] + [("marker", page[-1].id)])
            collection = "flavors/detail" if self._detail else "flavors"
            href = f"{links.collection(collection)}?{urllib.parse.urlencode(pairs)}"
            body["flavors_links"] = [{"rel": "next", "href": href}]
        resp.media = body

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        api = version_of(req)
        flavor = _new_flavor(request_of(req, FlavorCreate), now=self._deps.clock.now())
        try:
            with self._deps.store.session(write=True) as session:
                session.add(flavor)
        except IntegrityError:
            # The id or the name is taken (the primary key, the unique name): which one, a
            # fresh transaction sees.
            with self._deps.store.session() as fresh:
                raise _clash(flavor, _existing(fresh, flavor)) from None
        resp.media = {"flavor": flavor_view(flavor, api=api, links=Links(req), detail=True)}


def _new_flavor(spec: FlavorCreate, *, now: dt.datetime) -> Flavor:
    return Flavor(
        id=spec.flavor_id if spec.flavor_id is not None else str(uuid.uuid4()),
        name=spec.name,
        memory_mb=spec.ram,
        vcpus=spec.vcpus,
        root_gb=spec.disk,
        ephemeral_gb=spec.ephemeral,
        swap=spec.swap,
        rxtx_factor=str(spec.rxtx_factor),
        is_public=spec.is_public,
        disabled=False,
        description=spec.description,
        extra_specs="{}",
        created_at=now,
    )


def _existing(session: Session, flavor: Flavor) -> Flavor | None:
    return session.scalars(
        select(Flavor).where(or_(Flavor.id == flavor.id, Flavor.name == flavor.name))
    ).first()


def _clash(flavor: Flavor, existing: Flavor | None) -> Conflict:
    if existing is not None and existing.name == flavor.name and existing.id != flavor.id:
        return Conflict(f"Flavor with name {flavor.name} already exists.")
    return Conflict(f"Flavor with ID {flavor.id} already exists.")


def get_flavor(
    session: Session, ctx: RequestContext, flavor_id: str, *, lock: bool = False
) -> Flavor:
    """The flavor as the caller may see it (404 otherwise); `lock`: its row held until the
    transaction ends, so that two changes of its extra specs never lose one another."""
    flavor = session.get(Flavor, flavor_id, with_for_update=True if lock else None)
    if (
        flavor is not None
        and not flavor.is_public
        and not ctx.is_admin
        and session.get(FlavorProject, (flavor.id, ctx.project_id or "")) is None
    ):
        flavor = None
    if flavor is None:
        raise NotFound(f"Flavor {flavor_id} could not be found.")
    return flavor


class FlavorItem:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, flavor_id: str) -> None:
        ctx = auth_of(req)
        with self._deps.store.session() as session:
            flavor = get_flavor(session, ctx, flavor_id)
        resp.media = {
            "flavor": flavor_view(flavor, api=version_of(req), links=Links(req), detail=True)
        }

    def on_put(self, req: falcon.Request, resp: falcon.Response, flavor_id: str) -> None:
        ctx = auth_of(req)
        update = request_of(req, FlavorUpdate)
        with self._deps.store.session(write=True) as session:
            flavor = get_flavor(session, ctx, flavor_id)
            flavor.description = update.description
        resp.media = {
            "flavor": flavor_view(flavor, api=version_of(req), links=Links(req), detail=True)
        }

    def on_delete(self, req: falcon.Request, resp: falcon.Response, flavor_id: str) -> None:
        ctx = auth_of(req)
        with self._deps.store.session(write=True) as session:
            flavor = get_flavor(session, ctx, flavor_id)
            session.execute(delete(FlavorProject).where(FlavorProject.flavor_id == flavor.id))
            session.delete(flavor)
        resp.status = falcon.HTTP_202


M1_FLAVORS = (
    ("1", "m1.tiny", 1, 512, 1),
    ("2", "m1.small", 1, 2048, 20),
    ("3", "m1.medium", 2, 4096, 40),
    ("4", "m1.large", 4, 8192, 80),
    ("5", "m1.xlarge", 8, 16384, 160),
)


def ensure_m1_flavors(session: Session, now: dt.datetime) -> None:
    for flavor_id, name, vcpus, ram, disk in M1_FLAVORS:
        if session.get(Flavor, flavor_id) is not None:
            continue
        if session.scalars(select(Flavor).where(Flavor.name == name)).first() is not None:
            continue
        session.add(
            Flavor(
                id=flavor_id, name=name, vcpus=vcpus, memory_mb=ram, root_gb=disk,
                ephemeral_gb=0, swap=0, rxtx_factor="1.0", is_public=True, disabled=False,
                description=None, extra_specs=json.dumps({}), created_at=now,
            )
        )  # fmt: skip
