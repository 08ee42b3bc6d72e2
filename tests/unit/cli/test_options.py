from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from pocketstack.cli.context import build_auth, choose_auth_type
from pocketstack.cli.errors import CommandError
from pocketstack.cli.options import add_global_options
from pocketstack.cli.settings import Settings, resolve
from pocketstack.client.auth.base import TokenEndpoint
from pocketstack.client.auth.generic import Password, Token
from pocketstack.client.auth.v2 import V2Password
from pocketstack.client.auth.v3 import V3ApplicationCredential
from pocketstack.client.clouds import CloudConfigError


def _settings(argv: list[str], environ: dict[str, str]) -> Settings:
    parser = argparse.ArgumentParser()
    add_global_options(parser)
    return resolve(parser.parse_args(argv), environ=environ)


def test_env_precedence_and_legacy_names() -> None:
    s = _settings(
        [],
        {
            "OS_TENANT_NAME": "t",
            "NOVA_PROJECT_ID": "n",
            "NOVA_ENDPOINT_TYPE": "adminURL",
            "OS_INSECURE": "true",
            "OS_TIMEOUT": "5",
        },
    )
    assert (s.os_project_name, s.os_interface, s.insecure, s.timeout) == (
        "t",
        "adminURL",
        True,
        5.0,
    )
    s = _settings(
        ["--os-tenant-name", "cli", "--os-interface", "internal"], {"OS_PROJECT_NAME": "env"}
    )
    assert (s.os_project_name, s.os_interface) == ("cli", "internal")
    assert _settings([], {}).os_interface == "public"


def test_clouds_yaml_and_secure_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "clouds.yaml").write_text(
        "clouds:\n  mine:\n    auth:\n      auth_url: http://k/v3\n      username: u\n"
        "      project_name: p\n    region_name: R2\n    interface: internal\n    verify: false\n"
    )
    (tmp_path / "secure.yaml").write_text("clouds:\n  mine:\n    auth:\n      password: sec\n")
    monkeypatch.chdir(tmp_path)
    env = {"OS_CLOUD": "mine", "OS_USERNAME": "env-user", "OS_REGION_NAME": "envregion"}
    s = _settings(["--os-region-name", "cli-region"], env)
    assert (s.os_auth_url, s.os_username, s.os_password) == ("http://k/v3", "u", "sec")
    assert (s.os_region_name, s.os_interface, s.verify_from_cloud) == (
        "cli-region",
        "internal",
        False,
    )
    with pytest.raises(CloudConfigError, match="Cloud other was not found"):
        _settings(["--os-cloud", "other"], {})


def test_clouds_file_from_env(tmp_path: Path) -> None:
    path = tmp_path / "elsewhere.yaml"
    path.write_text("clouds:\n  c:\n    auth:\n      auth_url: http://x/v3\n")
    s = _settings(["--os-cloud", "c"], {"OS_CLIENT_CONFIG_FILE": str(path)})
    assert s.os_auth_url == "http://x/v3"


def test_auth_type_choice_and_plugins() -> None:
    base = Settings(
        os_auth_url="http://k/v3", os_username="u", os_password="p", os_project_name="p"
    )
    assert isinstance(build_auth(base), Password)
    assert isinstance(
        build_auth(Settings(os_auth_url="http://k/v3", os_token="t", os_project_id="p")), Token
    )
    endpoint = build_auth(Settings(os_token="t", os_endpoint_override="http://c/v2.1"))
    assert isinstance(endpoint, TokenEndpoint)
    v2 = build_auth(
        Settings(
            os_auth_url="http://k/v2.0",
            os_username="u",
            os_password="p",
            os_project_name="p",
            os_auth_type="v2password",
        )
    )
    assert isinstance(v2, V2Password)
    assert v2.tenant_name == "p"
    cred = build_auth(
        Settings(
            os_auth_url="http://k/v3",
            os_application_credential_id="i",
            os_application_credential_secret="s",
        )
    )
    assert isinstance(cred, V3ApplicationCredential)
    assert choose_auth_type(Settings(os_auth_type="v3-password")) == "v3password"
    with pytest.raises(CommandError, match="Unknown auth type"):
        build_auth(Settings(os_auth_type="kerberos", os_auth_url="http://k"))


def test_identity_v2_drops_domain_settings() -> None:
    s = Settings(
        os_auth_url="http://k/v2.0",
        os_username="u",
        os_password="p",
        os_project_name="p",
        os_user_domain_name="Default",
        os_project_domain_name="Default",
        os_identity_api_version="2",
    )
    plugin = build_auth(s)
    assert isinstance(plugin, Password)
    assert plugin.user_domain_name is None
    assert not plugin.scope.has_domain_parameters
