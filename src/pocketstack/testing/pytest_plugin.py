"""The pytest plugin (entry point `pytest11`: installed with pocketstack, on in every pytest run
of that environment): fixtures that give a test session a running cloud and each test a project
of its own.

- `pocketstack_cloud` (session): a fresh cloud on a free loopback port in a temporary data
  directory; its URL, admin credentials, a clouds.yaml naming it `pocketstack` (and `pocketstack-
  admin`), the admin's `OS_*` variables.
- `pocketstack_project` (per test): a new project and a member user in it, deleted after the test.
- `pocketstack_controls` (per test): the cloud's fault rules and clock
  (`--pocketstack-test-controls`), cleared and reset after the test.
- `pocketstack_clean_module` (per module): the cloud put back to the state it started in
  before the module's first test (`pytestmark = pytest.mark.usefixtures(...)` in a module, or
  an autouse fixture in a conftest.py that requests it).

Nothing is started unless a test asks for one of them: importing this module costs nothing more
than its own few lines (it is loaded in every pytest run of an environment with pocketstack).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from pocketstack.testing.controls import Controls
from pocketstack.testing.credentials import Credentials, write_clouds_yaml
from pocketstack.testing.projects import IdentityAdmin
from pocketstack.testing.server import Settings, ThreadedCloud

CLOUD_NAME = "pocketstack"
ADMIN_CLOUD_NAME = "pocketstack-admin"


@dataclasses.dataclass(frozen=True, kw_only=True)
class RunningCloud:
    """What `pocketstack_cloud` yields."""

    url: str
    data_dir: Path
    admin: Credentials
    # Names ADMIN_CLOUD_NAME (the admin) and, once a test made one, CLOUD_NAME (its project).
    clouds_yaml: Path
    identity: IdentityAdmin
    server: ThreadedCloud
    # The fault rules and the clock: None unless the cloud serves them
    # (--pocketstack-test-controls).
    controls: Controls | None = None

    def env(self) -> dict[str, str]:
        """The admin's `OS_*` variables (a subprocess's environment for `openstack` and co.)."""
        return self.admin.env()

    def snapshot(self, name: str) -> None:
        """Keep the cloud's state as snapshot `name`."""
        self.server.snapshot(name)

    def restore(self, name: str) -> None:
        """Put the cloud back as snapshot `name` has it: rows, keys, image data."""
        self.server.restore(name)
        self.identity.forget()

    def reset(self) -> None:
        """Put the cloud back as it was when the session started it."""
        self.server.reset()
        self.identity.forget()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("pocketstack", "pocketstack: an OpenStack cloud for tests")
    group.addoption("--pocketstack-db-url", default=None, metavar="URL",
                    help="the database of the test cloud (an SQLAlchemy URL of an empty database;"
                         " default: SQLite in a temporary directory)")  # fmt: skip
    group.addoption(
        "--pocketstack-bcrypt-rounds",
        type=int,
        default=4,
        metavar="N",
        help="password hashing cost of the test cloud (default 4: fast logins)",
    )
    group.addoption(
        "--pocketstack-driver-delay",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="seconds servers spend in each transitional state (default 0)",
    )
    group.addoption(
        "--pocketstack-test-controls",
        action="store_true",
        default=False,
        help="serve the test controls (fault injection, a movable clock) at /pocketstack/v1",
    )


@pytest.fixture(scope="session")
def pocketstack_cloud(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningCloud]:
    home = tmp_path_factory.mktemp("pocketstack")
    option = request.config.getoption
    cloud = ThreadedCloud(Settings(
        data_dir=home / "cloud", db_url=option("--pocketstack-db-url"),
        bcrypt_rounds=option("--pocketstack-bcrypt-rounds"),
        driver_delay=option("--pocketstack-driver-delay"),
        test_controls=option("--pocketstack-test-controls"),
    ))  # fmt: skip
    cloud.start()
    try:
        assert cloud.config is not None
        admin = Credentials(auth_url=f"{cloud.url}/identity/v3", username="admin",
                            password=cloud.admin_password, project_name="admin",
                            region_name=cloud.config.region)  # fmt: skip
        clouds_yaml = write_clouds_yaml(home / "clouds.yaml", {ADMIN_CLOUD_NAME: admin})
        identity = IdentityAdmin(admin)
        controls = Controls(cloud.url, identity) if cloud.config.test_controls else None
        yield RunningCloud(url=cloud.url, data_dir=home / "cloud", admin=admin,
                           clouds_yaml=clouds_yaml, identity=identity,
                           controls=controls, server=cloud)  # fmt: skip
    finally:
        cloud.stop()


@pytest.fixture
def pocketstack_project(pocketstack_cloud: RunningCloud) -> Iterator[Credentials]:
    """A project of the test's own, with a member user; also the `pocketstack` entry of the
    session's clouds.yaml while the test runs."""
    made = pocketstack_cloud.identity.new_project()
    write_clouds_yaml(pocketstack_cloud.clouds_yaml,
                      {ADMIN_CLOUD_NAME: pocketstack_cloud.admin, CLOUD_NAME: made})  # fmt: skip
    try:
        yield made
    finally:
        pocketstack_cloud.identity.delete_project(made)


@pytest.fixture
def pocketstack_controls(pocketstack_cloud: RunningCloud) -> Iterator[Controls]:
    """The fault rules, the clock and the driver's delay, for this test only: its rules are
    cleared, the clock set back to real time and the delay to the configured one after it."""
    controls = pocketstack_cloud.controls
    if controls is None:
        pytest.fail("pocketstack_controls needs the test controls: run with "
                    "--pocketstack-test-controls")  # fmt: skip
    try:
        yield controls
    finally:
        controls.clear_faults()
        controls.reset_clock()
        controls.reset_driver_delay()


@pytest.fixture(scope="module")
def pocketstack_clean_module(pocketstack_cloud: RunningCloud) -> RunningCloud:
    """The session's cloud, put back to the state it started in before this module's tests:
    what earlier modules made (servers, users, networks, images) is gone, and their tokens with
    the users that held them."""
    pocketstack_cloud.reset()
    return pocketstack_cloud
