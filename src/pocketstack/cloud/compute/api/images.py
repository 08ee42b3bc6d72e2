"""The compute API's image proxy declared (Nova's /images and their metadata, deprecated and
gone from 2.36: each declaration's schemas end at 2.35 and its responder answers 404 past it).

Nova relays these to Glance, which decides who may read or change an image: the rules named are
Glance's, their checks the token's part of them (a reader reads, a member writes)."""

from __future__ import annotations

from pocketstack.cloud.api.operation import JSON, Operation, Rule, Versioned
from pocketstack.cloud.api.shapes import INT, NSTR, STR, arr, obj, query, ref
from pocketstack.cloud.compute import requests
from pocketstack.cloud.compute.api import requests as request_schemas
from pocketstack.cloud.compute.api.common import MEMBER, READ_ERRORS, READER, WRITE_ERRORS

LAST = (2, 35)
_LINKS = arr(ref("ComputeLink"))


def _upto(schema: JSON) -> tuple[Versioned, ...]:
    return (Versioned(schema, None, LAST),)


def _bodies(schemas: tuple[Versioned, ...]) -> tuple[Versioned, ...]:
    """The server metadata's body schemas (Nova's image metadata takes the same), up to 2.35."""
    return tuple(
        Versioned(v.schema, v.low, LAST if v.high is None or v.high > LAST else v.high)
        for v in schemas
        if v.low is None or v.low <= LAST
    )


def _image() -> JSON:
    server = obj({"id": STR, "links": _LINKS}, closed=True)
    props: JSON = {
        "id": STR, "name": NSTR, "minRam": INT, "minDisk": INT, "metadata": {"type": "object"},
        "created": STR, "updated": STR, "status": STR, "progress": INT,
        "OS-EXT-IMG-SIZE:size": {"type": ["integer", "null"]}, "links": _LINKS,
        "server": server, "OS-DCF:diskConfig": {"enum": ["AUTO", "MANUAL"]},
    }  # fmt: skip
    required = tuple(n for n in props if n not in ("server", "OS-DCF:diskConfig"))
    return obj(props, required=required, closed=True)


def operations() -> tuple[Operation, ...]:
    summary = obj({"id": STR, "name": NSTR, "links": _LINKS}, closed=True)
    listing = obj({"images": arr(summary), "images_links": _LINKS}, required=("images",),
                  closed=True)  # fmt: skip
    detail = obj({"images": arr(_image()), "images_links": _LINKS}, required=("images",),
                 closed=True)  # fmt: skip
    metadata = obj({"metadata": {"type": "object"}}, closed=True)
    meta = obj({"meta": {"type": "object"}}, closed=True)
    filters = tuple(query(n) for n in ("name", "status", "changes-since", "server", "type",
                                       "minRam", "minDisk", "limit", "marker"))  # fmt: skip
    read = Rule("get_images", READER)
    one = Rule("get_image", READER)
    modify = Rule("modify_image", MEMBER)
    return (
        Operation(until=LAST, method="GET", path="/images",
                  summary="List images (deprecated; up to 2.35)",
                  policy=read, status=(200,), response=_upto(listing), parameters=filters,
                  errors=READ_ERRORS),
        Operation(until=LAST, method="GET", path="/images/detail",
                  summary="List images with details (deprecated; up to 2.35)", policy=read,
                  status=(200,), response=_upto(detail), parameters=filters,
                  errors=READ_ERRORS),
        Operation(until=LAST, method="GET", path="/images/{image_id}",
                  summary="Show an image (deprecated; up to 2.35)", policy=one, status=(200,),
                  response=_upto(obj({"image": _image()}, closed=True)), errors=READ_ERRORS),
        Operation(until=LAST, method="DELETE", path="/images/{image_id}",
                  summary="Delete an image (deprecated; up to 2.35)",
                  policy=Rule("delete_image", MEMBER), status=(204,), errors=WRITE_ERRORS),
        Operation(until=LAST, method="GET", path="/images/{image_id}/metadata",
                  summary="An image's metadata (deprecated; up to 2.35)", policy=one,
                  status=(200,), response=_upto(metadata), errors=READ_ERRORS),
        Operation(until=LAST, method="POST", path="/images/{image_id}/metadata",
                  summary="Merge into an image's metadata (deprecated; up to 2.35)",
                  policy=modify, status=(200,), request=_bodies(request_schemas.METADATA),
                  parse=requests.parse_metadata, response=_upto(metadata), errors=WRITE_ERRORS),
        Operation(until=LAST, method="PUT", path="/images/{image_id}/metadata",
                  summary="Replace an image's metadata (deprecated; up to 2.35)",
                  policy=modify, status=(200,), request=_bodies(request_schemas.METADATA),
                  parse=requests.parse_metadata, response=_upto(metadata), errors=WRITE_ERRORS),
        Operation(until=LAST, method="GET", path="/images/{image_id}/metadata/{key}",
                  summary="One item of an image's metadata (deprecated; up to 2.35)",
                  policy=one, status=(200,), response=_upto(meta), errors=READ_ERRORS),
        Operation(until=LAST, method="PUT", path="/images/{image_id}/metadata/{key}",
                  summary="Set one item of an image's metadata (deprecated; up to 2.35)",
                  policy=modify, status=(200,), request=_bodies(request_schemas.METADATA_ITEM),
                  parse=requests.parse_metadata_item, response=_upto(meta),
                  errors=WRITE_ERRORS),
        Operation(until=LAST, method="DELETE", path="/images/{image_id}/metadata/{key}",
                  summary="Delete one item of an image's metadata (deprecated; up to 2.35)",
                  policy=modify, status=(204,), errors=WRITE_ERRORS),
    )  # fmt: skip
