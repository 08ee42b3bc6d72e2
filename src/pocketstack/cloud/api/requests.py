"""Request bodies checked against their operation's declaration before the responder runs, and
handed to it as a typed value.

An operation that takes a body declares its JSON Schema by microversion and, optionally, a
`parse` that turns the validated JSON into the request object its responder works with; the
responder reads that object with `request_of(req, Kind)`, so a body that was not validated can
never reach it. Each service says how a body is read (size limit, malformed JSON) and how a
validation error is worded, since Nova, Keystone and Glance word theirs differently.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import falcon
import jsonschema

from pocketstack.cloud.api.keywords import REQUEST_VALIDATOR
from pocketstack.cloud.api.operation import JSON, Microversion, Operation
from pocketstack.cloud.inputs import shown

T = TypeVar("T")
ReadBody = Callable[[falcon.Request], Any]
Invalid = Callable[[jsonschema.ValidationError], Exception]


class RequestCheck:
    def __init__(
        self,
        components: JSON,
        *,
        read_body: ReadBody,
        invalid: Invalid,
        formats: jsonschema.FormatChecker | None = None,
        validator: type[jsonschema.protocols.Validator] = REQUEST_VALIDATOR,
    ) -> None:
        self._components = components
        self._read_body = read_body
        self._invalid = invalid
        self._formats = formats
        # A service may extend the draft's keywords (Nova's minimum/maximum read numeric strings).
        self._validator_class = validator
        # By the identity of a declared schema: declarations live as long as the process.
        self._validators: dict[int, jsonschema.protocols.Validator] = {}

    def _validator(self, schema: JSON) -> jsonschema.protocols.Validator:
        validator = self._validators.get(id(schema))
        if validator is None:
            root = {**schema, "components": {"schemas": self._components}}
            validator = self._validator_class(root, format_checker=self._formats)
            self._validators[id(schema)] = validator
        return validator

    def validate(self, schema: JSON, body: Any) -> None:
        error = jsonschema.exceptions.best_match(self._validator(schema).iter_errors(body))
        if error is not None:
            raise self._invalid(error)

    def apply(self, req: falcon.Request, op: Operation, version: Microversion | None) -> None:
        """Reads, validates and parses the body of `op`'s request into `req.context`."""
        schema = op.request_schema(version)
        if schema is None:
            # No body at this microversion: whatever was sent is ignored, as upstream does.
            return
        body = self._read_body(req)
        self.validate(schema, body)
        req.context.request_body = op.parse(body, version) if op.parse is not None else body


def request_of(req: falcon.Request, kind: type[T]) -> T:
    """The validated request of the operation being served, as the `kind` it declared."""
    value = getattr(req.context, "request_body", None)
    if not isinstance(value, kind):
        # A responder asking for a body its declaration does not give: a bug, caught in tests.
        raise TypeError(f"the request carries {type(value).__name__}, not {kind.__name__}")
    return value


def field_path(error: jsonschema.ValidationError) -> str | None:
    """The field a validation error is about, as Nova names it: the last step of its path (for
    a missing property, the object that lacks it); None for the body itself."""
    path = error.absolute_path
    return str(path[-1]) if path else None


def error_message(error: jsonschema.ValidationError) -> str:
    """The error's message with the value it quotes cut short, as a value may be 100,000
    characters long (see inputs.shown)."""
    quoted = repr(error.instance)
    return error.message.replace(quoted, shown(error.instance), 1)
