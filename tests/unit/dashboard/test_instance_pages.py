"""The instance pages: the list's filters, sorting and paging, launching, the admin's view of
every project, and ids and values from the browser that must never reach a service as asked."""

from __future__ import annotations

import json
import re

from pocketstack.cloud.app import WSGIApp
from pocketstack.cloud.deps import CloudDeps
from tests.fixtures.cloud import admin_token, create_user
from tests.unit.dashboard.browser import (
    Browser,
    boot,
    names,
    token_for,
)


def test_the_instance_list_filters_sorts_and_pages(
    browser: Browser, app: WSGIApp, cloud_deps: CloudDeps
) -> None:
    token = admin_token(cloud_deps)
    boot(app, token, "web", count=7)
    boot(app, token, "db.1")
    browser.login()
    first = browser.go("GET", "/dashboard/project/instances?name=web&sort=name&dir=asc&limit=5")
    listed = names(first)
    assert listed == [f"web-{n}" for n in range(1, 6)]
    next_link = re.search(rb'href="([^"]+)" rel="next"', first.body)
    assert next_link, "a full page offers the next"
    second = browser.go("GET", next_link.group(1).decode().replace("&amp;", "&"))
    assert names(second) == ["web-6", "web-7"]
    assert set(names(second)).isdisjoint(listed)
    assert b'rel="next"' not in second.body
    # "Contains", not a regular expression: the dot is a dot.
    assert names(browser.go("GET", "/dashboard/project/instances?name=db.1")) == ["db.1"]
    assert names(browser.go("GET", "/dashboard/project/instances?name=b.1x")) == []
    assert names(browser.go("GET", "/dashboard/project/instances?status=SHUTOFF")) == []
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
    assert sorted(names(browser.go("GET", "/dashboard/project/instances"))) == [
        "from-the-form-1", "from-the-form-2"]
    refused = browser.go("POST", "/dashboard/project/instances/launch",
                         {**fields, "flavor": "no-such-flavor"})  # fmt: skip
    assert refused.status == 400
    assert b"Flavor no-such-flavor could not be found" in refused.body
    assert b'value="from-the-form"' in refused.body


def test_an_admin_lists_every_projects_servers_with_their_project(
    browser: Browser, app: WSGIApp, cloud_deps: CloudDeps
) -> None:
    erin = create_user(cloud_deps, name="erin", project_name="purple")
    boot(app, token_for(app, "erin", erin.password, "purple"), "purple-1")
    boot(app, admin_token(cloud_deps), "admin-1")
    browser.login()
    own = browser.go("GET", "/dashboard/project/instances")
    assert names(own) == ["admin-1"]
    assert b'name="all_projects"' in own.body
    everyone = browser.go("GET", "/dashboard/project/instances?all_projects=1&sort=name&dir=asc")
    assert names(everyone) == ["admin-1", "purple-1"]
    assert b'<th scope="col">Project</th>' in everyone.body
    assert b"<td>purple</td>" in everyone.body
    # Sorting keeps the view: the header links carry it.
    assert b"all_projects=1" in everyone.body.split(b"<tbody>")[0]
    member = Browser(app)
    member.login("erin", erin.password)
    mine = member.go("GET", "/dashboard/project/instances?all_projects=1")
    assert b'name="all_projects"' not in mine.body
    assert b"admin-1" not in mine.body


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
              "/project/security_groups/{v}", "/project/images/create",
              "/project/networks/{v}", "/project/routers", "/project/routers/{v}",
              "/project/floating_ips")  # fmt: skip
POST_ROUTES = (("/auth/switch", ("project_id",)),
               ("/project/instances/{v}/action", ("action",)),
               ("/project/instances/launch",
                ("name", "count", "image", "flavor", "network", "key_name", "security_group")),
               ("/project/key_pairs/create", ("name",)),
               ("/project/images/create", ("name", "disk_format", "min_disk")),
               ("/project/networks", ("name", "cidr", "ip_version", "gateway_ip")),
               ("/project/networks/{v}/delete", ()),
               ("/project/networks/{v}/subnets", ("subnet_name", "cidr", "ip_version")),
               ("/project/networks/{v}/subnets/delete", ("subnet_id",)),
               ("/project/routers", ("name", "external_network")),
               ("/project/routers/{v}/delete", ()),
               ("/project/routers/{v}/interfaces", ("subnet_id",)),
               ("/project/routers/{v}/interfaces/delete", ("port_id",)),
               ("/project/floating_ips", ("pool", "description")),
               ("/project/floating_ips/{v}/associate", ("port_id",)),
               ("/project/floating_ips/{v}/release", ()),
               ("/identity/projects", ("name", "description")),
               ("/identity/projects/delete", ("id",)),
               ("/identity/users", ("name", "email", "password", "confirm_password",
                                    "project_id", "role_id")),
               ("/identity/users/delete", ("id",)),
               ("/identity/groups", ("name", "description")),
               ("/identity/groups/delete", ("id",)),
               ("/identity/role_assignments", ("actor", "project_id", "role_id")),
               ("/identity/role_assignments/delete", ("id",)),
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
    boot(app, admin_token(cloud_deps), "target")
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


def test_static_files_and_the_services_index(browser: Browser) -> None:
    script = browser.go("GET", "/dashboard/static/dashboard.js")
    assert script.status == 200
    assert script.headers["Content-Type"].startswith("text/javascript")
    assert browser.go("GET", "/dashboard/static/../app.py").status == 404
    index = json.loads(browser.go("GET", "/").body)
    assert "dashboard" not in [service["name"] for service in index["services"]]

