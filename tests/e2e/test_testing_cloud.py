"""The parts of the pytest plugin (pocketstack.testing), against a cloud it starts on a thread:
the cloud answers on loopback with the same front door as `serve` and stops for good; a project
made for a test has a member who logs in and sees only it, and is gone after; the admin's
expired token is replaced without the test noticing; clouds.yaml is the owner's only."""

from __future__ import annotations

import json
import socket
import stat
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from pocketstack.testing.credentials import Credentials, write_clouds_yaml
from pocketstack.testing.projects import IdentityAdmin, IdentityError
from pocketstack.testing.server import Settings, ThreadedCloud

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadedCloud]:
    started = ThreadedCloud(Settings(data_dir=tmp_path_factory.mktemp("cloud") / "data"))
    started.start()
    yield started
    started.stop()


def _admin(cloud: ThreadedCloud) -> Credentials:
    return Credentials(auth_url=f"{cloud.url}/identity/v3", username="admin",
                       password=cloud.admin_password, project_name="admin",
                       region_name="RegionOne")  # fmt: skip


def _login(creds: Credentials) -> tuple[int, dict[str, object]]:
    user = {"name": creds.username, "password": creds.password, "domain": {"id": "default"}}
    scope = {"project": {"name": creds.project_name, "domain": {"id": "default"}}}
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": user}},
                     "scope": scope}}  # fmt: skip
    req = urllib.request.Request(f"{creds.auth_url}/auth/tokens", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})  # fmt: skip
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as refused:
        return refused.code, {}


def test_it_answers_on_loopback_through_the_front_door(cloud: ThreadedCloud) -> None:
    assert cloud.url.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(f"{cloud.url}/compute/", timeout=10) as resp:
        assert resp.status == 200
    # The front door's own refusal, in the shape of the service the path names.
    big = urllib.request.Request(f"{cloud.url}/compute/v2.1/servers", data=b"x" * (1 << 20),
                                 headers={"Content-Type": "application/json"})  # fmt: skip
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(big, timeout=10)
    assert refused.value.code == 413


def test_a_project_for_a_test(cloud: ThreadedCloud) -> None:
    identity = IdentityAdmin(_admin(cloud))
    made = identity.new_project(prefix="unit")
    assert made.project_name.startswith("unit-")
    status, token = _login(made)
    assert status == 201
    roles = [r["name"] for r in token["token"]["roles"]]  # type: ignore[index]
    assert "member" in roles
    assert "admin" not in roles
    identity.delete_project(made)
    assert _login(made)[0] == 401
    with pytest.raises(IdentityError):
        identity.delete_project(made)


def test_the_admins_token_is_renewed_when_refused(cloud: ThreadedCloud) -> None:
    identity = IdentityAdmin(_admin(cloud))
    identity.call("GET", "/v3/projects")
    identity._token = "gAAAAA-no-longer-valid"  # as a token past its expiry is refused
    assert identity.call("GET", "/v3/projects")["projects"]


def test_clouds_yaml_is_the_owners_only(tmp_path: Path, cloud: ThreadedCloud) -> None:
    path = write_clouds_yaml(tmp_path / "clouds.yaml", {"pocketstack-admin": _admin(cloud)})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    entry = yaml.safe_load(path.read_text())["clouds"]["pocketstack-admin"]
    assert entry["auth"]["auth_url"] == f"{cloud.url}/identity/v3"
    assert entry["region_name"] == "RegionOne"


def test_stopped_means_the_port_is_closed(tmp_path: Path) -> None:
    other = ThreadedCloud(Settings(data_dir=tmp_path / "data"))
    other.start()
    assert other.config is not None
    port = other.config.port
    other.stop()
    with socket.socket() as probe, pytest.raises(ConnectionRefusedError):
        probe.connect(("127.0.0.1", port))


def test_a_second_cloud_starts_from_the_cached_bootstrap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    clouds = [ThreadedCloud(Settings(data_dir=tmp_path / name / "data", admin_password=name))
              for name in ("first-pass", "second-pass")]  # fmt: skip
    try:
        for started in clouds:
            started.start()
        kept = list((cache / "pocketstack" / "testing").iterdir())
        assert len(kept) == 1
        assert stat.S_IMODE(kept[0].stat().st_mode) == 0o600
        assert stat.S_IMODE(kept[0].parent.stat().st_mode) == 0o700
        second = clouds[1]
        # Its own admin password, and a catalog that points at it, not at the first cloud.
        first_status, first_body = _login(_admin(clouds[0]))
        status, body = _login(_admin(second))
        assert (first_status, status) == (201, 201)
        # A copy: the same bootstrapped rows.
        assert body["token"]["project"]["id"] == first_body["token"]["project"]["id"]  # type: ignore[index]
        urls = {endpoint["url"] for service in body["token"]["catalog"]  # type: ignore[index]
                for endpoint in service["endpoints"]}  # fmt: skip
        assert urls
        assert all(url.startswith(second.url) for url in urls)
        wrong = Credentials(auth_url=f"{second.url}/identity/v3", username="admin",
                            password="first-pass", project_name="admin", region_name="RegionOne")
        assert _login(wrong)[0] == 401
        # What the bootstrap made (flavors, the image, the networks, the fleet) is all there,
        # though the second start ran only identity's part of it.
        assert _contents(second) == _contents(clouds[0])
        assert len(_contents(second)[0]) == 5
    finally:
        for started in clouds:
            started.stop()


def _contents(cloud: ThreadedCloud) -> tuple[list[str], ...]:
    """The names of the bootstrapped flavors, images, networks and compute hosts."""
    user = {"name": "admin", "password": cloud.admin_password, "domain": {"id": "default"}}
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": user}},
                     "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}
    issued = urllib.request.Request(f"{cloud.url}/identity/v3/auth/tokens",
                                    data=json.dumps(body).encode(),
                                    headers={"Content-Type": "application/json"})  # fmt: skip
    with urllib.request.urlopen(issued, timeout=10) as resp:
        token = resp.headers["X-Subject-Token"]
    found = []
    for path, key, field in (("/compute/v2.1/flavors", "flavors", "name"),
                             ("/image/v2/images", "images", "name"),
                             ("/networking/v2.0/networks", "networks", "name"),
                             ("/compute/v2.1/os-services", "services", "host")):  # fmt: skip
        asked = urllib.request.Request(cloud.url + path, headers={"X-Auth-Token": token})
        with urllib.request.urlopen(asked, timeout=10) as resp:
            found.append(sorted(str(item[field]) for item in json.loads(resp.read())[key]))
    return tuple(found)


def test_the_cache_is_another_when_the_bootstrap_code_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pocketstack.cloud.config import load_config
    from pocketstack.testing import database_cache

    config = load_config(data_dir=tmp_path / "data")
    before = database_cache._name(config)
    sources = database_cache._BOOTSTRAP_SOURCES
    monkeypatch.setattr(database_cache, "_BOOTSTRAP_SOURCES", sources[:-1])
    assert database_cache._name(config) != before


def test_a_cache_others_can_write_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    (cache / "pocketstack" / "testing").mkdir(parents=True)
    (cache / "pocketstack" / "testing").chmod(0o777)
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    started = ThreadedCloud(Settings(data_dir=tmp_path / "data"))
    try:
        started.start()
        assert _login(_admin(started))[0] == 201
    finally:
        started.stop()
    assert list((cache / "pocketstack" / "testing").iterdir()) == []
