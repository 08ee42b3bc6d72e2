"""The `v3applicationcredential` auth type: the token request, loading and its errors, the cache.

Our cloud does not offer the application_credential auth method yet, so `AppCredGate` stands
in for that one Keystone method in front of the real cloud app: it checks the request as
Keystone does (the credential by id, or by name and user, with its secret; no scope) and
answers with a real token of the real app, so everything after authentication is the real
cloud. The genuine Keystone proof is in tests/unit/cli/test_application_credential_keystone.py.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from pocketstack.client.auth import application_credential as app_cred
from pocketstack.client.auth.loading import AuthOptions, AuthOptionsError, load_auth
from pocketstack.client.auth.v3 import V3ApplicationCredential
from pocketstack.client.cache import AuthStateCache
from pocketstack.client.catalog import EndpointFilter
from pocketstack.client.errors import Unauthorized
from pocketstack.client.session import Session
from pocketstack.client.transport import Headers, Request, Response
from pocketstack.client.transport.wsgi import WSGITransport
from tests.fixtures.cloud import ADMIN_PASSWORD, TEST_PUBLIC_URL
from tests.unit.client.conftest import IDENTITY, V3_URL

COMPUTE = EndpointFilter(service_type="compute")
CRED_ID = "4d5c0e1b9a7f4c3e8b2a6d1f0e9c8b7a"
CRED_NAME = "ci-runner"
SECRET = "app-cred-secret-never-shown"
UNAUTHORIZED = {
    "error": {
        "code": 401,
        "title": "Unauthorized",
        "message": "The request you have made requires authentication.",
    }
}


@dataclasses.dataclass(frozen=True)
class Credential:
    id: str
    name: str
    secret: str
    user_name: str = "admin"
    user_domain: str = "Default"


class AppCredGate:
    """A transport: Keystone's application_credential method in front of the real cloud app.

    A good request gets the admin's real token for the admin project (the project the
    credential was made in) with the credential named in it, as Keystone's answer has it."""

    def __init__(self, inner: WSGITransport, credentials: tuple[Credential, ...]) -> None:
        self.inner = inner
        self.credentials = credentials
        self.sent: list[Request] = []
        self.auth_bodies: list[dict[str, object]] = []

    def send(self, request: Request) -> Response:
        self.sent.append(request)
        if request.method == "POST" and request.url.endswith("/v3/auth/tokens"):
            body = json.loads(request.body or b"{}")
            if body["auth"]["identity"]["methods"] == ["application_credential"]:
                self.auth_bodies.append(body)
                return self._authenticate(body["auth"], request.url)
        return self.inner.send(request)

    def _find(self, auth: dict[str, dict[str, object]]) -> Credential | None:
        if "scope" in auth:  # Keystone refuses a scope other than the credential's own
            return None
        data = auth["identity"]["application_credential"]
        assert isinstance(data, dict)
        for cred in self.credentials:
            if data.get("secret") != cred.secret:
                continue
            if data.get("id") == cred.id:
                return cred
            user = data.get("user") or {}
            domains = ({"name": cred.user_domain}, {"id": "default"})
            if (
                data.get("name") == cred.name
                and user.get("name") == cred.user_name
                and user.get("domain") in domains
            ):
                return cred
        return None

    def _authenticate(self, auth: dict[str, dict[str, object]], url: str) -> Response:
        cred = self._find(auth)
        if cred is None:
            return Response(
                status=401,
                reason="Unauthorized",
                headers=Headers([("Content-Type", "application/json")]),
                body=json.dumps(UNAUTHORIZED).encode(),
                url=url,
            )
        password = {
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {
                            "name": "admin",
                            "domain": {"id": "default"},
                            "password": ADMIN_PASSWORD,
                        }
                    },
                },
                "scope": {"project": {"name": "admin", "domain": {"id": "default"}}},
            }
        }
        real = self.inner.send(
            Request(
                method="POST",
                url=f"{TEST_PUBLIC_URL}/identity/v3/auth/tokens",
                headers=Headers([("Content-Type", "application/json")]),
                body=json.dumps(password).encode(),
            )
        )
        assert real.status == 201, real.body
        token = json.loads(real.body)
        token["token"]["methods"] = ["application_credential"]
        token["token"]["application_credential"] = {
            "id": cred.id,
            "name": cred.name,
            "restricted": True,
        }
        return Response(
            status=201,
            reason="Created",
            headers=real.headers,
            body=json.dumps(token).encode(),
            url=url,
        )

    def close(self) -> None:
        return None


def paths(gate: AppCredGate) -> list[str]:
    return [f"{r.method} {r.url.removeprefix(TEST_PUBLIC_URL)}" for r in gate.sent]


@pytest.fixture
def gate(transport: WSGITransport) -> AppCredGate:
    return AppCredGate(transport, (Credential(id=CRED_ID, name=CRED_NAME, secret=SECRET),))


def by_id(auth_url: str = V3_URL, *, secret: str = SECRET, **more: str) -> AuthOptions:
    return AuthOptions(
        auth_type="v3applicationcredential",
        auth_url=auth_url,
        application_credential_id=more.pop("application_credential_id", CRED_ID),
        application_credential_secret=secret,
        username=more.get("username"),
        project_name=more.get("project_name"),
    )


def test_by_id_sends_id_and_secret_without_scope_then_uses_the_catalog(
    gate: AppCredGate,
) -> None:
    # A v3 openrc's user and project left in the environment change nothing.
    plugin = load_auth(by_id(username="someone", project_name="other"))
    assert isinstance(plugin, V3ApplicationCredential)
    session = Session(auth=plugin, transport=gate)
    response = session.request("/servers", "GET", endpoint_filter=COMPUTE)
    assert response.json() == {"servers": []}
    assert gate.auth_bodies == [
        {
            "auth": {
                "identity": {
                    "methods": ["application_credential"],
                    "application_credential": {"id": CRED_ID, "secret": SECRET},
                }
            }
        }
    ]
    # No version discovery: the type speaks v3 only.
    assert paths(gate) == ["POST /identity/v3/auth/tokens", "GET /compute/v2.1/servers"]
    assert plugin.get_access(session).project_name == "admin"


@pytest.mark.parametrize(
    ("user", "sent_user"),
    [
        (
            {"username": "admin", "user_domain_name": "Default"},
            {"name": "admin", "domain": {"name": "Default"}},
        ),
        # A user name alone means the Default domain, as for passwords.
        ({"username": "admin"}, {"name": "admin", "domain": {"id": "default"}}),
        ({"user_id": "u-1", "user_domain_name": "Ignored"}, {"id": "u-1"}),
    ],
)
def test_by_name_names_the_user(
    gate: AppCredGate, user: dict[str, str], sent_user: dict[str, object]
) -> None:
    plugin = load_auth(
        AuthOptions(
            auth_type="application_credential",
            auth_url=V3_URL,
            application_credential_name=CRED_NAME,
            application_credential_secret=SECRET,
            **user,
        )
    )
    assert isinstance(plugin, V3ApplicationCredential)
    expected = {"secret": SECRET, "name": CRED_NAME, "user": sent_user}
    assert plugin.method_data() == expected
    if "user_id" not in user:
        assert plugin.get_access(Session(auth=plugin, transport=gate)).project_name == "admin"


def test_an_unversioned_auth_url_gets_v3_as_keystoneauth_does(gate: AppCredGate) -> None:
    plugin = load_auth(by_id(IDENTITY + "/"))
    plugin.get_headers(Session(auth=plugin, transport=gate))
    assert paths(gate) == ["POST /identity/v3/auth/tokens"]


@pytest.mark.parametrize(
    "auth_type",
    [
        "v3applicationcredential",
        "application_credential",
        "applicationcredential",
        "v3-application-credential",
        "V3ApplicationCredential",
    ],
)
def test_auth_type_spellings(auth_type: str) -> None:
    options = by_id()
    options.auth_type = auth_type
    assert isinstance(load_auth(options), V3ApplicationCredential)


def test_chosen_without_an_auth_type_when_its_options_are_given() -> None:
    plugin = load_auth(
        AuthOptions(
            auth_url=V3_URL, application_credential_id=CRED_ID, application_credential_secret=SECRET
        )
    )
    assert isinstance(plugin, V3ApplicationCredential)
    # The id without the secret: the message is about the secret, not about a password.
    with pytest.raises(AuthOptionsError) as caught:
        load_auth(AuthOptions(auth_url=V3_URL, application_credential_id=CRED_ID))
    assert str(caught.value) == app_cred.MISSING_SECRET


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"application_credential_id": CRED_ID}, app_cred.MISSING_SECRET),
        ({"application_credential_secret": SECRET}, app_cred.MISSING_ID_OR_NAME),
        ({}, app_cred.MISSING_ID_OR_NAME),
        (
            {"application_credential_name": CRED_NAME, "application_credential_secret": SECRET},
            app_cred.MISSING_USER,
        ),
    ],
)
def test_incomplete_options_fail_before_any_request(options: dict[str, str], message: str) -> None:
    with pytest.raises(AuthOptionsError) as caught:
        load_auth(AuthOptions(auth_type="v3applicationcredential", auth_url=V3_URL, **options))
    assert str(caught.value) == message
    assert "\n" not in message
    assert SECRET not in message


def test_a_wrong_secret_is_unauthorized_and_not_shown(gate: AppCredGate) -> None:
    plugin = load_auth(by_id(secret="not-the-secret"))
    with pytest.raises(Unauthorized) as caught:
        plugin.get_headers(Session(auth=plugin, transport=gate))
    assert "not-the-secret" not in str(caught.value)


def test_the_cache_keys_on_the_credential_never_its_secret(
    gate: AppCredGate, tmp_path: Path
) -> None:
    cache = AuthStateCache(directory=tmp_path / "auth")
    first = load_auth(by_id(), cache=cache)
    assert isinstance(first, V3ApplicationCredential)
    token = first.get_token(Session(auth=first, transport=gate))
    (cache_file,) = (tmp_path / "auth").iterdir()
    assert SECRET not in cache_file.read_text()
    assert SECRET not in json.dumps(first.cache_elements())

    # Another process with the same credential (and a stray OS_USERNAME): the cached token.
    again = load_auth(by_id(username="someone", project_name="other"), cache=cache)
    assert isinstance(again, V3ApplicationCredential)
    assert again.get_cache_id() == first.get_cache_id()
    assert again.get_token(Session(auth=again, transport=gate)) == token
    assert again.from_cache
    assert len(gate.auth_bodies) == 1

    # Another credential, or the same one by name, is another identity.
    other = load_auth(by_id(application_credential_id="another"), cache=cache)
    assert isinstance(other, V3ApplicationCredential)
    named = V3ApplicationCredential(
        auth_url=V3_URL, secret=SECRET, application_credential_name=CRED_NAME, username="admin"
    )
    ids = {first.get_cache_id(), other.get_cache_id(), named.get_cache_id()}
    assert len(ids) == 3


def test_debug_masks_the_secret(gate: AppCredGate) -> None:
    lines: list[str] = []
    plugin = load_auth(by_id())
    session = Session(auth=plugin, transport=gate, debug=lines.append)
    session.request("/servers", "GET", endpoint_filter=COMPUTE)
    log = "\n".join(lines)
    assert f"-X POST {V3_URL}/auth/tokens" in log
    assert '"secret": "***"' in log
    assert CRED_ID in log
    assert SECRET not in log
