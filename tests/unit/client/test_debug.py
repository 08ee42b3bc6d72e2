from __future__ import annotations

import hashlib

from pocketstack.client.catalog import EndpointFilter
from pocketstack.client.debug import hash_token, mask_body, mask_text, request_line
from pocketstack.client.session import Session
from pocketstack.client.transport.wsgi import WSGITransport
from tests.fixtures.cloud import ADMIN_PASSWORD
from tests.unit.client.conftest import V2_URL, V3_URL, admin_password_plugin


def _log(transport: WSGITransport, auth_url: str, *, v3: bool) -> tuple[str, str]:
    lines: list[str] = []
    plugin = admin_password_plugin(auth_url, v3=v3)
    session = Session(auth=plugin, transport=transport, debug=lines.append)
    session.request("/servers", "GET", endpoint_filter=EndpointFilter(service_type="compute"))
    return "\n".join(lines), plugin.get_token(session)


def test_debug_log_hides_password_and_token(transport: WSGITransport) -> None:
    for url, v3 in ((V2_URL, False), (V3_URL, True)):
        log, token = _log(transport, url, v3=v3)
        assert ADMIN_PASSWORD not in log
        assert token not in log
        assert hash_token(token) in log
        assert "REQ: curl -g -i -X POST" in log
        assert '"password": "***"' in log


def test_hash_is_sha256() -> None:
    assert hash_token("abc") == "{SHA256}" + hashlib.sha256(b"abc").hexdigest()


def test_token_method_bodies_are_masked() -> None:
    body = b'{"auth": {"identity": {"methods": ["token"], "token": {"id": "tok-123"}}}}'
    assert "tok-123" not in mask_body(body)
    assert hash_token("tok-123") in mask_body(body)
    cred = b'{"auth": {"identity": {"application_credential": {"id": "i", "secret": "s3"}}}}'
    assert '"secret": "***"' in mask_body(cred)


def test_non_json_bodies_and_headers_are_masked() -> None:
    assert mask_text("user=a&password=hunter2&x=1") == "user=a&password=***&x=1"
    assert "hunter2" not in mask_body(b'{"password": "hunter2", oops')
    line = request_line(method="GET", url="http://x/", headers={"X-Auth-Token": "tok"}, body=None)
    assert 'tok"' not in line
    assert hash_token("tok") in line
