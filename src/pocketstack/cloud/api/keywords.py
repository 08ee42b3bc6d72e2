"""The request validators the services build on: JSON Schema 2020-12 with two keywords whose
cost stays linear in what a client sends, and (REQUEST_VALIDATOR) Draft 4's integers.

jsonschema's own `pattern` runs its regular expression even on a string `maxLength` has already
refused, so a pattern that backtracks costs what the client makes the string's length (a body
may hold 100,000 characters of it); here the pattern is not run past `maxLength`, which reports
the value. Its `uniqueItems` compares every pair of an array whose items do not sort (20,000
items: a minute and a half); here each item is reduced to a hashable key once, and keys are kept
in a set.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import jsonschema

_Keyword = Callable[[Any, Any, Any, Any], Iterator[jsonschema.ValidationError] | None]
_PATTERN: _Keyword = jsonschema.Draft202012Validator.VALIDATORS["pattern"]


def bounded_pattern(
    validator: Any, pattern: Any, instance: Any, schema: Any
) -> Iterator[jsonschema.ValidationError]:
    if isinstance(instance, str) and len(instance) > schema.get("maxLength", len(instance)):
        return
    yield from _PATTERN(validator, pattern, instance, schema) or ()


def _key(value: Any) -> Any:
    """A hashable stand-in equal for two values exactly when JSON Schema calls them equal: 1 and
    1.0 are (Python's hash and == agree), true and 1 are not (so booleans are tagged)."""
    if isinstance(value, bool) or value is None:
        return ("literal", value)
    if isinstance(value, list):
        return ("array", tuple(_key(item) for item in value))
    if isinstance(value, dict):
        return ("object", frozenset((name, _key(item)) for name, item in value.items()))
    return ("value", value)


def unique_items(
    validator: Any, unique: Any, instance: Any, schema: Any
) -> Iterator[jsonschema.ValidationError]:
    if not unique or not isinstance(instance, list):
        return
    seen: set[Any] = set()
    for item in instance:
        try:
            key = _key(item)
        except RecursionError:
            # Nested deeper than the stack allows: no schema here takes such an item, and its
            # own keywords (type, items) say so; one error about the value is enough.
            return
        if key in seen:
            yield jsonschema.ValidationError(f"{instance!r} has non-unique elements")
            return
        seen.add(key)


def _integer(checker: Any, instance: Any) -> bool:
    # Nova, Keystone and Glance validate with Draft 4, where 3.0 is a number but no integer:
    # the parsers after the schema may then count on an int.
    return isinstance(instance, int) and not isinstance(instance, bool)


_TYPES = jsonschema.Draft202012Validator.TYPE_CHECKER.redefine("integer", _integer)

# The stubs leave extend() untyped; what it returns is a validator class like the one extended.
LINEAR_VALIDATOR: type[jsonschema.protocols.Validator] = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
    jsonschema.Draft202012Validator,
    {"pattern": bounded_pattern, "uniqueItems": unique_items},
)
# Nova's and Keystone's: their validators are Draft 4's. (Glance's take the newest draft, whose
# integers include 3.0: it keeps LINEAR_VALIDATOR.)
REQUEST_VALIDATOR: type[jsonschema.protocols.Validator] = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
    LINEAR_VALIDATOR, {}, type_checker=_TYPES
)
