"""Fixed public keys of each ssh type with the MD5 fingerprints `ssh-keygen -l -E md5` printed
for them (OpenSSH 9), and certificates made on demand for the x509 key pairs."""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

# (public key line, fingerprint)
SSH_KEYS: list[tuple[str, str]] = [
    (
        "ssh-rsa "
        "AAAAB3NzaC1yc2EAAAADAQABAAABAQCd6F1zkl4NBpdrtMw8/Ze9WVqAmIYyYmS4FNDGNztK3zHp"
        "1eN9oyCso5lDVPiosSMjEsL3E11Jzgs/TD74nSxoi+sWz/P34qhq3pJ9LzvruT6BZMj5lA47yaon"
        "2S4BY1/wBuxmy+2QCGq5HgX2JwxHq3nI6rla0eASQGIBMN5yonKSjOYCUkiYNvnzYVydziMNRjid"
        "Vkk8OzjoUWEoAMQQxFUp63HJN3X6GwcAT1ykB6ZAioPrWFKwPW5pjqMyK5k5dJQS4c34ZJG2gcn4"
        "d9hbDy6kNUum8/a9yjnEUTBDIB9FioF5h1IG7BhpZAb2zh3Tb7dqpcmiwNKvgvxOYL59"
        " alice@laptop",
        "7d:af:cc:0e:7b:1c:1a:03:46:5a:87:ba:1a:2b:12:6e",
    ),
    (
        "ssh-ed25519 "
        "AAAAC3NzaC1lZDI1NTE5AAAAICN/WWKUgKuxjBNN0sY8J6EgISFe1HBxNprN0ySwvYLG"
        " alice@laptop",
        "69:81:b6:96:8f:b2:6a:c3:b1:31:a9:0d:34:fd:2f:f2",
    ),
    (
        "ecdsa-sha2-nistp256 "
        "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBDkOUBkZG40hEZXjnrkAtYn6"
        "tt7Dvz9MBETioCeY/MH27biE/QYesFjRqLe2wAN5UYHh0gD6lYJ3OLYcF07Sayk="
        " alice@laptop",
        "96:4d:3e:a7:18:94:66:ee:31:71:14:a6:32:31:61:3a",
    ),
    (
        "ecdsa-sha2-nistp384 "
        "AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBDjrnhHKnziDnM6AGaJYmMn2"
        "K1SXCbdW+nK5nLjiQhHwFmOqA/77rKyIbjs+OWXr0UelA8pLqf3F0cUu7YJSn5StzKn/FkI6EC+b"
        "d6csfKDKRu2i4tBHxDOpW5tpS9qZRg=="
        " alice@laptop",
        "e5:29:81:6b:03:87:f2:d8:72:6a:47:35:29:bd:8b:31",
    ),
    (
        "ecdsa-sha2-nistp521 "
        "AAAAE2VjZHNhLXNoYTItbmlzdHA1MjEAAAAIbmlzdHA1MjEAAACFBAHVJ+yaGKYaFxUIhuJca1Lj"
        "3wgiIXN637qJlrXtOEfUdTd9FvbJf9g/9kFftocrqEmNLkuAw0VqGuT85gpsA23oggEFGTJ+97W2"
        "yzxehkHhHSNpPDmGj3wXZ4ldGWHpUMcTw02eQeABCbmXGncdivRw5C1HjSpMK1njTv1bjuP8uzq/"
        "/A=="
        " alice@laptop",
        "f4:c7:be:42:07:50:bd:84:de:33:94:11:dc:5b:f0:d2",
    ),
]
RSA_PUBLIC, RSA_FINGERPRINT = SSH_KEYS[0]
ED25519_PUBLIC = SSH_KEYS[1][0]


def make_certificate(common_name: str) -> tuple[str, bytes]:
    """A self-signed certificate: (PEM, DER)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return (
        certificate.public_bytes(serialization.Encoding.PEM).decode(),
        certificate.public_bytes(serialization.Encoding.DER),
    )
