"""The image data operations declared: upload, download, staging and import, deactivate and
reactivate (Glance v2), and the discovery of import methods and stores.

Their policies depend on the image (its owner, its visibility), so the responders decide them
(routes_data.py, uploads.py). The data itself is no JSON: the upload and the stage declare no
request body, so the enforcer leaves the stream for the responder to read as it arrives.
"""

from __future__ import annotations

from pocketstack.cloud.api.operation import JSON, Operation, Rule, every_version
from pocketstack.cloud.api.shapes import ANY, BOOL, NSTR, STR, arr, obj, ref
from pocketstack.cloud.image.uploads import parse_import

_IMAGE = "/v2/images/{image_id}"


def operations() -> tuple[Operation, ...]:
    return (
        Operation(method="PUT", path=f"{_IMAGE}/file", summary="Upload binary image data",
                  policy=Rule("upload_image"), status=(204,),
                  errors=(400, 401, 403, 404, 409, 410, 413, 415)),
        Operation(method="GET", path=f"{_IMAGE}/file", summary="Download binary image data",
                  policy=Rule("download_image"), status=(200, 204, 206),
                  headers=("Content-MD5", "Content-Range"),
                  errors=(401, 403, 404, 416)),
        Operation(method="PUT", path=f"{_IMAGE}/stage", summary="Stage binary image data",
                  policy=Rule("modify_image"), status=(204,),
                  errors=(400, 401, 403, 404, 409, 410, 413, 415)),
        Operation(method="POST", path=f"{_IMAGE}/import", summary="Import an image",
                  policy=Rule("modify_image"), status=(202,),
                  request=every_version({"type": ["object", "array"]}), parse=parse_import,
                  errors=(400, 401, 403, 404, 409)),
        Operation(method="GET", path=f"{_IMAGE}/tasks", summary="Show an image's import tasks",
                  policy=Rule("get_image"), status=(200,),
                  response=every_version(obj({"tasks": arr(ref("ImageTask"))})),
                  errors=(401, 404)),
        Operation(method="POST", path=f"{_IMAGE}/actions/deactivate",
                  summary="Deactivate an image", policy=Rule("deactivate"), status=(204,),
                  errors=(400, 401, 403, 404)),
        Operation(method="POST", path=f"{_IMAGE}/actions/reactivate",
                  summary="Reactivate an image", policy=Rule("reactivate"), status=(204,),
                  errors=(400, 401, 403, 404)),
        # Glance checks no rule beyond its `default` (any token) for its discovery calls.
        Operation(method="GET", path="/v2/info/import", summary="Import methods",
                  policy=Rule("default"), status=(200,),
                  response=every_version(ref("ImportInfo")), errors=(401,)),
        Operation(method="GET", path="/v2/info/stores", summary="Stores",
                  policy=Rule("default"), status=(200,),
                  response=every_version(ref("StoresInfo")), errors=(401,)),
    )  # fmt: skip


def schemas() -> dict[str, JSON]:
    """The named response schemas the part's operations refer to."""
    return {
        "ImportInfo": obj(
            {"import-methods": obj({"description": STR, "type": STR, "value": arr(STR)})}
        ),
        "ImageTask": obj(
            {
                "id": STR,
                "type": STR,
                "status": STR,
                "owner": NSTR,
                "image_id": STR,
                "request_id": STR,
                "user_id": STR,
                "input": ANY,
                "result": ANY,
                "message": STR,
                "created_at": STR,
                "updated_at": STR,
                "expires_at": NSTR,
                "deleted": BOOL,
                "deleted_at": NSTR,
            }
        ),
        "StoresInfo": obj(
            {"stores": arr(obj({"id": STR, "description": STR, "default": STR}, required=("id",)))}
        ),
    }
