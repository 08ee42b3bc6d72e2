"""Signing in and out of the dashboard, its session cookie, CSRF tokens, the project switcher
and the security headers."""

from __future__ import annotations

import hashlib
import json
import re

from sqlalchemy import select

from pocketstack.client.transport import Request
from pocketstack.client.transport.wsgi import WSGITransport
from pocketstack.cloud.app import WSGIApp
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.store.models.dashboard import DashboardSession
from tests.fixtures.cloud import ADMIN_PASSWORD, OffsetClock, admin_token, create_user
from tests.unit.dashboard.browser import (
    BASE,
    Browser,
    api,
    boot,
    grant,
    names,
    project_id,
    token_for,
)


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
    boot(app, admin_token(cloud_deps), '<script>alert("x")</script>')
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
    boot(app, token, "keep-me")
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
    assert api(app, "GET", f"/compute/v2.1/servers/{server_id}", token).status == 200
    answer = browser.go("POST", action, {"action": "delete", "csrf_token": browser.csrf(page)})
    assert answer.status == 303
    assert api(app, "GET", f"/compute/v2.1/servers/{server_id}", token).status == 404


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
    grant(app, cloud_deps, alice.id, blue)
    boot(app, token_for(app, "alice", alice.password, "red"), "red-1")
    boot(app, token_for(app, "alice", alice.password, "blue"), "blue-1")
    browser = Browser(app)
    browser.login("alice", alice.password)
    page = browser.go("GET", "/dashboard/project/instances")
    first = names(page)
    assert first in (["red-1"], ["blue-1"])
    other = "blue" if first == ["red-1"] else "red"
    target = blue if other == "blue" else alice.project_id
    assert f'<option value="{target}">{other}</option>'.encode() in page.body
    answer = browser.go("POST", "/dashboard/auth/switch",
                        {"csrf_token": browser.csrf(page), "project_id": target})  # fmt: skip
    assert answer.status == 303
    assert names(browser.go("GET", "/dashboard/project/instances")) == [f"{other}-1"]
    # A project the user holds no role on cannot be switched to.
    admin_project = project_id(cloud_deps, "admin")
    switch = {"csrf_token": browser.csrf(page), "project_id": admin_project}
    refused = browser.go("POST", "/dashboard/auth/switch", switch)
    assert refused.status == 403


def test_an_application_credential_signs_in_to_its_own_project_only(
    app: WSGIApp, cloud_deps: CloudDeps
) -> None:
    dave = create_user(cloud_deps, name="dave", project_name="orange")
    token = token_for(app, "dave", dave.password, "orange")
    made = WSGITransport(app).send(Request(
        method="POST", url=f"{BASE}/identity/v3/users/{dave.id}/application_credentials",
        body=json.dumps({"application_credential": {"name": "dash"}}).encode(),
        headers={"X-Auth-Token": token, "Content-Type": "application/json"}))  # fmt: skip
    assert made.status == 201
    credential = json.loads(made.body)["application_credential"]
    boot(app, token, "orange-1")
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
    assert names(listing) == ["orange-1"]
    assert f'<option value="{dave.project_id}" selected>orange</option>'.encode() in listing.body
    # Its token cannot be rescoped: no other project, and the logout revokes it.
    logout = browser.go("POST", "/dashboard/auth/logout", {"csrf_token": browser.csrf(listing)})
    assert logout.status == 303

