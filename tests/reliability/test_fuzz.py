"""Schemathesis against the cloud, from the OpenAPI description: no 5xx, every answer as documented.

On each database backend (SQLite, PostgreSQL, MariaDB): schemathesis' own cases, then the seeded
cases of fuzz_seeds.py (each of SEEDED_INPUT_CLASSES, which have caused a 5xx, in every field it
fits, starting from the valid requests of fuzz_bodies.py). In CI a
bounded number of cases per operation (derandomized, so a run is repeatable, and one value per
input class and location); a longer, random run with every seed value:
`POCKETSTACK_FUZZ_EXAMPLES=2000 pytest tests/reliability/test_fuzz.py`.
"""

from __future__ import annotations

import dataclasses
import os
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from pocketstack.cloud.openapi import build_document
from tests.fixtures.server import LiveCloud
from tests.reliability.conftest import InProcessCloud
from tests.reliability.fuzz_bodies import make_seeds
from tests.reliability.fuzz_seeds import ascii_headers, operations, seeded_cases

# The input classes the seeded pass puts in every path and query parameter, every field of
# every operation's seed body (fuzz_bodies.py), and the microversion header: each has made the
# cloud answer 5xx once. test_fuzz_coverage.py holds this to fuzz_seeds.py's classes.
SEEDED_INPUT_CLASSES = (
    "unicode digits",  # '²', '①', Arabic-Indic digits: str.isdigit() but not int()
    "NUL",
    "over-long",  # past column sizes, past what a TEXT column holds
    "out-of-range dates",  # offsets that take year 1 or 9999 out of range
    "huge integers",  # past 32 and 64 bits, as numbers and as text
    "non-ASCII",  # in URLs and (through Location) in headers
    "lone surrogates",  # not encodable as UTF-8
    "wrong JSON types",
    "booleans as strings",
    "microversion",  # malformed OpenStack-API-Version values
)
LONG_RUN = "POCKETSTACK_FUZZ_EXAMPLES" in os.environ
EXAMPLES = int(os.environ.get("POCKETSTACK_FUZZ_EXAMPLES", "5"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def modes_for(operation: Any) -> tuple[GenerationMode, ...]:
    """Positive data everywhere; schema-violating data for bodies (in the long run: everywhere).

    Negating string-only path and header parameters costs hypothesis seconds per case, so CI
    leaves that to the long run; the malformed-input tests cover those by hand.
    """
    if LONG_RUN or "requestBody" in operation.definition.raw:
        return (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    return (GenerationMode.POSITIVE,)


Caller = Callable[[Any], Any]


@dataclasses.dataclass
class Tally:
    cases: int = 0
    operations: int = 0
    statuses: dict[int, int] = dataclasses.field(default_factory=dict)
    failures: list[str] = dataclasses.field(default_factory=list)


def fuzz(
    *,
    call: Caller,
    token: str,
    examples: int,
    include: Callable[[str], bool] = lambda p: True,
    document: dict[str, Any] | None = None,
) -> Tally:
    """Every operation (whose path `include` accepts), in positive and negative mode."""
    schema = schemathesis.openapi.from_dict(document or build_document())
    tally = Tally()
    headers = {"X-Auth-Token": token}
    for result in schema.get_all_operations():
        operation = result.ok()
        if not include(operation.path):
            continue
        tally.operations += 1
        for mode in modes_for(operation):
            tally.failures.extend(
                _run(operation, mode, call=call, headers=headers, examples=examples, tally=tally)
            )
    return tally


def _run(
    operation: Any,
    mode: GenerationMode,
    *,
    call: Caller,
    headers: dict[str, str],
    examples: int,
    tally: Tally,
) -> list[str]:
    """Up to `examples` cases of one operation; the first check failure, if any (no shrinking)."""
    failed: list[str] = []

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=not LONG_RUN,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode, headers=headers))
    def one(case: Any) -> None:
        tally.cases += 1
        response = call(case)
        tally.statuses[response.status_code] = tally.statuses.get(response.status_code, 0) + 1
        case.validate_response(response, checks=CHECKS, headers=headers)
        ascii_headers(response)

    try:
        one()
    except Unsatisfiable:
        pass  # nothing to negate in this operation
    except (Exception, BaseExceptionGroup) as exc:  # report the first failure, go on
        failed.append(f"{operation.label} [{mode.value}]: {exc}")
    return failed


def report(capsys: pytest.CaptureFixture[str], label: str, tally: Tally, seconds: float) -> None:
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(tally.statuses.items()))
    with capsys.disabled():
        print(
            f"\nfuzz {label}: {tally.cases} cases over {tally.operations} operations in"
            f" {seconds:.1f} s ({statuses}); {len(tally.failures)} failing"
        )


def servers_of(cloud: InProcessCloud) -> list[tuple[str, str]]:
    listing = cloud.request(
        "GET", "/compute/v2.1/servers/detail", token=cloud.admin_token, query_string="all_tenants=1"
    )
    return sorted((s["id"], s["name"]) for s in listing.json["servers"])


def backend_of(cloud: InProcessCloud) -> str:
    name = cloud.deps.store.engine.dialect.name
    return "mariadb" if name == "mysql" else name


@pytest.mark.parametrize("who", ["admin", "member"])
def test_fuzz_in_process(
    inprocess_cloud_any_db: InProcessCloud, who: str, capsys: pytest.CaptureFixture[str]
) -> None:
    cloud = inprocess_cloud_any_db
    if who == "member" and backend_of(cloud) != "sqlite" and not LONG_RUN:
        # A member mostly meets the policy's refusals, the same on every database; the admin's
        # run is what reaches each database's own code. A long run takes every pair.
        pytest.skip("the member's fuzz runs on SQLite (POCKETSTACK_FUZZ_EXAMPLES: all databases)")
    token = cloud.admin_token if who == "admin" else cloud.member_token
    before = servers_of(cloud)
    started = time.monotonic()
    tally = fuzz(call=lambda case: case.call(app=cloud.app), token=token, examples=EXAMPLES)
    report(capsys, f"in-process on {backend_of(cloud)} as {who}", tally, time.monotonic() - started)
    assert tally.cases > tally.operations
    assert not tally.failures, "\n\n".join(f[:3000] for f in tally.failures)
    # The fixture servers were not touched by anything the fuzzer could guess.
    after = servers_of(cloud)
    assert set(before) <= set(after)


def fuzz_seeded(
    cloud: InProcessCloud, *, token: str, include: Callable[[str], bool] = lambda p: True
) -> Tally:
    """Every seeded case of every operation `include` accepts; each failure reported once."""
    seeds = make_seeds(cloud)
    headers = {"X-Auth-Token": token}
    tally = Tally()
    for operation in operations(build_document(), include):
        tally.operations += 1
        for seeded in seeded_cases(operation, seeds, every=LONG_RUN):
            tally.cases += 1
            try:
                response = seeded.case.call(app=cloud.app, headers=headers)
                status = response.status_code
                tally.statuses[status] = tally.statuses.get(status, 0) + 1
                seeded.case.validate_response(response, checks=CHECKS, headers=headers)
                ascii_headers(response)
            except (Exception, BaseExceptionGroup) as exc:
                tally.failures.append(f"{seeded.label}: {exc}")
    return tally


def test_fuzz_seeded_input_classes(
    inprocess_cloud_any_db: InProcessCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    """Unicode digits, NUL, lone surrogates, over-long strings, out-of-range dates, huge
    integers, wrong JSON types, non-ASCII path segments: in every path and query parameter and
    body field, on every backend, never a 5xx or an undocumented answer.

    As admin, who reaches every operation, on every backend; as a member too on SQLite (the
    same code, behind project checks: the backends differ in what they store, not in that).
    """
    cloud = inprocess_cloud_any_db
    backend = backend_of(cloud)
    before = servers_of(cloud)
    tokens = {"admin": cloud.admin_token}
    if backend == "sqlite" or LONG_RUN:
        tokens["member"] = cloud.member_token
    for who, token in tokens.items():
        started = time.monotonic()
        tally = fuzz_seeded(cloud, token=token)
        report(capsys, f"seeded on {backend} as {who}", tally, time.monotonic() - started)
        assert tally.cases > 1000
        assert not tally.failures, "\n\n".join(f[:1500] for f in tally.failures[:20])
    assert set(before) <= set(servers_of(cloud))


def test_fuzz_seeded_catches_regressions(
    inprocess_cloud: InProcessCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The seeds bite: with checks undone as they were before, the seeded pass fails."""
    from pocketstack.cloud.compute import bodies, listing, server_meta

    def isdigit_decimal(text: str, *, cap: int) -> int | None:
        return min(int(text), cap) if text.isdigit() else None

    monkeypatch.setattr(listing, "decimal", isdigit_decimal)
    monkeypatch.setattr(bodies, "find_unstorable", lambda body: None)
    monkeypatch.setattr(
        server_meta, "tag_location",
        lambda links, server_id, tag: links.self_href("servers", f"{server_id}/tags/{tag}"),
    )  # fmt: skip
    tally = fuzz_seeded(
        inprocess_cloud,
        token=inprocess_cloud.admin_token,
        include=lambda path: path.startswith("/compute/v2.1/servers"),
    )
    failures = "\n".join(tally.failures)
    assert "query limit (unicode digits)" in failures, failures[:3000]
    assert "(lone surrogates)" in failures, failures[:3000]
    assert "header location is not ASCII" in failures, failures[:3000]


def test_fuzz_notices_an_answer_the_document_does_not_allow(
    inprocess_cloud: InProcessCloud,
) -> None:
    """The checks bite: a flavor schema demanding a field the app never sends fails the run."""
    document = build_document()
    document["components"]["schemas"]["Flavor"]["required"].append("no-such-field")
    tally = fuzz(
        call=lambda case: case.call(app=inprocess_cloud.app),
        token=inprocess_cloud.member_token,
        examples=5,
        include=lambda path: path == "/compute/v2.1/flavors/detail",
        document=document,
    )
    assert tally.statuses.get(200), tally.statuses
    # The flavor's body is one schema per microversion band (anyOf), so the failure is a
    # schema violation (ST108) that does not name the field.
    assert any("ST108" in failure for failure in tally.failures), tally.failures


def _live_member_token(base_url: str, admin_token: str) -> str:
    """A fresh project and a plain member of it, made through the identity API."""
    session = requests.Session()
    session.headers["X-Auth-Token"] = admin_token
    suffix = uuid.uuid4().hex[:8]
    project = session.post(
        f"{base_url}/identity/v3/projects",
        json={"project": {"name": f"fuzz-{suffix}", "domain_id": "default"}},
    ).json()["project"]
    password = f"pw-{suffix}"
    user = session.post(
        f"{base_url}/identity/v3/users",
        json={"user": {"name": f"fuzz-{suffix}", "password": password, "domain_id": "default"}},
    ).json()["user"]
    roles = session.get(f"{base_url}/identity/v3/roles", params={"name": "member"}).json()
    role_id = roles["roles"][0]["id"]
    grant = session.put(
        f"{base_url}/identity/v3/projects/{project['id']}/users/{user['id']}/roles/{role_id}"
    )
    assert grant.status_code == 204, grant.text
    return _password_token(base_url, user["name"], password, project["id"])


def _password_token(base_url: str, name: str, password: str, project_id: str) -> str:
    reply = requests.post(
        f"{base_url}/identity/v3/auth/tokens?nocatalog",
        json={"auth": {
            "identity": {"methods": ["password"], "password": {
                "user": {"name": name, "domain": {"id": "default"}, "password": password}}},
            "scope": {"project": {"id": project_id}}}},
        timeout=30,
    )  # fmt: skip
    assert reply.status_code == 201, reply.text
    return reply.headers["X-Subject-Token"]


@pytest.mark.e2e
def test_fuzz_real_server(live_cloud: LiveCloud, capsys: pytest.CaptureFixture[str]) -> None:
    """One pass over HTTP against `pocketstack serve` (gunicorn), as admin and as a member."""
    base_url = live_cloud.base_url
    admin_project = requests.get(f"{base_url}/identity/v3", timeout=30)
    assert admin_project.status_code == 200
    reply = requests.post(
        f"{base_url}/identity/v3/auth/tokens?nocatalog",
        json={"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": "admin", "domain": {"id": "default"},
                "password": live_cloud.admin_password}}},
            "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}},
        timeout=30,
    )  # fmt: skip
    admin_token = reply.headers["X-Subject-Token"]
    tokens = {"admin": admin_token, "member": _live_member_token(base_url, admin_token)}
    session = requests.Session()
    examples = max(1, EXAMPLES // 2) if not LONG_RUN else EXAMPLES
    for who, token in tokens.items():
        started = time.monotonic()
        tally = fuzz(
            call=lambda case: case.call(base_url=base_url, session=session, timeout=30),
            token=token,
            examples=examples,
            # The project-id forms of compute share their resources with /v2.1: fuzzed in-process.
            include=lambda path: "{project_id}/" not in path or path.startswith("/identity"),
        )
        report(capsys, f"over HTTP as {who}", tally, time.monotonic() - started)
        assert not tally.failures, "\n\n".join(f[:3000] for f in tally.failures)
