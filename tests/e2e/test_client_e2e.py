"""The real CLI as a subprocess against a real `pocketstack serve` (and a TLS server)."""

from __future__ import annotations

import base64
import json
import re
import socket
import ssl
import subprocess
import threading
import urllib.request
import wsgiref.simple_server
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pocketstack.cloud.app import WSGIApp
from tests.fixtures.server import LiveCloud, clean_env, pocketstack_command
from tests.unit.client.loopback import forward_proxy, self_signed

pytestmark = pytest.mark.e2e
REQUEST_LINE = re.compile(r"^\| (GET|POST|PUT|DELETE|HEAD) (\S+) +\| (\S+) +\|", re.MULTILINE)


def run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*pocketstack_command(), *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def requests_of(stderr: str, base: str) -> list[tuple[str, str, str]]:
    """(method, path, status) of every request in the --timings table."""
    return [(m, url.removeprefix(base), status) for m, url, status in REQUEST_LINE.findall(stderr)]


@pytest.fixture
def client_env(live_cloud: LiveCloud, tmp_path: Path) -> dict[str, str]:
    """v3 settings and an empty, private auth cache."""
    return {**live_cloud.client_env(), "XDG_CACHE_HOME": str(tmp_path / "cache")}


def test_seed_flow_with_v2_auth_url(live_cloud: LiveCloud, tmp_path: Path) -> None:
    env = {**live_cloud.client_env(v2=True), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    cold = run(["--timings", "list"], env)
    assert cold.returncode == 0, cold.stderr
    assert "| ID | Name | Status | Task State | Power State | Networks |" in cold.stdout
    sent = requests_of(cold.stderr, live_cloud.base_url)
    # The seed's three: discovery, token, the call.
    assert sent == [
        ("GET", "/identity/v2.0", "200"),
        ("POST", "/identity/v2.0/tokens", "200"),
        ("GET", "/compute/v2.1/servers/detail", "200"),
    ]
    warm = run(["--timings", "list"], env)
    assert requests_of(warm.stderr, live_cloud.base_url) == [
        ("GET", "/compute/v2.1/servers/detail", "200")
    ]
    assert warm.stdout == cold.stdout


def test_v3_flow_and_warm_cache(live_cloud: LiveCloud, client_env: dict[str, str]) -> None:
    cold = run(["--timings", "catalog", "list", "-f", "json"], client_env)
    assert cold.returncode == 0, cold.stderr
    assert requests_of(cold.stderr, live_cloud.base_url) == [
        ("GET", "/identity/v3", "200"),
        ("POST", "/identity/v3/auth/tokens", "201"),
    ]
    types = {row["Type"] for row in json.loads(cold.stdout)}
    assert {"identity", "compute", "image"} <= types
    warm = run(["--timings", "catalog", "list", "-f", "json"], client_env)
    assert warm.stdout == cold.stdout
    assert "Total (0 requests)" in warm.stderr
    cache_files = list((Path(client_env["XDG_CACHE_HOME"]) / "pocketstack" / "auth").iterdir())
    assert len(cache_files) == 1
    assert cache_files[0].stat().st_mode & 0o077 == 0
    assert live_cloud.admin_password not in cache_files[0].read_text()


def _cache_file(env: dict[str, str]) -> Path:
    (path,) = (Path(env["XDG_CACHE_HOME"]) / "pocketstack" / "auth").iterdir()
    return path


def test_expired_token_is_replaced(live_cloud: LiveCloud, client_env: dict[str, str]) -> None:
    first = run(["token", "issue", "-f", "value", "-c", "id"], client_env)
    path = _cache_file(client_env)
    state = json.loads(path.read_text())
    state["body"]["token"]["expires_at"] = "2001-01-01T00:00:00.000000Z"
    path.write_text(json.dumps(state))
    second = run(["--timings", "token", "issue", "-f", "value", "-c", "id"], client_env)
    assert second.returncode == 0, second.stderr
    assert second.stdout != first.stdout
    assert [m for m, _, _ in requests_of(second.stderr, live_cloud.base_url)] == ["GET", "POST"]


def test_revoked_token_reauthenticates_once(
    live_cloud: LiveCloud, client_env: dict[str, str]
) -> None:
    token = run(["token", "issue", "-f", "value", "-c", "id"], client_env).stdout.strip()
    revoke = urllib.request.Request(
        f"{live_cloud.identity_url}/v3/auth/tokens",
        method="DELETE",
        headers={"X-Auth-Token": token, "X-Subject-Token": token},
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(revoke, timeout=10) as answer:
        assert answer.status == 204
    result = run(["--timings", "list"], client_env)
    assert result.returncode == 0, result.stderr
    sent = requests_of(result.stderr, live_cloud.base_url)
    assert [s for s in sent if s[2] == "401"] == [("GET", "/compute/v2.1/servers/detail", "401")]
    assert sum(1 for m, p, _ in sent if p == "/identity/v3/auth/tokens") == 1
    assert sent[-1] == ("GET", "/compute/v2.1/servers/detail", "200")
    fresh = run(["token", "issue", "-f", "value", "-c", "id"], client_env).stdout.strip()
    assert fresh != token


def test_catalog_miss(client_env: dict[str, str]) -> None:
    result = run(["--os-region-name", "RegionTwo", "list"], client_env)
    assert result.returncode == 1
    assert result.stderr.strip().endswith(
        "ERROR (EndpointNotFound): public endpoint for compute service in RegionTwo region "
        "not found"
    )
    assert "Traceback" not in result.stderr


def test_connection_refused_is_a_clear_error(client_env: dict[str, str]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**client_env, "OS_AUTH_URL": f"http://127.0.0.1:{port}/identity/v3"}
    result = run(["token", "issue"], env)
    assert result.returncode == 1
    assert result.stderr == (
        f"ERROR (ConnectFailure): Unable to establish connection to "
        f"http://127.0.0.1:{port}/identity/v3: Connection refused\n"
    )


def test_debug_hides_password_and_token(live_cloud: LiveCloud, client_env: dict[str, str]) -> None:
    result = run(["--debug", "--no-cache", "token", "issue", "-f", "value", "-c", "id"], client_env)
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert len(token) > 100
    assert "REQ: curl -g -i -X POST" in result.stderr
    assert "X-Subject-Token: {SHA256}" in (
        result.stderr.replace("x-subject-token", "X-Subject-Token")
    )
    assert token not in result.stderr
    assert live_cloud.admin_password not in result.stderr


# Through a proxy ------------------------------------------------------------------------------
PROXY_SECRET = "pr0xy-s3cret"


def _without_proxies(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if not k.lower().endswith("_proxy")}


def test_list_through_an_http_proxy_with_credentials(
    live_cloud: LiveCloud, client_env: dict[str, str]
) -> None:
    basic = "Basic " + base64.b64encode(f"proxyuser:{PROXY_SECRET}".encode()).decode()
    with forward_proxy(credentials=basic) as (proxy, log):
        env = {
            **_without_proxies(client_env),
            "HTTP_PROXY": proxy.replace("://", f"://proxyuser:{PROXY_SECRET}@"),
        }
        result = run(["--debug", "--timings", "list"], env)
    assert result.returncode == 0, result.stderr
    assert "| ID | Name | Status |" in result.stdout
    paths = [target.removeprefix(live_cloud.base_url) for _, target, _ in log.seen]
    assert paths[:2] == ["/identity/v3", "/identity/v3/auth/tokens"]
    assert paths[-1].startswith("/compute/v2.1/servers/detail")
    assert {auth for _, _, auth in log.seen} == {basic}
    assert f"through {proxy.replace('://', '://***@')}" in result.stderr
    assert PROXY_SECRET not in result.stderr
    assert basic.split()[1] not in result.stderr


def test_no_proxy_hosts_bypass_the_proxy(client_env: dict[str, str]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead_proxy = f"http://127.0.0.1:{sock.getsockname()[1]}"
    env = {**_without_proxies(client_env), "http_proxy": dead_proxy, "no_proxy": "127.0.0.1"}
    result = run(["list"], env)
    assert result.returncode == 0, result.stderr
    refused = run(["--no-cache", "token", "issue"], {**env, "no_proxy": "cloud.example"})
    assert refused.returncode == 1
    assert f"through the proxy {dead_proxy}: Connection refused" in refused.stderr


# A real cloud over TLS with a self-signed certificate ------------------------------------------
class _TLSHandler(wsgiref.simple_server.WSGIRequestHandler):
    def get_environ(self) -> dict[str, Any]:
        environ = super().get_environ()
        environ["HTTPS"] = "on"  # links in answers must say https
        return environ

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def tls_cloud(cloud_app: WSGIApp, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    cert, key = self_signed(tmp_path)
    server = wsgiref.simple_server.make_server("127.0.0.1", 0, cloud_app, handler_class=_TLSHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", cert
    finally:
        server.shutdown()
        server.server_close()


def test_tls_verification(tls_cloud: tuple[str, Path], tmp_path: Path) -> None:
    from tests.fixtures.cloud import ADMIN_PASSWORD

    base, cert = tls_cloud
    env = {
        **clean_env(),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "OS_AUTH_URL": f"{base}/identity/v3",
        "OS_USERNAME": "admin",
        "OS_PASSWORD": ADMIN_PASSWORD,
        "OS_PROJECT_NAME": "admin",
        "OS_USER_DOMAIN_NAME": "Default",
        "OS_PROJECT_DOMAIN_NAME": "Default",
    }
    refused = run(["--no-cache", "token", "issue"], env)
    assert refused.returncode == 1
    assert refused.stderr.startswith("ERROR (SSLFailure): SSL exception connecting to ")
    assert "CERTIFICATE_VERIFY_FAILED" in refused.stderr
    insecure = run(["--no-cache", "--insecure", "token", "issue", "-f", "json"], env)
    assert insecure.returncode == 0, insecure.stderr
    assert json.loads(insecure.stdout)["project_id"]
    with_ca = run(["--no-cache", "--os-cacert", str(cert), "token", "issue", "-f", "json"], env)
    assert with_ca.returncode == 0, with_ca.stderr
    from_env = run(["--no-cache", "token", "issue"], {**env, "OS_CACERT": str(cert)})
    assert from_env.returncode == 0, from_env.stderr
