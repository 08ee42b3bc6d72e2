from __future__ import annotations

import json
import stat
from pathlib import Path

from pocketstack.client.auth.base import Scope
from pocketstack.client.auth.generic import Password
from pocketstack.client.cache import AuthStateCache
from pocketstack.client.catalog import EndpointFilter
from pocketstack.client.session import Session
from pocketstack.client.transport.wsgi import WSGITransport
from tests.fixtures.cloud import ADMIN_PASSWORD
from tests.unit.client.conftest import V3_URL, admin_password_plugin, paths

COMPUTE = EndpointFilter(service_type="compute")


def _session(transport: WSGITransport, cache_dir: Path) -> tuple[Session, Password]:
    plugin = admin_password_plugin(V3_URL, cache=AuthStateCache(directory=cache_dir))
    return Session(auth=plugin, transport=transport), plugin


def test_warm_run_sends_only_the_call(transport: WSGITransport, tmp_path: Path) -> None:
    cold, _ = _session(transport, tmp_path / "auth")
    cold.request("/servers", "GET", endpoint_filter=COMPUTE)
    assert len(transport.sent) == 3
    warm, plugin = _session(transport, tmp_path / "auth")
    warm.request("/servers", "GET", endpoint_filter=COMPUTE)
    assert paths(transport)[3:] == ["GET /compute/v2.1/servers"]
    assert plugin.from_cache


def test_file_is_private_and_holds_no_password(transport: WSGITransport, tmp_path: Path) -> None:
    directory = tmp_path / "auth"
    session, plugin = _session(transport, directory)
    plugin.get_access(session)
    files = list(directory.iterdir())
    assert len(files) == 1
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert ADMIN_PASSWORD not in files[0].read_text()
    assert files[0].name == f"{plugin.get_cache_id()}.json"


def test_cache_id_ignores_the_password_but_not_the_identity() -> None:
    base = dict(auth_url=V3_URL, username="u", user_domain_name="Default")
    one = Password(password="a", scope=Scope(project_name="p"), **base)  # type: ignore[arg-type]
    two = Password(password="b", scope=Scope(project_name="p"), **base)  # type: ignore[arg-type]
    other = Password(password="a", scope=Scope(project_name="q"), **base)  # type: ignore[arg-type]
    assert one.get_cache_id() == two.get_cache_id() != other.get_cache_id()


def test_401_drops_the_cached_token(cloud_deps, transport: WSGITransport, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    session, plugin = _session(transport, tmp_path / "auth")
    old = plugin.get_token(session)
    cloud_deps.tokens.revoke_token(cloud_deps.tokens.decode(old))
    warm, warm_plugin = _session(transport, tmp_path / "auth")
    warm.request("/servers", "GET", endpoint_filter=COMPUTE)
    assert warm_plugin.get_token(warm) != old
    saved = json.loads((tmp_path / "auth" / f"{plugin.get_cache_id()}.json").read_text())
    assert saved["auth_token"] == warm_plugin.get_token(warm)


def test_expired_state_is_dropped(transport: WSGITransport, tmp_path: Path) -> None:
    session, plugin = _session(transport, tmp_path / "auth")
    plugin.get_access(session)
    path = tmp_path / "auth" / f"{plugin.get_cache_id()}.json"
    state = json.loads(path.read_text())
    state["body"]["token"]["expires_at"] = "2001-01-01T00:00:00Z"
    path.write_text(json.dumps(state))
    count = len(transport.sent)
    again, again_plugin = _session(transport, tmp_path / "auth")
    again_plugin.get_access(again)
    assert not again_plugin.from_cache
    assert paths(transport)[count:] == ["GET /identity/v3", "POST /identity/v3/auth/tokens"]


def test_group_readable_file_is_not_trusted(transport: WSGITransport, tmp_path: Path) -> None:
    session, plugin = _session(transport, tmp_path / "auth")
    plugin.get_access(session)
    path = tmp_path / "auth" / f"{plugin.get_cache_id()}.json"
    path.chmod(0o644)
    assert AuthStateCache(directory=tmp_path / "auth").load(plugin.get_cache_id()) is None


def test_extra_data_travels_with_the_token(transport: WSGITransport, tmp_path: Path) -> None:
    session, plugin = _session(transport, tmp_path / "auth")
    plugin.get_access(session)
    plugin.set_cached_data("compute:http://cloud.test/compute/v2.1", {"version": "2.100"})
    _, again = _session(transport, tmp_path / "auth")
    assert again.get_cached_data("compute:http://cloud.test/compute/v2.1") == {"version": "2.100"}


def test_no_cache_means_no_file(transport: WSGITransport, tmp_path: Path) -> None:
    plugin = admin_password_plugin(V3_URL, cache=None)
    plugin.get_access(Session(auth=plugin, transport=transport))
    assert not (tmp_path / "auth").exists()
