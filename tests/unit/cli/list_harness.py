"""The real cloud app in-process, the real client stack over the WSGI transport, and the
`list` command's own parser: what a `list` run sends and what it would print."""

from __future__ import annotations

import argparse
import dataclasses
import io
from urllib.parse import urlsplit

from pocketstack.cli.commands import list as list_command
from pocketstack.cli.commands.list.command import list_servers
from pocketstack.cli.commands.list.options import resolve_options
from pocketstack.cli.commands.list.paging import Table
from pocketstack.client.auth.base import Scope
from pocketstack.client.auth.generic import Password
from pocketstack.client.compute import ComputeClient
from pocketstack.client.session import Session
from pocketstack.client.transport.wsgi import WSGITransport
from pocketstack.cloud.app import create_cloud_app
from pocketstack.cloud.deps import CloudDeps
from tests.fixtures.cloud import ADMIN_PASSWORD, TEST_PUBLIC_URL


def parser() -> argparse.ArgumentParser:
    result = argparse.ArgumentParser(prog="pocketstack list")
    list_command.add_arguments(result)
    return result


@dataclasses.dataclass
class Harness:
    deps: CloudDeps
    transport: WSGITransport
    session: Session

    def compute(self, version: str = "2.latest") -> ComputeClient:
        return ComputeClient(self.session, api_version=version)

    def run(
        self, argv: list[str], *, version: str = "2.latest", environ: dict[str, str] | None = None
    ) -> Table:
        args = parser().parse_args(argv)
        return list_servers(
            args,
            resolve_options(args, None),
            self.compute(version),
            environ=environ or {},
            stderr=io.StringIO(),
        )

    def urls(self, path_part: str = "/servers") -> list[str]:
        """Path and query of every request sent whose path contains `path_part`."""
        found = []
        for request in self.transport.sent:
            parts = urlsplit(request.url)
            if path_part in parts.path:
                found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        return found

    def server_queries(self) -> list[str]:
        """The query string (with `?`) of each GET /servers[/detail] sent."""
        queries = []
        for request in self.transport.sent:
            parts = urlsplit(request.url)
            if parts.path.rstrip("/").endswith(("/servers", "/servers/detail")):
                queries.append(f"?{parts.query}" if parts.query else "")
        return queries

    def reset(self) -> None:
        self.transport.sent.clear()

    def create_server(
        self, name: str, *, image: str | None = None, flavor: str = "1"
    ) -> str:
        compute = self.compute()
        if image is None:
            image = self.image_id("cirros")
        # No microversion: before 2.37 a server without `networks` gets the project's network.
        body = {"server": {"name": name, "imageRef": image, "flavorRef": flavor}}
        response = compute.adapter.post("/servers", json=body)
        return str(response.json()["server"]["id"])

    def image_id(self, name: str) -> str:
        response = self.compute().image_adapter.get("/v2/images")
        for image in response.json()["images"]:
            if name in image["name"]:
                return str(image["id"])
        raise AssertionError(f"no image named like {name}")


def make_harness(deps: CloudDeps) -> Harness:
    transport = WSGITransport(create_cloud_app(deps))
    auth = Password(
        auth_url=f"{TEST_PUBLIC_URL}/identity/v3",
        username="admin",
        password=ADMIN_PASSWORD,
        user_domain_id="default",
        scope=Scope(project_name="admin", project_domain_id="default"),
    )
    return Harness(deps=deps, transport=transport, session=Session(auth=auth, transport=transport))
