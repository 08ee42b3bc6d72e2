"""The metadata definitions catalog (Glance v2 /v2/metadefs)."""

from __future__ import annotations

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.image import (
    metadefs_namespaces,
    metadefs_objects,
    metadefs_properties,
    metadefs_resource_types,
    metadefs_schemas,
    metadefs_tags,
)

NS = "/v2/metadefs/namespaces/{namespace}"


def routes(deps: CloudDeps) -> dict[str, object]:
    """The part's URI templates and the falcon resources that serve them."""
    return {
        "/v2/metadefs/namespaces": metadefs_namespaces.Namespaces(deps),
        NS: metadefs_namespaces.NamespaceItem(deps),
        f"{NS}/objects": metadefs_objects.Objects(deps),
        f"{NS}/objects/{{object_name}}": metadefs_objects.ObjectItem(deps),
        f"{NS}/properties": metadefs_properties.Properties(deps),
        f"{NS}/properties/{{property_name}}": metadefs_properties.PropertyItem(deps),
        f"{NS}/tags": metadefs_tags.Tags(deps),
        f"{NS}/tags/{{tag_name}}": metadefs_tags.TagItem(deps),
        "/v2/metadefs/resource_types": metadefs_resource_types.ResourceTypes(deps),
        f"{NS}/resource_types": metadefs_resource_types.Associations(deps),
        f"{NS}/resource_types/{{resource_type}}": metadefs_resource_types.AssociationItem(deps),
        "/v2/schemas/metadefs/{name}": metadefs_schemas.MetadefSchema(),
    }
