"""Seeded fuzzing: every input class that has made the cloud answer 5xx, in every place it fits.

Schemathesis draws from the OpenAPI description, whose bodies are mostly opaque objects: it
rarely reaches a field, and never with these values on purpose. Here each operation gets a
valid request first (real ids in the path, a valid body: fuzz_bodies.py), then one location at
a time (a path parameter, a query parameter, the microversion header, a leaf of the body) is
given a value of each class below. Every answer must pass the same checks as schemathesis' own
cases: no 5xx, documented status and content type, and headers a real server can send (Latin-1).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import schemathesis

from tests.reliability.fuzz_bodies import BODIES, PATH_SEEDS, SeedIds, freshen, microversion_of

# Values that fit in a URL (a path segment or a query parameter): text only, no '/' or '?'.
URL_CLASSES: dict[str, tuple[str, ...]] = {
    "unicode digits": ("\u00b2", "\u2460", "\u0663\u0663"),
    "NUL": ("a\x00b", "\x00"),
    "over-long": ("x" * 300, "y" * 9_000),
    "out-of-range dates": ("0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"),
    "huge integers": ("9" * 5_000, "2147483648"),
    "non-ASCII": ("\u2603", "\U0001f680", "caf\u00e9"),
}
# Values for a JSON body's fields: the URL ones, and what only JSON can carry.
JSON_CLASSES: dict[str, tuple[Any, ...]] = {
    **URL_CLASSES,
    # 70,000 ASCII characters pass the body limit and exceed what a TEXT column holds.
    "over-long": ("x" * 300, "y" * 70_000, "\u00e9" * 256),
    "lone surrogates": ("\ud800", "a\udfffb"),
    "huge integers": (2**70, -(2**70), 2**31, "9" * 5_000),
    "wrong JSON types": ({}, [], True, None, 1.5, ""),
    "booleans as strings": ("false", "True"),
}
MICROVERSIONS = ("compute 2." + "1" * 5_000, "compute " + "9" * 5_000 + ".1", "compute 2.\u00b2")


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path to every leaf of a JSON document, containers included as leaves themselves."""
    if path:
        yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))


def _replaced(document: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(document, dict):
        return {k: _replaced(v, rest, new) if k == head else v for k, v in document.items()}
    return [_replaced(v, rest, new) if i == head else v for i, v in enumerate(document)]


def _pick(values: tuple[Any, ...], turn: int, every: bool) -> tuple[Any, ...]:
    """All values of a class in the long run; in CI one, a different one at each location."""
    return values if every else (values[turn % len(values)],)


@dataclasses.dataclass(frozen=True)
class Seeded:
    label: str
    case: Any


def seeded_cases(operation: Any, seeds: SeedIds, *, every: bool) -> Iterator[Seeded]:
    method, path = operation.method.upper(), operation.path
    named = {**seeds.values, **seeds.fill(PATH_SEEDS.get(path, {}))}
    base_path = {p.name: named.get(p.name, "seed") for p in operation.path_parameters}
    headers = {}
    version = microversion_of(path)
    if version is not None:
        headers["OpenStack-API-Version"] = version
    bodies = [seeds.fill(b) for b in BODIES.get((method, path), [None])]
    turn = 0

    def case(what: str, value: Any, **changes: Any) -> Seeded:
        fields: dict[str, Any] = {"path_parameters": dict(base_path), "headers": dict(headers),
                                  "query": {}}  # fmt: skip
        if bodies[0] is not None:
            fields["body"] = bodies[0]
            fields["media_type"] = "application/json"
        fields.update(changes)
        if "body" in fields:
            fields["body"] = freshen(fields["body"])
        shown = repr(value)
        label = f"{method} {path} {what}={shown if len(shown) < 40 else shown[:37] + '...'}"
        return Seeded(label, operation.Case(**fields))

    for param in operation.path_parameters:
        for name, values in URL_CLASSES.items():
            for value in _pick(values, turn, every):
                yield case(f"path {param.name} ({name})", value,
                           path_parameters={**base_path, param.name: value})  # fmt: skip
            turn += 1
    for param in operation.query:
        for name, values in URL_CLASSES.items():
            for value in _pick(values, turn, every):
                yield case(f"query {param.name} ({name})", value, query={param.name: value})
            turn += 1
    if headers:
        for value in MICROVERSIONS:
            yield case("microversion", value, headers={**headers, "OpenStack-API-Version": value})
    for body in bodies:
        if body is None:
            continue
        for leaf in _leaves(body):
            for name, values in JSON_CLASSES.items():
                for value in _pick(values, turn, every):
                    yield case(f"body {'/'.join(map(str, leaf))} ({name})", value,
                               body=_replaced(body, leaf, value))  # fmt: skip
                turn += 1


def ascii_headers(response: Any) -> None:
    """Headers a real server sends intact: gunicorn refused a non-Latin-1 one with a 500 (after
    the tag in it was stored), and clients read any non-ASCII byte as Latin-1."""
    for name, values in response.headers.items():
        for value in values if isinstance(values, list) else [values]:
            assert value.isascii(), f"header {name} is not ASCII: {value!r}"


def operations(document: dict[str, Any], include: Callable[[str], bool]) -> list[Any]:
    """The operations the seeded pass covers: those `include` accepts, but not the {project_id}
    forms of compute (the same resources as /v2.1's) or the bare /v2 API."""
    schema = schemathesis.openapi.from_dict(document)
    found = []
    for result in schema.get_all_operations():
        operation = result.ok()
        path = operation.path
        if "{project_id}/" in path and path.startswith("/compute"):
            continue
        if include(path):
            found.append(operation)
    # Deletes last: what they remove is then no longer needed by the others.
    return sorted(found, key=lambda op: op.method.upper() == "DELETE")
