"""The dashboard in process, as a browser uses it: cookies, forms, redirects and the pages'
text, against the real cloud app (the services it calls included)."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from pocketstack.client.transport import Request, Response
from pocketstack.client.transport.wsgi import WSGITransport
from pocketstack.cloud.app import WSGIApp, create_cloud_app
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.store.models.dashboard import DashboardSession
from tests.fixtures.cloud import ADMIN_PASSWORD, OffsetClock, admin_token, create_user

BASE = "http://localhost"
FORM = "application/x-www-form-urlencoded"
COMPUTE = {"OpenStack-API-Version": "compute 2.79", "Content-Type": "application/json"}


class Browser:
    """Keeps cookies as a browser would for one site, and never follows redirects itself."""

    def __init__(self, app: WSGIApp, *, base: str = BASE) -> None:
        self._transport = WSGITransport(app)
        self._base = base
        self.cookies: dict[str, str] = {}
        self.set_cookies: list[str] = []

    def go(self, method: str, path: str, form: dict[str, Any] | None = None) -> Response:
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True).encode()
            headers["Content-Type"] = FORM
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


@pytest.fixture
def app(cloud_deps: CloudDeps) -> WSGIApp:
    return create_cloud_app(cloud_deps)


@pytest.fixture
def browser(app: WSGIApp) -> Browser:
    return Browser(app)


def _api(app: WSGIApp, method: str, path: str, token: str, body: Any = None) -> Response:
    data = None if body is None else json.dumps(body).encode()
    return WSGITransport(app).send(Request(method=method, url=BASE + path, body=data,
                                           headers={**COMPUTE, "X-Auth-Token": token}))  # fmt: skip


def _boot(app: WSGIApp, token: str, name: str, count: int = 1) -> None:
    images = json.loads(_api(app, "GET", "/image/v2/images", token).body)["images"]
    flavors = json.loads(_api(app, "GET", "/compute/v2.1/flavors", token).body)["flavors"]
    answer = _api(app, "POST", "/compute/v2.1/servers", token, {"server": {
        "name": name, "imageRef": images[0]["id"], "flavorRef": flavors[0]["id"],
        "networks": "none", "min_count": count, "max_count": count}})  # fmt: skip
    assert answer.status == 202, answer.body


def _names(page: Response) -> list[str]:
    body = page.body.decode()
    table = body[body.index("<tbody>"):body.index("</tbody>")]
    return [re.sub(r"<[^>]+>", "", cell) for cell in
            re.findall(r'<tr data-id="[^"]+"[^>]*>\s*<td><a [^>]+>(.*?)</a>', table)]  # fmt: skip


def test_a_page_without_a_session_sends_the_browser_to_the_login(browser: Browser) -> None:
    answer = browser.go("GET", "/dashboard/project/instances?status=ACTIVE")
    assert answer.status == 303
    assert answer.headers["Location"] == (
        "/dashboard/auth/login?next=%2Fproject%2Finstances%3Fstatus%3DACTIVE")


def test_login_lands_on_the_page_asked_for_with_a_strict_http_only_cookie(
    browser: Browser, cloud_deps: CloudDeps
) -> None:
    answer = browser.login(next_path="/project/flavors")
    assert answer.status == 303
    assert answer.headers["Location"] == "/dashboard/project/flavors"
    session_cookie = next(c for c in browser.set_cookies if c.startswith("pocketstack_session="))
    attributes = session_cookie.lower()
    assert "httponly" in attributes
    assert "samesite=strict" in attributes
    assert "path=/dashboard" in attributes
    assert "secure" not in attributes
    # The row is found by the cookie's hash: the cookie itself is kept nowhere.
    value = browser.cookies["pocketstack_session"]
    with cloud_deps.store.session() as db:
        row = db.execute(select(DashboardSession)).scalar_one()
    assert row.cookie_hash == hashlib.sha256(value.encode()).hexdigest()
    assert value not in (row.unscoped_token, row.scoped_token, row.csrf_token)
    page = browser.go("GET", "/dashboard/project/flavors")
    assert page.status == 200
    assert b"m1.tiny" in page.body
    assert b">admin<" in page.body


def test_the_cookie_is_secure_under_tls(app: WSGIApp) -> None:
    browser = Browser(app, base="https://localhost")
    browser.login()
    session_cookie = next(c for c in browser.set_cookies if c.startswith("pocketstack_session="))
    assert "secure" in session_cookie.lower()


def test_a_wrong_password_shows_the_form_again_without_a_session(browser: Browser) -> None:
    answer = browser.login(password="not-the-password")
    assert answer.status == 401
    assert b"Invalid credentials." in answer.body
    assert "pocketstack_session" not in browser.cookies


def test_a_login_post_without_the_form_token_is_refused(browser: Browser) -> None:
    browser.go("GET", "/dashboard/auth/login")
    answer = browser.go("POST", "/dashboard/auth/login", {
        "csrf_token": "forged", "domain": "Default", "username": "admin",
        "password": ADMIN_PASSWORD})  # fmt: skip
    assert answer.status == 403
    assert "pocketstack_session" not in browser.cookies


def test_a_redirect_after_login_never_leaves_the_dashboard(browser: Browser) -> None:
    answer = browser.login(next_path="//evil.example/steal")
    assert answer.headers["Location"] == "/dashboard/project/instances"


def test_names_with_markup_are_text_and_pages_carry_the_security_headers(
    browser: Browser, app: WSGIApp, cloud_deps: CloudDeps
) -> None:
    _boot(app, admin_token(cloud_deps), '<script>alert("x")</script>')
    browser.login()
    page = browser.go("GET", "/dashboard/project/instances")
    assert page.status == 200
    assert b'<script>alert("x")</script>' not in page.body
    assert b"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.body
    policy = page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Cache-Control"] == "no-store"


def test_state_changes_need_the_sessions_form_token(
    browser: Browser, app: WSGIApp, cloud_deps: CloudDeps
) -> None:
    token = admin_token(cloud_deps)
    _boot(app, token, "keep-me")
    browser.login()
    page = browser.go("GET", "/dashboard/project/instances")
    row = re.search(rb'<tr data-id="([^"]+)"', page.body)
    assert row
    server_id = row.group(1).decode()
    action = f"/dashboard/project/instances/{server_id}/action"
    for form in ({"action": "delete"}, {"action": "delete", "csrf_token": "x" * 43}):
        answer = browser.go("POST", action, form)
        assert answer.status == 403
        assert b"CSRF" in answer.body
    # Another user's session token is foreign here too.
    other = Browser(app)
    other.login()
    foreign = other.csrf(other.go("GET", "/dashboard/project/instances"))
    assert browser.go("POST", action, {"action": "delete", "csrf_token": foreign}).status == 403
    assert _api(app, "GET", f"/compute/v2.1/servers/{server_id}", token).status == 200
    answer = browser.go("POST", action, {"action": "delete", "csrf_token": browser.csrf(page)})
    assert answer.status == 303
    assert _api(app, "GET", f"/compute/v2.1/servers/{server_id}", token).status == 404


def test_logout_revokes_the_token_and_ends_the_session(
    browser: Browser, app: WSGIApp, cloud_deps: CloudDeps
) -> None:
    browser.login()
    cookie = browser.cookies["pocketstack_session"]
    with cloud_deps.store.session() as db:
        row = db.execute(select(DashboardSession)).scalar_one()
    assert row.scoped_token is not None
    token = cloud_deps.keys.fernet().decrypt(row.scoped_token.encode()).decode()
    check = {"X-Auth-Token": admin_token(cloud_deps), "X-Subject-Token": token}
    validate = Request(method="GET", url=BASE + "/identity/v3/auth/tokens", headers=check)
    assert WSGITransport(app).send(validate).status == 200
    page = browser.go("GET", "/dashboard/project/instances")
    answer = browser.go("POST", "/dashboard/auth/logout", {"csrf_token": browser.csrf(page)})
    assert answer.status == 303
    assert answer.headers["Location"] == "/dashboard/auth/login"
    assert "pocketstack_session" not in browser.cookies
    assert WSGITransport(app).send(validate).status == 404
    # The old cookie, replayed, opens nothing.
    browser.cookies["pocketstack_session"] = cookie
    assert browser.go("GET", "/dashboard/project/instances").status == 303


def test_the_session_ends_when_its_token_expires(
    browser: Browser, clock: OffsetClock, cloud_deps: CloudDeps
) -> None:
    browser.login()
    assert browser.go("GET", "/dashboard/project/overview").status == 200
    clock.advance(cloud_deps.config.token_expiration + 1)
    answer = browser.go("GET", "/dashboard/project/overview")
    assert answer.status == 303
    assert answer.headers["Location"].startswith("/dashboard/auth/login")


def test_the_project_switcher_shows_each_projects_own_servers(
    app: WSGIApp, cloud_deps: CloudDeps
) -> None:
    alice = create_user(cloud_deps, name="alice", project_name="red")
    create_user(cloud_deps, name="bob", project_name="blue")
    with cloud_deps.store.session() as db:
        from pocketstack.cloud.store.models.identity import Project

        blue = db.execute(select(Project.id).where(Project.name == "blue")).scalar_one()
    _grant(app, cloud_deps, alice.id, blue)
    _boot(app, _token(app, "alice", alice.password, "red"), "red-1")
    _boot(app, _token(app, "alice", alice.password, "blue"), "blue-1")
    browser = Browser(app)
    browser.login("alice", alice.password)
    page = browser.go("GET", "/dashboard/project/instances")
    first = _names(page)
    assert first in (["red-1"], ["blue-1"])
    other = "blue" if first == ["red-1"] else "red"
    target = blue if other == "blue" else alice.project_id
    assert f'<option value="{target}">{other}</option>'.encode() in page.body
    answer = browser.go("POST", "/dashboard/auth/switch",
                        {"csrf_token": browser.csrf(page), "project_id": target})  # fmt: skip
    assert answer.status == 303
    assert _names(browser.go("GET", "/dashboard/project/instances")) == [f"{other}-1"]
    # A project the user holds no role on cannot be switched to.
    admin_project = _project_id(cloud_deps, "admin")
    switch = {"csrf_token": browser.csrf(page), "project_id": admin_project}
    refused = browser.go("POST", "/dashboard/auth/switch", switch)
    assert refused.status == 403


def test_the_instance_list_filters_sorts_and_pages(
    browser: Browser, app: WSGIApp, cloud_deps: CloudDeps
) -> None:
    token = admin_token(cloud_deps)
    _boot(app, token, "web", count=7)
    _boot(app, token, "db.1")
    browser.login()
    first = browser.go("GET", "/dashboard/project/instances?name=web&sort=name&dir=asc&limit=5")
    names = _names(first)
    assert names == [f"web-{n}" for n in range(1, 6)]
    next_link = re.search(rb'href="([^"]+)" rel="next"', first.body)
    assert next_link, "a full page offers the next"
    second = browser.go("GET", next_link.group(1).decode().replace("&amp;", "&"))
    assert _names(second) == ["web-6", "web-7"]
    assert set(_names(second)).isdisjoint(names)
    assert b'rel="next"' not in second.body
    # "Contains", not a regular expression: the dot is a dot.
    assert _names(browser.go("GET", "/dashboard/project/instances?name=db.1")) == ["db.1"]
    assert _names(browser.go("GET", "/dashboard/project/instances?name=b.1x")) == []
    assert _names(browser.go("GET", "/dashboard/project/instances?status=SHUTOFF")) == []
    rows = json.loads(browser.go("GET", "/dashboard/project/instances/rows?name=db").body)
    assert [row["status"] for row in rows["rows"]] == ["ACTIVE"]


def test_launch_starts_servers_and_a_refusal_shows_the_services_reason(
    browser: Browser, app: WSGIApp, cloud_deps: CloudDeps
) -> None:
    browser.login()
    form = browser.go("GET", "/dashboard/project/instances/launch")
    assert form.status == 200
    image = re.search(rb'name="image" required>\s*<option value="([^"]+)"', form.body)
    flavor = re.search(rb'name="flavor" required>\s*<option value="([^"]+)"', form.body)
    assert image
    assert flavor
    fields = {"csrf_token": browser.csrf(form), "name": "from-the-form", "count": "2",
              "image": image.group(1).decode(), "flavor": flavor.group(1).decode(),
              "network": "", "key_name": "", "security_group": "default"}  # fmt: skip
    answer = browser.go("POST", "/dashboard/project/instances/launch", fields)
    assert answer.status == 303
    assert sorted(_names(browser.go("GET", "/dashboard/project/instances"))) == [
        "from-the-form-1", "from-the-form-2"]
    refused = browser.go("POST", "/dashboard/project/instances/launch",
                         {**fields, "flavor": "no-such-flavor"})  # fmt: skip
    assert refused.status == 400
    assert b"Flavor no-such-flavor could not be found" in refused.body
    assert b'value="from-the-form"' in refused.body


def test_static_files_and_the_services_index(browser: Browser) -> None:
    script = browser.go("GET", "/dashboard/static/dashboard.js")
    assert script.status == 200
    assert script.headers["Content-Type"].startswith("text/javascript")
    assert browser.go("GET", "/dashboard/static/../app.py").status == 404
    index = json.loads(browser.go("GET", "/").body)
    assert "dashboard" not in [service["name"] for service in index["services"]]


def _project_id(deps: CloudDeps, name: str) -> str:
    from pocketstack.cloud.store.models.identity import Project

    with deps.store.session() as db:
        found: str = db.execute(select(Project.id).where(Project.name == name)).scalar_one()
        return found


def _grant(app: WSGIApp, deps: CloudDeps, user_id: str, project_id: str) -> None:
    with deps.store.session() as db:
        from pocketstack.cloud.store.models.identity import Role

        role = db.execute(select(Role.id).where(Role.name == "member")).scalar_one()
    answer = WSGITransport(app).send(Request(
        method="PUT", url=f"{BASE}/identity/v3/projects/{project_id}/users/{user_id}/roles/{role}",
        headers={"X-Auth-Token": admin_token(deps)}))  # fmt: skip
    assert answer.status == 204


def _token(app: WSGIApp, user: str, password: str, project: str) -> str:
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": user, "domain": {"id": "default"}, "password": password}}},
        "scope": {"project": {"name": project, "domain": {"id": "default"}}}}}
    answer = WSGITransport(app).send(Request(
        method="POST", url=BASE + "/identity/v3/auth/tokens", body=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"}))  # fmt: skip
    assert answer.status == 201, answer.body
    return answer.headers["X-Subject-Token"]


def test_admins_see_the_identity_pages_and_members_are_refused_as_by_the_api(
    app: WSGIApp, cloud_deps: CloudDeps
) -> None:
    carol = create_user(cloud_deps, name="carol", project_name="green")
    admin = Browser(app)
    admin.login()
    users = admin.go("GET", "/dashboard/identity/users")
    assert users.status == 200
    assert b"<td>carol</td>" in users.body
    assignments = admin.go("GET", "/dashboard/identity/role_assignments")
    assert b"<td>User carol</td><td>Project green</td>" in assignments.body
    member = Browser(app)
    member.login("carol", carol.password)
    page = member.go("GET", "/dashboard/project/networks")
    assert page.status == 200
    assert b"/dashboard/identity/users" not in page.body
    refused = member.go("GET", "/dashboard/identity/users")
    assert refused.status == 403
    assert b"<td>carol</td>" not in refused.body
    groups = member.go("GET", "/dashboard/project/security_groups")
    link = rb'<a href="/dashboard/project/security_groups/[^"]+">default</a>'
    assert re.search(link, groups.body)


def test_an_application_credential_signs_in_to_its_own_project_only(
    app: WSGIApp, cloud_deps: CloudDeps
) -> None:
    dave = create_user(cloud_deps, name="dave", project_name="orange")
    token = _token(app, "dave", dave.password, "orange")
    made = WSGITransport(app).send(Request(
        method="POST", url=f"{BASE}/identity/v3/users/{dave.id}/application_credentials",
        body=json.dumps({"application_credential": {"name": "dash"}}).encode(),
        headers={"X-Auth-Token": token, "Content-Type": "application/json"}))  # fmt: skip
    assert made.status == 201
    credential = json.loads(made.body)["application_credential"]
    _boot(app, token, "orange-1")
    browser = Browser(app)
    page = browser.go("GET", "/dashboard/auth/login")
    fields = {"csrf_token": browser.csrf(page), "auth_type": "application_credential",
              "credential_id": credential["id"], "secret": "wrong"}  # fmt: skip
    assert browser.go("POST", "/dashboard/auth/login", fields).status == 401
    page = browser.go("GET", "/dashboard/auth/login")
    fields.update(csrf_token=browser.csrf(page), secret=credential["secret"])
    answer = browser.go("POST", "/dashboard/auth/login", fields)
    assert answer.status == 303
    listing = browser.go("GET", "/dashboard/project/instances")
    assert _names(listing) == ["orange-1"]
    assert f'<option value="{dave.project_id}" selected>orange</option>'.encode() in listing.body
    # Its token cannot be rescoped: no other project, and the logout revokes it.
    logout = browser.go("POST", "/dashboard/auth/logout", {"csrf_token": browser.csrf(listing)})
    assert logout.status == 303


def test_key_pairs_are_created_imported_and_deleted(
    browser: Browser, app: WSGIApp, cloud_deps: CloudDeps
) -> None:
    browser.login()
    page = browser.go("GET", "/dashboard/project/key_pairs")
    csrf = browser.csrf(page)
    made = browser.go("POST", "/dashboard/project/key_pairs/create",
                      {"csrf_token": csrf, "name": "laptop key"})  # fmt: skip
    assert made.status == 200
    assert made.headers["Content-Disposition"] == 'attachment; filename="laptop_key.pem"'
    assert made.body.startswith(b"-----BEGIN")
    public = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
              " user@example")  # fmt: skip
    pair = {"csrf_token": csrf, "name": "my key-2", "public_key": public}
    imported = browser.go("POST", "/dashboard/project/key_pairs/import", pair)
    assert imported.status == 303
    listing = browser.go("GET", "/dashboard/project/key_pairs")
    assert b"<td>laptop key</td>" in listing.body
    assert b"<td>my key-2</td>" in listing.body
    bad = browser.go("POST", "/dashboard/project/key_pairs/import",
                     {"csrf_token": csrf, "name": "bad", "public_key": "not a key"})  # fmt: skip
    assert bad.status == 400
    assert b"not a key" in bad.body  # the form is filled in again
    # A name with a space deletes that pair only.
    gone = browser.go("POST", "/dashboard/project/key_pairs/delete",
                      {"csrf_token": csrf, "name": "my key-2"})  # fmt: skip
    assert gone.status == 303
    listing = browser.go("GET", "/dashboard/project/key_pairs")
    assert b"<td>my key-2</td>" not in listing.body
    assert b"<td>laptop key</td>" in listing.body


def test_an_id_from_the_browser_names_one_resource_only(browser: Browser) -> None:
    browser.login()
    # An id that would be another path or a query if it were not escaped: nothing is found.
    for server_id in ("..%2F..%2Fflavors", "x%3Fall_tenants%3D1", "detail"):
        answer = browser.go("GET", f"/dashboard/project/instances/{server_id}")
        assert answer.status == 404, server_id


HOSTILE = ("", "detail", "..", "%2F", "x" * 3000, "%00", "ü", "<script>", "-1", "1e309", "[",
           "00000000-0000-0000-0000-000000000000")  # fmt: skip
GET_ROUTES = ("/", "/project/overview", "/project/images?marker={v}", "/project/flavors",
              "/project/key_pairs", "/project/networks", "/project/security_groups",
              "/identity/projects", "/identity/users", "/identity/groups",
              "/identity/role_assignments", "/project/instances/launch",
              "/project/instances?name={v}&status={v}&sort={v}&dir={v}&limit={v}",
              "/project/instances?marker={v}", "/project/instances/rows?marker={v}&limit={v}",
              "/project/instances/{v}", "/project/instances/{v}/row",
              "/project/instances/{v}/delete", "/static/{v}", "/auth/login?next={v}",
              "/project/security_groups/{v}")  # fmt: skip
POST_ROUTES = (("/auth/switch", ("project_id",)),
               ("/project/instances/{v}/action", ("action",)),
               ("/project/instances/launch",
                ("name", "count", "image", "flavor", "network", "key_name", "security_group")),
               ("/project/key_pairs/create", ("name",)),
               ("/project/key_pairs/import", ("name", "public_key")),
               ("/project/key_pairs/delete", ("name",)),
               ("/project/security_groups", ("name", "description")),
               ("/project/security_groups/{v}/delete", ()),
               ("/project/security_groups/{v}/rules",
                ("direction", "ethertype", "protocol", "port_range_min", "port_range_max",
                 "remote_ip_prefix", "description")),
               ("/project/security_groups/{v}/rules/delete", ("rule_id",)))  # fmt: skip


def test_nothing_a_browser_can_send_gets_a_server_error(
    browser: Browser, app: WSGIApp, cloud_deps: CloudDeps
) -> None:
    _boot(app, admin_token(cloud_deps), "target")
    browser.login()
    csrf = browser.csrf(browser.go("GET", "/dashboard/project/instances"))
    failures = []
    for value in HOSTILE:
        for route in GET_ROUTES:
            path = "/dashboard" + route.format(v=value)
            status = browser.go("GET", path).status
            if status >= 500:
                failures.append((status, "GET", path[:80]))
        for route, fields in POST_ROUTES:
            path = "/dashboard" + route.format(v=value)
            form = {"csrf_token": csrf, **{name: value for name in fields}}
            status = browser.go("POST", path, form).status
            if status >= 500:
                failures.append((status, "POST", path[:80], value[:20]))
    assert failures == []
    # Still signed in: none of it ended the session (the key pairs' names made none either).
    assert browser.go("GET", "/dashboard/project/instances").status == 200


def test_an_admin_lists_every_projects_servers_with_their_project(
    browser: Browser, app: WSGIApp, cloud_deps: CloudDeps
) -> None:
    erin = create_user(cloud_deps, name="erin", project_name="purple")
    _boot(app, _token(app, "erin", erin.password, "purple"), "purple-1")
    _boot(app, admin_token(cloud_deps), "admin-1")
    browser.login()
    own = browser.go("GET", "/dashboard/project/instances")
    assert _names(own) == ["admin-1"]
    assert b'name="all_projects"' in own.body
    everyone = browser.go("GET", "/dashboard/project/instances?all_projects=1&sort=name&dir=asc")
    assert _names(everyone) == ["admin-1", "purple-1"]
    assert b'<th scope="col">Project</th>' in everyone.body
    assert b"<td>purple</td>" in everyone.body
    # Sorting keeps the view: the header links carry it.
    assert b"all_projects=1" in everyone.body.split(b"<tbody>")[0]
    member = Browser(app)
    member.login("erin", erin.password)
    mine = member.go("GET", "/dashboard/project/instances?all_projects=1")
    assert b'name="all_projects"' not in mine.body
    assert b"admin-1" not in mine.body


def test_security_groups_and_their_rules_are_managed_through_the_network_api(
    browser: Browser,
) -> None:
    browser.login()
    page = browser.go("GET", "/dashboard/project/security_groups")
    csrf = browser.csrf(page)
    fields = {"csrf_token": csrf, "name": "web <tier>", "description": "front"}
    made = browser.go("POST", "/dashboard/project/security_groups", fields)
    assert made.status == 303
    listing = browser.go("GET", "/dashboard/project/security_groups")
    found = re.search(rb'href="/dashboard/project/security_groups/([^"]+)">web &lt;tier&gt;</a>',
                      listing.body)  # fmt: skip
    assert found
    group = f"/dashboard/project/security_groups/{found.group(1).decode()}"
    rule = {"csrf_token": csrf, "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp",
            "port_range_min": "22", "port_range_max": "22", "remote_ip_prefix": "10.0.0.0/8",
            "description": "ssh"}  # fmt: skip
    assert browser.go("POST", group + "/rules", rule).status == 303
    shown = browser.go("GET", group)
    assert b"<td>Ingress</td><td>IPv4</td><td>TCP</td><td>22</td><td>10.0.0.0/8</td>" in shown.body
    # The API's own refusal, shown with the page: a port range upside down.
    refused = browser.go("POST", group + "/rules", {**rule, "port_range_min": "90",
                                                    "port_range_max": "80"})  # fmt: skip
    assert refused.status == 400
    assert b'role="alert"' in refused.body
    rule_id = re.search(rb'name="rule_id" value="([^"]+)"[^<]*<button[^>]*Delete rule Ingress TCP',
                        shown.body)  # fmt: skip
    assert rule_id
    deleted = browser.go("POST", group + "/rules/delete",
                         {"csrf_token": csrf, "rule_id": rule_id.group(1).decode()})  # fmt: skip
    assert deleted.status == 303
    assert b"<td>10.0.0.0/8</td>" not in browser.go("GET", group).body
    assert browser.go("POST", group + "/delete", {"csrf_token": csrf}).status == 303
    assert b"web &lt;tier&gt;" not in browser.go("GET", "/dashboard/project/security_groups").body
