"""A browser for the dashboard in process: cookies, forms and redirects as a browser keeps
them, against the real cloud app; and the API calls tests set the scene with."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select

from pocketstack.client.transport import Request, Response
from pocketstack.client.transport.wsgi import WSGITransport
from pocketstack.cloud.app import WSGIApp
from pocketstack.cloud.deps import CloudDeps
from tests.fixtures.cloud import ADMIN_PASSWORD, admin_token

BASE = "http://localhost"
FORM = "application/x-www-form-urlencoded"
COMPUTE = {"OpenStack-API-Version": "compute 2.79", "Content-Type": "application/json"}


BOUNDARY = "----pocketstackFormBoundary7MA4YWxkTrZu0gW"


# (field, file name or None, value).
Part = tuple[str, str | None, bytes]


def multipart_body(parts: list[Part]) -> bytes:
    out = bytearray()
    for name, file_name, value in parts:
        out += f"--{BOUNDARY}\r\n".encode()
        if file_name is None:
            out += f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        else:
            out += (f'Content-Disposition: form-data; name="{name}"; filename="{file_name}"\r\n'
                    "Content-Type: application/octet-stream\r\n\r\n").encode()  # fmt: skip
        out += value + b"\r\n"
    out += f"--{BOUNDARY}--\r\n".encode()
    return bytes(out)


class Browser:
    """Keeps cookies as a browser would for one site, and never follows redirects itself."""

    def __init__(self, app: WSGIApp, *, base: str = BASE) -> None:
        self._transport = WSGITransport(app)
        self._base = base
        self.cookies: dict[str, str] = {}
        self.set_cookies: list[str] = []

    def go(self, method: str, path: str, form: dict[str, Any] | None = None,
           *, multipart: list[Part] | None = None) -> Response:  # fmt: skip
        """`multipart`: (field, file name or None, value) as a browser sends a form with a file
        input, in the form's order."""
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True).encode()
            headers["Content-Type"] = FORM
        if multipart is not None:
            body = multipart_body(multipart)
            headers["Content-Type"] = f"multipart/form-data; boundary={BOUNDARY}"
        answer = self._transport.send(Request(method=method, url=self._base + path,
                                              headers=headers, body=body))  # fmt: skip
        for name, value in answer.headers.items():
            if name.lower() != "set-cookie":
                continue
            self.set_cookies.append(value)
            key, _, rest = value.partition("=")
            cookie_value = rest.split(";")[0]
            if "expires=thu, 01 jan 1970" in value.lower() or cookie_value in ("", '""'):
                self.cookies.pop(key, None)
            else:
                self.cookies[key] = cookie_value
        return answer

    def csrf(self, answer: Response) -> str:
        found = re.search(rb'name="csrf_token" value="([^"]+)"', answer.body)
        assert found, "the page has no form token"
        return found.group(1).decode()

    def login(self, user: str = "admin", password: str = ADMIN_PASSWORD,
              *, next_path: str = "/project/instances") -> Response:  # fmt: skip
        page = self.go("GET", "/dashboard/auth/login")
        return self.go("POST", "/dashboard/auth/login", {
            "csrf_token": self.csrf(page), "domain": "Default", "username": user,
            "password": password, "next": next_path})  # fmt: skip


def api(app: WSGIApp, method: str, path: str, token: str, body: Any = None) -> Response:
    data = None if body is None else json.dumps(body).encode()
    return WSGITransport(app).send(Request(method=method, url=BASE + path, body=data,
                                           headers={**COMPUTE, "X-Auth-Token": token}))  # fmt: skip


def boot(app: WSGIApp, token: str, name: str, count: int = 1) -> None:
    images = json.loads(api(app, "GET", "/image/v2/images", token).body)["images"]
    flavors = json.loads(api(app, "GET", "/compute/v2.1/flavors", token).body)["flavors"]
    answer = api(app, "POST", "/compute/v2.1/servers", token, {"server": {
        "name": name, "imageRef": images[0]["id"], "flavorRef": flavors[0]["id"],
        "networks": "none", "min_count": count, "max_count": count}})  # fmt: skip
    assert answer.status == 202, answer.body


def names(page: Response) -> list[str]:
    body = page.body.decode()
    table = body[body.index("<tbody>"):body.index("</tbody>")]
    return [re.sub(r"<[^>]+>", "", cell) for cell in
            re.findall(r'<tr data-id="[^"]+"[^>]*>\s*<td><a [^>]+>(.*?)</a>', table)]  # fmt: skip


def project_id(deps: CloudDeps, name: str) -> str:
    from pocketstack.cloud.store.models.identity import Project

    with deps.store.session() as db:
        found: str = db.execute(select(Project.id).where(Project.name == name)).scalar_one()
        return found


def grant(app: WSGIApp, deps: CloudDeps, user_id: str, project_id: str) -> None:
    with deps.store.session() as db:
        from pocketstack.cloud.store.models.identity import Role

        role = db.execute(select(Role.id).where(Role.name == "member")).scalar_one()
    answer = WSGITransport(app).send(Request(
        method="PUT", url=f"{BASE}/identity/v3/projects/{project_id}/users/{user_id}/roles/{role}",
        headers={"X-Auth-Token": admin_token(deps)}))  # fmt: skip
    assert answer.status == 204


def token_for(app: WSGIApp, user: str, password: str, project: str) -> str:
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": user, "domain": {"id": "default"}, "password": password}}},
        "scope": {"project": {"name": project, "domain": {"id": "default"}}}}}
    answer = WSGITransport(app).send(Request(
        method="POST", url=BASE + "/identity/v3/auth/tokens", body=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"}))  # fmt: skip
    assert answer.status == 201, answer.body
    return answer.headers["X-Subject-Token"]

