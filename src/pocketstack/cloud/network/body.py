"""Request bodies read and prepared as Neutron's API layer prepares them (its
prepare_request_body): `{"network": {...}}` or, to create several at once, `{"networks": [...]}`;
unknown attributes refused, defaults filled, each value checked and converted by its attribute
(attributes.py), in Neutron's words. What depends on the caller (whose project) or on stored
data is the responder's.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from typing import Any

import falcon
import jsonschema

from pocketstack.cloud.api.operation import Microversion
from pocketstack.cloud.api.requests import ReadBody, error_message
from pocketstack.cloud.inputs import find_unstorable
from pocketstack.cloud.network import faults, values
from pocketstack.cloud.network.attributes import REQUIRED, UNSET, Attr
from pocketstack.cloud.requestbody import read_body

Parse = Callable[[Any, Microversion | None], object]


@dataclasses.dataclass(frozen=True)
class Creates:
    """One or more resources to create: each one's attributes (given, or their defaults; UNSET
    where Neutron leaves the choice to the create), and the names the body gave explicitly."""

    items: tuple[dict[str, Any], ...]
    given: tuple[frozenset[str], ...]
    bulk: bool


@dataclasses.dataclass(frozen=True)
class Update:
    changes: dict[str, Any]


def json_reader(limit: int) -> ReadBody:
    def read(req: falcon.Request) -> Any:
        raw = read_body(req, limit=limit, too_large="Request Entity Too Large")
        if not raw:
            raise faults.bad_request("Resource body required")
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise faults.bad_request("Body contains invalid data") from None
        if not isinstance(body, dict):
            raise faults.bad_request("Body contains invalid data")
        bad = find_unstorable(body)
        if bad is not None:
            raise faults.bad_request(
                f"Invalid input for {bad.field}. Reason: '{values.text(bad.value)}' {bad.reason}."
            )
        return body

    return read


def schema_error(error: jsonschema.ValidationError) -> faults.NeutronError:
    """A body the declared schema refuses, worded as Neutron words a refused attribute."""
    path = list(error.absolute_path)
    if path and isinstance(path[0], str) and path[0].endswith("s") and len(path) > 1:
        path = path[2:]  # the collection and the item's index
    elif path:
        path = path[1:]
    if path and isinstance(path[0], str):
        return faults.bad_request(f"Invalid input for {path[0]}. Reason: {error_message(error)}.")
    return faults.bad_request("Body contains invalid data")


def _project(item: dict[str, Any]) -> None:
    """tenant_id and project_id name the same thing: one becomes the other, and they must agree."""
    if "tenant_id" in item and "project_id" not in item:
        item["project_id"] = item["tenant_id"]
    if "project_id" in item and item.get("tenant_id", item["project_id"]) != item["project_id"]:
        raise faults.bad_request("'project_id' and 'tenant_id' do not match")
    item.pop("tenant_id", None)


def _unknown(item: Mapping[str, Any], attributes: Mapping[str, Attr]) -> None:
    extra = [name for name in item if name not in attributes]
    if extra:
        raise faults.bad_request(f"Unrecognized attribute(s) '{', '.join(extra)}'")


def _checked(name: str, attr: Attr, value: Any) -> Any:
    if attr.check is None:
        return value
    try:
        return attr.check(value)
    except values.Invalid as refusal:
        raise faults.bad_request(f"Invalid input for {name}. Reason: {refusal.reason}.") from None


def _one_create(raw: Any, resource: str, attributes: Mapping[str, Attr]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise faults.bad_request(f"Object '{resource}' contains invalid data")
    item = dict(raw)
    _project(item)
    _unknown(item, attributes)
    prepared: dict[str, Any] = {}
    for name, attr in attributes.items():
        if name == "tenant_id":
            continue
        if not attr.post:
            if name in item:
                raise faults.bad_request(f"Attribute '{name}' not allowed in POST")
            continue
        if name in item:
            prepared[name] = item[name]
        elif attr.default is REQUIRED:
            raise faults.bad_request(
                f"Failed to parse request. Required attribute '{name}' not specified"
            )
        else:
            prepared[name] = attr.default
    for name, value in list(prepared.items()):
        if name in item:
            prepared[name] = _checked(name, attributes[name], value)
    return prepared


def creates(resource: str, attributes: Mapping[str, Attr]) -> Parse:
    """The `parse` of a create of `resource` (bulk when the body holds the plural key)."""
    collection = resource + "s"

    def parse(body: Any, version: Microversion | None) -> Creates:
        if collection in body:
            raw_items = body[collection]
            if not isinstance(raw_items, list):
                raise faults.bad_request("Body contains invalid data")
            if not raw_items:
                raise faults.bad_request("Resources required")
            # Each item may be wrapped in the singular key, as Neutron allows.
            raw_items = [i[resource] if isinstance(i, dict) and resource in i else i
                         for i in raw_items]  # fmt: skip
            bulk = True
        elif resource in body:
            raw_items, bulk = [body[resource]], False
        else:
            raise faults.bad_request(f"Unable to find '{resource}' in request body")
        items = tuple(_one_create(raw, resource, attributes) for raw in raw_items)
        given = tuple(
            frozenset(name if name != "tenant_id" else "project_id" for name in raw)
            for raw in raw_items
        )
        return Creates(items=items, given=given, bulk=bulk)

    return parse


def update(resource: str, attributes: Mapping[str, Attr]) -> Parse:
    def parse(body: Any, version: Microversion | None) -> Update:
        raw = body.get(resource)
        if raw is None:
            raise faults.bad_request(f"Unable to find '{resource}' in request body")
        if not isinstance(raw, dict):
            raise faults.bad_request(f"Object '{resource}' contains invalid data")
        item = dict(raw)
        _project(item)
        _unknown(item, attributes)
        for name in item:
            wire = "tenant_id" if name == "project_id" and "tenant_id" in raw else name
            if not attributes[name].put:
                raise faults.bad_request(f"Cannot update read-only attribute {wire}")
        changes = {name: _checked(name, attributes[name], v) for name, v in item.items()}
        return Update(changes=changes)

    return parse


def is_set(value: Any) -> bool:
    return value is not UNSET
