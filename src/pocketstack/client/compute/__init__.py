"""The compute half of the client library: servers, flavors and images (Glance v2)."""

from pocketstack.client.compute.client import ComputeClient
from pocketstack.client.compute.errors import (
    ComputeError,
    NoUniqueMatch,
    ResourceNotFound,
    UnsupportedAttribute,
    UnsupportedVersion,
)
from pocketstack.client.compute.resources import Flavor, Image, Server
from pocketstack.client.compute.versions import APIVersion

__all__ = [
    "APIVersion",
    "ComputeClient",
    "ComputeError",
    "Flavor",
    "Image",
    "NoUniqueMatch",
    "ResourceNotFound",
    "Server",
    "UnsupportedAttribute",
    "UnsupportedVersion",
]
