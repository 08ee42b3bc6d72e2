"""What every compute declaration shares: the fault body, the error statuses, the policy rules'
names and checks, the microversion headers and the roots the API is reached at."""

from __future__ import annotations

from collections.abc import Sequence

from pocketstack.cloud.api.operation import JSON, PublicPath, Rule
from pocketstack.cloud.api.shapes import header, json_body, path_param, ref
from pocketstack.cloud.compute import policy
from pocketstack.cloud.compute.routing import ROOT_PATH, VERSION_PATH

FAULT_NAMES = (
    "badRequest",
    "unauthorized",
    "forbidden",
    "itemNotFound",
    "badMethod",
    "conflictingRequest",
    "overLimit",
    "notImplemented",
    "serviceUnavailable",
    "computeFault",
)
# (path prefix, extra path parameters) for each way the API is addressed.
API_ROOTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("/compute/v2.1", ()),
    ("/compute/v2.1/{project_id}", ("project_id",)),
    ("/compute/v2/{project_id}", ("project_id",)),
)
MICROVERSION_HEADERS = (
    header("OpenStack-API-Version", description="`compute X.Y` or `compute latest`; 2.1..2.100"),
    header("X-OpenStack-Nova-API-Version", description="legacy form: `X.Y` or `latest`"),
)
TAGS_SINCE = (2, 26)


def error_response(code: int) -> JSON:
    if code == 401:
        return json_body(ref("AuthError"), "No valid token (keystonemiddleware's body)")
    return json_body(ref("ComputeFault"), "Nova fault")


READ_ERRORS = (400, 401, 403, 404, 406)
WRITE_ERRORS = (400, 401, 403, 404, 406, 409, 413)


def rule(name: str, check: policy.Check | None) -> Rule:
    return Rule(f"os_compute_api:{name}", check)


READER = policy.project_reader_or_admin
MEMBER = policy.project_member_or_admin
ADMIN = policy.admin_api
MANAGER = policy.project_manager_or_admin
SERVICE = policy.service_or_admin


# Only such a segment is taken for a project id (Nova's rule); anything else names a resource.
_PROJECT_ID: JSON = {"type": "string", "pattern": "^[0-9a-f-]+$"}


def public_paths(route: str) -> Sequence[PublicPath]:
    if route == ROOT_PATH:
        return [PublicPath("/compute/")]
    if route == VERSION_PATH:
        return [PublicPath("/compute/v2.1"), PublicPath("/compute/v2")]
    return [
        PublicPath(
            root + route,
            tuple(path_param(n, _PROJECT_ID) for n in params),
            # The legacy v2 API takes no microversion.
            versioned=not root.startswith("/compute/v2/"),
        )
        for root, params in API_ROOTS
    ]
