"""The JSON-schema documents Glance serves at /v2/schemas/...: what clients (glanceclient,
openstackclient) read to tell an image's own attributes from its free-form properties and to
type the values they send. Property names and types are Glance's; the descriptions are ours.
"""

from __future__ import annotations

import copy

from pocketstack.cloud.api.operation import JSON
from pocketstack.cloud.image.patch import READ_ONLY
from pocketstack.cloud.image.schema import IMAGE_CREATE
from pocketstack.cloud.store.models.image_member import MEMBER_STATUSES

_DESCRIBED = {
    "id": "The image's identifier (a UUID).",
    "name": "A name for people; not unique.",
    "status": "Where the image is in its life: queued until it has data, then active.",
    "visibility": "Who may see the image.",
    "protected": "Whether the image refuses to be deleted.",
    "os_hidden": "Whether default listings leave the image out.",
    "checksum": "MD5 of the image's data (legacy).",
    "os_hash_algo": "The algorithm of os_hash_value.",
    "os_hash_value": "The secure hash of the image's data.",
    "owner": "The project that owns the image.",
    "size": "The data's size in bytes.",
    "virtual_size": "The virtual disk's size in bytes.",
    "container_format": "The format of the container around the disk.",
    "disk_format": "The format of the disk.",
    "created_at": "When the image was created.",
    "updated_at": "When the image last changed.",
    "tags": "Strings for people to find the image by.",
    "direct_url": "Where the data is stored.",
    "min_ram": "RAM (MiB) a server booted from the image needs.",
    "min_disk": "Disk (GiB) a server booted from the image needs.",
    "self": "The image's own URL.",
    "file": "The URL of the image's data.",
    "stores": "The stores holding the image's data.",
    "schema": "The URL of this schema.",
    "locations": "Where the image's data is.",
}
# Glance's default custom properties (its schema-image.json): typed for clients, free to set.
_COMMON: JSON = {
    "kernel_id": {"type": ["null", "string"], "description": "Kernel image id (AMI).",
                  "is_base": False},
    "ramdisk_id": {"type": ["null", "string"], "description": "Ramdisk image id (AMI).",
                   "is_base": False},
    "instance_uuid": {"type": "string", "description": "The server a snapshot was taken of.",
                      "is_base": False},
    "architecture": {"type": "string", "description": "CPU architecture the image needs.",
                     "is_base": False},
    "os_distro": {"type": "string", "description": "The operating system's distribution.",
                  "is_base": False},
    "os_version": {"type": "string", "description": "The distribution's version.",
                   "is_base": False},
    "description": {"type": "string", "description": "A description for people.",
                    "is_base": False},
    "cinder_encryption_key_id": {"type": "string", "is_base": False,
                                 "description": "The key of an encrypted volume's image."},
    "cinder_encryption_key_deletion_policy": {
        "type": "string", "enum": ["on_image_deletion", "do_not_delete"], "is_base": False,
        "description": "Whether deleting the image deletes its key."},
}  # fmt: skip


def _image() -> JSON:
    properties: JSON = copy.deepcopy(IMAGE_CREATE["properties"])
    for name, schema in properties.items():
        schema.pop("maximum", None)
        schema["description"] = _DESCRIBED.get(name, "")
        if name in READ_ONLY and name not in ("id",):
            schema["readOnly"] = True
    properties.update(copy.deepcopy(_COMMON))
    return {
        "name": "image",
        "properties": properties,
        "additionalProperties": {"type": "string"},
        "links": [
            {"rel": "self", "href": "{self}"},
            {"rel": "enclosure", "href": "{file}"},
            {"rel": "describedby", "href": "{schema}"},
        ],
    }


def _member() -> JSON:
    return {
        "name": "member",
        "properties": {
            "created_at": {"type": "string", "description": "When the membership was made."},
            "image_id": {"type": "string", "description": "The shared image's id.",
                         "pattern": IMAGE_CREATE["properties"]["id"]["pattern"]},
            "member_id": {"type": "string", "description": "The member project's id."},
            "schema": {"type": "string", "readOnly": True},
            "status": {"type": "string", "enum": list(MEMBER_STATUSES),
                       "description": "What the member decided."},
            "updated_at": {"type": "string", "description": "When the membership changed."},
        },
    }  # fmt: skip


def _collection(name: str, item: JSON) -> JSON:
    doc: JSON = {
        "name": name,
        "properties": {name: {"type": "array", "items": item}, "schema": {"type": "string"}},
        "links": [{"rel": "describedby", "href": "{schema}"}],
    }
    if name == "images":
        doc["properties"] |= {"first": {"type": "string"}, "next": {"type": "string"}}
        doc["links"] = [{"rel": "first", "href": "{first}"}, {"rel": "next", "href": "{next}"},
                        {"rel": "describedby", "href": "{schema}"}]  # fmt: skip
    return doc


IMAGE = _image()
MEMBER = _member()
DOCUMENTS: dict[str, JSON] = {
    "image": IMAGE,
    "images": _collection("images", IMAGE),
    "member": MEMBER,
    "members": _collection("members", MEMBER),
}
