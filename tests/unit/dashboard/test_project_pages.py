"""The identity pages, key pairs and security groups: each the API's own answer, the API's
refusals shown on the page."""

from __future__ import annotations

import re

from pocketstack.cloud.app import WSGIApp
from pocketstack.cloud.deps import CloudDeps
from tests.fixtures.cloud import create_user
from tests.unit.dashboard.browser import (
    Browser,
)


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

