"""The dashboard's instance page against the API list it is built on, `python -m
bench.dashboard_page`.

A cloud on SQLite with N servers (the seeder's, half of them in the admin project), then, in
process (no HTTP): the page `/dashboard/project/instances?limit=L` for a signed-in admin
against `GET /compute/v2.1/servers/detail?limit=L` with the same token, in turns, median and
spread of many runs. With --browser, the same cloud served on loopback and the page opened in
headless Debian chromium by Playwright: time to first contentful paint, median of a few loads.
"""

from __future__ import annotations

import argparse
import functools
import re
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

from pocketstack.client.transport import Request
from pocketstack.client.transport.wsgi import WSGITransport
from pocketstack.cloud.app import create_cloud_app
from pocketstack.cloud.bootstrap import bootstrap
from pocketstack.cloud.config import CloudConfig
from pocketstack.cloud.deps import build_deps
from pocketstack.cloud.seed import seed
from pocketstack.cloud.store.db import Store
from pocketstack.cloud.store.upgrade import upgrade

PASSWORD = "bench-admin"
# The paint entry may come after the load event; a buffered observer sees it either way (a
# function, not a string to evaluate: the page's CSP allows no eval).
FIRST_PAINT = """() => new Promise((resolve) => {
  new PerformanceObserver((entries) => {
    const paint = entries.getEntriesByName("first-contentful-paint")[0];
    if (paint) { resolve(paint.startTime); }
  }).observe({type: "paint", buffered: true});
  setTimeout(() => resolve(-1000), 10000);
})"""
BASE = "http://localhost"
# The instance list as users narrow it: sorted, filtered by status, by a name that matches
# one server and one that matches none (the API's regex filter reads every row it must), and
# the fiftieth page of the default order (keyset markers: as cheap as the first).
VIEWS = ("sort=name&dir=asc", "sort=status&dir=desc", "status=SHUTOFF", "name=-000042",
         "name=no-such-server", "page=50")  # fmt: skip


def _build(data_dir: Path, servers: int) -> WSGITransport:
    db_url = f"sqlite:///{data_dir / 'pocketstack.db'}"
    config = CloudConfig(data_dir=data_dir, db_url=db_url, public_url=BASE, bcrypt_rounds=4)
    store = Store(db_url)
    upgrade(store.engine)
    deps = build_deps(config, store=store)
    deps.keys.setup()
    bootstrap(deps, admin_password=PASSWORD)
    seed(deps, servers=servers, projects=1, admin_project=True)
    return WSGITransport(create_cloud_app(deps))


def _login(transport: WSGITransport) -> tuple[str, str]:
    """The session cookie and the admin's project token (for the API side of the comparison)."""
    page = transport.send(Request(method="GET", url=BASE + "/dashboard/auth/login"))
    login_cookie = page.headers["Set-Cookie"].split(";")[0]
    found = re.search(rb'name="csrf_token" value="([^"]+)"', page.body)
    assert found
    form = urlencode({"csrf_token": found.group(1).decode(), "domain": "Default",
                      "username": "admin", "password": PASSWORD}).encode()  # fmt: skip
    answer = transport.send(Request(method="POST", url=BASE + "/dashboard/auth/login", body=form,
                                    headers={"Cookie": login_cookie,
                                             "Content-Type": "application/x-www-form-urlencoded"}))
    session = next(v.split(";")[0] for k, v in answer.headers.items()
                   if k.lower() == "set-cookie" and v.startswith("pocketstack_session="))
    body = ('{"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": '
            f'"admin", "domain": {{"id": "default"}}, "password": "{PASSWORD}"}}}}}}, "scope": '
            '{"project": {"name": "admin", "domain": {"id": "default"}}}}}').encode()
    token = transport.send(Request(method="POST", url=BASE + "/identity/v3/auth/tokens",
                                   body=body, headers={"Content-Type": "application/json"}))
    return session, token.headers["X-Subject-Token"]


def _status(transport: WSGITransport, request: Request) -> int:
    return transport.send(request).status


def _timed(fn: Callable[[], int], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        status = fn()
        times.append(time.perf_counter() - started)
        assert status == 200, status
    return times


def _cell(times: list[float]) -> str:
    return f"{statistics.median(times) * 1000:.1f} ms ({min(times) * 1000:.1f} to " \
           f"{max(times) * 1000:.1f})"  # fmt: skip


def _first_paints(data_dir: Path, limits: list[int], loads: int) -> dict[int, list[float]]:
    """Seconds to first contentful paint of the instance page, per page size, in headless
    Debian chromium, the cloud served on loopback by the pytest plugin's threaded server."""
    from playwright.sync_api import sync_playwright

    from pocketstack.testing.server import Settings, ThreadedCloud

    cloud = ThreadedCloud(Settings(data_dir=data_dir, admin_password=PASSWORD))
    cloud.start()
    paints: dict[int, list[float]] = {}
    try:
        with sync_playwright() as driver:
            browser = driver.chromium.launch(
                executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                args=["--no-sandbox"])  # fmt: skip
            page = browser.new_page()
            page.goto(cloud.url + "/dashboard/auth/login")
            page.fill("#username", "admin")
            page.fill("#password", PASSWORD)
            page.get_by_role("button", name="Sign in", exact=True).click()
            page.wait_for_url("**/dashboard/project/instances")
            for limit in limits:
                paints[limit] = []
                for _ in range(loads):
                    page.goto(f"{cloud.url}/dashboard/project/instances?limit={limit}")
                    started = page.evaluate(FIRST_PAINT)
                    paints[limit].append(float(started) / 1000)
            browser.close()
    finally:
        cloud.stop()
    return paints


def _later_page(transport: WSGITransport, session: str, pages: int) -> str:
    """The query of the instance list's page `pages`, followed by its Next links."""
    query = "limit=20"
    for _ in range(pages - 1):
        url = f"{BASE}/dashboard/project/instances?{query}"
        page = transport.send(Request(method="GET", url=url, headers={"Cookie": session}))
        found = re.search(rb'href="/dashboard/project/instances\?([^"]+)" rel="next"', page.body)
        assert found, "fewer pages than asked"
        query = found.group(1).decode().replace("&amp;", "&")
    return query


def _views(transport: WSGITransport, session: str, views: list[str], runs: int) -> None:
    print(f"\nThe instance page (20 rows) as users narrow it; median (min to max) of {runs}")
    print("| view | dashboard page |")
    print("| --- | ---: |")
    for view in views:
        query = view
        if view.startswith("page="):
            query = _later_page(transport, session, int(view.partition("=")[2]))
        page = Request(method="GET", url=f"{BASE}/dashboard/project/instances?{query}&limit=20",
                       headers={"Cookie": session})  # fmt: skip
        transport.send(page)
        times = _timed(functools.partial(_status, transport, page), runs)
        print(f"| `{view}` | {_cell(times)} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dashboard_page", description=__doc__)
    parser.add_argument("--servers", type=int, default=1000)
    parser.add_argument("--limits", type=int, nargs="+", default=[20, 200])
    parser.add_argument("--runs", type=int, default=41)
    parser.add_argument("--views", nargs="*", default=list(VIEWS), metavar="QUERY",
                        help="instance-list queries (filters, sorting, a later page) timed too")
    parser.add_argument("--browser", type=int, default=0, metavar="LOADS",
                        help="also time first contentful paint in chromium, LOADS loads per size")
    args = parser.parse_args(argv)
    data_dir = Path(tempfile.mkdtemp(prefix="bench-dashboard-")) / "data"
    data_dir.mkdir(mode=0o700, parents=True)
    transport = _build(data_dir, args.servers)
    session, token = _login(transport)
    print(f"{args.servers} servers; median (min to max) of {args.runs} in-process runs each")
    print("| rows per page | API `servers/detail` | dashboard page | ratio |")
    print("| ---: | ---: | ---: | ---: |")
    for limit in args.limits:
        page = Request(method="GET", url=f"{BASE}/dashboard/project/instances?limit={limit}",
                       headers={"Cookie": session})  # fmt: skip
        api = Request(method="GET", url=f"{BASE}/compute/v2.1/servers/detail?limit={limit}",
                      headers={"X-Auth-Token": token,
                               "OpenStack-API-Version": "compute 2.79"})  # fmt: skip
        api_times: list[float] = []
        page_times: list[float] = []
        for _ in range(3):  # warm both
            transport.send(api)
            transport.send(page)
        for _ in range(args.runs):
            api_times += _timed(functools.partial(_status, transport, api), 1)
            page_times += _timed(functools.partial(_status, transport, page), 1)
        ratio = statistics.median(page_times) / statistics.median(api_times)
        print(f"| {limit} | {_cell(api_times)} | {_cell(page_times)} | {ratio:.2f}x |")
    if args.views:
        _views(transport, session, args.views, args.runs)
    if args.browser:
        print(f"\nFirst contentful paint, headless chromium, median (min to max) of {args.browser}")
        for limit, paints in _first_paints(data_dir, args.limits, args.browser).items():
            print(f"| {limit} rows | {_cell(paints)} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
