"""pocketstack's OpenAPI description: the declarations of the services the cloud serves,
rendered (upstream publishes none)."""

from __future__ import annotations

from pocketstack.cloud.api.document import DOCUMENT_PATH, DocumentEndpoint
from pocketstack.cloud.api.document import build_document as render
from pocketstack.cloud.api.operation import JSON, Service
from pocketstack.cloud.compute.api import SERVICE as COMPUTE
from pocketstack.cloud.identity.api import SERVICE as IDENTITY
from pocketstack.cloud.image.api import SERVICE as IMAGE
from pocketstack.cloud.network.api import SERVICE as NETWORK

SERVICES: tuple[Service, ...] = (IDENTITY, COMPUTE, IMAGE, NETWORK)

__all__ = ["DOCUMENT_PATH", "SERVICES", "build_document", "endpoint"]


def build_document() -> JSON:
    return render(SERVICES)


def endpoint() -> DocumentEndpoint:
    return DocumentEndpoint(SERVICES)
