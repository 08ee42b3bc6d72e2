"""`pocketstack` with `--os-auth-type v3totp` against the in-process cloud: a passcode from the
admin's totp credential (computed here as an authenticator app would) from the flags, the
environment and clouds.yaml; the cache that keys on the user; the errors and --debug."""

from __future__ import annotations

import base64
import io
import json
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP

from pocketstack.cli.main import main
from pocketstack.client.auth import totp
from pocketstack.client.auth.loading import AuthOptions, load_auth
from pocketstack.client.auth.v3 import V3TOTP
from pocketstack.client.transport.wsgi import WSGITransport
from pocketstack.cloud.app import WSGIApp
from tests.fixtures.cloud import TEST_PUBLIC_URL, OffsetClock
from tests.fixtures.server import LiveCloud, clean_env, pocketstack_command
from tests.unit.cli.test_application_credential import LIST_HEADER, _admin_token, _api
from tests.unit.cli.test_startup import WARM_LIST_AVOIDS, _heavy, _probe
from tests.unit.cloud.identity.test_totp import mid_step

V3 = f"{TEST_PUBLIC_URL}/identity/v3"
SECRET = base64.b32encode(b"a-cli-test-secret-20").decode("ascii").rstrip("=")


def passcode(clock: OffsetClock, *, steps_back: int = 0) -> str:
    key = base64.b32decode(SECRET + "=" * (-len(SECRET) % 8))
    code = TOTP(key, 6, SHA1(), 30).generate(int(clock.now().timestamp()) - 30 * steps_back)
    return code.decode("ascii")


class Cloud:
    def __init__(self, transport: WSGITransport, clock: OffsetClock) -> None:
        self.transport = transport
        self.clock = clock
        self.admin_token = _admin_token(transport)
        shown = _api(
            transport, "GET", "/v3/auth/tokens", self.admin_token, subject=self.admin_token
        )
        self.admin_id = str(json.loads(shown.body)["token"]["user"]["id"])
        created = _api(
            transport,
            "POST",
            "/v3/credentials",
            self.admin_token,
            body={"credential": {"user_id": self.admin_id, "type": "totp", "blob": SECRET}},
        )
        assert created.status == 201, created.body

    def methods_of(self, token: str) -> list[str]:
        shown = _api(self.transport, "GET", "/v3/auth/tokens", self.admin_token, subject=token)
        assert shown.status == 200, shown.body
        return list(json.loads(shown.body)["token"]["methods"])


@pytest.fixture
def cloud(cloud_app: WSGIApp, clock: OffsetClock) -> Cloud:
    mid_step(clock)
    return Cloud(WSGITransport(cloud_app), clock)


class Run:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err


def run(cloud: Cloud, argv: list[str], env: dict[str, str], cache: Path) -> Run:
    out, err = io.StringIO(), io.StringIO()
    code = main(
        argv, environ=env, stdout=out, stderr=err, transport=cloud.transport, cache_dir=cache
    )
    return Run(code, out.getvalue(), err.getvalue())


def _flags(code: str) -> list[str]:
    return [
        "--os-auth-type", "v3totp",
        "--os-auth-url", V3,
        "--os-username", "admin",
        "--os-project-name", "admin",
        "--os-passcode", code,
    ]  # fmt: skip


def test_list_with_a_passcode_then_from_the_cache_whatever_the_passcode(
    cloud: Cloud, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    code = passcode(cloud.clock)
    result = run(cloud, [*_flags(code), "--timings", "list"], {}, cache)
    assert (result.code, result.out.count(LIST_HEADER)) == (0, 1), result.err
    assert "POST /identity/v3/auth/tokens" in result.err.replace(TEST_PUBLIC_URL, "")

    # A minute on, the next command brings a new passcode: the cached token of the user serves.
    cloud.clock.advance(60)
    warm = run(cloud, [*_flags(passcode(cloud.clock)), "--timings", "list"], {}, cache)
    assert (warm.code, warm.out) == (0, result.out)
    assert "Total (1 request)" in warm.err
    assert "auth/tokens" not in warm.err
    for path in cache.rglob("*"):
        if path.is_file():
            assert code not in path.read_text()


def test_token_from_the_environment_and_clouds_yaml_says_totp(cloud: Cloud, tmp_path: Path) -> None:
    env = {
        "OS_AUTH_TYPE": "v3totp",
        "OS_AUTH_URL": V3,
        "OS_USER_ID": cloud.admin_id,
        "OS_PROJECT_NAME": "admin",
        "OS_PASSCODE": passcode(cloud.clock),
    }
    by_env = run(cloud, ["--no-cache", "token", "issue", "-f", "json"], env, tmp_path)
    assert by_env.code == 0, by_env.err
    assert cloud.methods_of(json.loads(by_env.out)["id"]) == ["totp"]

    clouds = tmp_path / "clouds.yaml"
    clouds.write_text(
        "clouds:\n"
        "  ci:\n"
        "    auth_type: v3totp\n"
        "    auth:\n"
        f"      auth_url: {TEST_PUBLIC_URL}/identity\n"
        "      username: admin\n"
        "      user_domain_name: Default\n"
        "      project_name: admin\n"
        "      project_domain_id: default\n"
        f"      passcode: '{passcode(cloud.clock, steps_back=1)}'\n"
    )
    by_yaml = run(
        cloud,
        ["--no-cache", "token", "issue", "-f", "json"],
        {"OS_CLOUD": "ci", "OS_CLIENT_CONFIG_FILE": str(clouds)},
        tmp_path,
    )
    assert by_yaml.code == 0, by_yaml.err
    shown = json.loads(by_yaml.out)
    assert cloud.methods_of(shown["id"]) == ["totp"]
    assert shown["user_id"] == cloud.admin_id


def test_a_wrong_passcode_is_401_and_debug_masks_it(cloud: Cloud, tmp_path: Path) -> None:
    good = passcode(cloud.clock)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    refused = run(cloud, [*_flags(wrong), "--no-cache", "list"], {}, tmp_path)
    assert refused.code == 1
    assert refused.err.startswith(
        "ERROR (Unauthorized): The request you have made requires authentication. (HTTP 401)"
    )
    debug = run(cloud, [*_flags(good), "--debug", "--no-cache", "list"], {}, tmp_path)
    assert debug.code == 0, debug.err
    assert '"passcode": "***"' in debug.err
    assert good not in debug.err


@pytest.mark.parametrize(
    ("drop", "message"),
    [("--os-passcode", totp.MISSING_PASSCODE), ("--os-username", totp.MISSING_USER)],
)
def test_a_missing_option_is_one_line(
    cloud: Cloud, tmp_path: Path, drop: str, message: str
) -> None:
    flags = _flags(passcode(cloud.clock))
    at = flags.index(drop)
    del flags[at : at + 2]
    result = run(cloud, [*flags, "list"], {}, tmp_path)
    assert (result.code, result.out) == (1, "")
    assert result.err == f"ERROR (CommandError): {message}\n"


def test_a_warm_list_with_a_passcode_imports_nothing_heavy(
    live_cloud: LiveCloud, tmp_path: Path
) -> None:
    # The cold run authenticates with the admin's password; its saved state is put where a run
    # with a passcode for the same user and project looks for its own. The warm run is then one
    # request, and imports nothing heavy: no cryptography, the client only forwards a passcode.
    cache_home = tmp_path / "xdg"
    password_env = {**live_cloud.client_env(), "XDG_CACHE_HOME": str(cache_home)}
    cold = subprocess.run(
        [*pocketstack_command(), "list", "--all-tenants"],
        capture_output=True, text=True, env=password_env, timeout=60, check=False,
    )  # fmt: skip
    assert cold.returncode == 0, cold.stderr
    auth_dir = cache_home / "pocketstack" / "auth"
    (state,) = auth_dir.iterdir()
    auth_url = f"{live_cloud.identity_url}/v3"
    options = AuthOptions(
        auth_type="v3totp", auth_url=auth_url, username="admin", project_name="admin",
        passcode="000000",
    )  # fmt: skip
    plugin = load_auth(options)
    assert isinstance(plugin, V3TOTP)
    (auth_dir / f"{plugin.get_cache_id()}.json").write_bytes(state.read_bytes())
    (auth_dir / f"{plugin.get_cache_id()}.json").chmod(0o600)

    env = {
        **clean_env(),
        "XDG_CACHE_HOME": str(cache_home),
        "OS_AUTH_TYPE": "v3totp",
        "OS_AUTH_URL": auth_url,
        "OS_USERNAME": "admin",
        "OS_PROJECT_NAME": "admin",
        "OS_PASSCODE": "123456",
    }
    code, modules, printed, timings = _probe(["list", "--all-tenants", "--timings"], env)
    assert code == 0, timings
    assert printed == cold.stdout
    assert "Total (1 request)" in timings
    assert "pocketstack.client.auth.totp" in modules
    assert _heavy(modules, (*WARM_LIST_AVOIDS, "cryptography")) == []
