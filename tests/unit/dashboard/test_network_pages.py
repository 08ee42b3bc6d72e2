"""Networks, subnets, routers and floating IPs from the dashboard: each form a network API call,
each refusal the API's message on the form again, nothing half-made left behind."""

from __future__ import annotations

import json
import re
from typing import Any

from pocketstack.cloud.app import WSGIApp
from pocketstack.cloud.deps import CloudDeps
from tests.fixtures.cloud import admin_token
from tests.unit.dashboard.browser import Browser, api

NETWORKS = "/dashboard/project/networks"


def _get(app: WSGIApp, token: str, path: str) -> Any:
    answer = api(app, "GET", "/networking" + path, token)
    assert answer.status == 200, answer.body
    return json.loads(answer.body)


def _by_name(app: WSGIApp, token: str, kind: str, name: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = _get(app, token, f"/v2.0/{kind}?name={name}")[kind]
    return found


def _network_form(csrf: str, name: str, cidr: str) -> dict[str, str]:
    return {"csrf_token": csrf, "name": name, "admin_state_up": "1", "subnet_name": f"{name}-v4",
            "cidr": cidr, "ip_version": "4", "gateway_ip": "", "enable_dhcp": "1"}  # fmt: skip


def test_a_network_is_made_with_its_first_subnet_then_subnets_added_and_all_deleted(
    app: WSGIApp, browser: Browser, cloud_deps: CloudDeps
) -> None:
    token = admin_token(cloud_deps)
    browser.login()
    csrf = browser.csrf(browser.go("GET", NETWORKS))
    made = browser.go("POST", NETWORKS, _network_form(csrf, "blue", "10.20.0.0/24"))
    assert made.status == 303
    (network,) = _by_name(app, token, "networks", "blue")
    (subnet,) = _by_name(app, token, "subnets", "blue-v4")
    assert (subnet["network_id"], subnet["cidr"], subnet["gateway_ip"]) == (
        network["id"], "10.20.0.0/24", "10.20.0.1")
    listing = browser.go("GET", NETWORKS).body
    assert b"blue-v4 10.20.0.0/24" in listing
    detail = f"{NETWORKS}/{network['id']}"
    added = browser.go("POST", f"{detail}/subnets", {
        "csrf_token": csrf, "subnet_name": "blue-v6", "cidr": "fd00:20::/64", "ip_version": "6",
        "no_gateway": "1"})  # fmt: skip
    assert added.status == 303
    (v6,) = _by_name(app, token, "subnets", "blue-v6")
    assert (v6["ip_version"], v6["gateway_ip"], v6["enable_dhcp"]) == (6, None, False)
    page = browser.go("GET", detail).body.decode()
    assert "fd00:20::/64" in page
    assert "10.20.0.0/24" in page
    assert browser.go("POST", f"{detail}/subnets/delete",
                      {"csrf_token": csrf, "subnet_id": v6["id"]}).status == 303  # fmt: skip
    assert _by_name(app, token, "subnets", "blue-v6") == []
    assert browser.go("POST", f"{detail}/delete", {"csrf_token": csrf}).status == 303
    assert _by_name(app, token, "networks", "blue") == []
    assert _by_name(app, token, "subnets", "blue-v4") == []


def test_a_refused_subnet_leaves_no_network_and_the_form_says_why(
    app: WSGIApp, browser: Browser, cloud_deps: CloudDeps
) -> None:
    browser.login()
    csrf = browser.csrf(browser.go("GET", NETWORKS))
    refused = browser.go("POST", NETWORKS, _network_form(csrf, "broken", "10.0.0.0/33"))
    assert refused.status == 400
    assert b"10.0.0.0/33" in refused.body
    assert b'value="broken"' in refused.body
    assert _by_name(app, admin_token(cloud_deps), "networks", "broken") == []
    no_subnet = browser.go("POST", NETWORKS, {"csrf_token": csrf, "name": "bare", "cidr": ""})
    assert no_subnet.status == 303
    (bare,) = _by_name(app, admin_token(cloud_deps), "networks", "bare")
    assert (bare["subnets"], bare["admin_state_up"]) == ([], False)


def test_a_router_joins_a_subnet_to_the_public_network_and_a_floating_ip_reaches_a_server(
    app: WSGIApp, browser: Browser, cloud_deps: CloudDeps
) -> None:
    token = admin_token(cloud_deps)
    browser.login()
    csrf = browser.csrf(browser.go("GET", NETWORKS))
    assert browser.go("POST", NETWORKS, _network_form(csrf, "app", "10.30.0.0/24")).status == 303
    (network,) = _by_name(app, token, "networks", "app")
    (subnet,) = _by_name(app, token, "subnets", "app-v4")
    (public,) = _by_name(app, token, "networks", "public")
    routers = browser.go("GET", "/dashboard/project/routers")
    assert f'<option value="{public["id"]}">public</option>'.encode() in routers.body
    assert browser.go("POST", "/dashboard/project/routers", {
        "csrf_token": csrf, "name": "edge", "admin_state_up": "1",
        "external_network": public["id"]}).status == 303  # fmt: skip
    (router,) = _by_name(app, token, "routers", "edge")
    assert router["external_gateway_info"]["network_id"] == public["id"]
    detail = f"/dashboard/project/routers/{router['id']}"
    assert subnet["id"].encode() in browser.go("GET", detail).body
    assert browser.go("POST", f"{detail}/interfaces",
                      {"csrf_token": csrf, "subnet_id": subnet["id"]}).status == 303  # fmt: skip
    page = browser.go("GET", detail).body.decode()
    assert "Internal Interface" in page
    assert "10.30.0.1" in page

    images = json.loads(api(app, "GET", "/image/v2/images", token).body)["images"]
    flavors = json.loads(api(app, "GET", "/compute/v2.1/flavors", token).body)["flavors"]
    booted = api(app, "POST", "/compute/v2.1/servers", token, {"server": {
        "name": "web", "imageRef": images[0]["id"], "flavorRef": flavors[0]["id"],
        "networks": [{"uuid": network["id"]}]}})  # fmt: skip
    assert booted.status == 202, booted.body
    ips = "/dashboard/project/floating_ips"
    assert browser.go("POST", ips, {"csrf_token": csrf, "pool": public["id"]}).status == 303
    (floating,) = _get(app, token, "/v2.0/floatingips")["floatingips"]
    assert floating["floating_network_id"] == public["id"]
    page = browser.go("GET", ips).body.decode()
    target = re.search(r'<option value="([0-9a-f-]{36})">web: (10\.30\.0\.\d+)</option>', page)
    assert target, page
    associated = browser.go("POST", f"{ips}/{floating['id']}/associate",
                            {"csrf_token": csrf, "port_id": target.group(1)})  # fmt: skip
    assert associated.status == 303
    now = _get(app, token, f"/v2.0/floatingips/{floating['id']}")["floatingip"]
    assert (now["port_id"], now["fixed_ip_address"]) == (target.group(1), target.group(2))
    assert f"web: {target.group(2)}" in browser.go("GET", ips).body.decode()
    # While the address is in use the interface cannot go: the API's 409, shown as a page.
    port = _get(app, token, f"/v2.0/ports?device_id={router['id']}&network_id={network['id']}")
    interface = port["ports"][0]["id"]
    in_use = browser.go("POST", f"{detail}/interfaces/delete",
                        {"csrf_token": csrf, "port_id": interface})  # fmt: skip
    assert in_use.status == 409
    assert browser.go("POST", f"{ips}/{floating['id']}/associate",
                      {"csrf_token": csrf, "port_id": ""}).status == 303  # fmt: skip
    assert _get(app, token, f"/v2.0/floatingips/{floating['id']}")["floatingip"]["port_id"] is None
    assert browser.go("POST", f"{ips}/{floating['id']}/release",
                      {"csrf_token": csrf}).status == 303  # fmt: skip
    assert _get(app, token, "/v2.0/floatingips")["floatingips"] == []
    assert browser.go("POST", f"{detail}/interfaces/delete",
                      {"csrf_token": csrf, "port_id": interface}).status == 303  # fmt: skip
    assert browser.go("POST", f"{detail}/delete", {"csrf_token": csrf}).status == 303
    assert _by_name(app, token, "routers", "edge") == []


def test_a_router_the_api_refuses_is_shown_with_the_apis_reason(browser: Browser) -> None:
    browser.login()
    csrf = browser.csrf(browser.go("GET", "/dashboard/project/routers"))
    refused = browser.go("POST", "/dashboard/project/routers", {
        "csrf_token": csrf, "name": "nowhere",
        "external_network": "00000000-0000-0000-0000-000000000000"})  # fmt: skip
    assert refused.status == 404
    assert b"00000000-0000-0000-0000-000000000000" in refused.body
