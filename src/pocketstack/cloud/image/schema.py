"""Glance's image schema, as `POST /v2/images` validates a body against it (its base properties
in glance/api/v2/images.py, permissive: any other key is a string property).

Glance types every core attribute strictly: `protected` is a JSON boolean (the string "false"
is refused, not read as true), `min_disk` an integer, the formats one of a list. Beyond Glance,
the integers are bounded by our 32-bit columns. The read-only attributes are typed here as
Glance types them; naming one is refused afterwards (requests.py), as Glance does.
"""

from __future__ import annotations

from pocketstack.cloud.api.operation import JSON
from pocketstack.cloud.inputs import MAX_INT

VISIBILITIES = ("public", "private", "shared", "community")
STATUSES = ("queued", "saving", "active", "killed", "deleted", "pending_delete", "deactivated",
            "uploading", "importing")  # fmt: skip
# Glance's defaults for [image_format] container_formats and disk_formats.
CONTAINER_FORMATS = ("ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed")
DISK_FORMATS = ("ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop")
UUID_PATTERN = (
    "^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$"
)

_STRING: JSON = {"type": "string"}
_COUNT: JSON = {"type": "integer", "maximum": MAX_INT}


def _nullable(max_length: int | None = None) -> JSON:
    schema: JSON = {"type": ["null", "string"]}
    if max_length is not None:
        schema["maxLength"] = max_length
    return schema


def _one_of(values: tuple[str, ...]) -> JSON:
    return {"type": ["null", "string"], "enum": [None, *values]}


IMAGE_CREATE: JSON = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "pattern": UUID_PATTERN},
        "name": _nullable(255),
        "visibility": {"type": "string", "enum": ["community", "public", "private", "shared"]},
        "protected": {"type": "boolean"},
        "os_hidden": {"type": "boolean"},
        "container_format": _one_of(CONTAINER_FORMATS),
        "disk_format": _one_of(DISK_FORMATS),
        "min_ram": _COUNT,
        "min_disk": _COUNT,
        "tags": {"type": "array", "items": {"type": "string", "maxLength": 255}},
        # Read-only (the owner: an admin's to name), typed as Glance types them.
        "status": {"type": "string", "enum": list(STATUSES)},
        "checksum": _nullable(32),
        "os_hash_algo": _nullable(64),
        "os_hash_value": _nullable(128),
        "owner": _nullable(255),
        "size": {"type": ["null", "integer"]},
        "virtual_size": {"type": ["null", "integer"]},
        "created_at": _STRING,
        "updated_at": _STRING,
        "direct_url": _STRING,
        "self": _STRING,
        "file": _STRING,
        "stores": _STRING,
        "schema": _STRING,
        "locations": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "url": {"type": "string", "maxLength": 255},
                    "metadata": {"type": "object"},
                },
                "required": ["url", "metadata"],
            },
        },
    },
    "additionalProperties": _STRING,
}
