"""A project and a member user made for one test, through the cloud's identity API as its admin,
and deleted after it: tests that each get their own see none of the others' servers, networks or
quotas, without the cloud being restarted.

The standard library's HTTP client: the plugin adds no dependency to a test environment.
"""

from __future__ import annotations

import http.client
import json
import secrets
import urllib.parse
from typing import Any

from pocketstack.testing.credentials import Credentials

MEMBER_ROLE = "member"


class IdentityError(Exception):
    """The identity service refused a request of the plugin's."""


class IdentityAdmin:
    def __init__(self, admin: Credentials) -> None:
        self._admin = admin
        parts = urllib.parse.urlsplit(admin.auth_url)
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or 80
        # ".../identity/v3" -> ".../identity"
        self._base = parts.path.rsplit("/v3", 1)[0]
        self._token: str | None = None
        self._member_role: str | None = None

    def _send(self, method: str, path: str, body: Any, token: str | None
              ) -> tuple[int, dict[str, str], Any]:  # fmt: skip
        conn = http.client.HTTPConnection(self._host, self._port, timeout=30)
        try:
            headers = {"Content-Type": "application/json", "Accept": "application/json"}
            if token is not None:
                headers["X-Auth-Token"] = token
            payload = None if body is None else json.dumps(body)
            conn.request(method, f"{self._base}{path}", body=payload, headers=headers)
            resp = conn.getresponse()
            raw = resp.read()
            answer = json.loads(raw) if raw else None
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, answer
        finally:
            conn.close()

    def _login(self) -> str:
        admin = self._admin
        body = {"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": admin.username, "password": admin.password,
                "domain": {"name": admin.user_domain_name}}}},
            "scope": {"project": {"name": admin.project_name,
                                  "domain": {"name": admin.project_domain_name}}},
        }}  # fmt: skip
        status, headers, answer = self._send("POST", "/v3/auth/tokens", body, None)
        if status != 201:
            raise IdentityError(f"the admin could not log in: {status} {answer}")
        return headers["x-subject-token"]

    def token(self, *, fresh: bool = False) -> str:
        """The admin's token (one login, kept; `fresh`: a new login)."""
        if self._token is None or fresh:
            self._token = self._login()
        return self._token

    def call(self, method: str, path: str, body: Any = None, *, expect: int = 200) -> Any:
        """One admin request; logs in again once when the token has expired."""
        if self._token is None:
            self._token = self._login()
        status, _, answer = self._send(method, path, body, self._token)
        if status == 401:
            self._token = self._login()
            status, _, answer = self._send(method, path, body, self._token)
        if status != expect:
            raise IdentityError(f"{method} {path}: {status} {answer}")
        return answer

    def forget(self) -> None:
        """Drop the admin token and role id held: the cloud was put back to another state."""
        self._token = None
        self._member_role = None

    def _member_role_id(self) -> str:
        if self._member_role is None:
            roles = self.call("GET", f"/v3/roles?name={MEMBER_ROLE}")["roles"]
            if not roles:
                raise IdentityError(f"the cloud has no {MEMBER_ROLE!r} role")
            self._member_role = str(roles[0]["id"])
        return self._member_role

    def new_project(self, prefix: str = "test") -> Credentials:
        """A project and its member user, named alike with a random suffix."""
        name = f"{prefix}-{secrets.token_hex(6)}"
        project = self.call("POST", "/v3/projects", {"project": {
            "name": name, "domain_id": "default", "description": "made for one test"}},
            expect=201)["project"]  # fmt: skip
        password = secrets.token_urlsafe(18)
        user = self.call("POST", "/v3/users", {"user": {
            "name": name, "password": password, "domain_id": "default",
            "default_project_id": project["id"]}}, expect=201)["user"]  # fmt: skip
        self.call("PUT", f"/v3/projects/{project['id']}/users/{user['id']}/roles/"
                  f"{self._member_role_id()}", expect=204)  # fmt: skip
        admin = self._admin
        return Credentials(auth_url=admin.auth_url, username=name, password=password,
                           project_name=name, region_name=admin.region_name,
                           user_id=user["id"], project_id=project["id"])  # fmt: skip

    def delete_project(self, made: Credentials) -> None:
        """The user and the project; what the project still owns stays, as in Keystone."""
        self.call("DELETE", f"/v3/users/{made.user_id}", expect=204)
        self.call("DELETE", f"/v3/projects/{made.project_id}", expect=204)
