"""The former extensions' list (`/extensions`) declared."""

from __future__ import annotations

from pocketstack.cloud.api.operation import Operation, every_version
from pocketstack.cloud.api.shapes import STR, arr, obj
from pocketstack.cloud.compute.api.common import READ_ERRORS, rule
from pocketstack.cloud.compute.policy import any_token

_EXTENSION = obj(
    {"alias": STR, "name": STR, "description": STR, "namespace": STR, "updated": STR,
     "links": arr({"type": "object"})},
    closed=True,
)  # fmt: skip


def operations() -> tuple[Operation, ...]:
    return (
        Operation(method="GET", path="/extensions", summary="List the API's former extensions",
                  policy=rule("extensions", any_token), status=(200,),
                  response=every_version(obj({"extensions": arr(_EXTENSION)}, closed=True)),
                  errors=READ_ERRORS),
        Operation(method="GET", path="/extensions/{alias}", summary="Show a former extension",
                  policy=rule("extensions", any_token), status=(200,),
                  response=every_version(obj({"extension": _EXTENSION}, closed=True)),
                  errors=READ_ERRORS),
    )  # fmt: skip
