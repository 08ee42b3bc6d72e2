"""Image members (Glance v2's /v2/images/{id}/members): the owner of a `shared` image shares
it with other projects; each member project accepts, rejects or leaves pending its
membership, which decides whether the image is in its default listing.

Who may do what (Glance's defaults since 2023): the owner (or an admin) adds and removes
members; only the member itself (or an admin) sets its status; the owner sees every member, a
member only its own membership. Another project that cannot see the image learns nothing: 404.
"""

from __future__ import annotations

from typing import Any

import falcon
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge
from pocketstack.cloud.image.images import isotime
from pocketstack.cloud.image.lookup import is_visible
from pocketstack.cloud.image.requests import json_reader
from pocketstack.cloud.store.models.image import Image
from pocketstack.cloud.store.models.image_member import MEMBER_STATUSES, ImageMember

# Glance's image_member_quota default.
MAX_MEMBERS = 128


def member_view(member: ImageMember) -> dict[str, Any]:
    return {
        "member_id": member.member,
        "image_id": member.image_id,
        "status": member.status,
        "created_at": isotime(member.created_at),
        "updated_at": isotime(member.updated_at),
        "schema": "/v2/schemas/member",
    }


def _image(session: Session, ctx: RequestContext, image_id: str, *, lock: bool = False) -> Image:
    stmt = select(Image).where(Image.id == image_id)
    if lock:
        # Adds to one image are serialized: the member count and the duplicate check hold.
        stmt = stmt.with_for_update()
    image = session.scalar(stmt)
    # The id as given, not one MariaDB's collation takes for it.
    if image is None or image.id != image_id:
        raise NotFound(f"Image {image_id} not found.")
    if not is_visible(image, project_id=ctx.project_id, is_admin=ctx.is_admin):
        raise NotFound(f"Image {image_id} not found.")
    return image


def _owns(ctx: RequestContext, image: Image) -> bool:
    return ctx.is_admin or (image.owner is not None and image.owner == ctx.project_id)


def _member(session: Session, ctx: RequestContext, image: Image, member_id: str) -> ImageMember:
    found = session.scalar(
        select(ImageMember).where(ImageMember.image_id == image.id, ImageMember.member == member_id)
    )
    # A member sees its own membership only: another's is not found, as in Glance.
    if found is None or not (_owns(ctx, image) or member_id == ctx.project_id):
        raise NotFound(f"{member_id} not found in the member list of the image {image.id}.")
    return found


def _body(req: falcon.Request, deps: CloudDeps) -> Any:
    return json_reader(deps.config.max_request_body_size)(req)


class Members:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, image_id: str) -> None:
        ctx: RequestContext = req.context.auth
        with self._deps.store.session() as session:
            image = _image(session, ctx, image_id)
            if image.visibility != "shared":
                raise Forbidden(f"Not allowed to list members for image {image_id}: Only"
                                " shared images have members.")  # fmt: skip
            stmt = select(ImageMember).where(ImageMember.image_id == image_id)
            if not _owns(ctx, image):
                stmt = stmt.where(ImageMember.member == ctx.project_id)
            members = session.scalars(stmt.order_by(ImageMember.created_at, ImageMember.id))
            resp.media = {
                "members": [member_view(m) for m in members],
                "schema": "/v2/schemas/members",
            }

    def on_post(self, req: falcon.Request, resp: falcon.Response, image_id: str) -> None:
        ctx: RequestContext = req.context.auth
        body = _body(req, self._deps)
        if not isinstance(body, dict):
            raise BadRequest('Expected a member in the form: {"member": "image_id"}')
        if "member" not in body:
            raise BadRequest("Member to be added not specified")
        member_id = body["member"]
        if not member_id:
            raise BadRequest("Member can't be empty")
        if not isinstance(member_id, str) or len(member_id) > 255:
            raise BadRequest(f"Invalid member: {member_id!r}")
        now = self._deps.clock.now()
        refused = Forbidden(f"Not allowed to create members for image {image_id}.")
        duplicate = Conflict(f"Member {member_id} is duplicated for image {image_id}")
        with self._deps.store.session(write=True) as session:
            image = _image(session, ctx, image_id, lock=True)
            if image.visibility != "shared" or not (_owns(ctx, image) and ctx.can_write):
                raise refused
            count = (
                session.scalar(select(func.count()).where(ImageMember.image_id == image_id)) or 0
            )
            existing = session.scalar(
                select(ImageMember.id).where(
                    ImageMember.image_id == image_id, ImageMember.member == member_id
                )
            )
            if existing is not None:
                raise duplicate
            if count >= MAX_MEMBERS:
                raise PayloadTooLarge(
                    f"Image member limit exceeded for image {image_id}: The limit has been"
                    f" exceeded on the number of allowed image members for this image."
                    f" Attempted: {count + 1}, Maximum: {MAX_MEMBERS}:"
                )
            member = ImageMember(image_id=image_id, member=member_id, status="pending",
                                 created_at=now, updated_at=now)  # fmt: skip
            session.add(member)
            try:
                session.flush()
            except IntegrityError:
                # The same member added concurrently, committed between check and insert.
                raise duplicate from None
            resp.media = member_view(member)


class Member:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(
        self, req: falcon.Request, resp: falcon.Response, image_id: str, member_id: str
    ) -> None:
        ctx: RequestContext = req.context.auth
        with self._deps.store.session() as session:
            image = _image(session, ctx, image_id)
            if image.visibility != "shared":
                # Glance answers a membership of an image that has none as not found.
                raise NotFound("Only shared images have members.")
            resp.media = member_view(_member(session, ctx, image, member_id))

    def on_put(
        self, req: falcon.Request, resp: falcon.Response, image_id: str, member_id: str
    ) -> None:
        ctx: RequestContext = req.context.auth
        body = _body(req, self._deps)
        if not isinstance(body, dict):
            raise BadRequest('Expected a status in the form: {"status": "status"}')
        if "status" not in body:
            raise BadRequest("Status not specified")
        status = body["status"]
        refused = Forbidden(f"Not allowed to update members for image {image_id}.")
        with self._deps.store.session(write=True) as session:
            image = _image(session, ctx, image_id, lock=True)
            if image.visibility != "shared":
                raise refused
            member = _member(session, ctx, image, member_id)
            # Only the member decides: the owner cannot accept on its behalf.
            if not ctx.is_admin and (member_id != ctx.project_id or not ctx.can_write):
                raise refused
            if status not in MEMBER_STATUSES:
                raise BadRequest(
                    'Incorrect request: Status must be "pending", "accepted" or "rejected".'
                )
            member.status = status
            member.updated_at = self._deps.clock.now()
            session.flush()
            resp.media = member_view(member)

    def on_delete(
        self, req: falcon.Request, resp: falcon.Response, image_id: str, member_id: str
    ) -> None:
        ctx: RequestContext = req.context.auth
        refused = Forbidden(f"Not allowed to delete members for image {image_id}.")
        with self._deps.store.session(write=True) as session:
            image = _image(session, ctx, image_id, lock=True)
            if image.visibility != "shared":
                raise refused
            member = _member(session, ctx, image, member_id)
            if not (_owns(ctx, image) and ctx.can_write):
                raise refused
            session.delete(member)
        resp.status = falcon.HTTP_204
