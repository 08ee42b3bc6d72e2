"""`pocketstack list` through the entry point: requests sent cold and warm, errors, exit codes."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from pocketstack.cli.main import main
from pocketstack.cloud.deps import CloudDeps
from tests.fixtures.cloud import ADMIN_PASSWORD, TEST_PUBLIC_URL
from tests.fixtures.server import free_port
from tests.unit.cli.list_harness import Harness, make_harness


@pytest.fixture
def harness(cloud_deps: CloudDeps) -> Harness:
    return make_harness(cloud_deps)


def v2_env() -> dict[str, str]:
    return {
        "OS_AUTH_URL": f"{TEST_PUBLIC_URL}/identity/v2.0",
        "OS_USERNAME": "admin",
        "OS_PASSWORD": ADMIN_PASSWORD,
        "OS_TENANT_NAME": "admin",
    }


def run(
    harness: Harness, argv: list[str], cache: Path, env: dict[str, str] | None = None
) -> tuple[int, str, str, list[str]]:
    out, err = io.StringIO(), io.StringIO()
    harness.reset()
    code = main(
        ["list", *argv], environ=env or v2_env(), stdout=out, stderr=err,
        transport=harness.transport, cache_dir=cache,
    )
    sent = [f"{r.method} {urlsplit(r.url).path}" for r in harness.transport.sent]
    return code, out.getvalue(), err.getvalue(), sent


def test_cold_is_the_seeds_three_requests(harness: Harness, tmp_path: Path) -> None:
    harness.create_server("seeded")
    code, out, err, sent = run(harness, [], tmp_path / "cache")
    assert (code, err) == (0, "")
    assert sent == [
        "GET /identity/v2.0",
        "POST /identity/v2.0/tokens",
        "GET /compute/v2.1/servers/detail",
    ]
    # Without asking the version root first, the list still runs at the newest version the
    # client knows (2.96, which the cloud confirms), as negotiation would have chosen.
    assert harness.transport.sent[-1].headers["OpenStack-API-Version"] == "compute 2.96"
    assert "| seeded |" in out


def test_an_explicit_version_asks_the_version_root_once(harness: Harness, tmp_path: Path) -> None:
    run(harness, [], tmp_path / "cache")
    env = {**v2_env(), "OS_COMPUTE_API_VERSION": "2.60"}
    assert run(harness, [], tmp_path / "cache", env)[3] == [
        "GET /compute/v2.1",
        "GET /compute/v2.1/servers/detail",
    ]
    # The range is cached with the token from then on.
    assert run(harness, [], tmp_path / "cache", env)[3] == ["GET /compute/v2.1/servers/detail"]


def test_a_cloud_older_than_the_client_refuses_the_version_then_is_negotiated(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pocketstack.cloud.compute import microversion, versions

    # The cloud as a Nova whose newest microversion is 2.90.
    monkeypatch.setattr(microversion, "MAX_VERSION", microversion.Version(2, 90))
    monkeypatch.setattr(versions, "MAX_VERSION", microversion.Version(2, 90))
    harness.create_server("older")
    code, out, err, sent = run(harness, ["--long"], tmp_path / "cache")
    assert (code, err) == (0, "")
    assert sent[2:] == [
        "GET /compute/v2.1/servers/detail",  # 406 at 2.96
        "GET /compute/v2.1",
        "GET /compute/v2.1/servers/detail",
        "GET /image/v2/images",
    ]
    assert [r.headers.get("OpenStack-API-Version") for r in harness.transport.sent[2:5]] == [
        "compute 2.96",
        None,
        "compute 2.90",
    ]
    assert "| older |" in out
    # The range it learnt is cached: the next run goes straight to 2.90.
    assert run(harness, [], tmp_path / "cache")[3] == ["GET /compute/v2.1/servers/detail"]
    assert harness.transport.sent[-1].headers["OpenStack-API-Version"] == "compute 2.90"


def test_an_endpoint_without_microversions_is_listed_at_2_0(
    harness: Harness, tmp_path: Path
) -> None:
    harness.create_server("legacy")
    project_id = harness.session.auth.get_project_id(harness.session)  # type: ignore[union-attr]
    env = {**v2_env(), "OS_ENDPOINT_OVERRIDE": f"{TEST_PUBLIC_URL}/compute/v2/{project_id}"}
    code, out, err, sent = run(harness, [], tmp_path / "cache", env)
    assert (code, err) == (0, "")
    # The legacy API answers without a microversion: the assumed 2.96 is not confirmed, so
    # the version root is asked and the list runs again at 2.0, as nova would list it.
    assert sent[2:] == [
        f"GET /compute/v2/{project_id}/servers/detail",
        f"GET /compute/v2/{project_id}",
        f"GET /compute/v2/{project_id}/servers/detail",
    ]
    assert "OpenStack-API-Version" not in harness.transport.sent[-1].headers
    assert "| legacy |" in out


def test_warm_is_exactly_one_request(harness: Harness, tmp_path: Path) -> None:
    harness.create_server("seeded")
    run(harness, [], tmp_path / "cache")
    code, out, _, sent = run(harness, [], tmp_path / "cache")
    assert code == 0
    assert sent == ["GET /compute/v2.1/servers/detail"]
    assert "| seeded |" in out


def test_no_cache_authenticates_every_time(harness: Harness, tmp_path: Path) -> None:
    run(harness, ["--no-cache"], tmp_path / "cache")
    assert len(run(harness, ["--no-cache"], tmp_path / "cache")[3]) == 3


def test_microversion_sent(harness: Harness, tmp_path: Path) -> None:
    run(harness, [], tmp_path / "cache", {**v2_env(), "OS_COMPUTE_API_VERSION": "2.60"})
    request = harness.transport.sent[-1]
    assert request.headers["OpenStack-API-Version"] == "compute 2.60"
    run(harness, [], tmp_path / "cache")
    assert harness.transport.sent[-1].headers["OpenStack-API-Version"] == "compute 2.96"


@pytest.mark.parametrize(
    ("argv", "env", "message"),
    [
        (["--sort", "name:sideways"], {}, "Unknown sort direction: sideways"),
        (["--image", "nothing-like-it"], {}, "No Image matching nothing-like-it. (HTTP 404)"),
        (["--flavor", "m9.huge"], {}, "No flavor with a name or ID of 'm9.huge' exists."),
        ([], {"OS_COMPUTE_API_VERSION": "2.97"},
         "The specified version isn't supported by client. The valid version range is "
         "'2.1' to '2.96'"),
        ([], {"OS_COMPUTE_API_VERSION": "3.1"},
         "Invalid client version '3.1'. Major part should be '2'"),
        ([], {"OS_COMPUTE_API_VERSION": "2.x"},
         "Invalid format of client version '2.x'. Expected format 'X.Y', where X is a major "
         "part and Y is a minor part of version."),
    ],
)
def test_errors_exit_1_with_a_clear_message(
    harness: Harness, tmp_path: Path, argv: list[str], env: dict[str, str], message: str
) -> None:
    code, out, err, sent = run(harness, argv, tmp_path / "cache", {**v2_env(), **env})
    assert code == 1
    assert out == ""
    assert err.endswith(f"): {message}\n")
    assert err.startswith("ERROR (")
    assert not any("/servers" in line for line in sent)


def test_unknown_field(harness: Harness, tmp_path: Path) -> None:
    harness.create_server("one")
    code, _, err, _ = run(harness, ["--fields", "name,colour"], tmp_path / "cache")
    assert (code, err) == (1, "ERROR (CommandError): Non-existent fields are specified: "
                              "['colour']\n")


def test_image_name_matching_several(harness: Harness, tmp_path: Path) -> None:
    images = harness.compute().image_adapter
    for _ in range(2):
        images.post("/v2/images", json={"name": "twin", "disk_format": "qcow2",
                                        "container_format": "bare"})
    code, _, err, _ = run(harness, ["--image", "twin"], tmp_path / "cache")
    assert (code, err) == (
        1,
        "ERROR (CommandError): Multiple image matches found for 'twin', use an ID to be more "
        "specific.\n",
    )


def test_flavor_name_matching_several(harness: Harness, tmp_path: Path) -> None:
    # Both slug to `x-y` (novaclient's human id), which is what a user may type.
    for name in ("x y", "x-!y"):
        harness.compute().adapter.post(
            "/flavors", json={"flavor": {"name": name, "ram": 64, "vcpus": 1, "disk": 1}}
        )
    code, _, err, _ = run(harness, ["--flavor", "x-y"], tmp_path / "cache")
    assert (code, err) == (
        1,
        "ERROR (CommandError): Multiple flavor matches found for 'x-y', use an ID to be more "
        "specific.\n",
    )


def test_flag_below_its_microversion_is_a_usage_error(harness: Harness, tmp_path: Path) -> None:
    code, _, err, sent = run(harness, ["--tags", "a"], tmp_path / "cache",
                             {**v2_env(), "OS_COMPUTE_API_VERSION": "2.20"})
    assert code == 2
    assert "error: unrecognized arguments: --tags a" in err
    assert not any("/servers" in line for line in sent)


def test_server_unreachable(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    port = free_port()
    code = main(
        ["list"],
        environ={"OS_AUTH_TYPE": "token_endpoint", "OS_TOKEN": "t",
                 "OS_ENDPOINT_OVERRIDE": f"http://127.0.0.1:{port}/compute/v2.1"},
        stdout=out, stderr=err, cache_dir=tmp_path / "cache",
    )
    assert code == 1
    message = err.getvalue()
    assert message.startswith("ERROR (ConnectFailure): ")
    assert f"127.0.0.1:{port}" in message
    assert "Traceback" not in message


def test_timings_list_every_request(harness: Harness, tmp_path: Path) -> None:
    code, _, err, sent = run(harness, ["--timings"], tmp_path / "cache")
    assert code == 0
    assert "Total (3 requests)" in err
    for line in sent:
        assert line.replace("GET ", "").replace("POST ", "") in err
