"""The sharing operations declared: image members, tags, and the schemas (Glance v2).

Every rule here depends on the image (its owner, its visibility, who its members are), so the
responders decide them (members.py, tags.py); the declarations name Glance's rules.
"""

from __future__ import annotations

from pocketstack.cloud.api.operation import JSON, Operation, Rule, every_version
from pocketstack.cloud.api.shapes import STR, arr, obj, ref

_MEMBER = "/v2/images/{image_id}/members/{member_id}"
_TAG = "/v2/images/{image_id}/tags/{tag_value}"


def operations() -> tuple[Operation, ...]:
    member = every_version(ref("ImageMember"))
    listing = every_version(obj({"members": arr(ref("ImageMember")), "schema": STR}))
    document = every_version(obj({"name": STR, "properties": {"type": "object"}},
                                 required=("name", "properties")))  # fmt: skip
    schemas = tuple(
        Operation(method="GET", path=f"/v2/schemas/{name}", summary=f"The {name} JSON schema",
                  policy=None, status=(200,), response=document, errors=(401,))
        for name in ("image", "images", "member", "members")
    )  # fmt: skip
    return (
        Operation(method="GET", path="/v2/images/{image_id}/members",
                  summary="List an image's members", policy=Rule("get_members"),
                  status=(200,), response=listing, errors=(401, 403, 404)),
        Operation(method="POST", path="/v2/images/{image_id}/members",
                  summary="Share an image with a project", policy=Rule("add_member"),
                  status=(200,), response=member, errors=(400, 401, 403, 404, 409, 413)),
        Operation(method="GET", path=_MEMBER, summary="Show an image membership",
                  policy=Rule("get_member"), status=(200,), response=member,
                  errors=(401, 404)),
        Operation(method="PUT", path=_MEMBER,
                  summary="Accept, reject or leave pending a membership",
                  policy=Rule("modify_member"), status=(200,), response=member,
                  errors=(400, 401, 403, 404)),
        Operation(method="DELETE", path=_MEMBER, summary="Stop sharing an image with a project",
                  policy=Rule("delete_member"), status=(204,), errors=(401, 403, 404)),
        Operation(method="PUT", path=_TAG, summary="Add a tag to an image",
                  policy=Rule("modify_image"), status=(204,), errors=(400, 401, 403, 404, 413)),
        Operation(method="DELETE", path=_TAG, summary="Remove a tag from an image",
                  policy=Rule("modify_image"), status=(204,), errors=(401, 403, 404)),
        *schemas,
    )  # fmt: skip


def schemas() -> dict[str, JSON]:
    """The named response schemas the part's operations refer to."""
    return {
        "ImageMember": obj(
            {"member_id": STR, "image_id": STR, "status": STR, "created_at": STR,
             "updated_at": STR, "schema": STR}
        ),
    }  # fmt: skip
