"""pocketstack's OpenAPI description: the declarations of the services the cloud serves,
rendered (upstream publishes none). The test controls' API (cloud/controls/) is part of it when
the cloud serves it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pocketstack.cloud.api.document import DOCUMENT_PATH, DocumentEndpoint
from pocketstack.cloud.api.document import build_document as render

if TYPE_CHECKING:
    from pocketstack.cloud.api.operation import JSON, Service

__all__ = ["DOCUMENT_PATH", "build_document", "endpoint", "services"]


def services() -> tuple[Service, ...]:
    """The four services' declarations; imported when asked for (building them is a good part
    of importing the services, and a cloud that is not asked for its description needs only
    the services it serves)."""
    from pocketstack.cloud.compute.api import SERVICE as COMPUTE
    from pocketstack.cloud.identity.api import SERVICE as IDENTITY
    from pocketstack.cloud.image.api import SERVICE as IMAGE
    from pocketstack.cloud.network.api import SERVICE as NETWORK

    return (IDENTITY, COMPUTE, IMAGE, NETWORK)


def _served(test_controls: bool) -> tuple[Service, ...]:
    if not test_controls:
        return services()
    from pocketstack.cloud.controls.api import SERVICE as CONTROLS

    return (*services(), CONTROLS)


def build_document(*, test_controls: bool = False) -> JSON:
    return render(_served(test_controls))


def endpoint(*, test_controls: bool = False) -> DocumentEndpoint:
    return DocumentEndpoint(_served(test_controls))
