"""The cryptography of key pairs, as Nova does it: public keys checked and fingerprinted, and the
key pairs generated for a user who sends no public key (before microversion 2.92).

ssh keys: whatever `cryptography` loads as an OpenSSH public key (ssh-rsa, ssh-ed25519,
ecdsa-sha2-nistp256/384/521), fingerprinted as the MD5 of the key blob in colon hex, which is
what `ssh-keygen -l -E md5` prints. x509: a PEM certificate, fingerprinted as the SHA-1 of its
DER encoding.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import hashlib

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from pocketstack.cloud.errors import BadRequest

# The API's key pair types (compute/api/keypairs.py); any other is ssh.
X509 = "x509"

# What Nova generates: RSA of 2048 bits, for ssh and for the WinRM certificate alike.
GENERATED_BITS = 2048
# Nova's certificates last ten years (openssl req -days 3650).
CERTIFICATE_DAYS = 3650
# The user principal name (Microsoft's UPN) a WinRM client certificate names its user by.
_UPN = x509.ObjectIdentifier("1.3.6.1.4.1.311.20.2.3")
_MAX_COMMON_NAME = 64


@dataclasses.dataclass(frozen=True)
class Generated:
    private_key: str
    public_key: str
    fingerprint: str


# What the parsers raise for what a client sent: its error, whichever it is (an EC point they
# cannot read is NotImplementedError, an unknown key type UnsupportedAlgorithm, a certificate's
# unknown version InvalidVersion).
_REFUSALS = (
    x509.InvalidVersion,
    ValueError,
    IndexError,
    TypeError,
    UnicodeError,
    NotImplementedError,
    UnsupportedAlgorithm,
    binascii.Error,
)


def _colon_hex(digest: bytes) -> str:
    return ":".join(f"{byte:02x}" for byte in digest)


def invalid_keypair(reason: str) -> BadRequest:
    return BadRequest(f"Keypair data is invalid: {reason}")


def ssh_fingerprint(public_key: str) -> str:
    """The MD5 fingerprint of an OpenSSH public key line; 400 when it is not one."""
    try:
        serialization.load_ssh_public_key(public_key.encode())
        # The blob as the line spells it (type, blob, comment separated by single spaces, as
        # Nova splits them): the key `cryptography` just accepted.
        blob = base64.b64decode(public_key.split(" ")[1])
    except _REFUSALS:
        raise invalid_keypair("failed to generate fingerprint") from None
    return _colon_hex(hashlib.md5(blob, usedforsecurity=False).digest())


def x509_fingerprint(pem: str) -> str:
    """The SHA-1 fingerprint of a PEM certificate; 400 when it is not one."""
    try:
        certificate = x509.load_pem_x509_certificate(pem.encode())
        digest = certificate.fingerprint(hashes.SHA1())  # noqa: S303 - Nova's fingerprint
    except _REFUSALS as exc:
        raise invalid_keypair(
            f"failed to generate X509 fingerprint. Error message: {exc}"
        ) from None
    return _colon_hex(digest)


def fingerprint(public_key: str, key_type: str) -> str:
    return x509_fingerprint(public_key) if key_type == X509 else ssh_fingerprint(public_key)


def _new_rsa() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=GENERATED_BITS)


def generate_ssh() -> Generated:
    """An RSA key pair: the private key in PEM (PKCS#1, as Nova's paramiko writes it, which
    ssh and every client read), the public key as an OpenSSH line."""
    key = _new_rsa()
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    blob = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    public = f"{blob.decode()} Generated-by-Nova"
    return Generated(private, public, ssh_fingerprint(public))


def _der_utf8_string(text: str) -> bytes:
    """A DER UTF8String (tag 12): the value of the UPN otherName."""
    data = text.encode()
    length = len(data)
    if length < 0x80:
        head = bytes([length])
    else:
        size = length.to_bytes((length.bit_length() + 7) // 8, "big")
        head = bytes([0x80 | len(size)]) + size
    return b"\x0c" + head + data


def generate_x509(user_id: str, *, now: dt.datetime) -> Generated:
    """A self-signed client certificate for WinRM (CN and UPN naming the user) and its key: the
    certificate in PEM is the public key, the key and certificate in an unencrypted PKCS#12,
    base64, the private key."""
    if not 1 <= len(user_id) <= _MAX_COMMON_NAME:
        # A common name holds 64 characters; an admin may name a longer user id.
        raise invalid_keypair(f"a certificate cannot name a user id of {len(user_id)} characters")
    key = _new_rsa()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, user_id)])
    upn = x509.OtherName(_UPN, _der_utf8_string(f"{user_id}@localhost"))
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=CERTIFICATE_DAYS))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName([upn]), critical=False)
        .sign(key, hashes.SHA256())
    )
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
    bundle = pkcs12.serialize_key_and_certificates(
        None, key, certificate, None, serialization.NoEncryption()
    )
    return Generated(base64.b64encode(bundle).decode(), pem, x509_fingerprint(pem))


def generate(key_type: str, user_id: str, *, now: dt.datetime) -> Generated:
    return generate_x509(user_id, now=now) if key_type == X509 else generate_ssh()
