"""The compute API's flavors declared."""

from __future__ import annotations

from pocketstack.cloud.api.operation import JSON, Operation
from pocketstack.cloud.api.shapes import arr, obj, query, ref
from pocketstack.cloud.compute import requests
from pocketstack.cloud.compute.api import requests as request_schemas
from pocketstack.cloud.compute.api import server_views
from pocketstack.cloud.compute.api.common import (
    ADMIN,
    READ_ERRORS,
    READER,
    WRITE_ERRORS,
    rule,
)

FLAVOR_FILTERS = ("minRam", "minDisk", "is_public", "sort_key", "sort_dir", "limit", "marker")


def _flavor_list(flavor: JSON) -> JSON:
    return obj(
        {"flavors": arr(flavor), "flavors_links": arr(ref("ComputeLink"))},
        required=("flavors",),
        closed=True,
    )


def operations() -> tuple[Operation, ...]:
    flavor_queries = tuple(query(n) for n in FLAVOR_FILTERS)
    brief = server_views.versioned("FlavorBrief", _flavor_list)
    flavors = server_views.versioned("Flavor", _flavor_list)
    one_flavor = server_views.versioned(
        "Flavor", lambda flavor: obj({"flavor": flavor}, closed=True)
    )
    return (
        Operation(method="GET", path="/flavors", summary="List flavors",
                  policy=rule("flavors:index", READER), status=(200,), response=brief,
                  parameters=flavor_queries, errors=READ_ERRORS),
        Operation(method="POST", path="/flavors", summary="Create a flavor",
                  policy=rule("os-flavor-manage:create", ADMIN), status=(200,),
                  request=request_schemas.FLAVOR_CREATE, parse=requests.parse_flavor_create,
                  response=one_flavor, errors=WRITE_ERRORS),
        Operation(method="GET", path="/flavors/detail", summary="List flavors with details",
                  policy=rule("flavors:index", READER), status=(200,), response=flavors,
                  parameters=flavor_queries, errors=READ_ERRORS),
        Operation(method="GET", path="/flavors/{flavor_id}", summary="Show a flavor",
                  policy=rule("flavors:show", READER), status=(200,), response=one_flavor,
                  errors=READ_ERRORS),
        Operation(method="PUT", path="/flavors/{flavor_id}",
                  summary="Update a flavor's description",
                  policy=rule("os-flavor-manage:update", ADMIN), status=(200,),
                  request=request_schemas.FLAVOR_UPDATE, parse=requests.parse_flavor_update,
                  response=one_flavor, errors=WRITE_ERRORS, since=(2, 55)),
        Operation(method="DELETE", path="/flavors/{flavor_id}", summary="Delete a flavor",
                  policy=rule("os-flavor-manage:delete", ADMIN), status=(202,),
                  errors=WRITE_ERRORS),
    )  # fmt: skip
