"""The whole cloud app in process, driven as a user drives it: tokens from the identity API."""

from __future__ import annotations

import dataclasses
from typing import Any

from falcon import testing

from pocketstack.cloud.app import create_cloud_app
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.image.bootstrap import CIRROS_ID
from tests.fixtures.cloud import ADMIN_PASSWORD


@dataclasses.dataclass
class Api:
    deps: CloudDeps
    client: testing.TestClient

    def call(self, method: str, path: str, token: str | None, body: Any = None,
             headers: dict[str, str] | None = None) -> testing.Result:  # fmt: skip
        h = {"X-Auth-Token": token} if token else {}
        h.update(headers or {})
        if isinstance(body, bytes):
            return self.client.simulate_request(method, path, headers=h, body=body)
        return self.client.simulate_request(method, path, headers=h, json=body)

    def login(self, name: str, password: str, *, project: str | None = "admin") -> str:
        auth: dict[str, Any] = {"identity": {"methods": ["password"], "password": {"user": {
            "name": name, "password": password, "domain": {"id": "default"}}}}}  # fmt: skip
        if project is not None:
            auth["scope"] = {"project": {"name": project, "domain": {"id": "default"}}}
        result = self.call("POST", "/identity/v3/auth/tokens", None, {"auth": auth})
        assert result.status_code == 201, result.text
        return str(result.headers["X-Subject-Token"])

    def admin(self) -> str:
        return self.login("admin", ADMIN_PASSWORD)

    def user(self, token: str, name: str, password: str) -> str:
        result = self.call("POST", "/identity/v3/users", token, {"user": {
            "name": name, "password": password, "domain_id": "default"}})  # fmt: skip
        assert result.status_code == 201, result.text
        return str(result.json["user"]["id"])

    def server(self, token: str, name: str) -> str:
        body = {"server": {"name": name, "imageRef": CIRROS_ID, "flavorRef": "1",
                           "networks": "none"}}  # fmt: skip
        result = self.call("POST", "/compute/v2.1/servers", token, body,
                           {"OpenStack-API-Version": "compute 2.52"})  # fmt: skip
        assert result.status_code == 202, result.text
        return str(result.json["server"]["id"])

    def network(self, token: str, name: str) -> str:
        result = self.call("POST", "/networking/v2.0/networks", token, {"network": {"name": name}})
        assert result.status_code == 201, result.text
        return str(result.json["network"]["id"])

    def image(self, token: str, name: str, data: bytes) -> str:
        result = self.call("POST", "/image/v2/images", token, {
            "name": name, "disk_format": "raw", "container_format": "bare"})  # fmt: skip
        assert result.status_code == 201, result.text
        image_id = str(result.json["id"])
        put = self.call("PUT", f"/image/v2/images/{image_id}/file", token, data,
                        {"Content-Type": "application/octet-stream"})  # fmt: skip
        assert put.status_code == 204, put.text
        return image_id

    def names(self, token: str, path: str, key: str) -> set[str]:
        result = self.call("GET", path, token)
        assert result.status_code == 200, result.text
        return {str(item["name"]) for item in result.json[key]}

    def state(self, token: str) -> dict[str, set[str]]:
        """What an admin sees of servers, users, networks and images."""
        return {
            "servers": self.names(token, "/compute/v2.1/servers?all_tenants=1", "servers"),
            "users": self.names(token, "/identity/v3/users", "users"),
            "networks": self.names(token, "/networking/v2.0/networks", "networks"),
            "images": self.names(token, "/image/v2/images", "images"),
        }


def api(deps: CloudDeps) -> Api:
    return Api(deps=deps, client=testing.TestClient(create_cloud_app(deps)))
