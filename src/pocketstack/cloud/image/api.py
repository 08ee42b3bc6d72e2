"""The image API (the Glance v2 subset compute clients call) declared: every operation once
(see cloud/api/operation.py), with Glance's image schema for the body it takes (schema.py) and
the typed request it becomes (requests.py). Rules the token answers alone carry their check
(policy.py); showing and deleting depend on the image (its owner, its visibility), so their
responders decide them."""

from __future__ import annotations

from collections.abc import Sequence

from pocketstack.cloud.api.operation import (
    JSON,
    Operation,
    PublicPath,
    Rule,
    Service,
    every_version,
)
from pocketstack.cloud.api.shapes import BOOL, INT, NSTR, STR, arr, json_body, obj, query, ref
from pocketstack.cloud.image import api_data, api_metadefs, api_sharing, policy
from pocketstack.cloud.image.requests import parse_image_create
from pocketstack.cloud.image.schema import IMAGE_CREATE

NINT: JSON = {"type": ["integer", "null"]}


def _schemas() -> dict[str, JSON]:
    return {
        "ImageVersion": obj(
            {"id": STR, "status": STR, "links": arr(obj({"rel": STR, "href": STR}))}
        ),
        "Image": obj(
            {"id": STR, "name": NSTR, "status": STR, "visibility": STR, "protected": BOOL,
             "os_hidden": BOOL, "owner": NSTR, "container_format": NSTR, "disk_format": NSTR,
             "size": NINT, "virtual_size": NINT, "checksum": NSTR, "os_hash_algo": NSTR,
             "os_hash_value": NSTR, "min_disk": INT, "min_ram": INT, "tags": arr(STR),
             "created_at": STR, "updated_at": STR, "self": STR, "file": STR, "schema": STR},
            # Other keys are the image's own string properties.
        ),
    }  # fmt: skip


def error_response(code: int) -> JSON:
    # Glance's errors are webob's: JSON, or a plain-text page to a client that asks for text;
    # the 401 comes from the token middleware.
    if code == 401:
        return json_body(ref("AuthError"))
    webob = obj({"message": STR, "code": STR, "title": STR})
    return {
        "description": "Glance error",
        "content": {"application/json": {"schema": webob}, "text/plain": {"schema": STR}},
    }


def _operations() -> tuple[Operation, ...]:
    versions = every_version(obj({"versions": arr(ref("ImageVersion"))}))
    listing = every_version(
        obj(
            {"images": arr(ref("Image")), "first": STR, "schema": STR, "next": STR},
            required=("images", "first", "schema"),
        )
    )
    filters = tuple(
        query(n) for n in ("name", "status", "visibility", "member_status", "id", "owner",
                           "tag", "container_format", "disk_format", "size", "size_min",
                           "size_max", "min_disk", "min_ram", "protected", "os_hidden",
                           "sort", "sort_key", "sort_dir", "limit", "marker")
    )  # fmt: skip
    image = every_version(ref("Image"))
    return (
        Operation(method="GET", path="/", summary="Image API versions", policy=None,
                  status=(300,), response=versions),
        Operation(method="GET", path="/versions", summary="Image API versions", policy=None,
                  status=(200,), response=versions),
        Operation(method="GET", path="/v2/images", summary="List images",
                  policy=Rule("get_images", policy.admin_or_project_reader), status=(200,),
                  response=listing, parameters=filters, errors=(400, 401, 403, 404)),
        Operation(method="POST", path="/v2/images", summary="Create an image record (no data)",
                  policy=Rule("add_image", policy.project_member_creating), status=(201,),
                  request=every_version(IMAGE_CREATE), parse=parse_image_create,
                  response=image, errors=(400, 401, 403, 409, 413)),
        Operation(method="GET", path="/v2/images/{image_id}", summary="Show an image",
                  policy=Rule("get_image"), status=(200,), response=image, errors=(401, 404)),
        Operation(method="DELETE", path="/v2/images/{image_id}", summary="Delete an image",
                  policy=Rule("delete_image"), status=(204,), errors=(401, 403, 404)),
        # `/v2/images/` (an empty image id) is not found, as in Glance; the collection itself
        # cannot be deleted (405).
        Operation(method="DELETE", path="/v2/images", summary="(an image with an empty id)",
                  policy=Rule("delete_image"), status=(204,), errors=(401, 404, 405)),
        Operation(method="PATCH", path="/v2/images/{image_id}",
                  summary="Update an image (JSON patch: openstack-images-v2.1-json-patch)",
                  policy=Rule("modify_image"), status=(200,), response=image,
                  errors=(400, 401, 403, 404, 409, 413, 415)),
    )  # fmt: skip


def public_paths(route: str) -> Sequence[PublicPath]:
    return [PublicPath("/image/" if route == "/" else f"/image{route}")]


# The parts of the API beyond the image records, each declared in its own module.
_PARTS = (api_data, api_sharing, api_metadefs)

SERVICE = Service(
    name="image",
    operations=_operations() + tuple(op for part in _PARTS for op in part.operations()),
    schemas=_schemas() | {k: v for part in _PARTS for k, v in part.schemas().items()},
    error_response=error_response,
    public_paths=public_paths,
)
