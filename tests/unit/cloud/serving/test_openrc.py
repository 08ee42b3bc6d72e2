"""`openrc`'s exports survive the shell exactly, whatever the password holds."""

from __future__ import annotations

import dataclasses
import os
import subprocess
from pathlib import Path

import pytest

from pocketstack.cloud.config import CloudConfig
from pocketstack.cloud.serving.errors import ServingError
from pocketstack.cloud.serving.firststart import ensure_admin_password, ensure_data_dir
from pocketstack.cloud.serving.openrc import openrc_variables, render_openrc
from pocketstack.cloud.serving.state import ServingState, write_state


@pytest.fixture
def config(tmp_path: Path) -> CloudConfig:
    return CloudConfig(
        data_dir=tmp_path / "cloud", db_url="sqlite://", port=9999, region="RegionTwo"
    )


def shell_environment(script: str) -> dict[str, str]:
    env = {"PATH": os.environ["PATH"], "OS_TENANT_ID": "stale", "OS_CLOUD": "elsewhere"}
    result = subprocess.run(
        ["bash", "-c", 'eval "$SCRIPT" && env -0'],
        env={**env, "SCRIPT": script},
        capture_output=True,
        check=True,
    )
    pairs = (item.split(b"=", 1) for item in result.stdout.split(b"\0") if b"=" in item)
    return {key.decode(): value.decode() for key, value in pairs if key.startswith(b"OS_")}


@pytest.mark.parametrize("password", ["plain", 'it\'s $HOME `id` "q" \\ ;&|*', "ünïcode pass"])
def test_v3_exports_round_trip_through_bash(config: CloudConfig, password: str) -> None:
    ensure_data_dir(config)
    ensure_admin_password(config, given=password)
    env = shell_environment(render_openrc(openrc_variables(config)))
    assert env == {
        "OS_AUTH_URL": "http://127.0.0.1:9999/identity/v3",
        "OS_USERNAME": "admin",
        "OS_PASSWORD": password,
        "OS_PROJECT_NAME": "admin",
        "OS_USER_DOMAIN_NAME": "Default",
        "OS_PROJECT_DOMAIN_NAME": "Default",
        "OS_IDENTITY_API_VERSION": "3",
        "OS_REGION_NAME": "RegionTwo",
    }


def test_v2_exports_name_the_tenant_and_no_domain(config: CloudConfig) -> None:
    ensure_data_dir(config)
    ensure_admin_password(config, given="pw")
    env = shell_environment(render_openrc(openrc_variables(config, v2=True)))
    assert env["OS_AUTH_URL"] == "http://127.0.0.1:9999/identity/v2.0"
    assert env["OS_TENANT_NAME"] == env["OS_PROJECT_NAME"] == "admin"
    assert env["OS_IDENTITY_API_VERSION"] == "2"
    assert not any("DOMAIN" in key for key in env)
    assert "OS_CLOUD" not in env


def test_a_running_server_s_address_wins_over_the_configured_one(config: CloudConfig) -> None:
    ensure_data_dir(config)
    ensure_admin_password(config, given="pw")
    write_state(
        config,
        ServingState(pid=os.getpid(), host="127.0.0.1", port=1234, url="http://127.0.0.1:1234",
                     workers=2),
    )  # fmt: skip
    assert openrc_variables(config)["OS_AUTH_URL"] == "http://127.0.0.1:1234/identity/v3"
    moved = dataclasses.replace(config, public_url="http://cloud.example:80")
    (config.data_dir / "pocketstack.pid").unlink()
    assert openrc_variables(moved)["OS_AUTH_URL"] == "http://cloud.example:80/identity/v3"


def test_no_cloud_no_exports(config: CloudConfig) -> None:
    with pytest.raises(ServingError, match="pocketstack up"):
        openrc_variables(config)
