"""The metadata definitions catalog's operations declared (Glance v2 /v2/metadefs), with
Glance's policy names and defaults (glance/policies/metadef.py): reading is an admin's or a
project reader's (of its own namespaces and the public ones), every change an admin's.

Rules whose target is a namespace are decided by the responders, after the namespace is
looked up (one the caller may not see is a 404 before any 403, as in Glance). Request bodies
are read and checked by the responders against Glance's metadefs schemas
(metadefs_schema.py), whose errors name the schema ('namespace', 'object', ...).
"""

from __future__ import annotations

from pocketstack.cloud.api.operation import JSON, Operation, Rule, every_version
from pocketstack.cloud.api.shapes import ANY, BOOL, STR, arr, obj, query, ref
from pocketstack.cloud.image.metadefs_common import admin, reader

_NS = "/v2/metadefs/namespaces/{namespace}"
_STAMPS = {"created_at": STR, "updated_at": STR}
_READ = (401, 403, 404)
_WRITE = (400, 401, 403, 404, 409)


def _op(method: str, path: str, summary: str, rule: Rule, status: int,
        response: JSON | None = None, errors: tuple[int, ...] = _READ,
        parameters: tuple[JSON, ...] = ()) -> Operation:  # fmt: skip
    return Operation(
        method=method,
        path=path,
        summary=summary,
        policy=rule,
        status=(status,),
        response=every_version(response) if response is not None else (),
        errors=errors,
        parameters=parameters,
        headers=("Location",) if method == "POST" and path.endswith("namespaces") else (),
    )


def operations() -> tuple[Operation, ...]:
    listing = tuple(query(n) for n in ("limit", "marker", "sort_key", "sort_dir",
                                       "visibility", "resource_types"))  # fmt: skip
    ns, obj_, prop, tag = (
        ref("MetadefNamespace"),
        ref("MetadefObject"),
        ref("MetadefProperty"),
        ref("MetadefTag"),
    )
    link = ref("MetadefAssociation")
    return (
        _op("GET", "/v2/metadefs/namespaces", "List namespaces",
            Rule("get_metadef_namespaces", reader), 200,
            obj({"namespaces": arr(ns), "first": STR, "schema": STR, "next": STR},
                required=("namespaces", "first", "schema")),
            (400, 401, 403, 404), listing),
        _op("POST", "/v2/metadefs/namespaces", "Create a namespace",
            Rule("add_metadef_namespace", admin), 201, ns, _WRITE),
        _op("GET", _NS, "Show a namespace", Rule("get_metadef_namespace"), 200, ns,
            (400, *_READ), (query("resource_type"),)),
        _op("PUT", _NS, "Update a namespace", Rule("modify_metadef_namespace"), 200, ns, _WRITE),
        _op("DELETE", _NS, "Delete a namespace", Rule("delete_metadef_namespace"), 204),
        _op("GET", f"{_NS}/objects", "List objects", Rule("get_metadef_objects"), 200,
            obj({"objects": arr(obj_), "schema": STR})),
        _op("POST", f"{_NS}/objects", "Create an object", Rule("add_metadef_object"), 201,
            obj_, _WRITE),
        _op("DELETE", f"{_NS}/objects", "Delete all objects",
            Rule("delete_metadef_namespace"), 204),
        _op("GET", f"{_NS}/objects/{{object_name}}", "Show an object",
            Rule("get_metadef_object"), 200, obj_),
        _op("PUT", f"{_NS}/objects/{{object_name}}", "Update an object",
            Rule("modify_metadef_object"), 200, obj_, _WRITE),
        _op("DELETE", f"{_NS}/objects/{{object_name}}", "Delete an object",
            Rule("delete_metadef_object"), 204),
        _op("GET", f"{_NS}/properties", "List property definitions",
            Rule("get_metadef_properties"), 200,
            obj({"properties": {"type": "object", "additionalProperties": ANY}})),
        _op("POST", f"{_NS}/properties", "Create a property definition",
            Rule("add_metadef_property"), 201, prop, _WRITE),
        _op("DELETE", f"{_NS}/properties", "Delete all property definitions",
            Rule("delete_metadef_namespace"), 204),
        _op("GET", f"{_NS}/properties/{{property_name}}", "Show a property definition",
            Rule("get_metadef_property"), 200, prop, (400, *_READ), (query("resource_type"),)),
        _op("PUT", f"{_NS}/properties/{{property_name}}", "Update a property definition",
            Rule("modify_metadef_property"), 200, prop, _WRITE),
        _op("DELETE", f"{_NS}/properties/{{property_name}}", "Delete a property definition",
            Rule("remove_metadef_property"), 204),
        _op("GET", f"{_NS}/tags", "List tags", Rule("get_metadef_tags"), 200,
            obj({"tags": arr(obj({"name": STR}))}), (400, 401, 403, 404),
            tuple(query(n) for n in ("limit", "marker", "sort_key", "sort_dir"))),
        _op("POST", f"{_NS}/tags", "Create tags (replacing, or with X-Openstack-Append adding"
            " to, the namespace's)", Rule("add_metadef_tags"), 201,
            obj({"tags": arr(obj({"name": STR}))}), _WRITE),
        _op("DELETE", f"{_NS}/tags", "Delete all tags", Rule("delete_metadef_tags"), 204),
        _op("GET", f"{_NS}/tags/{{tag_name}}", "Show a tag", Rule("get_metadef_tag"), 200, tag),
        _op("POST", f"{_NS}/tags/{{tag_name}}", "Create a tag", Rule("add_metadef_tag"), 201,
            tag, _WRITE),
        _op("PUT", f"{_NS}/tags/{{tag_name}}", "Update a tag", Rule("modify_metadef_tag"), 200,
            tag, _WRITE),
        _op("DELETE", f"{_NS}/tags/{{tag_name}}", "Delete a tag", Rule("delete_metadef_tag"),
            204),
        _op("GET", "/v2/metadefs/resource_types", "List resource types",
            Rule("list_metadef_resource_types", reader), 200,
            obj({"resource_types": arr(obj({"name": STR, **_STAMPS}))}), (401, 403)),
        _op("GET", f"{_NS}/resource_types", "List a namespace's resource type associations",
            Rule("list_metadef_resource_types"), 200,
            obj({"resource_type_associations": arr(link)})),
        _op("POST", f"{_NS}/resource_types", "Associate a resource type",
            Rule("add_metadef_resource_type_association"), 201, link, _WRITE),
        _op("DELETE", f"{_NS}/resource_types/{{resource_type}}",
            "Remove a resource type association",
            Rule("remove_metadef_resource_type_association"), 204),
        # Glance checks no rule beyond its `default` (any token) for its schemas.
        _op("GET", "/v2/schemas/metadefs/{name}", "A metadefs schema (namespace, namespaces,"
            " object, objects, property, properties, tag, tags, resource_type,"
            " resource_types)", Rule("default"), 200, obj({"name": STR}), (401, 404)),
    )  # fmt: skip


def schemas() -> dict[str, JSON]:
    """The named response schemas the part's operations refer to."""
    return {
        "MetadefNamespace": obj(
            {"namespace": STR, "display_name": STR, "description": STR, "visibility": STR,
             "protected": BOOL, "owner": STR, "self": STR, "schema": STR, **_STAMPS},
            required=("namespace", "visibility", "protected", "self", "schema", "created_at",
                      "updated_at"),
        ),
        "MetadefObject": obj(
            {"name": STR, "description": STR, "required": arr(STR), "properties": ANY,
             **_STAMPS},
            required=("name",),
        ),
        "MetadefProperty": obj({"name": STR, "type": STR, "title": STR},
                               required=("name", "type", "title")),
        "MetadefTag": obj({"name": STR, **_STAMPS}),
        "MetadefAssociation": obj(
            {"name": STR, "prefix": STR, "properties_target": STR, **_STAMPS},
            required=("name",),
        ),
    }  # fmt: skip
