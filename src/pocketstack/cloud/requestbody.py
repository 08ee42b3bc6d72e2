"""A request body read whole and bounded, whether framed by Content-Length or sent chunked.

Falcon's `bounded_stream` reads nothing when there is no Content-Length, so a chunked body
(Transfer-Encoding: chunked) looked empty. A server that de-chunks says so with the common
`wsgi.input_terminated` flag (gunicorn, the front end in serving/): its `wsgi.input` ends where
the body does, and is read here up to one byte past the limit, never more.
"""

from __future__ import annotations

import falcon

from pocketstack.cloud.errors import PayloadTooLarge


def read_body(req: falcon.Request, *, limit: int, too_large: str) -> bytes:
    """The body's bytes; PayloadTooLarge(too_large) past `limit` bytes."""
    length = req.content_length
    if length is not None:
        if length > limit:
            raise PayloadTooLarge(too_large)
        raw: bytes = req.bounded_stream.read(limit + 1)
    elif req.env.get("wsgi.input_terminated"):
        raw = req.stream.read(limit + 1)
    else:
        # No length and an input that may not end with the body: reading could block.
        return b""
    if len(raw) > limit:
        raise PayloadTooLarge(too_large)
    return raw
