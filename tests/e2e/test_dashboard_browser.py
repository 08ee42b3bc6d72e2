"""The web dashboard as a person uses it: a real Chromium (Debian's, driven by Playwright) against
a real `pocketstack serve` whose fake hypervisor takes 2 s for each transition, so that statuses
can be seen changing on a page that is never reloaded.

With POCKETSTACK_SCREENSHOTS set to a directory, the screenshots of the main pages are written
there too (that is how docs/screenshots/ is made)."""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import shutil
import struct
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from html import escape
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.server import LiveCloud, free_port, running_cloud

pytestmark = pytest.mark.e2e

try:
    from playwright.sync_api import (
        Browser,
        BrowserContext,
        Locator,
        Page,
        ViewportSize,
        expect,
        sync_playwright,
    )
except ImportError:
    pytest.skip("playwright is not installed (pip install playwright)", allow_module_level=True)


def _chromium() -> str | None:
    found = shutil.which("chromium")
    if found:
        return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


CHROMIUM = _chromium()
if CHROMIUM is None:
    pytest.skip("no chromium executable (apt-get install chromium)", allow_module_level=True)

# Long enough that a page loaded right after an action still shows the transition.
DRIVER_DELAY = 2
# A transition of DRIVER_DELAY seconds, seen through a poll every 2 s, on a busy machine.
LIVE_TIMEOUT_MS = 30_000
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
SHOTS_ENV = "POCKETSTACK_SCREENSHOTS"
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
XSS_NAME = '<img src=x onerror="window.__xss=1">'


class _Project:
    """The admin project through the REST API: what a test sets up without clicking."""

    def __init__(self, cloud: LiveCloud) -> None:
        self.base = cloud.base_url
        status, headers, body = self._send(
            "POST",
            "/identity/v3/auth/tokens",
            {
                "auth": {
                    "identity": {
                        "methods": ["password"],
                        "password": {
                            "user": {
                                "name": "admin",
                                "domain": {"name": "Default"},
                                "password": cloud.admin_password,
                            }
                        },
                    },
                    "scope": {"project": {"name": "admin", "domain": {"name": "Default"}}},
                }
            },
        )
        assert status == 201, body
        self.token = headers["x-subject-token"]
        self.project_id = str(body["token"]["project"]["id"])
        images = self.get("/image/v2/images")["images"]
        self.image_id = str(images[0]["id"])
        flavors = self.get("/compute/v2.1/flavors/detail")["flavors"]
        self.flavor_id = str(min(flavors, key=lambda f: (f["ram"], f["name"]))["id"])

    def _send(self, method: str, path: str, body: object = None) -> tuple[int, dict[str, str], Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.base}{path}", data=data, method=method)
        request.add_header("OpenStack-API-Version", "compute 2.79")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if getattr(self, "token", None):
            request.add_header("X-Auth-Token", self.token)
        try:
            with OPENER.open(request, timeout=30) as answer:
                status, headers, raw = answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as refused:
            status, headers, raw = refused.code, refused.headers, refused.read()
        lowered = {key.lower(): value for key, value in headers.items()}
        return int(status), lowered, json.loads(raw) if raw.strip() else None

    def get(self, path: str) -> Any:
        status, _, body = self._send("GET", path)
        assert status == 200, (path, status, body)
        return body

    def raise_quota(self) -> None:
        status, _, body = self._send(
            "PUT",
            f"/compute/v2.1/os-quota-sets/{self.project_id}",
            {"quota_set": {"instances": 100, "cores": 400, "ram": 1024 * 1024}},
        )
        assert status == 200, body

    def create(self, name: str, *, networks: object = "none") -> str:
        status, _, body = self._send(
            "POST",
            "/compute/v2.1/servers",
            {
                "server": {
                    "name": name,
                    "imageRef": self.image_id,
                    "flavorRef": self.flavor_id,
                    "networks": networks,
                }
            },
        )
        assert status == 202, body
        return str(body["server"]["id"])

    def server(self, server_id: str) -> dict[str, Any] | None:
        """The server, or None once it is gone (every GET also settles a due transition)."""
        status, _, body = self._send("GET", f"/compute/v2.1/servers/{server_id}")
        if status == 404:
            return None
        assert status == 200, body
        return dict(body["server"])

    def wait_for(self, server_id: str, status: str | None, *, timeout: float = 30.0) -> None:
        """Until the server shows `status` with no task under way (None: until it is gone)."""
        deadline = time.monotonic() + timeout
        while True:
            server = self.server(server_id)
            if status is None and server is None:
                return
            if server and server["status"] == status and not server["OS-EXT-STS:task_state"]:
                return
            assert time.monotonic() < deadline, f"{server_id} never reached {status}: {server}"
            time.sleep(0.25)

    def stop(self, server_id: str) -> None:
        status, _, body = self._send(
            "POST", f"/compute/v2.1/servers/{server_id}/action", {"os-stop": None}
        )
        assert status == 202, body


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveCloud]:
    with running_cloud(
        tmp_path_factory.mktemp("dashboard-cloud"), extra=f"driver_delay = {DRIVER_DELAY}\n"
    ) as live:
        yield live


@pytest.fixture(scope="module")
def project(cloud: LiveCloud) -> _Project:
    made = _Project(cloud)
    # The 25 servers of the paging test and the others outnumber the default quota of 10.
    made.raise_quota()
    return made


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    opened = browser.new_context(viewport=VIEWPORT)
    opened.set_default_timeout(15_000)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def page(context: BrowserContext, cloud: LiveCloud) -> Page:
    """A page signed in as the admin, on the instance list."""
    opened = context.new_page()
    sign_in(opened, cloud)
    return opened


@pytest.fixture(scope="module")
def shoot(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Page, str], list[Path]]:
    here = tmp_path_factory.mktemp("screenshots")
    wanted = os.environ.get(SHOTS_ENV)

    def save(page: Page, name: str) -> list[Path]:
        folders = [here] + ([Path(wanted)] if wanted else [])
        paths = []
        for folder in folders:
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(folder / f"{name}.png"))
            paths.append(folder / f"{name}.png")
        return paths

    return save


def url(cloud: LiveCloud, path: str) -> str:
    return f"{cloud.base_url}/dashboard{path}"


def sign_in(page: Page, cloud: LiveCloud) -> None:
    page.goto(url(cloud, "/auth/login"))
    page.get_by_label("Domain").fill("Default")
    page.get_by_label("User name").fill("admin")
    page.get_by_label("Password").fill(cloud.admin_password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/project/instances")


def on_login_page(page: Page) -> None:
    assert "/dashboard/auth/login" in page.url, page.url
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def row(page: Page, server_id: str) -> Locator:
    return page.locator(f'tr[data-id="{server_id}"]')


def badge(page: Page, server_id: str) -> Locator:
    return row(page, server_id).locator('[data-field="status"]')


def mark_no_reload(page: Page) -> None:
    """A flag that a reload or navigation would wipe: still there means the page stayed."""
    page.evaluate("window.__noReload = 1")


def still_same_page(page: Page) -> bool:
    return bool(page.evaluate("window.__noReload === 1"))


def listed_names(page: Page) -> list[str]:
    return page.locator("#instances tbody tr[data-id] td:first-child").all_text_contents()


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return int(width), int(height)


def test_screenshots_of_the_main_pages(
    context: BrowserContext,
    cloud: LiveCloud,
    project: _Project,
    shoot: Callable[[Page, str], list[Path]],
) -> None:
    web = project.create("web-01", networks="auto")
    project.create("web-02", networks="auto")
    db = project.create("db-01", networks="auto")
    project.wait_for(db, "ACTIVE")
    project.stop(db)
    project.wait_for(db, "SHUTOFF")
    project.wait_for(web, "ACTIVE")
    page = context.new_page()
    page.goto(url(cloud, "/auth/login"))
    saved = shoot(page, "login")
    sign_in(page, cloud)
    expect(badge(page, db)).to_have_text("SHUTOFF")
    saved += shoot(page, "instances")
    page.get_by_role("link", name="web-01", exact=True).click()
    expect(page.get_by_role("heading", name="Instance Details: web-01")).to_be_visible()
    saved += shoot(page, "instance")
    page.goto(url(cloud, "/project/instances/launch"))
    expect(page.get_by_role("heading", name="Launch Instance")).to_be_visible()
    saved += shoot(page, "launch")
    page.get_by_role("link", name="Overview").click()
    expect(page.get_by_text("Limit summary")).to_be_visible()
    # The project's every server, these three and any an earlier test left.
    count = len(project.get("/compute/v2.1/servers")["servers"])
    expect(page.get_by_text(f"{count} of 100 used", exact=True)).to_be_visible()
    saved += shoot(page, "overview")
    page.get_by_role("link", name="Networks", exact=True).click()
    expect(page.get_by_role("link", name="public", exact=True)).to_be_visible()
    saved += shoot(page, "networks")
    page.goto(url(cloud, "/project/images/create"))
    expect(page.get_by_role("heading", name="Create Image")).to_be_visible()
    saved += shoot(page, "image_create")
    wanted = os.environ.get(SHOTS_ENV)
    assert len(saved) == (14 if wanted else 7)
    for path in saved:
        assert png_size(path) == (VIEWPORT["width"], VIEWPORT["height"])


def test_an_image_uploaded_from_the_browser_is_active(
    context: BrowserContext, cloud: LiveCloud, project: _Project, tmp_path: Path
) -> None:
    # Past the front door's request size limit: the form is spooled as image data is.
    data = os.urandom(3 << 20)
    disk = tmp_path / "cirros.qcow2"
    disk.write_bytes(data)
    page = context.new_page()
    sign_in(page, cloud)
    page.get_by_role("link", name="Images", exact=True).click()
    page.get_by_role("link", name="Create Image").click()
    page.get_by_label("Image Name").fill("from-chromium")
    page.get_by_label("Format", exact=True).select_option("qcow2")
    page.get_by_label("Image File").set_input_files(str(disk))
    page.get_by_role("button", name="Create Image").click()
    page.wait_for_url("**/dashboard/project/images")
    listed = page.locator("tbody tr", has=page.get_by_text("from-chromium", exact=True))
    expect(listed).to_have_count(1)
    expect(listed.locator(".badge")).to_have_text("Active")
    (image,) = project.get("/image/v2/images?name=from-chromium")["images"]
    assert (image["status"], image["size"], image["disk_format"]) == ("active", len(data), "qcow2")


def test_launch_shows_build_then_active_without_reload(
    context: BrowserContext, cloud: LiveCloud, project: _Project
) -> None:
    page = context.new_page()
    sign_in(page, cloud)
    expect(page.get_by_role("heading", name="Instances")).to_be_visible()
    page.get_by_role("link", name="Launch Instance").click()
    page.get_by_label("Instance Name").fill("app-01")
    # The first image and flavor the form offers.
    image = page.get_by_label("Image")
    image.select_option(index=0)
    page.get_by_label("Flavor").select_option(index=0)
    page.get_by_role("button", name="Launch Instance").click()
    page.wait_for_url("**/dashboard/project/instances")
    mark_no_reload(page)
    launched = page.locator(
        "#instances tbody tr", has=page.get_by_role("link", name="app-01", exact=True)
    )
    expect(launched).to_have_count(1)
    status = launched.locator('[data-field="status"]')
    expect(status).to_have_text("BUILD", timeout=1_000)
    expect(status).to_have_text("ACTIVE", timeout=LIVE_TIMEOUT_MS)
    expect(launched.locator('[data-field="power"]')).to_have_text("Running")
    assert still_same_page(page), "the page was reloaded to show the new status"


def test_filter_sort_and_pages(page: Page, cloud: LiveCloud, project: _Project) -> None:
    names = [f"page-{index:02d}" for index in range(25)]
    for name in names:
        project.create(name)
    page.get_by_label("Name").fill("page-")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**name=page-**")
    first = listed_names(page)
    assert len(first) == 20
    assert all(name.startswith("page-") for name in first)
    page.get_by_role("link", name="Next page").click()
    page.wait_for_url("**marker=**")
    second = listed_names(page)
    assert len(second) == 5
    assert sorted(first + second) == names
    expect(page.get_by_role("link", name="Next page")).to_have_count(0)

    page.get_by_label("Status").select_option("SHUTOFF")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**status=SHUTOFF**")
    assert listed_names(page) == []
    expect(page.get_by_text("No items to display.")).to_be_visible()

    page.get_by_label("Status").select_option("")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(lambda where: "status=SHUTOFF" not in where)
    page.get_by_role("link", name="Instance Name").click()
    expect(page.locator("th", has_text="Instance Name")).to_have_attribute("aria-sort", "ascending")
    assert listed_names(page) == names[:20]
    page.get_by_role("link", name="Next page").click()
    page.wait_for_url("**marker=**")
    assert listed_names(page) == names[20:]


def test_shut_off_live_then_delete(page: Page, cloud: LiveCloud, project: _Project) -> None:
    target = project.create("stop-me")
    project.wait_for(target, "ACTIVE")
    page.reload()
    expect(badge(page, target)).to_have_text("ACTIVE")
    # Only the actions an ACTIVE server allows.
    expect(page.get_by_role("button", name="Start stop-me")).to_be_hidden()
    expect(page.get_by_role("button", name="Reboot stop-me")).to_be_visible()
    # The list reloads once, for the POST's redirect; from then on it must stay.
    with page.expect_navigation(url="**/dashboard/project/instances"):
        page.get_by_role("button", name="Shut Off stop-me").click()
    mark_no_reload(page)
    expect(row(page, target).locator('[data-field="task"]')).to_have_text(
        "powering-off", timeout=1_000
    )
    expect(badge(page, target)).to_have_text("SHUTOFF", timeout=LIVE_TIMEOUT_MS)
    expect(row(page, target).locator('[data-field="power"]')).to_have_text("Shut Down")
    # The actions follow the status as it changes: Start now, no Shut Off or Reboot.
    expect(page.get_by_role("button", name="Start stop-me")).to_be_visible()
    expect(page.get_by_role("button", name="Shut Off stop-me")).to_be_hidden()
    expect(page.get_by_role("button", name="Reboot stop-me")).to_be_hidden()
    assert still_same_page(page), "the page was reloaded to show the new status"

    page.get_by_role("link", name="Delete stop-me").click()
    expect(page.get_by_role("heading", name="Confirm Delete Instance")).to_be_visible()
    expect(page.get_by_text("You have selected: stop-me.")).to_be_visible()
    page.get_by_role("button", name="Delete Instance").click()
    page.wait_for_url("**/dashboard/project/instances")
    project.wait_for(target, None)
    page.reload()
    expect(row(page, target)).to_have_count(0)
    expect(page.get_by_role("link", name="stop-me", exact=True)).to_have_count(0)


def test_deleted_row_leaves_the_list_without_reload(page: Page, project: _Project) -> None:
    target = project.create("gone-live")
    project.wait_for(target, "ACTIVE")
    page.reload()
    page.get_by_role("link", name="Delete gone-live").click()
    page.get_by_role("button", name="Delete Instance").click()
    page.wait_for_url("**/dashboard/project/instances")
    mark_no_reload(page)
    expect(row(page, target)).to_have_count(0, timeout=4 * DRIVER_DELAY * 1000)
    assert still_same_page(page)


def test_sign_out_ends_the_session(
    context: BrowserContext, browser: Browser, cloud: LiveCloud
) -> None:
    page = context.new_page()
    sign_in(page, cloud)
    old = [c for c in context.cookies() if c["name"] == "pocketstack_session"]
    assert len(old) == 1
    assert old[0]["httpOnly"]
    assert old[0]["sameSite"] == "Strict"
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/dashboard/auth/login**")
    on_login_page(page)
    page.goto(url(cloud, "/project/instances"))
    on_login_page(page)

    replay = browser.new_context(viewport=VIEWPORT)
    try:
        replay.add_cookies(old)  # type: ignore[arg-type]
        stolen = replay.new_page()
        stolen.goto(url(cloud, "/project/instances"))
        on_login_page(stolen)
    finally:
        replay.close()


def test_markup_in_a_name_is_shown_as_text(page: Page, cloud: LiveCloud, project: _Project) -> None:
    target = project.create(XSS_NAME)
    answer = page.goto(url(cloud, "/project/instances"))
    assert answer is not None
    page.wait_for_load_state("load")
    cell = row(page, target).locator("td").first
    assert cell.text_content() == XSS_NAME
    expect(row(page, target).locator("img")).to_have_count(0)
    page.goto(url(cloud, f"/project/instances/{target}"))
    expect(page.get_by_role("heading", name=f"Instance Details: {XSS_NAME}")).to_be_visible()
    page.wait_for_load_state("load")
    assert page.evaluate("typeof window.__xss") == "undefined"

    policy = answer.headers.get("content-security-policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.split()}
    assert directives.get("frame-ancestors") == ["'none'"], policy
    scripts = directives.get("script-src", directives.get("default-src"))
    assert scripts is not None, policy
    assert "'unsafe-inline'" not in scripts, policy
    assert not any(source.startswith(("'nonce-", "'sha")) for source in scripts), policy


def test_wrong_csrf_token_is_refused(page: Page, cloud: LiveCloud, project: _Project) -> None:
    target = project.create("csrf-target")
    page.reload()
    expect(row(page, target)).to_have_count(1)
    with page.expect_response(lambda r: r.url.endswith(f"/{target}/action")) as refused:
        page.evaluate(
            """([where]) => {
            const form = document.createElement("form");
            form.method = "post";
            form.action = where;
            for (const [name, value] of [["csrf_token", "not-this-sessions"],
                                         ["action", "delete"]]) {
                const input = document.createElement("input");
                input.type = "hidden"; input.name = name; input.value = value;
                form.appendChild(input);
            }
            document.body.appendChild(form);
            form.submit();
        }""",
            [url(cloud, f"/project/instances/{target}/action")],
        )
    assert refused.value.status == 403
    expect(page.get_by_role("alert")).to_contain_text("CSRF token")
    server = project.server(target)
    assert server is not None
    assert server["OS-EXT-STS:task_state"] != "deleting"


@contextlib.contextmanager
def other_site(html: str) -> Iterator[str]:
    """A page on http://localhost:PORT, another site than the cloud's 127.0.0.1."""
    body = html.encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    port = free_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_form_from_another_site_deletes_nothing(
    page: Page, cloud: LiveCloud, project: _Project
) -> None:
    target = project.create("cross-site-target")
    page.reload()
    # Even with the session's own CSRF token (as if it had leaked), the form from another site
    # goes without the SameSite=Strict cookie, so the dashboard sees no session at all.
    token = page.locator('form.logout input[name="csrf_token"]').input_value()
    action = url(cloud, f"/project/instances/{target}/action")
    attack = (
        f'<form method="post" action="{escape(action)}">'
        f'<input type="hidden" name="csrf_token" value="{escape(token)}">'
        '<input type="hidden" name="action" value="delete">'
        '<button type="submit">Win a prize</button></form>'
    )
    with other_site(attack) as where:
        page.goto(where)
        with page.expect_response(lambda r: r.url.endswith(f"/{target}/action")) as posted:
            page.get_by_role("button", name="Win a prize").click()
        page.wait_for_url("**/dashboard/auth/login**")
    assert posted.value.status == 303
    on_login_page(page)
    server = project.server(target)
    assert server is not None
    assert server["OS-EXT-STS:task_state"] != "deleting"
    # The same browser is still signed in: only the other site's request went without it.
    page.goto(url(cloud, "/project/instances"))
    expect(row(page, target)).to_have_count(1)
