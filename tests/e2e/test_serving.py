"""`serve`, `up`, `down`, `status`, `openrc` and `manage` as a user runs them: real processes,
a real data directory, real HTTP on loopback."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import stat
import subprocess
import textwrap
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from pocketstack.cloud.serving.state import pid_alive
from tests.fixtures.server import (
    LiveCloud,
    clean_env,
    free_port,
    pocketstack_command,
    write_test_config,
)

pytestmark = pytest.mark.e2e

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*pocketstack_command(), *args],
        capture_output=True,
        text=True,
        env=env if env is not None else clean_env(),
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def http(
    method: str, url: str, *, body: object = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """(status, headers with lower-case names, body)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with OPENER.open(request, timeout=10) as response:
            return (
                response.status,
                {k.lower(): v for k, v in response.headers.items()},
                response.read(),
            )
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def password_token(base_url: str, password: str) -> str:
    status, headers, body = http(
        "POST",
        f"{base_url}/identity/v3/auth/tokens",
        body={
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {
                            "name": "admin",
                            "domain": {"name": "Default"},
                            "password": password,
                        }
                    },
                },
                "scope": {"project": {"name": "admin", "domain": {"name": "Default"}}},
            }
        },
    )
    assert status == 201, body
    return headers["x-subject-token"]


def token_valid(base_url: str, token: str) -> bool:
    status, _, _ = http(
        "GET",
        f"{base_url}/identity/v3/auth/tokens",
        headers={"X-Auth-Token": token, "X-Subject-Token": token},
    )
    return status == 200


def refuses_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except OSError:
        return True
    return False


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    """A data directory that does not exist yet, with a config for fast bcrypt; whatever a test
    starts in it is stopped afterwards."""
    path = tmp_path / "cloud"
    write_test_config(path)
    (path / "pocketstack.toml").chmod(0o600)
    # Only the config file: `serve` must create everything else itself.
    yield path
    if (path / "pocketstack.pid").exists():
        cli("down", "--data-dir", str(path))


def test_up_first_start_creates_everything_and_is_idempotent(data_dir: Path) -> None:
    port = free_port()
    first = cli("up", "--data-dir", str(data_dir), "--port", str(port))
    assert first.returncode == 0, first.stderr
    assert f"started at http://127.0.0.1:{port}" in first.stdout

    assert mode(data_dir) == 0o700
    password_file = data_dir / "admin-password"
    assert mode(password_file) == 0o600
    password = password_file.read_text().strip()
    assert len(password) >= 20
    keys = data_dir / "fernet-keys"
    assert mode(keys) == 0o700
    assert sorted(p.name for p in keys.iterdir()) == ["0", "1"]
    assert all(mode(p) == 0o600 for p in keys.iterdir())
    assert mode(data_dir / "pocketstack.log") == 0o600
    pid = int((data_dir / "pocketstack.pid").read_text())
    os.kill(pid, 0)

    base = f"http://127.0.0.1:{port}"
    token = password_token(base, password)
    status, _, body = http(
        "GET", f"{base}/identity/v3/auth/catalog", headers={"X-Auth-Token": token}
    )
    assert status == 200
    urls = {
        entry["type"]: {ep["url"] for ep in entry["endpoints"]}
        for entry in json.loads(body)["catalog"]
    }
    assert urls["identity"] == {f"{base}/identity"}
    assert urls["compute"] == {f"{base}/compute/v2.1"}
    assert urls["image"] == {f"{base}/image"}
    assert urls["network"] == {f"{base}/networking"}

    again = cli("up", "--data-dir", str(data_dir), "--port", str(port))
    assert again.returncode == 0, again.stderr
    assert f"already running at {base} (pid {pid}" in again.stdout
    assert int((data_dir / "pocketstack.pid").read_text()) == pid
    assert password_file.read_text().strip() == password

    status_run = cli("status", "--data-dir", str(data_dir))
    assert status_run.returncode == 0
    assert f"running at {base} (pid {pid}, answering" in status_run.stdout


def test_down_stops_and_a_restart_keeps_password_keys_and_tokens(data_dir: Path) -> None:
    port = free_port()
    assert cli("up", "--data-dir", str(data_dir), "--port", str(port)).returncode == 0
    base = f"http://127.0.0.1:{port}"
    password = (data_dir / "admin-password").read_text().strip()
    token = password_token(base, password)
    pid = int((data_dir / "pocketstack.pid").read_text())

    down = cli("down", "--data-dir", str(data_dir))
    assert down.returncode == 0, down.stderr
    assert f"stopped (was pid {pid}" in down.stdout
    assert not pid_alive(pid)  # gone (at most a zombie its adoptive parent has yet to reap)
    assert not (data_dir / "pocketstack.pid").exists()
    assert not (data_dir / "serving.json").exists()
    assert refuses_connections(port)
    log = (data_dir / "pocketstack.log").read_text()
    assert "Shutting down" in log

    status_run = cli("status", "--data-dir", str(data_dir))
    assert status_run.returncode == 3
    assert "not running" in status_run.stdout
    again = cli("down", "--data-dir", str(data_dir))
    assert again.returncode == 0
    assert "not running" in again.stdout

    assert cli("up", "--data-dir", str(data_dir), "--port", str(port)).returncode == 0
    assert (data_dir / "admin-password").read_text().strip() == password
    assert sorted(p.name for p in (data_dir / "fernet-keys").iterdir()) == ["0", "1"]
    assert token_valid(base, token)


def test_serve_refuses_a_second_server_on_the_same_data_directory(live_cloud: LiveCloud) -> None:
    result = cli("serve", "--data-dir", str(live_cloud.data_dir), "--port", str(free_port()))
    assert result.returncode == 1
    assert f"already runs for {live_cloud.data_dir} at {live_cloud.base_url}" in result.stderr
    assert token_valid(
        live_cloud.base_url, password_token(live_cloud.base_url, live_cloud.admin_password)
    )


def test_up_on_a_busy_port_fails_with_the_reason(data_dir: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = cli("up", "--data-dir", str(data_dir), "--port", str(port))
    assert result.returncode == 1
    assert "exited with status" in result.stderr
    assert "Connection in use" in result.stderr or "Address already in use" in result.stderr
    assert not (data_dir / "pocketstack.pid").exists()


def test_status_removes_a_stale_pid_file(tmp_path: Path) -> None:
    data_dir = tmp_path / "cloud"
    data_dir.mkdir(mode=0o700)
    exited = subprocess.Popen(["true"])
    exited.wait()
    (data_dir / "pocketstack.pid").write_text(f"{exited.pid}\n")
    result = cli("status", "--data-dir", str(data_dir))
    assert result.returncode == 3
    assert "not running" in result.stdout
    assert not (data_dir / "pocketstack.pid").exists()


def test_logs_never_hold_the_password_or_a_token(live_cloud: LiveCloud) -> None:
    token = password_token(live_cloud.base_url, live_cloud.admin_password)
    assert token_valid(live_cloud.base_url, token)
    status, _, _ = http(
        "GET", f"{live_cloud.base_url}/compute/v2.1/servers", headers={"X-Auth-Token": token}
    )
    assert status == 200
    log = (live_cloud.data_dir / "pocketstack.log").read_text()
    assert "/identity/v3/auth/tokens" in log  # the requests are logged ...
    assert live_cloud.admin_password not in log  # ... but never the secrets
    assert token not in log
    assert live_cloud.admin_password not in live_cloud.output.read_text()


def test_openrc_without_a_cloud_says_how_to_make_one(tmp_path: Path) -> None:
    result = cli("openrc", "--data-dir", str(tmp_path / "nothing"))
    assert result.returncode == 1
    assert "pocketstack up" in result.stderr
    assert "OS_PASSWORD" not in result.stdout


KEYSTONE_CHECK = textwrap.dedent(
    """
    import json, os
    from keystoneauth1 import session
    from keystoneauth1.identity import generic
    auth = generic.Password(
        auth_url=os.environ["OS_AUTH_URL"],
        username=os.environ["OS_USERNAME"],
        password=os.environ["OS_PASSWORD"],
        project_name=os.environ["OS_PROJECT_NAME"],
        user_domain_name=os.environ.get("OS_USER_DOMAIN_NAME"),
        project_domain_name=os.environ.get("OS_PROJECT_DOMAIN_NAME"),
    )
    sess = session.Session(auth=auth)
    print(json.dumps({
        "version": sess.auth.get_auth_ref(sess).version,
        "compute": sess.get_endpoint(
            service_type="compute", interface="public", region_name=os.environ["OS_REGION_NAME"]
        ),
    }))
    """
)


@pytest.mark.interop
@pytest.mark.parametrize(("flag", "version"), [((), "v3"), (("--v2",), "v2.0")])
def test_openrc_exports_work_with_keystoneauth(
    live_cloud: LiveCloud, interop_venv: Path, flag: tuple[str, ...], version: str
) -> None:
    python = interop_venv / "bin" / "python"
    script = (
        f'eval "$({" ".join(pocketstack_command())} openrc --data-dir {live_cloud.data_dir} '
        f'{" ".join(flag)})" && exec {python} -c "$CHECK"'
    )
    # A stale OS_* setting from the caller's shell must not win over the exports.
    env = {**clean_env(), "CHECK": KEYSTONE_CHECK, "OS_TENANT_NAME": "nobody", "OS_CLOUD": "x"}
    result = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["version"] == version
    assert answer["compute"] == f"{live_cloud.base_url}/compute/v2.1"


@pytest.mark.interop
def test_openrc_sets_up_openstackclient(live_cloud: LiveCloud, interop_venv: Path) -> None:
    openstack = interop_venv / "bin" / "openstack"
    script = (
        f'eval "$({" ".join(pocketstack_command())} openrc --data-dir {live_cloud.data_dir})" '
        f"&& exec {openstack} token issue -f json"
    )
    result = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    issued = json.loads(result.stdout)
    assert token_valid(live_cloud.base_url, issued["id"])


def test_manage_commands_set_up_a_cloud_step_by_step(data_dir: Path) -> None:
    d = ("--data-dir", str(data_dir))
    upgrade = cli("manage", "db-upgrade", *d)
    assert upgrade.returncode == 0, upgrade.stderr
    with sqlite3.connect(data_dir / "pocketstack.db") as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert {"alembic_version", "project", "instance"} <= tables

    setup = cli("manage", "fernet-setup", *d)
    assert setup.returncode == 0, setup.stderr
    assert "created Fernet keys" in setup.stdout
    assert "already exist" in cli("manage", "fernet-setup", *d).stdout
    rotate = cli("manage", "fernet-rotate", *d)
    assert rotate.returncode == 0, rotate.stderr
    assert "primary key is now 2" in rotate.stdout
    assert sorted(p.name for p in (data_dir / "fernet-keys").iterdir()) == ["0", "1", "2"]

    boot = cli("manage", "bootstrap", *d, "--admin-password", "chosen-Pa55word")
    assert boot.returncode == 0, boot.stderr
    assert (data_dir / "admin-password").read_text().strip() == "chosen-Pa55word"
    assert mode(data_dir / "admin-password") == 0o600
    assert "chosen-Pa55word" not in boot.stdout + boot.stderr

    seeded = cli("manage", "seed", *d, "--servers", "7", "--projects", "2")
    assert seeded.returncode == 0, seeded.stderr
    assert "seeded 7 servers across 2 projects" in seeded.stdout

    port = free_port()
    assert cli("up", *d, "--port", str(port)).returncode == 0
    base = f"http://127.0.0.1:{port}"
    token = password_token(base, "chosen-Pa55word")
    status, _, body = http(
        "GET",
        f"{base}/compute/v2.1/servers?all_tenants=1&limit=100",
        headers={"X-Auth-Token": token},
    )
    assert status == 200
    servers = json.loads(body)["servers"]
    assert len(servers) == 7


def test_manage_rejects_bad_input_without_a_traceback(tmp_path: Path) -> None:
    d = ("--data-dir", str(tmp_path / "cloud"))
    bad_count = cli("manage", "seed", *d, "--servers", "-3")
    assert bad_count.returncode == 2
    assert "must not be negative" in bad_count.stderr
    rotate_nothing = cli("manage", "fernet-rotate", *d)
    assert rotate_nothing.returncode == 1
    assert "Traceback" not in rotate_nothing.stderr
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "pocketstack.toml").write_text("bcrypt_rounds = 'many'\n")
    bad_config = cli("manage", "db-upgrade", "--data-dir", str(broken))
    assert bad_config.returncode == 1
    assert "bcrypt_rounds" in bad_config.stderr
    assert "Traceback" not in bad_config.stderr


def table_names(stdout: str) -> list[str]:
    """The Name column of the table `pocketstack list` printed."""
    lines = [line for line in stdout.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    column = header.index("Name")
    return [line.strip("|").split("|")[column].strip() for line in lines[1:]]


def test_demo_starts_seeds_and_lists_once(data_dir: Path, tmp_path: Path) -> None:
    env = {**clean_env(), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    port = str(free_port())
    first = cli("demo", "--data-dir", str(data_dir), "--port", port, env=env)
    assert first.returncode == 0, first.stderr
    assert f"the cloud started at http://127.0.0.1:{port}" in first.stdout
    assert "seeded 8 servers" in first.stdout
    assert f"export OS_AUTH_URL=http://127.0.0.1:{port}/identity/v2.0" in first.stdout
    password = (data_dir / "admin-password").read_text().strip()
    assert password not in first.stdout + first.stderr
    names = table_names(first.stdout)
    # Every seeded server but any the seed made in the deleted state.
    assert 0 < len(names) <= 8
    assert names == sorted(names)  # nova's default order: by name

    second = cli("demo", "--data-dir", str(data_dir), "--port", port, env=env)
    assert second.returncode == 0, second.stderr
    assert "the cloud is running" in second.stdout
    assert "seeded" not in second.stdout
    assert table_names(second.stdout) == names

    # A shell that names a proxy (here one that is not there): the cloud demo started is still
    # reached directly.
    proxied = {**env, "HTTP_PROXY": f"http://127.0.0.1:{free_port()}"}
    third = cli("demo", "--data-dir", str(data_dir), "--port", port, env=proxied)
    assert third.returncode == 0, third.stderr
    assert table_names(third.stdout) == names


def test_up_serves_from_any_database(db_url: str, data_dir: Path) -> None:
    """`--db-url` (SQLite, PostgreSQL, MariaDB): first start migrates and bootstraps it.

    db_url comes first so that its teardown (dropping the database) follows data_dir's (`down`).
    """
    port = free_port()
    started = cli("up", "--data-dir", str(data_dir), "--port", str(port), "--db-url", db_url)
    assert started.returncode == 0, started.stderr
    base = f"http://127.0.0.1:{port}"
    token = password_token(base, (data_dir / "admin-password").read_text().strip())
    status, _, body = http("GET", f"{base}/compute/v2.1/flavors", headers={"X-Auth-Token": token})
    assert status == 200
    assert "m1.tiny" in {flavor["name"] for flavor in json.loads(body)["flavors"]}
    assert not (data_dir / "pocketstack.db").exists() or db_url.startswith("sqlite")
    assert cli("down", "--data-dir", str(data_dir)).returncode == 0


def catalog_urls(data_dir: Path) -> set[str]:
    with sqlite3.connect(data_dir / "pocketstack.db") as conn:
        return {row[0] for row in conn.execute("SELECT url FROM endpoint")}


def test_a_port_that_cannot_be_had_leaves_the_catalog_alone(data_dir: Path) -> None:
    port = free_port()
    assert cli("up", "--data-dir", str(data_dir), "--port", str(port)).returncode == 0
    assert cli("down", "--data-dir", str(data_dir)).returncode == 0
    before = catalog_urls(data_dir)
    assert before == {
        f"http://127.0.0.1:{port}{path}"
        for path in ("/identity", "/compute/v2.1", "/image", "/networking")
    }
    out_of_range = cli("up", "--data-dir", str(data_dir), "--port", "99999")
    assert out_of_range.returncode == 2
    assert "a port is 1 to 65535, not 99999" in out_of_range.stderr
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = cli("up", "--data-dir", str(data_dir), "--port", str(busy.getsockname()[1]))
    assert taken.returncode == 1
    assert "Address already in use" in taken.stderr
    assert catalog_urls(data_dir) == before


def test_bootstrap_again_keeps_the_running_address_and_the_db_private(data_dir: Path) -> None:
    port = free_port()
    assert cli("up", "--data-dir", str(data_dir), "--port", str(port)).returncode == 0
    env = {**clean_env(), "POCKETSTACK_ADMIN_PASSWORD": "a-new-admin-password"}
    again = cli("manage", "bootstrap", "--data-dir", str(data_dir), env=env)
    assert again.returncode == 0, again.stderr
    assert f"bootstrapped the cloud at http://127.0.0.1:{port}" in again.stdout
    assert all(f"127.0.0.1:{port}/" in url for url in catalog_urls(data_dir))
    assert mode(data_dir / "pocketstack.db") == 0o600
    assert (data_dir / "admin-password").read_text().strip() == "a-new-admin-password"
    password_token(f"http://127.0.0.1:{port}", "a-new-admin-password")
