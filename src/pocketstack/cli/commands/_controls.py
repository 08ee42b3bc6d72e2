"""What the test-control commands (`fault ...`, `clock ...`) share: where the cloud's control
API is (beside the identity service the catalog names) and one request to it, on the command's
authenticated session (a 401 after the clock moved logs in again)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pocketstack.cli.context import Context

CONTROL_PATH = "/pocketstack/v1"


def control_url(ctx: Context) -> str:
    from pocketstack.cli.errors import CommandError
    from pocketstack.client.catalog import EndpointFilter

    identity = ctx.session.get_endpoint(endpoint_filter=EndpointFilter(service_type="identity"))
    if not identity:
        raise CommandError("The catalog names no identity service: the cloud is not found")
    root = identity.rstrip("/")
    for suffix in ("/v3", "/v2.0", "/identity"):
        root = root.removesuffix(suffix)
    return root + CONTROL_PATH


def call(ctx: Context, method: str, path: str, body: Any = None) -> Any:
    """The answer's JSON (None for an empty one); an error status raises the client's error,
    which names the status and the cloud's message (404: the test controls are off)."""
    from pocketstack.client.session import UNSET

    response = ctx.session.request(
        control_url(ctx) + path, method, json=UNSET if body is None else body
    )
    return response.json() if response.body else None
