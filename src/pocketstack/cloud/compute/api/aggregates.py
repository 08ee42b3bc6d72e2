"""The compute API's host aggregates (`/os-aggregates`) declared, with the typed requests their
responders work with.

As Nova: every operation is an admin's; create and the actions answer 200 (Nova keeps them for
backwards compatibility), delete 200 with no body, the image cache request (2.81) 202. The
legacy v2 API (2.0) takes names with spaces around them and strips them; 2.1 refuses them on
create, and update takes them at every version (Nova's own slip, kept). An aggregate's `uuid`
shows from 2.41. An availability zone name is a name without ':'.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from pocketstack.cloud.api.operation import JSON, Microversion, Operation, Rule, Versioned
from pocketstack.cloud.api.shapes import INT, NSTR, STR, arr, obj
from pocketstack.cloud.compute.api import params as p
from pocketstack.cloud.compute.api.common import ADMIN, READ_ERRORS, WRITE_ERRORS, rule
from pocketstack.cloud.compute.api.requests import by_version
from pocketstack.cloud.compute.requests import AtVersion, Keep
from pocketstack.cloud.errors import BadRequest

UUID_SINCE: Microversion = (2, 41)
IMAGES_SINCE: Microversion = (2, 81)
ZONE_KEY = "availability_zone"
ACTIONS = ("add_host", "remove_host", "set_metadata")
RULES = {name: f"os_compute_api:os-aggregates:{name}" for name in ACTIONS}
# Nova named the image cache's rule in its newer scheme.
IMAGES_RULE = Rule("compute:aggregates:images", ADMIN)


@dataclasses.dataclass(frozen=True)
class NewAggregate:
    name: str
    availability_zone: str | None


@dataclasses.dataclass(frozen=True)
class AggregateUpdate:
    name: str | None
    # Keep: not in the body. None is refused by the responder (Nova's "empty named zone").
    availability_zone: str | Keep | None


class AggregateAction:
    """POST /os-aggregates/{id}/action: one of the kinds below."""


@dataclasses.dataclass(frozen=True)
class HostChange(AggregateAction):
    add: bool
    host: str


@dataclasses.dataclass(frozen=True)
class MetadataChange(AggregateAction):
    # None removes the key.
    metadata: dict[str, str | None]


@dataclasses.dataclass(frozen=True)
class ImageCache:
    image_ids: tuple[str, ...]


def _normalized(name: str) -> str:
    # Nova's normalize_name: what the legacy API (and update at any version) lets through.
    return name.strip()


def parse_create(body: Any, version: AtVersion) -> NewAggregate:
    spec = body["aggregate"]
    zone = spec.get(ZONE_KEY)
    return NewAggregate(
        name=_normalized(spec["name"]), availability_zone=_normalized(zone) if zone else zone
    )


def parse_update(body: Any, version: AtVersion) -> AggregateUpdate:
    spec = body["aggregate"]
    name = spec.get("name")
    return AggregateUpdate(
        name=None if name is None else _normalized(name),
        availability_zone=spec.get(ZONE_KEY, Keep.KEEP),
    )


def parse_action(body: Any, version: AtVersion) -> AggregateAction:
    ((name, argument),) = body.items()
    if name == "set_metadata":
        return MetadataChange(dict(argument["metadata"]))
    if name in ("add_host", "remove_host"):
        return HostChange(add=name == "add_host", host=argument["host"])
    raise BadRequest(f"There is no such action: {name}")


def parse_images(body: Any, version: AtVersion) -> ImageCache:
    ids = tuple(entry["id"] for entry in body["cache"])
    if len(set(ids)) != len(ids):
        raise BadRequest("Duplicate images in request")
    return ImageCache(ids)


# An availability zone's name: a name (no spaces at either end), without ':'.
_NO_COLON: JSON = {"type": "string", "pattern": "^[^:]*$"}
_ZONE: JSON = {"oneOf": [{"allOf": [p.NAME, _NO_COLON]}, {"type": "null"}]}


def _create(version: Microversion) -> JSON:
    spec = p.closed({"name": p.NAME, ZONE_KEY: _ZONE}, required=("name",))
    return p.closed({"aggregate": spec}, required=("aggregate",))


def _update(version: Microversion) -> JSON:
    spec = p.closed({"name": p.NAME_WITH_SPACES, ZONE_KEY: _ZONE})
    spec["anyOf"] = [{"required": ["name"]}, {"required": [ZONE_KEY]}]
    return p.closed({"aggregate": spec}, required=("aggregate",))


def _action(version: Microversion) -> JSON:
    host = p.closed({"host": p.FQDN}, required=("host",))
    metadata: JSON = {
        "type": "object",
        "patternProperties": {p.METADATA_KEY: {"type": ["string", "null"], "maxLength": 255}},
        "additionalProperties": False,
    }
    return {
        "format": "action",
        "properties": {
            "add_host": host,
            "remove_host": host,
            "set_metadata": p.closed({"metadata": metadata}, required=("metadata",)),
        },
    }


def _images(version: Microversion) -> JSON:
    entry = p.closed({"id": p.UUID}, required=("id",))
    return p.closed({"cache": {"type": "array", "minItems": 1, "items": entry}},
                    required=("cache",))  # fmt: skip


# Times as Nova shows them: naive UTC with microseconds. Nova keeps no deleted aggregate.
_FIELDS: dict[str, JSON] = {
    ZONE_KEY: NSTR, "created_at": STR, "deleted": {"const": False},
    "deleted_at": {"type": "null"}, "id": INT, "name": STR, "updated_at": NSTR,
}  # fmt: skip
_MEMBERS: dict[str, JSON] = {
    "hosts": arr(STR),
    "metadata": {"type": "object", "additionalProperties": STR},
}
_UUID: dict[str, JSON] = {"uuid": p.UUID}


def _aggregate(*, members: bool, uuid: bool) -> JSON:
    return obj({**_FIELDS, **(_MEMBERS if members else {}), **(_UUID if uuid else {})},
               closed=True)  # fmt: skip


def _by_uuid(shape: Any) -> tuple[Versioned, ...]:
    return (
        Versioned(shape(_aggregate(members=True, uuid=False)), None, (2, 40)),
        Versioned(shape(_aggregate(members=True, uuid=True)), UUID_SINCE),
    )


def _one(aggregate: JSON) -> JSON:
    return obj({"aggregate": aggregate}, closed=True)


CREATE = by_version(_create, [(2, 1)])
UPDATE = by_version(_update, [(2, 1)])
ACTION = by_version(_action, [(2, 1)])
IMAGES = (Versioned(_images(IMAGES_SINCE), IMAGES_SINCE),)


def operations() -> tuple[Operation, ...]:
    listed = _by_uuid(lambda agg: obj({"aggregates": arr(agg)}, closed=True))
    shown = _by_uuid(_one)
    created = (
        Versioned(_one(_aggregate(members=False, uuid=False)), None, (2, 40)),
        Versioned(_one(_aggregate(members=False, uuid=True)), UUID_SINCE),
    )
    item = "/os-aggregates/{aggregate_id}"
    return (
        Operation(method="GET", path="/os-aggregates",
                  summary="List host aggregates with their hosts and metadata",
                  policy=rule("os-aggregates:index", ADMIN), status=(200,), response=listed,
                  errors=READ_ERRORS),
        Operation(method="POST", path="/os-aggregates",
                  summary="Create a host aggregate, maybe an availability zone (200, as Nova)",
                  policy=rule("os-aggregates:create", ADMIN), status=(200,), request=CREATE,
                  parse=parse_create, response=created, errors=WRITE_ERRORS),
        Operation(method="GET", path=item, summary="Show a host aggregate",
                  policy=rule("os-aggregates:show", ADMIN), status=(200,), response=shown,
                  errors=READ_ERRORS),
        Operation(method="PUT", path=item,
                  summary="Rename a host aggregate or change its availability zone",
                  policy=rule("os-aggregates:update", ADMIN), status=(200,), request=UPDATE,
                  parse=parse_update, response=shown, errors=WRITE_ERRORS),
        Operation(method="DELETE", path=item,
                  summary="Delete a host aggregate without hosts (200 and no body, as Nova)",
                  policy=rule("os-aggregates:delete", ADMIN), status=(200,),
                  errors=WRITE_ERRORS),
        # Each action has its own rule, an admin's, checked once the body names the action.
        Operation(method="POST", path=item + "/action",
                  summary="Add a host, remove a host, or set metadata (add_host, remove_host,"
                  " set_metadata)",
                  policy=rule("os-aggregates:<the action's rule>", None), status=(200,),
                  request=ACTION, parse=parse_action, response=shown, errors=WRITE_ERRORS),
        Operation(since=IMAGES_SINCE, method="POST", path=item + "/images",
                  summary="Ask the aggregate's hosts to cache images (2.81; 202)",
                  policy=IMAGES_RULE, status=(202,), request=IMAGES, parse=parse_images,
                  errors=WRITE_ERRORS),
    )  # fmt: skip
