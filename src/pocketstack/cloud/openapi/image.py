"""The image API (the Glance v2 subset compute clients call) under `/image`."""

from __future__ import annotations

from pocketstack.cloud.openapi.shapes import (
    BOOL,
    INT,
    JSON,
    NSTR,
    STR,
    arr,
    json_body,
    no_body,
    obj,
    operation,
    path_param,
    query,
    ref,
)

TAG = "image"
NINT: JSON = {"type": ["integer", "null"]}


def schemas() -> dict[str, JSON]:
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


def _errors(*codes: int) -> dict[int, JSON]:
    # Glance's errors are webob's: JSON, or a plain-text page to a client that asks for text;
    # the 401 comes from the token middleware.
    webob = obj({"message": STR, "code": STR, "title": STR})
    error = {
        "description": "Glance error",
        "content": {"application/json": {"schema": webob}, "text/plain": {"schema": STR}},
    }
    return {code: json_body(ref("AuthError")) if code == 401 else error for code in codes}


def paths() -> dict[str, JSON]:
    versions = obj({"versions": arr(ref("ImageVersion"))})
    listing = obj(
        {"images": arr(ref("Image")), "first": STR, "schema": STR, "next": STR},
        required=("images", "first", "schema"),
    )
    filters = [query(n) for n in ("name", "status", "visibility", "id", "owner", "limit", "marker")]
    image = json_body(ref("Image"))
    return {
        "/image/": {"get": operation("Image API versions", tag=TAG, public=True, responses={
            300: {"description": "Multiple choices",
                  "content": {"application/json": {"schema": versions}}}})},
        "/image/versions": {"get": operation("Image API versions", tag=TAG, public=True,
                                             responses={200: json_body(versions)})},
        "/image/v2/images": {
            "get": operation("List images", tag=TAG, parameters=filters,
                             responses={200: json_body(listing), **_errors(400, 401)}),
            "post": operation("Create an image record (no data)", tag=TAG,
                              body={"type": "object"},
                              responses={201: image, **_errors(400, 401, 403, 409, 413)}),
        },
        "/image/v2/images/{image_id}": {
            "parameters": [path_param("image_id")],
            "get": operation("Show an image", tag=TAG,
                             responses={200: image, **_errors(401, 404)}),
            "delete": operation("Delete an image", tag=TAG,
                                responses={204: no_body("Deleted"), **_errors(401, 403, 404)}),
        },
    }  # fmt: skip
