"""What the seeded fuzzing covers: a seed body for every operation that takes a body (else its
fields never see a seeded input class), and the input classes test_fuzz.py says it seeds."""

from __future__ import annotations

from typing import Any

from pocketstack.cloud.openapi import build_document
from tests.reliability.conftest import InProcessCloud
from tests.reliability.fuzz_bodies import BODIES, PATH_SEEDS, freshen, make_seeds, microversion_of
from tests.reliability.fuzz_seeds import JSON_CLASSES, URL_CLASSES, operations
from tests.reliability.test_fuzz import SEEDED_INPUT_CLASSES


def _body_schema(operation: Any) -> dict[str, Any] | None:
    body = operation.definition.raw.get("requestBody")
    if body is None:
        return None
    schema: dict[str, Any] = body["content"]["application/json"]["schema"]
    return schema


def test_every_operation_with_a_request_body_has_a_seed_body() -> None:
    with_body = {
        (op.method.upper(), op.path): _body_schema(op)
        for op in operations(build_document(), lambda path: True)
        if _body_schema(op) is not None
    }
    missing = sorted(
        f"{method} {path}" for method, path in with_body if (method, path) not in BODIES
    )
    assert not missing, (
        f"{len(missing)} operation(s) take a request body but have no seed body, so the seeded"
        " fuzzing never puts its input classes in their fields. Add a valid body for each to"
        " BODIES in tests/reliability/fuzz_bodies.py (and the resources it names to"
        " make_seeds):\n  " + "\n  ".join(missing)
    )
    stale = sorted(f"{method} {path}" for method, path in BODIES if (method, path) not in with_body)
    assert not stale, "seed bodies for operations that take no body (or are gone):\n  " + (
        "\n  ".join(stale)
    )
    # None (no body) only where the operation's body must be empty.
    for key, bodies in BODIES.items():
        if None in bodies:
            assert with_body[key] == {"type": "null"}, f"{key}: a seed body is needed"


def test_path_seeds_name_real_paths() -> None:
    paths = {op.path for op in operations(build_document(), lambda path: True)}
    assert set(PATH_SEEDS) <= paths, set(PATH_SEEDS) - paths


def test_the_seeded_input_classes_are_the_stated_ones() -> None:
    """test_fuzz.py states the classes it seeds; a class added or dropped here changes that."""
    seeded = set(URL_CLASSES) | set(JSON_CLASSES) | {"microversion"}
    assert set(SEEDED_INPUT_CLASSES) == seeded


# A seed body whose request is refused for the state of the seeds, not for the body: the
# seeded server has no migration running.
_REFUSED_BY_STATE = {
    ("POST", "/compute/v2.1/servers/{server_id}/migrations/{migration_id}/action"),
    # The seed image has no staged data to import: 409, after the body was taken.
    ("POST", "/image/v2/images/{image_id}/import"),
    # Only the seed user makes its own credentials: the admin sending the seeds gets a 403
    # (the seeded pass as that user, the member, takes the body).
    ("POST", "/identity/v3/users/{user_id}/application_credentials"),
    # PUT makes a region under the path's id, and the seed region's is taken: 409, after the
    # body was taken (the path seed is shared with the region's PATCH, which needs it to exist).
    ("PUT", "/identity/v3/regions/{region_id}"),
}


def test_every_seed_body_is_accepted_as_it_is(inprocess_cloud: InProcessCloud) -> None:
    """Each case changes one place of a seed body, so a seed body that is itself refused would
    test only the refusal: as admin, every one is answered 2xx (or, as listed, a 4xx that is
    not a 400, which names the state, not the body)."""
    seeds = make_seeds(inprocess_cloud)
    refused = []
    for op in operations(build_document(), lambda path: True):
        key = (op.method.upper(), op.path)
        if key not in BODIES:
            continue
        values = {**seeds.values, **seeds.fill(PATH_SEEDS.get(op.path, {}))}
        path = op.path.format_map({p.name: values.get(p.name, "seed") for p in op.path_parameters})
        version = microversion_of(op.path)
        headers = {"OpenStack-API-Version": version} if version else {}
        for body in BODIES[key]:
            result = inprocess_cloud.request(
                key[0], path, token=inprocess_cloud.admin_token,
                body=freshen(seeds.fill(body)), headers=headers,
            )  # fmt: skip
            status = result.status_code
            if status >= 300 and not (key in _REFUSED_BY_STATE and 400 < status < 500):
                refused.append(f"{key[0]} {op.path}: {status} {result.text[:300]}")
    assert not refused, "\n".join(refused)
