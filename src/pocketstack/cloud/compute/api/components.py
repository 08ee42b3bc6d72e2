"""The shared response schemas of the compute API (#/components/schemas/...)."""

from __future__ import annotations

from pocketstack.cloud.api.operation import JSON
from pocketstack.cloud.api.shapes import INT, STR, arr, obj, ref
from pocketstack.cloud.compute.api import server_views
from pocketstack.cloud.compute.api.common import FAULT_NAMES


def schemas() -> dict[str, JSON]:
    link = obj({"rel": STR, "href": STR}, required=("rel", "href"))
    fault_body = obj({"code": INT, "message": STR}, required=("code", "message"))
    return {
        "ComputeLink": link,
        "ComputeFault": {
            "type": "object",
            "oneOf": [obj({name: fault_body}, closed=True) for name in FAULT_NAMES],
        },
        "ComputeVersion": obj(
            {
                "id": STR,
                "status": STR,
                "version": STR,
                "min_version": STR,
                "updated": STR,
                "links": arr(ref("ComputeLink")),
            },
            required=("id", "status", "version", "min_version", "links"),
        ),
        "ServerRef": obj({"id": STR, "name": STR, "links": arr(ref("ComputeLink"))}, closed=True),
        # Nova's create answer: adminPass only where the cloud generates passwords (ours does).
        "ServerCreated": obj(
            {
                "id": STR,
                "links": arr(ref("ComputeLink")),
                "OS-DCF:diskConfig": {"enum": ["AUTO", "MANUAL"]},
                "security_groups": arr(obj({"name": STR}, closed=True)),
                "adminPass": STR,
            },
            closed=True,
        ),
        # The server and flavor views, one schema per microversion band.
        **server_views.catalog().components,
    }
