"""The test controls with the genuine clients, against a cloud on a thread (the same front door
as `pocketstack serve`): openstacksdk configured to retry rides out an injected 503, keystoneauth
logs in again by itself once the cloud's clock has moved past its token's expiry, the SDK's
wait for a server (Ansible's) sees an injected ERROR, and a dropped connection is dropped on
the wire."""

from __future__ import annotations

import http.client
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pocketstack.testing.controls import Controls
from pocketstack.testing.credentials import Credentials
from pocketstack.testing.projects import IdentityAdmin
from pocketstack.testing.server import Settings, ThreadedCloud

pytestmark = [pytest.mark.interop, pytest.mark.e2e]

SDK_RETRIES = """
import json, warnings
warnings.simplefilter("ignore")
import openstack
from openstack import exceptions

plain = openstack.connect()
try:
    list(plain.compute.flavors())
    first = 200
except exceptions.HttpException as exc:
    first = exc.status_code
# As a user configures it (clouds.yaml's status_code_retries, or here the same as a keyword).
patient = openstack.connect(status_code_retries=3)
flavors = [f.name for f in patient.compute.flavors()]
print(json.dumps({"first": first, "flavors": flavors}))
"""

# The wait loop of `openstack.cloud` (what Ansible's openstack.cloud.server task runs):
# create, then poll until ACTIVE, failing on ERROR with the server's fault.
WAIT_FOR_SERVER = """
import json, warnings
warnings.simplefilter("ignore")
import openstack
from openstack import exceptions

conn = openstack.connect()
try:
    server = conn.create_server("waited", image="cirros-0.6.2-x86_64-disk", flavor="m1.tiny",
                                network="private", wait=True, timeout=60, auto_ip=False)
    outcome = {"status": server.status}
except exceptions.SDKException as exc:
    outcome = {"error": str(exc)}
print(json.dumps(outcome))
"""

KEYSTONEAUTH_REAUTH = """
import json, os
from keystoneauth1 import session
from keystoneauth1.identity import v3

auth = v3.Password(auth_url=os.environ["OS_AUTH_URL"], username=os.environ["OS_USERNAME"],
                   password=os.environ["OS_PASSWORD"], project_name=os.environ["OS_PROJECT_NAME"],
                   user_domain_id="default", project_domain_id="default")
sess = session.Session(auth=auth)
compute = {"service_type": "compute", "interface": "public"}
before = sess.get("/flavors", endpoint_filter=compute).status_code
first_token = sess.get_token()
cloud = os.environ["OS_AUTH_URL"].rsplit("/identity", 1)[0]
moved = sess.post(cloud + "/pocketstack/v1/clock", json={"advance": 7200}).json()
after = sess.get("/flavors", endpoint_filter=compute).status_code
print(json.dumps({"before": before, "after": after, "offset": moved["clock"]["offset_seconds"],
                  "new_token": sess.get_token() != first_token}))
"""


# A server created without waiting, and its status as the SDK then shows it.
BOOT_WITHOUT_WAITING = """
import json, warnings
warnings.simplefilter("ignore")
import openstack

conn = openstack.connect()
server = conn.create_server("slow", image="cirros-0.6.2-x86_64-disk", flavor="m1.tiny",
                            network="private", wait=False, auto_ip=False)
print(json.dumps({"id": server.id, "status": conn.compute.get_server(server.id).status}))
"""

STATUS_OF = """
import json, warnings
warnings.simplefilter("ignore")
import openstack

print(json.dumps(openstack.connect().compute.get_server("{server_id}").status))
"""


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadedCloud]:
    data = tmp_path_factory.mktemp("controls") / "data"
    started = ThreadedCloud(Settings(data_dir=data, test_controls=True))
    started.start()
    yield started
    started.stop()


def _admin(cloud: ThreadedCloud) -> Credentials:
    return Credentials(auth_url=f"{cloud.url}/identity/v3", username="admin",
                       password=cloud.admin_password, project_name="admin",
                       region_name="RegionOne")  # fmt: skip


def _run(venv: Path, script: str, cloud: ThreadedCloud, tmp_path: Path) -> Any:
    env = {**_admin(cloud).env(), "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([str(venv / "bin" / "python"), "-c", script], env=env,
                            capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def controls(cloud: ThreadedCloud) -> Controls:
    return Controls(cloud.url, IdentityAdmin(_admin(cloud)))


@pytest.fixture(autouse=True)
def _clean(controls: Controls) -> Iterator[None]:
    yield
    controls.clear_faults()
    controls.reset_clock()
    controls.reset_driver_delay()


def test_openstacksdk_retries_an_injected_503(
    interop_venv: Path, cloud: ThreadedCloud, controls: Controls, tmp_path: Path
) -> None:
    made = controls.add_fault("compute", "error", method="GET", path="/v2.1/flavors*",
                              status=503, times=3)  # fmt: skip
    out = _run(interop_venv, SDK_RETRIES, cloud, tmp_path)
    # Without retries the user sees the 503; with them, the flavors.
    assert out["first"] == 503
    assert "m1.tiny" in out["flavors"]
    shown = controls.call("GET", f"/faults/{made['id']}")["fault"]
    assert shown["injected"] == 3
    assert shown["times_left"] == 0


def test_keystoneauth_logs_in_again_once_the_clock_passes_expiry(
    interop_venv: Path, cloud: ThreadedCloud, tmp_path: Path
) -> None:
    out = _run(interop_venv, KEYSTONEAUTH_REAUTH, cloud, tmp_path)
    assert out == {"before": 200, "after": 200, "offset": 7200.0, "new_token": True}


def test_a_wait_loop_sees_an_injected_error(
    interop_venv: Path, cloud: ThreadedCloud, controls: Controls, tmp_path: Path
) -> None:
    controls.add_fault("compute", "build_error", message="No space left on host", times=1)
    failed = _run(interop_venv, WAIT_FOR_SERVER, cloud, tmp_path)
    assert "No space left on host" in failed["error"]
    # The rule was used up: the same task now succeeds.
    assert _run(interop_venv, WAIT_FOR_SERVER, cloud, tmp_path) == {"status": "ACTIVE"}


def test_a_dropped_connection_gets_no_answer(cloud: ThreadedCloud, controls: Controls) -> None:
    controls.add_fault("image", "drop", times=1)
    connection = http.client.HTTPConnection(cloud.url.removeprefix("http://"), timeout=10)
    connection.request("GET", "/image/v2/images")
    with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
        connection.getresponse()
    connection.close()
    connection = http.client.HTTPConnection(cloud.url.removeprefix("http://"), timeout=10)
    connection.request("GET", "/image/v2/images")
    assert connection.getresponse().status == 401
    connection.close()


def test_the_plugins_helper_lists_moves_and_clears(controls: Controls) -> None:
    made = controls.add_fault("network", "latency", seconds=0.1, project_id="nobody")
    assert [f["id"] for f in controls.faults()] == [made["id"]]
    assert controls.advance_clock(30) == 30
    assert controls.advance_clock(0.5) == 30.5
    controls.clear_faults()
    controls.reset_clock()
    assert controls.faults() == []
    assert controls.call("GET", "/clock")["clock"]["offset_seconds"] == 0


def test_a_delay_set_at_run_time_holds_a_new_server_in_build(
    interop_venv: Path, cloud: ThreadedCloud, controls: Controls, tmp_path: Path
) -> None:
    controls.set_driver_delay(120)
    made = _run(interop_venv, BOOT_WITHOUT_WAITING, cloud, tmp_path)
    assert made["status"] == "BUILD"
    controls.advance_clock(121)
    status = STATUS_OF.replace("{server_id}", made["id"])
    assert _run(interop_venv, status, cloud, tmp_path) == "ACTIVE"
    controls.reset_driver_delay()
    assert controls.call("GET", "/driver")["driver"]["delay_seconds"] == 0
