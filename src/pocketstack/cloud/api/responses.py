"""The check of a success response against its operation's declaration: a declared status, and
a body that validates against the schema declared for the request's microversion.

Off in service; the test suite runs every in-process cloud with it (`check_responses`), so that
a response the tests see and the declaration cannot disagree unnoticed. A response that fails
is replaced by a 500 naming the disagreement: no test that looks at the response misses it.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import parse_qsl

import falcon
import jsonschema

from pocketstack.cloud.api.operation import JSON, Microversion, Operation

log = logging.getLogger(__name__)
FORM = "application/x-www-form-urlencoded"


class ResponseCheck:
    def __init__(self, components: JSON) -> None:
        # Every declared schema may refer to any shared one, as in the OpenAPI document.
        self._components = components
        # By the identity of a declared schema: declarations live as long as the process.
        self._validators: dict[int, jsonschema.protocols.Validator] = {}

    def _validator(self, schema: JSON) -> jsonschema.protocols.Validator:
        validator = self._validators.get(id(schema))
        if validator is None:
            root = {**schema, "components": {"schemas": self._components}}
            validator = self._validators[id(schema)] = jsonschema.Draft202012Validator(root)
        return validator

    def problem(
        self, op: Operation, version: Microversion | None, status: int, body: bytes
    ) -> str | None:
        if not 200 <= status < 300:
            return None
        if status not in op.status:
            return f"status {status} is not declared (declared: {list(op.status)})"
        schema = op.response_schema(version)
        if not body and op.body_optional:
            return None
        if schema is None:
            return f"a body that no schema declares: {body[:200]!r}" if body else None
        if op.response_media == FORM:
            document: Any = dict(parse_qsl(body.decode("utf-8", "replace")))
        else:
            try:
                document = json.loads(body)
            except ValueError:
                return f"a body that is not JSON: {body[:200]!r}"
        validator = self._validator(schema)
        error = jsonschema.exceptions.best_match(validator.iter_errors(document))
        if error is None:
            return None
        where = "/".join(str(p) for p in error.absolute_path) or "(body)"
        return f"{where}: {error.message}"

    def check(self, resp: falcon.Response, op: Operation, version: Microversion | None) -> None:
        status = falcon.http_status_to_code(resp.status)
        # falcon renders a HEAD's body and the server drops it: none reaches a client.
        body = b"" if op.method == "HEAD" else resp.render_body() or b""
        problem = self.problem(op, version, status, body)
        if problem is None:
            return
        at = " at {}.{}".format(*version) if version else ""
        message = f"{op.method} {op.path}{at} disagrees with its declaration: {problem}"
        log.error("%s", message)
        resp.status = falcon.HTTP_500
        resp.text = None  # falcon would render a text body before data
        resp.data = json.dumps({"responseCheck": message}).encode()
        resp.content_type = falcon.MEDIA_JSON
