"""The genuine clients' key pair commands against our compute API.

- tempest's own keypair response schemas validate our bodies at the microversions where they
  change (2.1, 2.2, 2.10, 2.35, 2.92), in-process;
- `openstack keypair create/list/show/delete` (an imported key, and one the client generates),
  `nova keypair-add` generating the key on the server (2.91) and openstacksdk, against a real
  `pocketstack serve`; fingerprints checked with ssh-keygen.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.cloud import CloudDeps
from tests.interop.live_clients import Live
from tests.unit.cloud.compute.helpers import Compute, build_compute
from tests.unit.cloud.compute.keypair_material import RSA_PUBLIC, make_certificate

pytestmark = pytest.mark.interop

VALIDATOR = Path(__file__).with_name("tempest_validate.py")
URL = "/v2.1/os-keypairs"


def _validate(venv: Path, cases: list[dict[str, Any]]) -> list[str]:
    result = subprocess.run(
        [str(venv / "bin" / "python"), str(VALIDATOR)],
        input=json.dumps(cases), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    errors: list[str] = json.loads(result.stdout)
    return errors


def test_tempest_schemas_validate_our_keypair_bodies(
    interop_venv: Path, cloud_deps: CloudDeps
) -> None:
    c: Compute = build_compute(cloud_deps)
    cases: list[dict[str, Any]] = []

    def case(schema: str, minor: int, result: Any) -> None:
        body = result.json if result.text else None
        cases.append({"resource": "keypairs", "schema": schema, "minor": minor,
                      "status": result.status_code, "body": body})  # fmt: skip

    pem = make_certificate("interop")[0]
    for minor in (1, 2, 10, 35, 91, 92):
        version = f"2.{minor}"
        for index, extra in enumerate(
            [{"public_key": RSA_PUBLIC}, {}, {"public_key": pem, "type": "x509"}]
        ):
            if (minor == 1 and "type" in extra) or (minor >= 92 and not extra):
                continue
            name = f"k{minor}-{index}"
            created = c.call("POST", URL, headers=c.alice_h, version=version,
                             body={"keypair": {"name": name, **extra}})  # fmt: skip
            case("create_keypair", minor, created)
            case("get_keypair", minor, c.get(f"{URL}/{name}", headers=c.alice_h, version=version))
        case("list_keypairs", minor, c.get(URL, headers=c.alice_h, version=version))
        for index in range(3):
            deleted = c.call("DELETE", f"{URL}/k{minor}-{index}", headers=c.alice_h,
                             version=version)  # fmt: skip
            if deleted.status_code != 404:
                case("delete_keypair", minor, deleted)
    errors = [e for e in _validate(interop_venv, cases) if e]
    assert errors == []
    assert len(cases) > 40


# --- real clients against a real server ------------------------------------------------------


def _ssh_keygen() -> str:
    found = shutil.which("ssh-keygen")
    if found is None:
        pytest.skip("ssh-keygen is not installed")
    return found


def _md5_of(public_key_file: Path) -> str:
    printed = subprocess.run(
        [_ssh_keygen(), "-l", "-E", "md5", "-f", str(public_key_file)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return printed.split()[1].removeprefix("MD5:")


def test_openstack_keypair_import_list_show_delete(live: Live, tmp_path: Path) -> None:
    key = tmp_path / "id_ecdsa"
    subprocess.run([_ssh_keygen(), "-q", "-t", "ecdsa", "-N", "", "-f", str(key)], check=True)
    expected = _md5_of(key.with_suffix(".pub"))
    created = live.json("openstack", "keypair", "create", "--public-key",
                        str(key.with_suffix(".pub")), "interop-imported")  # fmt: skip
    assert created["fingerprint"] == expected
    listed = live.json("openstack", "keypair", "list")
    assert {"Name": "interop-imported", "Fingerprint": expected, "Type": "ssh"} in listed
    shown = live.json("openstack", "keypair", "show", "interop-imported")
    assert shown["fingerprint"] == expected
    assert shown["name"] == "interop-imported"
    public = live.run("openstack", "keypair", "show", "--public-key", "interop-imported")
    assert public.strip() == key.with_suffix(".pub").read_text().strip()
    live.run("openstack", "keypair", "delete", "interop-imported")
    assert "interop-imported" not in {k["Name"] for k in live.json("openstack", "keypair", "list")}


def test_openstack_keypair_create_saves_a_key_whose_fingerprint_we_show(
    live: Live, tmp_path: Path
) -> None:
    private = tmp_path / "generated"
    live.run("openstack", "keypair", "create", "--private-key", str(private), "interop-made")
    private.chmod(0o600)
    public = subprocess.run([_ssh_keygen(), "-y", "-f", str(private)], capture_output=True,
                            text=True, check=True).stdout  # fmt: skip
    (tmp_path / "generated.pub").write_text(public)
    shown = live.json("openstack", "keypair", "show", "interop-made")
    assert shown["fingerprint"] == _md5_of(tmp_path / "generated.pub")
    live.run("openstack", "keypair", "delete", "interop-made")


def test_nova_keypair_add_generates_on_the_server_before_2_92(live: Live, tmp_path: Path) -> None:
    private = live.run("nova", "--os-compute-api-version", "2.91", "keypair-add", "nova-made")
    assert "PRIVATE KEY-----" in private
    key = tmp_path / "nova-made"
    key.write_text(private)
    key.chmod(0o600)
    public = subprocess.run([_ssh_keygen(), "-y", "-f", str(key)], capture_output=True,
                            text=True, check=True).stdout  # fmt: skip
    (tmp_path / "nova-made.pub").write_text(public)
    shown = live.run("nova", "keypair-show", "nova-made")
    assert _md5_of(tmp_path / "nova-made.pub") in shown
    assert "nova-made" in live.run("nova", "keypair-list")
    live.run("nova", "keypair-delete", "nova-made")
    assert "nova-made" not in live.run("nova", "keypair-list")


def test_openstack_keypair_list_pages_and_openstacksdk_lists(live: Live) -> None:
    for name in ("page-a", "page-b", "page-c"):
        live.run("openstack", "keypair", "create", name)
    v235 = ("openstack", "--os-compute-api-version", "2.35", "keypair", "list")
    first = live.json(*v235, "--limit", "2", "--max-items", "2")
    assert len(first) == 2
    rest = live.json(*v235, "--marker", first[-1]["Name"])
    names = [k["Name"] for k in first + rest]
    assert names == sorted(names)
    assert {"page-a", "page-b", "page-c"} <= set(names)
    # Pages of one, the client following our next links to the end.
    assert [k["Name"] for k in live.json(*v235, "--limit", "1")] == names
    script = (
        "import json, openstack\n"
        "conn = openstack.connect()\n"
        "print(json.dumps(sorted(k.name for k in conn.compute.keypairs())))\n"
    )
    assert json.loads(live.run("python", "-c", script)) == names
    for name in ("page-a", "page-b", "page-c"):
        live.run("openstack", "keypair", "delete", name)


def test_an_admin_manages_another_users_key_pairs(live: Live, tmp_path: Path) -> None:
    live.run("openstack", "user", "create", "--password", "kp-secret", "kp-owner")
    public = tmp_path / "owner.pub"
    public.write_text(RSA_PUBLIC + "\n")
    v210 = ("openstack", "--os-compute-api-version", "2.10")
    created = live.json(*v210, "keypair", "create", "--user", "kp-owner", "--public-key",
                        str(public), "owned")  # fmt: skip
    owner_id = live.json("openstack", "user", "show", "kp-owner")["id"]
    assert created["user_id"] == owner_id
    assert "owned" not in {k["Name"] for k in live.json("openstack", "keypair", "list")}
    listed = live.json(*v210, "keypair", "list", "--user", "kp-owner")
    assert [k["Name"] for k in listed] == ["owned"]
    shown = live.json(*v210, "keypair", "show", "--user", "kp-owner", "owned")
    assert shown["user_id"] == owner_id
    live.run(*v210, "keypair", "delete", "--user", "kp-owner", "owned")
    assert live.json(*v210, "keypair", "list", "--user", "kp-owner") == []
