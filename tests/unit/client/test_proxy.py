"""Proxies from the environment, through a real forward proxy on loopback."""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from pocketstack.client.errors import ConnectFailure, SSLFailure
from pocketstack.client.session import Session
from pocketstack.client.transport import Headers, Request
from pocketstack.client.transport.http import HTTPTransport, TLSOptions
from pocketstack.client.transport.proxy import ProxySettings, bypasses
from tests.unit.client.loopback import forward_proxy, http_server, self_signed

SECRET = "s3cr:et@pw"
QUOTED_SECRET = "s3cr%3Aet%40pw"
BASIC = "Basic " + base64.b64encode(f"alice:{SECRET}".encode()).decode()


def _get(transport: HTTPTransport, url: str) -> int:
    return transport.send(Request(method="GET", url=url, headers=Headers({}), timeout=5)).status


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_plain_http_goes_through_the_proxy_in_absolute_form() -> None:
    with http_server() as origin, forward_proxy() as (proxy, log):
        port = origin.server_address[1]
        transport = HTTPTransport(environ={"HTTP_PROXY": proxy})
        assert [_get(transport, f"http://127.0.0.1:{port}/v3?x=1") for _ in range(3)] == [200] * 3
        assert log.seen == [("GET", f"http://127.0.0.1:{port}/v3?x=1", None)] * 3
        assert log.connections == 1  # kept alive to the proxy
        transport.close()


def test_the_process_environment_is_read_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    with http_server() as origin, forward_proxy() as (proxy, log):
        monkeypatch.setenv("http_proxy", proxy.removeprefix("http://"))  # scheme-less: http://
        url = f"http://127.0.0.1:{origin.server_address[1]}/"
        assert Session().request(url, "GET", authenticated=False).status == 200
        assert [target for _, target, _ in log.seen] == [url]


@pytest.mark.parametrize(
    "no_proxy", ["127.0.0.1", "localhost,127.0.0.1", "*", "127.0.0.0/8", "127.0.0.1:{port}"]
)
def test_no_proxy_hosts_are_reached_directly(no_proxy: str) -> None:
    with http_server() as origin:
        port = origin.server_address[1]
        # The proxy does not exist: only a direct connection can succeed.
        env = {
            "HTTP_PROXY": f"http://127.0.0.1:{_closed_port()}",
            "NO_PROXY": no_proxy.format(port=port),
        }
        assert _get(HTTPTransport(environ=env), f"http://127.0.0.1:{port}/") == 200


def test_no_proxy_with_another_port_still_uses_the_proxy() -> None:
    with http_server() as origin, forward_proxy() as (proxy, log):
        port = origin.server_address[1]
        env = {"HTTP_PROXY": proxy, "NO_PROXY": f"127.0.0.1:{port + 1}"}
        assert _get(HTTPTransport(environ=env), f"http://127.0.0.1:{port}/") == 200
        assert len(log.seen) == 1


def test_https_goes_through_a_connect_tunnel_with_tls_to_the_origin(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    with http_server(tls=(cert, key)) as origin, forward_proxy() as (proxy, log):
        port = origin.server_address[1]
        # The proxy by a name the certificate (127.0.0.1 only) does not carry: verification
        # succeeds only if TLS checks the origin's name, not the proxy's.
        env = {"HTTPS_PROXY": proxy.replace("127.0.0.1", "localhost")}
        transport = HTTPTransport(tls=TLSOptions(cafile=str(cert)), environ=env)
        assert [_get(transport, f"https://127.0.0.1:{port}/v3") for _ in range(2)] == [200, 200]
        assert log.seen == [("CONNECT", f"127.0.0.1:{port}", None)]  # one tunnel, reused
        assert origin.connections == 1
        transport.close()


def test_tls_inside_the_tunnel_is_still_verified(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    with http_server(tls=(cert, key)) as origin, forward_proxy() as (proxy, log):
        url = f"https://127.0.0.1:{origin.server_address[1]}/v3"
        with pytest.raises(SSLFailure, match="CERTIFICATE_VERIFY_FAILED"):
            _get(HTTPTransport(environ={"https_proxy": proxy}), url)
        assert [method for method, _, _ in log.seen] == ["CONNECT"]


def test_a_tunnel_is_never_reused_for_another_origin(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    with (
        http_server(tls=(cert, key)) as first,
        http_server(tls=(cert, key)) as second,
        forward_proxy() as (proxy, log),
    ):
        transport = HTTPTransport(tls=TLSOptions(cafile=str(cert)), environ={"ALL_PROXY": proxy})
        for origin in (first, second, first, second):
            assert _get(transport, f"https://127.0.0.1:{origin.server_address[1]}/") == 200
        assert sorted(target for _, target, _ in log.seen) == sorted(
            f"127.0.0.1:{o.server_address[1]}" for o in (first, second)
        )
        assert (first.connections, second.connections) == (1, 1)
        transport.close()


def test_proxy_credentials_are_sent_as_basic_auth(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    with (
        http_server() as plain,
        http_server(tls=(cert, key)) as tls,
        forward_proxy(credentials=BASIC) as (proxy, log),
    ):
        with_credentials = proxy.replace("://", f"://alice:{QUOTED_SECRET}@")
        env = {"HTTP_PROXY": with_credentials, "HTTPS_PROXY": with_credentials}
        transport = HTTPTransport(tls=TLSOptions(cafile=str(cert)), environ=env)
        assert _get(transport, f"http://127.0.0.1:{plain.server_address[1]}/") == 200
        assert _get(transport, f"https://127.0.0.1:{tls.server_address[1]}/") == 200
        assert [auth for _, _, auth in log.seen] == [BASIC, BASIC]


def test_a_refused_tunnel_is_a_clear_error_without_the_credentials() -> None:
    with forward_proxy(credentials=BASIC) as (proxy, _):
        wrong = proxy.replace("://", "://alice:wrong-password@")
        transport = HTTPTransport(environ={"HTTPS_PROXY": wrong})
        with pytest.raises(ConnectFailure) as caught:
            _get(transport, "https://127.0.0.1:9/")
    message = str(caught.value)
    assert "407 Proxy Authentication Required" in message
    assert f"through the proxy {proxy.replace('://', '://***@')}" in message
    assert "wrong-password" not in message
    assert "alice" not in message


def test_an_unreachable_proxy_is_named_without_its_credentials() -> None:
    port = _closed_port()
    env = {"HTTP_PROXY": f"http://alice:{QUOTED_SECRET}@127.0.0.1:{port}"}
    with pytest.raises(ConnectFailure) as caught:
        _get(HTTPTransport(environ=env), "http://cloud.test/")
    assert str(caught.value) == (
        f"Unable to establish connection to http://cloud.test/ through the proxy "
        f"http://***@127.0.0.1:{port}: Connection refused"
    )


def test_an_unsupported_proxy_scheme_is_refused_without_its_credentials() -> None:
    env = {"HTTPS_PROXY": f"socks5://alice:{QUOTED_SECRET}@127.0.0.1:1080"}
    with pytest.raises(ConnectFailure, match=r"socks5://\*\*\*@127\.0\.0\.1:1080") as caught:
        _get(HTTPTransport(environ=env), "https://cloud.test/")
    assert QUOTED_SECRET not in str(caught.value)


def test_the_debug_log_names_the_proxy_with_its_credentials_masked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with http_server() as origin, forward_proxy(credentials=BASIC) as (proxy, _):
        monkeypatch.setenv("HTTP_PROXY", proxy.replace("://", f"://alice:{QUOTED_SECRET}@"))
        lines: list[str] = []
        session = Session(debug=lines.append)
        url = f"http://127.0.0.1:{origin.server_address[1]}/v3"
        assert session.request(url, "GET", authenticated=False).status == 200
    log = "\n".join(lines)
    assert f"PROXY: http://127.0.0.1:{origin.server_address[1]} through " in log
    assert proxy.replace("://", "://***@") in log
    for secret in (SECRET, QUOTED_SECRET, BASIC.split()[1], "alice"):
        assert secret not in log


def test_debug_masks_a_proxy_authorization_header() -> None:
    from pocketstack.client.debug import mask_header

    assert "c2VjcmV0" not in mask_header("Proxy-Authorization", "Basic c2VjcmV0")


@pytest.mark.parametrize(
    ("no_proxy", "host", "port", "expected"),
    [
        ("", "cloud.example.com", 443, False),
        ("*", "cloud.example.com", 443, True),
        ("example.com", "example.com", 443, True),
        ("example.com", "cloud.example.com", 443, True),
        (".example.com", "cloud.example.com", 443, True),
        ("EXAMPLE.com", "cloud.example.com", 443, True),
        ("example.com", "badexample.com", 443, False),
        ("other.org, example.com", "cloud.example.com", 443, True),
        ("example.com:443", "cloud.example.com", 443, True),
        ("example.com:8443", "cloud.example.com", 443, False),
        ("10.0.0.1", "10.0.0.1", 80, True),
        ("10.0.0.1", "10.0.0.12", 80, False),
        ("0.0.1", "10.0.0.1", 80, False),
        ("10.0.0.0/8", "10.20.30.40", 80, True),
        ("10.0.0.0/8", "11.0.0.1", 80, False),
        ("10.0.0.0/8", "ten.example.com", 80, False),
        ("::1", "::1", 80, True),
        ("0:0::1", "::1", 80, True),
        ("[::1]:8080", "::1", 8080, True),
        ("[::1]:8080", "::1", 80, False),
        ("fd00::/8", "fd12::1", 80, True),
    ],
)
def test_no_proxy_matching(no_proxy: str, host: str, port: int, expected: bool) -> None:
    assert bypasses(no_proxy, host=host, port=port) is expected


def test_the_environment_is_read_as_urllib_reads_it() -> None:
    settings = ProxySettings.from_environment(
        {
            "HTTP_PROXY": "http://upper:1",
            "http_proxy": "http://lower:2",
            "HTTPS_PROXY": "http://upper:3",
            "https_proxy": "",
            "ALL_PROXY": "proxy.example",
            "no_proxy": "a.example",
            "NO_PROXY": "b.example",
        }
    )
    assert settings.urls == {"http": "http://lower:2", "all": "proxy.example"}
    assert settings.no_proxy == "a.example"
    https = settings.for_url(scheme="https", host="cloud.example", port=443)
    assert https is not None
    assert (https.host, https.port) == ("proxy.example", 80)
    assert settings.for_url(scheme="https", host="a.example", port=443) is None


def test_http_proxy_is_ignored_in_a_cgi_program() -> None:
    settings = ProxySettings.from_environment(
        {"HTTP_PROXY": "http://from-a-header:1", "REQUEST_METHOD": "GET"}
    )
    assert not settings.any


def test_without_proxy_variables_the_proxy_module_is_never_imported() -> None:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    probe = (
        "import sys\n"
        "from pocketstack.client.transport.http import HTTPTransport\n"
        "HTTPTransport()\n"
        "print('pocketstack.client.transport.proxy' in sys.modules, 'ipaddress' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    )
    assert result.stdout.split() == ["False", "False"]


def test_a_password_with_a_slash_never_reaches_a_message() -> None:
    port = _closed_port()
    env = {"HTTP_PROXY": f"http://bob:pa/ss?#word@127.0.0.1:{port}"}
    with pytest.raises(ConnectFailure) as caught:
        _get(HTTPTransport(environ=env), "http://cloud.test/")
    assert str(caught.value) == (
        f"Unable to establish connection to http://cloud.test/ through the proxy "
        f"http://***@127.0.0.1:{port}: Connection refused"
    )


def test_a_proxy_that_drops_connect_is_blamed_not_the_origin() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        transport = HTTPTransport(environ={"HTTPS_PROXY": f"http://127.0.0.1:{port}"})

        def drop() -> None:
            conn, _ = listener.accept()
            conn.recv(65536)
            conn.close()

        thread = threading.Thread(target=drop, daemon=True)
        thread.start()
        request = Request(method="POST", url="https://cloud.test/", headers=Headers({}), timeout=5)
        with pytest.raises(ConnectFailure) as caught:
            transport.send(request)
        thread.join(timeout=5)
    message = str(caught.value)
    assert f"through the proxy http://127.0.0.1:{port}" in message
    assert "without answering CONNECT" in message
    assert "may have reached the server" not in message


def test_host_names_in_no_proxy_do_not_import_ipaddress_for_an_address() -> None:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    probe = (
        "import sys\n"
        "from pocketstack.client.transport.proxy import bypasses\n"
        "print(bypasses('localhost,.corp,127.0.0.1', host='127.0.0.1', port=80),"
        " 'ipaddress' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    )
    assert result.stdout.split() == ["True", "False"]


def test_a_session_reads_proxies_from_the_environment_it_is_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("http_proxy", raising=False)
    monkeypatch.delenv("HTTP_PROXY", raising=False)
    with http_server() as origin, forward_proxy() as (proxy, log):
        url = f"http://127.0.0.1:{origin.server_address[1]}/"
        session = Session(environ={"http_proxy": proxy})
        assert session.request(url, "GET", authenticated=False).status == 200
        assert [target for _, target, _ in log.seen] == [url]


def test_the_cli_reaches_the_cloud_through_the_proxy_its_environment_names(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The command's environment (not the process's) holds OS_* and the proxy alike.
    monkeypatch.delenv("http_proxy", raising=False)
    monkeypatch.delenv("HTTP_PROXY", raising=False)
    import io

    from pocketstack.cli.main import main

    with http_server() as origin, forward_proxy() as (proxy, log):
        auth_url = f"http://127.0.0.1:{origin.server_address[1]}/v3"
        environ = {
            "OS_AUTH_URL": auth_url, "OS_USERNAME": "u", "OS_PASSWORD": "p",
            "OS_PROJECT_NAME": "p", "http_proxy": proxy,
            "XDG_CACHE_HOME": str(tmp_path), "HOME": str(tmp_path),
        }  # fmt: skip
        main(["list"], environ=environ, stdout=io.StringIO(), stderr=io.StringIO(),
             cache_dir=tmp_path / "auth")  # fmt: skip
        assert log.seen
        assert all(target.startswith(auth_url) for _, target, _ in log.seen)
