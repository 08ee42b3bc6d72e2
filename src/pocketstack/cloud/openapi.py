"""pocketstack's OpenAPI description: the declarations of the services the cloud serves,
rendered (upstream publishes none). The test controls' API (cloud/controls/) is part of it when
the cloud serves it."""

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


def _served(test_controls: bool) -> tuple[Service, ...]:
    if not test_controls:
        return SERVICES
    from pocketstack.cloud.controls.api import SERVICE as CONTROLS

    return (*SERVICES, CONTROLS)


def build_document(*, test_controls: bool = False) -> JSON:
    return render(_served(test_controls))


def endpoint(*, test_controls: bool = False) -> DocumentEndpoint:
    return DocumentEndpoint(_served(test_controls))
