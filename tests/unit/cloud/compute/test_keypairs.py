"""`/os-keypairs` through the compute app: import and generation, fingerprints as ssh-keygen
prints them, names, duplicates, whose key pairs a caller reaches, and paging."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from pocketstack.cloud.compute.keypair_db import has_keypair
from pocketstack.cloud.store.models.compute import KeyPair
from tests.unit.cloud.compute.helpers import Compute, fault
from tests.unit.cloud.compute.keypair_material import (
    RSA_FINGERPRINT,
    RSA_PUBLIC,
    SSH_KEYS,
    make_certificate,
)

URL = "/v2.1/os-keypairs"


def create(c: Compute, headers: dict[str, str], version: str, **keypair: Any) -> Any:
    return c.call("POST", URL, headers=headers, version=version, body={"keypair": keypair})


@pytest.mark.parametrize(("public_key", "expected"), SSH_KEYS, ids=lambda v: str(v)[:19])
def test_an_imported_ssh_key_has_the_fingerprint_ssh_keygen_prints(
    compute: Compute, public_key: str, expected: str
) -> None:
    created = create(compute, compute.alice_h, "2.2", name="laptop", public_key=public_key)
    assert created.status_code == 201, created.text
    keypair = created.json["keypair"]
    assert keypair == {
        "name": "laptop", "public_key": public_key, "fingerprint": expected, "type": "ssh",
        "user_id": compute.alice.id,
    }  # fmt: skip
    shown = compute.get(f"{URL}/laptop", headers=compute.alice_h, version="2.2").json["keypair"]
    assert (shown["fingerprint"], shown["public_key"]) == (expected, public_key)


def test_an_imported_certificate_has_the_sha1_of_its_der_for_fingerprint(c: Compute) -> None:
    pem, der = make_certificate("alice")
    expected = ":".join(f"{b:02x}" for b in hashlib.sha1(der).digest())
    created = create(c, c.alice_h, "2.2", name="winrm", type="x509", public_key=pem)
    assert created.status_code == 201, created.text
    assert created.json["keypair"]["fingerprint"] == expected
    assert created.json["keypair"]["type"] == "x509"
    listed = c.get(URL, headers=c.alice_h, version="2.2").json["keypairs"]
    assert listed == [{"keypair": {"name": "winrm", "public_key": pem, "fingerprint": expected,
                                   "type": "x509"}}]  # fmt: skip


@pytest.fixture
def c(compute: Compute) -> Compute:
    return compute


def test_a_generated_key_pair_is_rsa_2048_and_its_halves_match(c: Compute, tmp_path: Path) -> None:
    created = c.call("POST", URL, headers=c.alice_h, body={"keypair": {"name": "made"}})
    assert created.status_code == 200, created.text  # 2.1: 200, no type
    keypair = created.json["keypair"]
    assert "type" not in keypair
    private = serialization.load_pem_private_key(keypair["private_key"].encode(), None)
    assert isinstance(private, rsa.RSAPrivateKey)
    assert private.key_size == 2048
    blob = private.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    assert keypair["public_key"].split(" ")[:2] == blob.decode().split(" ")
    ssh_keygen = shutil.which("ssh-keygen")
    if ssh_keygen is not None:
        (tmp_path / "made.pub").write_text(keypair["public_key"])
        printed = subprocess.run(
            [ssh_keygen, "-l", "-E", "md5", "-f", str(tmp_path / "made.pub")],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        assert printed.split()[1] == f"MD5:{keypair['fingerprint']}"
    shown = c.get(f"{URL}/made", headers=c.alice_h).json["keypair"]
    assert "private_key" not in shown
    assert shown["public_key"] == keypair["public_key"]


def test_a_generated_x509_key_pair_is_a_certificate_for_the_user(c: Compute) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import pkcs12

    created = create(c, c.alice_h, "2.2", name="win", type="x509")
    assert created.status_code == 201, created.text
    keypair = created.json["keypair"]
    certificate = x509.load_pem_x509_certificate(keypair["public_key"].encode())
    assert certificate.subject.rfc4514_string() == f"CN={c.alice.id}"
    bundle = pkcs12.load_key_and_certificates(base64.b64decode(keypair["private_key"]), None)
    assert bundle[1] == certificate
    der = certificate.public_bytes(serialization.Encoding.DER)
    assert keypair["fingerprint"] == ":".join(f"{b:02x}" for b in hashlib.sha1(der).digest())


@pytest.mark.parametrize(
    ("keypair", "message"),
    [
        ({"public_key": "ssh-rsa JUNK nova@ubuntu"}, "failed to generate fingerprint"),
        ({"public_key": " "}, "failed to generate fingerprint"),
        ({"public_key": ""}, "failed to generate fingerprint"),
        ({"public_key": "ssh-rsa " + "A" * 2048 + " openstack@ubuntu"}, "fingerprint"),
        ({"public_key": RSA_PUBLIC.replace(" ", "\t")}, "failed to generate fingerprint"),
        ({"public_key": RSA_PUBLIC, "type": "x509"}, "failed to generate X509 fingerprint"),
        ({"public_key": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
          "type": "x509"}, "X509"),
        ({"public_key": make_certificate("a")[0], "type": "ssh"}, "fingerprint"),
    ],
)  # fmt: skip
def test_a_key_that_is_not_one_is_refused_400(
    c: Compute, keypair: dict[str, str], message: str
) -> None:
    result = create(c, c.alice_h, "2.2", name="bad", **keypair)
    assert result.status_code == 400, result.text
    name, text = fault(result)
    assert name == "badRequest"
    assert text.startswith("Keypair data is invalid: ")
    assert message in text
    assert c.get(URL, headers=c.alice_h).json["keypairs"] == []


@pytest.mark.parametrize(
    ("version", "name"),
    [
        ("2.2", ""),
        ("2.2", "keypair-".ljust(256, "0")),
        ("2.2", r"key_/.\@:"),
        ("2.2", "dotted.name"),
        ("2.91", "me@home"),
        ("2.92", "slash/no"),
        ("2.92", "colon:no"),
        ("2.2", 42),
    ],
)
def test_names_outside_the_microversions_rules_are_refused(
    c: Compute, version: str, name: object
) -> None:
    result = create(c, c.alice_h, version, name=name, public_key=RSA_PUBLIC)
    assert result.status_code == 400, result.text
    assert fault(result)[1].startswith("Invalid input for field/attribute name")


@pytest.mark.parametrize("name", [" leading", "trailing ", "   "])
def test_spaces_at_either_end_are_refused_as_nova_words_it(c: Compute, name: str) -> None:
    result = create(c, c.alice_h, "2.92", name=name, public_key=RSA_PUBLIC)
    assert result.status_code == 400, result.text
    assert fault(result)[1].startswith("An invalid 'name' value was provided.")


@pytest.mark.parametrize(
    ("version", "name"),
    [("2.1", "ok name_1-2"), ("2.92", "me@home.example"), ("2.92", "a.b_c-d e"), ("2.1", "x")],
)
def test_names_within_the_rules_are_kept_as_sent(c: Compute, version: str, name: str) -> None:
    result = create(c, c.alice_h, version, name=name, public_key=RSA_PUBLIC)
    assert result.status_code in (200, 201), result.text
    assert result.json["keypair"]["name"] == name
    shown = c.get(f"{URL}/{name}", headers=c.alice_h, version=version)
    assert shown.status_code == 200, shown.text


def test_a_duplicate_name_is_409_for_the_same_user_only(c: Compute) -> None:
    assert create(c, c.alice_h, "2.2", name="dup", public_key=RSA_PUBLIC).status_code == 201
    again = create(c, c.alice_h, "2.2", name="dup", public_key=SSH_KEYS[1][0])
    assert again.status_code == 409
    assert fault(again) == ("conflictingRequest", "Key pair 'dup' already exists.")
    assert create(c, c.bob_h, "2.2", name="dup", public_key=RSA_PUBLIC).status_code == 201
    # Names differ by case on every backend (MariaDB's default collation would say otherwise).
    assert create(c, c.alice_h, "2.2", name="DUP", public_key=RSA_PUBLIC).status_code == 201
    shown = c.get(f"{URL}/dup", headers=c.alice_h).json["keypair"]
    assert shown["public_key"] == RSA_PUBLIC


def test_another_users_key_pair_is_not_found(c: Compute) -> None:
    create(c, c.alice_h, "2.2", name="mine", public_key=RSA_PUBLIC)
    shown = c.get(f"{URL}/mine", headers=c.bob_h)
    assert shown.status_code == 404
    assert fault(shown) == ("itemNotFound", f"Keypair mine not found for user {c.bob.id}")
    assert c.call("DELETE", f"{URL}/mine", headers=c.bob_h, version="2.2").status_code == 404
    assert c.get(URL, headers=c.bob_h).json["keypairs"] == []
    # Naming alice is an admin's privilege.
    for method in ("GET", "DELETE"):
        result = c.client.simulate_request(
            method, f"{URL}/mine", headers={**c.bob_h, "OpenStack-API-Version": "compute 2.10"},
            params={"user_id": c.alice.id},
        )  # fmt: skip
        assert result.status_code == 403, result.text
        assert "os_compute_api:os-keypairs:" in fault(result)[1]
    listing = c.get(URL, headers=c.bob_h, version="2.10", params={"user_id": c.alice.id})
    assert listing.status_code == 403
    taken = create(c, c.bob_h, "2.10", name="x", public_key=RSA_PUBLIC, user_id=c.alice.id)
    assert fault(taken) == (
        "forbidden", "Policy doesn't allow os_compute_api:os-keypairs:create to be performed."
    )  # fmt: skip
    # Naming oneself is allowed.
    own = c.get(f"{URL}/mine", headers=c.alice_h, version="2.10", params={"user_id": c.alice.id})
    assert own.status_code == 200
    assert c.get(f"{URL}/mine", headers=c.alice_h).status_code == 200


def test_an_admin_reaches_any_users_key_pairs_from_2_10(c: Compute) -> None:
    made = create(c, c.admin, "2.10", name="given", public_key=RSA_PUBLIC, user_id=c.alice.id)
    assert made.status_code == 201, made.text
    assert made.json["keypair"]["user_id"] == c.alice.id
    assert c.get(f"{URL}/given", headers=c.alice_h).status_code == 200
    # Before 2.10 the query is ignored: the admin's own key pairs.
    assert c.get(URL, headers=c.admin, version="2.9", params={"user_id": c.alice.id}).json == {
        "keypairs": []
    }
    listed = c.get(URL, headers=c.admin, version="2.10", params={"user_id": c.alice.id})
    assert [k["keypair"]["name"] for k in listed.json["keypairs"]] == ["given"]
    shown = c.get(f"{URL}/given", headers=c.admin, version="2.10", params={"user_id": c.alice.id})
    assert shown.json["keypair"]["user_id"] == c.alice.id
    deleted = c.client.simulate_delete(
        f"{URL}/given", headers={**c.admin, "OpenStack-API-Version": "compute 2.10"},
        params={"user_id": c.alice.id},
    )  # fmt: skip
    assert deleted.status_code == 204
    assert c.get(f"{URL}/given", headers=c.alice_h).status_code == 404
    # user_id in the body before 2.10 is an unknown property.
    early = create(c, c.admin, "2.9", name="n", public_key=RSA_PUBLIC, user_id=c.alice.id)
    assert early.status_code == 400


def test_has_keypair_answers_for_the_owner_and_exact_name(c: Compute) -> None:
    create(c, c.alice_h, "2.2", name="boot-key", public_key=RSA_PUBLIC)
    with c.deps.store.session() as session:
        assert has_keypair(session, user_id=c.alice.id, name="boot-key")
        assert not has_keypair(session, user_id=c.bob.id, name="boot-key")
        assert not has_keypair(session, user_id=c.alice.id, name="boot-key ")
        assert not has_keypair(session, user_id=c.alice.id, name="Boot-key")


def test_a_token_without_a_project_is_refused(c: Compute) -> None:
    # scope_types=['project']: a domain-scoped token is refused whatever its roles.
    token = c.deps.tokens.issue(
        user_id=c.alice.id, methods=["password"], domain_id="default", roles=("admin",)
    ).token_id
    result = c.get(URL, headers={"X-Auth-Token": token})
    assert result.status_code == 403, result.text
    assert fault(result)[1] == (
        "Policy doesn't allow os_compute_api:os-keypairs:index to be performed."
    )


def test_the_key_pairs_quota_refuses_the_101st_with_403(c: Compute) -> None:
    now = dt.datetime.now(dt.UTC)
    with c.deps.store.session(write=True) as session:
        session.add_all(
            KeyPair(user_id=c.alice.id, name=f"k{i:03}", type="ssh", fingerprint=RSA_FINGERPRINT,
                    public_key=RSA_PUBLIC, created_at=now)
            for i in range(100)
        )  # fmt: skip
    over = create(c, c.alice_h, "2.2", name="one-more", public_key=RSA_PUBLIC)
    assert over.status_code == 403, over.text
    assert fault(over) == ("forbidden", "Quota exceeded, too many key pairs.")
    # The limit is the user's: bob is not affected.
    assert create(c, c.bob_h, "2.2", name="one-more", public_key=RSA_PUBLIC).status_code == 201
    assert c.call("DELETE", f"{URL}/k000", headers=c.alice_h, version="2.2").status_code == 204
    assert create(c, c.alice_h, "2.2", name="one-more", public_key=RSA_PUBLIC).status_code == 201


@pytest.mark.parametrize(
    ("path", "query", "version"),
    [
        (URL, "size=1&colour=red&limit=1", "2.75"),
        (f"{URL}/k", "size=1&colour=red", "2.75"),
        ("/v2.1/os-server-groups", "size=1&colour=red", "2.75"),
        ("/v2.1/os-services", "size=1&colour=red", "2.75"),
        ("/v2.1/os-simple-tenant-usage", "size=1&colour=red", "2.75"),
        ("/v2.1/os-quota-sets/p", "size=1&colour=red", "2.75"),
        ("/v2.1/limits", "size=1&colour=red", "2.75"),
    ],
)
def test_unknown_query_parameters_are_all_named_in_novas_words(
    compute: Compute, path: str, query: str, version: str
) -> None:
    result = compute.get(path, headers=compute.admin, version=version, query=query)
    assert fault(result) == (
        "badRequest", "Additional properties are not allowed ('colour', 'size' were unexpected)"
    )  # fmt: skip
