"""The shared response schemas of the compute API (#/components/schemas/...)."""

from __future__ import annotations

from pocketstack.cloud.api.operation import JSON
from pocketstack.cloud.api.shapes import BOOL, INT, NSTR, STR, arr, obj, ref
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
        "Server": obj(
            {
                "id": STR,
                "name": STR,
                "status": STR,
                "tenant_id": STR,
                "user_id": STR,
                "created": STR,
                "updated": STR,
                "hostId": STR,
                "metadata": {"type": "object"},
                "links": arr(ref("ComputeLink")),
                "addresses": {"type": "object"},
                "accessIPv4": STR,
                "accessIPv6": STR,
                "flavor": {"type": "object"},
                "image": {"anyOf": [{"type": "object"}, {"const": ""}]},
                "OS-DCF:diskConfig": {"enum": ["AUTO", "MANUAL"]},
                "OS-EXT-STS:task_state": NSTR,
                "OS-EXT-STS:vm_state": STR,
                "OS-EXT-STS:power_state": INT,
                "locked": BOOL,
                "tags": arr(STR),
                "description": NSTR,
                "progress": INT,
            },
            required=(
                "id",
                "name",
                "status",
                "tenant_id",
                "user_id",
                "created",
                "updated",
                "links",
                "addresses",
                "flavor",
                "image",
                "metadata",
                "hostId",
            ),
        ),
        "ServerCreated": obj(
            {
                "id": STR,
                "links": arr(ref("ComputeLink")),
                "OS-DCF:diskConfig": STR,
                "security_groups": arr(obj({"name": STR})),
                "adminPass": STR,
            },
            closed=True,
        ),
        "Flavor": obj(
            {
                "id": STR,
                "name": STR,
                "links": arr(ref("ComputeLink")),
                "ram": INT,
                "disk": INT,
                "vcpus": INT,
                "swap": {"anyOf": [INT, {"const": ""}]},
                "OS-FLV-EXT-DATA:ephemeral": INT,
                "OS-FLV-DISABLED:disabled": BOOL,
                "os-flavor-access:is_public": BOOL,
                "rxtx_factor": {"type": "number"},
                "description": NSTR,
                "extra_specs": {"type": "object"},
            },
            required=("id", "name", "links"),
        ),
    }
