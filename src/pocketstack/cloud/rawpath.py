"""The request path for routing, with an encoded slash (`%2F`) kept encoded.

A server hands a WSGI app PATH_INFO with every escape decoded, so `/v2.0/tokens%2F<id>` would
route as `/v2.0/tokens/<id>`: a request that names one path segment would reach the resource of
two. Apache refuses such paths outright (`AllowEncodedSlashes Off`, the default in front of
Keystone and Nova); here the escape stays in the segment it belongs to, where it matches no route
(a 404 in each service's own shape) or is part of an id that matches nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

_ENCODED_SLASH = re.compile(rb"%2f", re.IGNORECASE)
_RAW_KEYS = ("RAW_URI", "REQUEST_URI")


def _raw_target(environ: Mapping[str, Any]) -> bytes | None:
    """The request target as received, which servers hand on beside PATH_INFO."""
    for key in _RAW_KEYS:
        value = environ.get(key)
        if isinstance(value, str) and value:
            try:
                # WSGI strings carry the bytes received as latin-1.
                return value.encode("latin-1")
            except UnicodeEncodeError:
                return value.encode("utf-8")
    return None


def routing_path(environ: Mapping[str, Any]) -> str | None:
    """PATH_INFO rebuilt with each `%2F` left encoded, or None when there is none to keep."""
    raw = _raw_target(environ)
    if raw is None or _ENCODED_SLASH.search(raw) is None:
        return None
    if not raw.startswith(b"/"):
        # An absolute-form target (`GET http://host/path`): its path only.
        raw = urlsplit(raw).path
    raw = raw.split(b"?", 1)[0].split(b"#", 1)[0]
    path = "%2F".join(
        unquote_to_bytes(piece).decode("latin-1") for piece in _ENCODED_SLASH.split(raw)
    )
    script_name = str(environ.get("SCRIPT_NAME", ""))
    if script_name:
        if not path.startswith(script_name):
            return None
        path = path[len(script_name) :]
    return path
