"""`pocketstack list` with an application credential: from the environment, from clouds.yaml
(with secure.yaml), from the command line; the errors, the cache, --debug, --help, and the
modules a warm run imports.

Keystone's application_credential method is stood in for by the client tests' AppCredGate in
front of the real cloud app (whose own method is not there yet); once the cloud offers it,
test_against_the_clouds_own_application_credentials runs the same CLI against the real thing.
"""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import pytest

from pocketstack.cli.main import main
from pocketstack.client.auth import application_credential as app_cred
from pocketstack.client.auth.loading import AuthOptions, load_auth
from pocketstack.client.auth.v3 import V3ApplicationCredential
from pocketstack.client.transport import Headers, Request, Response
from pocketstack.client.transport.wsgi import WSGITransport
from pocketstack.cloud.app import WSGIApp
from tests.fixtures.cloud import ADMIN_PASSWORD, TEST_PUBLIC_URL
from tests.fixtures.server import LiveCloud, clean_env, pocketstack_command
from tests.unit.cli.test_startup import WARM_LIST_AVOIDS, _heavy, _probe
from tests.unit.client.test_application_credential import (
    CRED_ID,
    CRED_NAME,
    SECRET,
    AppCredGate,
    Credential,
    paths,
)

V3 = f"{TEST_PUBLIC_URL}/identity/v3"
ENV = {
    "OS_AUTH_TYPE": "v3applicationcredential",
    "OS_AUTH_URL": V3,
    "OS_APPLICATION_CREDENTIAL_ID": CRED_ID,
    "OS_APPLICATION_CREDENTIAL_SECRET": SECRET,
}
BY_ID_BODY = {
    "auth": {
        "identity": {
            "methods": ["application_credential"],
            "application_credential": {"id": CRED_ID, "secret": SECRET},
        }
    }
}
LIST_HEADER = "| ID | Name | Status | Task State | Power State | Networks |"


@pytest.fixture
def gate(cloud_app: WSGIApp) -> AppCredGate:
    return AppCredGate(
        WSGITransport(cloud_app), (Credential(id=CRED_ID, name=CRED_NAME, secret=SECRET),)
    )


class Run:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err


def run(
    gate: AppCredGate | WSGITransport, argv: list[str], env: dict[str, str], cache: Path
) -> Run:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, environ=env, stdout=out, stderr=err, transport=gate, cache_dir=cache)
    return Run(code, out.getvalue(), err.getvalue())


def test_list_from_the_environment(gate: AppCredGate, tmp_path: Path) -> None:
    # An openrc's project and password left over change nothing once the type is chosen.
    env = {**ENV, "OS_PROJECT_NAME": "other", "OS_USERNAME": "x", "OS_PASSWORD": "y"}
    result = run(gate, ["list"], env, tmp_path / "cache")
    assert (result.code, result.err) == (0, "")
    assert LIST_HEADER in result.out
    assert gate.auth_bodies == [BY_ID_BODY]
    assert paths(gate) == ["POST /identity/v3/auth/tokens", "GET /compute/v2.1/servers/detail"]

    # Warm: the cached token of this credential, no auth request; the secret in no file.
    gate.sent.clear()
    warm = run(gate, ["list"], env, tmp_path / "cache")
    assert (warm.code, warm.out) == (0, result.out)
    assert paths(gate) == ["GET /compute/v2.1/servers/detail"]
    for path in (tmp_path / "cache").iterdir():
        assert SECRET not in path.read_text()


def test_list_from_the_command_line(gate: AppCredGate, tmp_path: Path) -> None:
    argv = [
        "--os-auth-type", "v3applicationcredential",
        "--os-auth-url", V3,
        "--os-application-credential-name", CRED_NAME,
        "--os-application-credential-secret", SECRET,
        "--os-username", "admin",
        "--os-user-domain-name", "Default",
        "list",
    ]  # fmt: skip
    result = run(gate, argv, {}, tmp_path / "cache")
    assert (result.code, result.err) == (0, "")
    assert LIST_HEADER in result.out
    assert gate.auth_bodies[0]["auth"] == {
        "identity": {
            "methods": ["application_credential"],
            "application_credential": {
                "secret": SECRET,
                "name": CRED_NAME,
                "user": {"name": "admin", "domain": {"name": "Default"}},
            },
        }
    }


@pytest.mark.parametrize("auth_type", ["v3applicationcredential", "application_credential"])
def test_list_from_clouds_yaml_and_secure_yaml(
    gate: AppCredGate, tmp_path: Path, auth_type: str
) -> None:
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text(
        "clouds:\n"
        "  ci:\n"
        f"    auth_type: {auth_type}\n"
        "    auth:\n"
        f"      auth_url: {TEST_PUBLIC_URL}/identity\n"
        f"      application_credential_id: {CRED_ID}\n"
    )
    secure = tmp_path / "secure.yaml"
    secure.write_text(f"clouds:\n  ci:\n    auth:\n      application_credential_secret: {SECRET}\n")
    env = {
        "OS_CLOUD": "ci",
        "OS_CLIENT_CONFIG_FILE": str(clouds),
        "OS_CLIENT_SECURE_FILE": str(secure),
    }
    result = run(gate, ["list"], env, tmp_path / "cache")
    assert (result.code, result.err) == (0, "")
    assert LIST_HEADER in result.out
    # The unversioned auth URL of the entry: /v3 added, as keystoneauth does.
    assert gate.auth_bodies == [BY_ID_BODY]
    assert paths(gate)[0] == "POST /identity/v3/auth/tokens"


@pytest.mark.parametrize(
    ("drop", "message"),
    [
        ("OS_APPLICATION_CREDENTIAL_SECRET", app_cred.MISSING_SECRET),
        ("OS_APPLICATION_CREDENTIAL_ID", app_cred.MISSING_ID_OR_NAME),
    ],
)
def test_a_missing_option_is_one_line_before_any_request(
    gate: AppCredGate, tmp_path: Path, drop: str, message: str
) -> None:
    env = {k: v for k, v in ENV.items() if k != drop}
    result = run(gate, ["list"], env, tmp_path / "cache")
    assert result.code == 1
    assert result.err == f"ERROR (CommandError): {message}\n"
    assert result.out == ""
    assert gate.sent == []


def test_a_wrong_secret_is_401_without_the_secret(gate: AppCredGate, tmp_path: Path) -> None:
    result = run(gate, ["list"], {**ENV, "OS_APPLICATION_CREDENTIAL_SECRET": "wrong"}, tmp_path)
    assert result.code == 1
    assert result.err.startswith(
        "ERROR (Unauthorized): The request you have made requires authentication. (HTTP 401)"
    )
    assert "Traceback" not in result.err


def test_debug_masks_the_secret(gate: AppCredGate, tmp_path: Path) -> None:
    result = run(gate, ["--debug", "--no-cache", "list"], ENV, tmp_path / "cache")
    assert result.code == 0, result.err
    assert f"REQ: curl -g -i -X POST {V3}/auth/tokens" in result.err
    assert '"secret": "***"' in result.err
    assert SECRET not in result.err


def test_help_lists_the_options_with_the_other_auth_options(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["list", "--help"], environ={}, stdout=io.StringIO(), stderr=io.StringIO())
    text = " ".join(capsys.readouterr().out.split())
    for flag, variable in [
        ("--os-application-credential-id", "OS_APPLICATION_CREDENTIAL_ID"),
        ("--os-application-credential-secret", "OS_APPLICATION_CREDENTIAL_SECRET"),
        ("--os-application-credential-name", "OS_APPLICATION_CREDENTIAL_NAME"),
    ]:
        assert flag in text
        assert f"env[{variable}]" in text
    assert "v3applicationcredential" in text
    # In the same group as the password and the token, between them and the non-auth options.
    assert text.index("--os-password") < text.index("--os-application-credential-id")
    assert text.index("--os-application-credential-secret") < text.index("--os-region-name")


def test_a_warm_list_imports_nothing_heavy(live_cloud: LiveCloud, tmp_path: Path) -> None:
    # The live cloud has no application credentials yet: the cold run authenticates with the
    # admin's password, and its saved state (the token and the compute version document) is
    # put where a run with the credential looks for its own. Then the warm run is the same
    # one request as with a password, and no more modules.
    cache_home = tmp_path / "xdg"
    password_env = {**live_cloud.client_env(), "XDG_CACHE_HOME": str(cache_home)}
    cold = subprocess.run(
        [*pocketstack_command(), "list", "--all-tenants"],
        capture_output=True,
        text=True,
        env=password_env,
        timeout=60,
        check=False,
    )
    assert cold.returncode == 0, cold.stderr
    auth_dir = cache_home / "pocketstack" / "auth"
    (state,) = auth_dir.iterdir()
    auth_url = f"{live_cloud.identity_url}/v3"
    plugin = load_auth(
        AuthOptions(
            auth_type="v3applicationcredential",
            auth_url=auth_url,
            application_credential_id=CRED_ID,
            application_credential_secret=SECRET,
        )
    )
    assert isinstance(plugin, V3ApplicationCredential)
    (auth_dir / f"{plugin.get_cache_id()}.json").write_bytes(state.read_bytes())
    (auth_dir / f"{plugin.get_cache_id()}.json").chmod(0o600)

    env = {**clean_env(), "XDG_CACHE_HOME": str(cache_home), **ENV, "OS_AUTH_URL": auth_url}
    code, modules, printed, timings = _probe(["list", "--all-tenants", "--timings"], env)
    assert code == 0, timings
    assert printed == cold.stdout
    assert "Total (1 request)" in timings
    assert "pocketstack.client.auth.application_credential" in modules
    assert _heavy(modules, WARM_LIST_AVOIDS) == []


def test_against_the_clouds_own_application_credentials(cloud_app: WSGIApp, tmp_path: Path) -> None:
    transport = WSGITransport(cloud_app)
    token = _admin_token(transport)
    user_id = json.loads(_api(transport, "GET", "/v3/auth/tokens", token, subject=token).body)
    user_id = user_id["token"]["user"]["id"]
    created = _api(
        transport,
        "POST",
        f"/v3/users/{user_id}/application_credentials",
        token,
        body={"application_credential": {"name": "pocketstack-cli"}},
    )
    assert created.status == 201, created.body
    cred = json.loads(created.body)["application_credential"]
    env = {
        **ENV,
        "OS_APPLICATION_CREDENTIAL_ID": cred["id"],
        "OS_APPLICATION_CREDENTIAL_SECRET": cred["secret"],
    }
    result = run(transport, ["list"], env, tmp_path / "cache")
    assert (result.code, result.err) == (0, "")
    assert LIST_HEADER in result.out
    by_name = run(
        transport,
        ["--os-username", "admin", "--no-cache", "token", "issue", "-f", "json"],
        {
            "OS_AUTH_TYPE": "application_credential",
            "OS_AUTH_URL": V3,
            "OS_APPLICATION_CREDENTIAL_NAME": "pocketstack-cli",
            "OS_APPLICATION_CREDENTIAL_SECRET": cred["secret"],
        },
        tmp_path / "cache",
    )
    assert by_name.code == 0, by_name.err
    assert json.loads(by_name.out)["project_id"] == cred["project_id"]


def _api(
    transport: WSGITransport,
    method: str,
    path: str,
    token: str | None,
    *,
    subject: str | None = None,
    body: object = None,
) -> Response:
    pairs = [("Content-Type", "application/json"), ("Accept", "application/json")]
    if token:
        pairs.append(("X-Auth-Token", token))
    if subject:
        pairs.append(("X-Subject-Token", subject))
    data = json.dumps(body).encode() if body is not None else None
    return transport.send(
        Request(
            method=method,
            url=f"{TEST_PUBLIC_URL}/identity{path}",
            headers=Headers(pairs),
            body=data,
        )
    )


def _admin_token(transport: WSGITransport) -> str:
    user = {"name": "admin", "domain": {"id": "default"}, "password": ADMIN_PASSWORD}
    body = {
        "auth": {
            "identity": {"methods": ["password"], "password": {"user": user}},
            "scope": {"project": {"name": "admin", "domain": {"id": "default"}}},
        }
    }
    answer = _api(transport, "POST", "/v3/auth/tokens", None, body=body)
    assert answer.status == 201, answer.body
    return str(answer.headers["X-Subject-Token"])
