"""`pocketstack_clean_module` in a test run of a user's own: what one module made is gone in
the next, the admin's fixtures keep working; and ThreadedCloud's snapshot/restore in process."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import pocketstack
from pocketstack.testing.credentials import Credentials
from pocketstack.testing.projects import IdentityAdmin, IdentityError
from pocketstack.testing.server import Settings, ThreadedCloud

pytestmark = pytest.mark.e2e

FIRST = """
    import pytest

    pytestmark = pytest.mark.usefixtures("pocketstack_clean_module")

    def test_makes_things(pocketstack_cloud):
        pocketstack_cloud.identity.call("POST", "/v3/projects", {"project": {
            "name": "left-behind", "domain_id": "default"}}, expect=201)

    def test_sees_them_within_the_module(pocketstack_cloud, pocketstack_project):
        listed = pocketstack_cloud.identity.call("GET", "/v3/projects")["projects"]
        names = {p["name"] for p in listed}
        assert "left-behind" in names
"""
SECOND = """
    import pytest

    pytestmark = pytest.mark.usefixtures("pocketstack_clean_module")

    def test_starts_clean(pocketstack_cloud, pocketstack_project):
        listed = pocketstack_cloud.identity.call("GET", "/v3/projects")["projects"]
        names = {p["name"] for p in listed}
        assert "left-behind" not in names
        assert pocketstack_project.project_name in names
"""


def _env() -> dict[str, str]:
    """This environment, with the pocketstack under test first on the path (a relative
    PYTHONPATH would not reach it from the run's directory)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    here = str(Path(pocketstack.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [here, env.get("PYTHONPATH")]))
    return env


def test_each_module_starts_from_the_sessions_state(tmp_path: Path) -> None:
    (tmp_path / "test_a_first.py").write_text(textwrap.dedent(FIRST))
    (tmp_path / "test_b_second.py").write_text(textwrap.dedent(SECOND))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
        env=_env(),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed" in done.stdout


def test_threaded_cloud_restores_in_process(tmp_path: Path) -> None:
    cloud = ThreadedCloud(Settings(data_dir=tmp_path / "data"))
    cloud.start()
    try:
        admin = Credentials(auth_url=f"{cloud.url}/identity/v3", username="admin",
                            password=cloud.admin_password, project_name="admin",
                            region_name="RegionOne")  # fmt: skip
        identity = IdentityAdmin(admin)
        cloud.snapshot("before")
        made = identity.new_project(prefix="gone")
        cloud.restore("before")
        with pytest.raises(IdentityError):
            identity.delete_project(made)
        again = identity.new_project(prefix="again")
        cloud.reset()
        with pytest.raises(IdentityError):
            identity.delete_project(again)
        assert (tmp_path / "data" / "snapshots" / "bootstrap").is_dir()
    finally:
        cloud.stop()


def test_a_cloud_started_on_a_used_database_resets_to_that_start(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'shared.db'}"
    first = ThreadedCloud(Settings(data_dir=tmp_path / "one", db_url=db_url))
    first.start()
    try:
        kept = _identity(first).new_project(prefix="kept")
    finally:
        first.stop()
    second = ThreadedCloud(Settings(data_dir=tmp_path / "two", db_url=db_url))
    second.start()
    try:
        identity = _identity(second)
        made = identity.new_project(prefix="later")
        second.reset()
        identity.forget()
        with pytest.raises(IdentityError):
            identity.delete_project(made)
        # What the database held when this cloud started is still there.
        identity.delete_project(kept)
        assert not (tmp_path / "two" / "snapshots" / "bootstrap").exists()
        assert (tmp_path / "two" / "snapshots" / "session-start").is_dir()
    finally:
        second.stop()


def _identity(cloud: ThreadedCloud) -> IdentityAdmin:
    return IdentityAdmin(Credentials(auth_url=f"{cloud.url}/identity/v3", username="admin",
                                     password=cloud.admin_password, project_name="admin",
                                     region_name="RegionOne"))  # fmt: skip
