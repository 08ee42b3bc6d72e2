"""The answers the front end gives by itself, before any service has seen the request (a head
too long or too slow, a body too large or too slow, a request that does not parse): JSON in the
error shape of the service whose path prefix the request names, else a neutral one.

- identity: Keystone's `{"error": {"code", "title", "message"}}`;
- compute: Nova's `{"<faultName>": {"code", "message"}}`;
- image: Glance's (webob's JSON error body) `{"code": "413 Request Entity Too Large",
  "title", "message"}`;
- networking: Neutron's `{"NeutronError": {"type", "message", "detail"}}`;
- anything else: the identity shape, as the cloud's own 404 for an unknown prefix.
"""

from __future__ import annotations

import http
import json
import urllib.parse

from pocketstack.cloud.compute.faults import fault_body
from pocketstack.cloud.identity.errors import TITLES as IDENTITY_TITLES
from pocketstack.cloud.network import faults as network_faults

JSON_TYPE = b"application/json"


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def service_of(target: str) -> str | None:
    """`identity`, `compute`, `image` or `networking` from a request target (maybe cut short),
    else None."""
    path = target
    if "://" in path:
        # An absolute-form target (`GET http://host/compute/...`) names its path after the host.
        path = urllib.parse.urlsplit(path).path
    for name in ("identity", "compute", "image", "networking"):
        prefix = f"/{name}"
        if path == prefix or path.startswith((prefix + "/", prefix + "?")):
            return name
    return None


def error_body(target: str, status: int, message: str) -> bytes:
    """The JSON body of a front-end error for a request to `target`."""
    service = service_of(target)
    if service == "compute":
        return fault_body(status, message).encode()
    if service == "networking":
        return network_faults.body(network_faults.webob_name(status), message).encode()
    phrase = _phrase(status)
    if service == "image":
        title = "Request Entity Too Large" if status == 413 else phrase
        return json.dumps(
            {"code": f"{status} {title}", "title": title, "message": message}
        ).encode()
    title = IDENTITY_TITLES.get(status) or phrase
    return json.dumps({"error": {"code": status, "title": title, "message": message}}).encode()
