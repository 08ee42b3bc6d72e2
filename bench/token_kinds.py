"""Token kinds beyond the admin's password token, made ready through the identity API itself.

Issue 17 asks what an application-credential token, a token whose role comes through a group
and a trust-scoped token cost beside a password token. Each kind needs users, a group, grants,
a credential or a trust first: those are made here with the admin's token, through the same v3
calls on pocketstack and on a genuine Keystone (only the path prefix differs), and what is left
is one auth request body per kind, timed exactly as the password token is.

Every kind costs one bcrypt check, as the password token does: an application credential's
secret is stored as a bcrypt hash at the same rounds as a password, and the trustee of a trust
logs in with its password.
"""

from __future__ import annotations

import functools
import json
import secrets
from dataclasses import dataclass
from typing import Any

from bench import loadgen
from bench.case_output import say
from bench.cloud import Cloud
from bench.procs import BenchError
from bench.stats import fmt_seconds

# (key, label) in the order the report lists them, after the admin's own password token.
KINDS = (
    ("password_direct", "password token, a user with a direct role"),
    ("password_group", "password token, a user whose only role comes through a group"),
    ("app_credential", "application-credential token (id + secret), user with a direct role"),
    ("trust", "trust-scoped token (trustee's password, OS-TRUST:trust scope)"),
)
ROLE = "member"
PROJECT = "admin"
DOMAIN = "default"


@dataclass(frozen=True)
class _Api:
    """v3 calls on one keep-alive connection, as the given token."""

    client: loadgen.Client
    prefix: str  # "/identity/v3" for pocketstack, "/v3" for Keystone

    def call(
        self, method: str, path: str, token: str, body: Any = None, expect: int = 200
    ) -> dict[str, Any]:
        status, _, payload = self.client.request(
            method, self.prefix + path, headers={"X-Auth-Token": token}, body=body
        )
        if status != expect:
            raise BenchError(f"{method} {self.prefix}{path}: {status} {payload[:300]!r}")
        result: dict[str, Any] = json.loads(payload) if payload else {}
        return result

    def token(self, body: dict[str, Any]) -> str:
        status, headers, payload = self.client.request(
            "POST", self.prefix + "/auth/tokens", body=body
        )
        if status != 201:
            raise BenchError(f"token for set-up refused: {status} {payload[:300]!r}")
        return headers["x-subject-token"]


def auth_bodies(
    port: int, prefix: str, *, admin_user: str, admin_password: str
) -> dict[str, dict[str, Any]]:
    """One `POST /v3/auth/tokens` body per kind of KINDS, each accepted (201) once already.
    `tag` names keep several calls on one server (4 and 12 rounds) apart."""
    tag = secrets.token_hex(3)
    api = _Api(loadgen.Client(port), prefix)
    try:
        admin = api.token(
            loadgen.password_auth_body(user=admin_user, password=admin_password, project=PROJECT)
        )
        project = _one(api.call("GET", f"/projects?name={PROJECT}", admin), "projects")
        role = _one(api.call("GET", f"/roles?name={ROLE}", admin), "roles")
        password = "pw-" + secrets.token_urlsafe(12)
        users = {
            name: api.call(
                "POST",
                "/users",
                admin,
                {"user": {"name": f"bench-{name}-{tag}", "password": password,
                          "domain_id": DOMAIN}},
                expect=201,
            )["user"]
            for name in ("direct", "grouped", "trustee")
        }  # fmt: skip
        grants = f"/projects/{project['id']}"
        api.call("PUT", f"{grants}/users/{users['direct']['id']}/roles/{role['id']}", admin,
                 expect=204)  # fmt: skip
        group = api.call(
            "POST", "/groups", admin, {"group": {"name": f"bench-group-{tag}",
                                                 "domain_id": DOMAIN}}, expect=201
        )["group"]  # fmt: skip
        api.call("PUT", f"/groups/{group['id']}/users/{users['grouped']['id']}", admin,
                 expect=204)  # fmt: skip
        api.call("PUT", f"{grants}/groups/{group['id']}/roles/{role['id']}", admin, expect=204)

        def password_of(user: str, scope: dict[str, Any]) -> dict[str, Any]:
            login = {"user": {"id": users[user]["id"], "password": password}}
            return {
                "auth": {"identity": {"methods": ["password"], "password": login}, "scope": scope}
            }

        on_project = {"project": {"id": project["id"]}}
        direct = api.token(password_of("direct", on_project))
        # Created by its owner: an application credential carries the roles of that token.
        cred = api.call(
            "POST",
            f"/users/{users['direct']['id']}/application_credentials",
            direct,
            {"application_credential": {"name": f"bench-{tag}"}},
            expect=201,
        )["application_credential"]
        trust = api.call(
            "POST",
            "/OS-TRUST/trusts",
            direct,
            {"trust": {"trustor_user_id": users["direct"]["id"],
                       "trustee_user_id": users["trustee"]["id"],
                       "project_id": project["id"], "impersonation": False,
                       "roles": [{"name": ROLE}]}},
            expect=201,
        )["trust"]  # fmt: skip
        bodies = {
            "password_direct": password_of("direct", on_project),
            "password_group": password_of("grouped", on_project),
            "app_credential": {"auth": {"identity": {
                "methods": ["application_credential"],
                "application_credential": {"id": cred["id"], "secret": cred["secret"]}}}},
            "trust": password_of("trustee", {"OS-TRUST:trust": {"id": trust["id"]}}),
        }  # fmt: skip
        for key, body in bodies.items():
            # Each must be a token with the member role on the project, or the figure is moot.
            status, _, payload = api.client.request("POST", prefix + "/auth/tokens", body=body)
            if status != 201:
                raise BenchError(f"{key} token refused: {status} {payload[:300]!r}")
            check_roles(key, json.loads(payload))
    finally:
        api.client.close()
    return bodies


def check_roles(key: str, payload: dict[str, Any]) -> None:
    """The token must carry the member role: a token without it would be a cheaper, wrong
    token (a group grant not followed, say)."""
    roles = {role["name"] for role in payload.get("token", {}).get("roles", [])}
    if ROLE not in roles:
        raise BenchError(f"{key} token has roles {sorted(roles)}, not {ROLE!r}")


def _one(listing: dict[str, Any], key: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = listing.get(key, [])
    if len(found) != 1:
        raise BenchError(f"expected one of {key}, found {len(found)}")
    return found[0]


def measure_into(section: dict[str, Any], cloud: Cloud, *, rounds: int, count: int) -> None:
    """`section["token_kinds"]`'s rows at these rounds measured again; a kind that cannot be
    had is one of `section["errors"]`, and the admin's password token keeps its figure."""
    kept = [row for row in section.get("token_kinds", []) if row["rounds"] != rounds]
    try:
        section["token_kinds"] = [*kept, *measure(cloud, rounds=rounds, count=count)]
    except BenchError as exc:
        section["token_kinds"] = kept
        section.setdefault("errors", []).append(f"tokens: other kinds, {rounds} rounds: {exc}")
        say(f"  other token kinds: FAILED: {str(exc).splitlines()[0]}")


def measure(cloud: Cloud, *, rounds: int, count: int) -> list[dict[str, Any]]:
    """Each kind timed as case 4 times the admin's password token: sequential requests on one
    connection, one warm-up, the same count and budget, the worker's CPU per token."""
    variables = cloud.openrc()
    bodies = auth_bodies(
        cloud.port,
        "/identity/v3",
        admin_user=variables["OS_USERNAME"],
        admin_password=variables["OS_PASSWORD"],
    )
    rows = []
    for key, label in KINDS:
        summary, _, cpu = loadgen.with_server_cpu(
            cloud.server_cpu_s,
            functools.partial(
                loadgen.sequential_latency,
                cloud.port,
                "POST",
                "/identity/v3/auth/tokens",
                body=bodies[key],
                expect=201,
                warmup=1,
                count=count,
                budget_s=20,
            ),
        )
        rows.append(
            {
                "rounds": rounds,
                "key": key,
                "name": label,
                "latency_s": summary.to_json(),
                "server_cpu_s": cpu,
            }
        )
        say(
            f"  POST {label}, bcrypt {rounds:2d} rounds: {fmt_seconds(summary.median)}; "
            f"server CPU {fmt_seconds(cpu)}"
        )
    return rows
