"""Who a test talks to the cloud as: the admin, or a project made for one test. Given to tools
the ways they read them: `OS_*` variables, a clouds.yaml entry, keyword arguments for
openstacksdk's `openstack.connect`."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path


@dataclasses.dataclass(frozen=True, kw_only=True)
class Credentials:
    auth_url: str
    username: str
    password: str
    project_name: str
    region_name: str
    user_domain_name: str = "Default"
    project_domain_name: str = "Default"
    user_id: str = ""
    project_id: str = ""

    def auth(self) -> dict[str, str]:
        """The `auth` section of a clouds.yaml entry (keystoneauth's password plugin)."""
        return {
            "auth_url": self.auth_url, "username": self.username, "password": self.password,
            "project_name": self.project_name, "user_domain_name": self.user_domain_name,
            "project_domain_name": self.project_domain_name,
        }  # fmt: skip

    def cloud_entry(self) -> dict[str, object]:
        return {"auth": self.auth(), "auth_type": "password", "region_name": self.region_name,
                "identity_api_version": 3, "interface": "public"}  # fmt: skip

    def env(self) -> dict[str, str]:
        """The `OS_*` variables of an openrc file for these credentials."""
        return {
            "OS_AUTH_URL": self.auth_url, "OS_AUTH_TYPE": "password",
            "OS_USERNAME": self.username, "OS_PASSWORD": self.password,
            "OS_PROJECT_NAME": self.project_name,
            "OS_USER_DOMAIN_NAME": self.user_domain_name,
            "OS_PROJECT_DOMAIN_NAME": self.project_domain_name,
            "OS_REGION_NAME": self.region_name, "OS_IDENTITY_API_VERSION": "3",
            "OS_INTERFACE": "public",
        }  # fmt: skip

    def connect_args(self) -> dict[str, object]:
        """Keyword arguments for `openstack.connect(**...)`."""
        return {"auth": self.auth(), "auth_type": "password", "region_name": self.region_name,
                "identity_api_version": "3", "interface": "public"}  # fmt: skip


def write_clouds_yaml(path: Path, clouds: Mapping[str, Credentials]) -> Path:
    """A clouds.yaml naming each entry of `clouds`: it holds passwords, so it is the owner's
    only (0600), written whole before it is visible under its name."""
    import yaml

    text = yaml.safe_dump({"clouds": {name: c.cloud_entry() for name, c in clouds.items()}},
                          sort_keys=False)  # fmt: skip
    partial = path.with_name(f".{path.name}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)
    partial.replace(path)
    return path
