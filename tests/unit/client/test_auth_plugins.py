from __future__ import annotations

import pytest

from pocketstack.client.access import AccessInfoV2, AccessInfoV3
from pocketstack.client.auth.base import Scope, TokenEndpoint
from pocketstack.client.auth.generic import Password, Token
from pocketstack.client.auth.v2 import V2Password, V2Token
from pocketstack.client.auth.v3 import V3ApplicationCredential, V3Password, V3Token
from pocketstack.client.catalog import EndpointFilter
from pocketstack.client.errors import DiscoveryFailure, HttpError, Unauthorized
from pocketstack.client.session import Session
from pocketstack.client.transport.wsgi import WSGITransport
from tests.fixtures.cloud import ADMIN_PASSWORD, TEST_PUBLIC_URL
from tests.unit.client.conftest import IDENTITY, V2_URL, V3_URL, admin_password_plugin, paths

COMPUTE = EndpointFilter(service_type="compute")


def test_v2_auth_url_is_the_seeds_flow(transport: WSGITransport) -> None:
    plugin = admin_password_plugin(V2_URL, v3=False)
    session = Session(auth=plugin, transport=transport)
    response = session.request("/servers/detail", "GET", endpoint_filter=COMPUTE)
    assert response.status == 200
    assert response.json() == {"servers": []}
    assert paths(transport) == [
        "GET /identity/v2.0",
        "POST /identity/v2.0/tokens",
        "GET /compute/v2.1/servers/detail",
    ]
    assert isinstance(plugin.chosen, V2Password)
    assert isinstance(plugin.get_access(session), AccessInfoV2)


def test_v3_auth_url_uses_v3(transport: WSGITransport) -> None:
    plugin = admin_password_plugin(V3_URL)
    session = Session(auth=plugin, transport=transport)
    access = plugin.get_access(session)
    assert isinstance(access, AccessInfoV3)
    assert access.project_name == "admin"
    assert access.username == "admin"
    assert "admin" in access.role_names
    assert paths(transport) == ["GET /identity/v3", "POST /identity/v3/auth/tokens"]


def test_unversioned_root_300_prefers_v3(transport: WSGITransport) -> None:
    plugin = admin_password_plugin(IDENTITY)
    session = Session(auth=plugin, transport=transport)
    plugin.get_access(session)
    assert isinstance(plugin.chosen, V3Password)
    assert paths(transport)[-1] == "POST /identity/v3/auth/tokens"


def test_root_without_domains_still_prefers_v3(transport: WSGITransport) -> None:
    plugin = Password(
        auth_url=IDENTITY,
        username="admin",
        password=ADMIN_PASSWORD,
        scope=Scope(project_name="admin"),
    )
    session = Session(auth=plugin, transport=transport)
    with pytest.raises(HttpError):
        # v3 needs the domain of a project named without one: the server says so (400).
        plugin.get_access(session)
    assert isinstance(plugin.chosen, V3Password)


def test_default_domain_completes_a_domainless_v3_login(transport: WSGITransport) -> None:
    """As novaclient does: a v2-era openrc (no domains) works against a v3-only identity."""
    plugin = Password(
        auth_url=IDENTITY,
        username="admin",
        password=ADMIN_PASSWORD,
        scope=Scope(project_name="admin"),
        default_domain_id="default",
    )
    session = Session(auth=plugin, transport=transport)
    access = plugin.get_access(session)
    assert isinstance(plugin.chosen, V3Password)
    assert isinstance(access, AccessInfoV3)
    assert access.project_name == "admin"


def test_default_domain_does_not_push_a_v2_url_to_v3(transport: WSGITransport) -> None:
    plugin = Password(
        auth_url=V2_URL,
        username="admin",
        password=ADMIN_PASSWORD,
        scope=Scope(project_name="admin"),
        default_domain_id="default",
    )
    session = Session(auth=plugin, transport=transport)
    assert isinstance(plugin.get_access(session), AccessInfoV2)
    assert paths(transport)[-1] == "POST /identity/v2.0/tokens"


def test_domain_parameters_skip_v2(transport: WSGITransport) -> None:
    plugin = admin_password_plugin(V2_URL, v3=True)
    with pytest.raises(DiscoveryFailure, match="Cannot use v2 authentication with domain scope"):
        plugin.get_access(Session(auth=plugin, transport=transport))
    # Discovery happened, no token request was made with parameters v2 cannot honour.
    assert paths(transport) == ["GET /identity/v2.0"]


def test_discovery_is_cached_on_the_session(transport: WSGITransport) -> None:
    session = Session(transport=transport)
    for _ in range(2):
        plugin = admin_password_plugin(V3_URL)
        session.auth = plugin
        plugin.get_access(session)
    assert paths(transport).count("GET /identity/v3") == 1
    assert paths(transport).count("POST /identity/v3/auth/tokens") == 2


def test_discovery_failure_falls_back_to_the_url_path(transport: WSGITransport) -> None:
    # The cloud has no document at /identity/v3/auth (404), but the path names v3:
    # the plugin guesses v3 there, and the server answers the token request itself.
    plugin = admin_password_plugin(f"{IDENTITY}/v3/nothing-here")
    with pytest.raises(HttpError) as caught:
        plugin.get_access(Session(auth=plugin, transport=transport))
    assert isinstance(plugin.chosen, V3Password)
    assert caught.value.status_code == 404
    assert paths(transport) == [
        "GET /identity/v3/nothing-here",
        "POST /identity/v3/nothing-here/auth/tokens",
    ]


def test_discovery_failure_without_version_in_path(transport: WSGITransport) -> None:
    plugin = admin_password_plugin(f"{TEST_PUBLIC_URL}/nowhere")
    with pytest.raises(DiscoveryFailure):
        plugin.get_access(Session(auth=plugin, transport=transport))


def test_wrong_password_is_a_typed_401(transport: WSGITransport) -> None:
    plugin = Password(
        auth_url=V3_URL,
        username="admin",
        password="wrong",
        user_domain_name="Default",
        scope=Scope(project_name="admin", project_domain_name="Default"),
    )
    with pytest.raises(Unauthorized) as caught:
        plugin.get_access(Session(auth=plugin, transport=transport))
    assert caught.value.message == "The request you have made requires authentication."
    assert caught.value.request_id


def test_token_plugins_rescope_an_existing_token(transport: WSGITransport) -> None:
    session = Session(auth=admin_password_plugin(V3_URL), transport=transport)
    token = session.get_auth_headers()["X-Auth-Token"]
    v3 = V3Token(
        auth_url=V3_URL,
        token=token,
        scope=Scope(project_name="admin", project_domain_name="Default"),
    )
    access = v3.get_access(session)
    assert access.auth_token != token
    assert access.project_name == "admin"
    generic = Token(auth_url=V2_URL, token=token, scope=Scope(project_name="admin"))
    assert generic.get_access(session).project_name == "admin"
    assert isinstance(generic.chosen, V2Token)


def test_v2_plugins_directly(transport: WSGITransport) -> None:
    session = Session(transport=transport)
    password = V2Password(
        auth_url=V2_URL, username="admin", password=ADMIN_PASSWORD, tenant_name="admin"
    )
    access = password.get_access(session)
    assert access.project_name == "admin"
    token = V2Token(auth_url=V2_URL, token=access.auth_token, tenant_id=access.project_id)
    assert token.get_access(session).project_id == access.project_id
    assert all("GET" not in p for p in paths(transport))  # no discovery for versioned plugins


def test_application_credential_request_shape() -> None:
    by_name = V3ApplicationCredential(
        auth_url=V3_URL,
        secret="s",
        application_credential_name="n",
        username="u",
        user_domain_name="Default",
    )
    assert by_name.method_data() == {
        "secret": "s",
        "name": "n",
        "user": {"name": "u", "domain": {"name": "Default"}},
    }
    by_id = V3ApplicationCredential(auth_url=V3_URL, secret="s", application_credential_id="i")
    assert by_id.method_data() == {"secret": "s", "id": "i"}
    assert by_id.scope.as_v3() is None


def test_token_endpoint_needs_no_auth_round_trip(transport: WSGITransport) -> None:
    session = Session(auth=admin_password_plugin(V3_URL), transport=transport)
    token = session.get_auth_headers()["X-Auth-Token"]
    sent_before = len(transport.sent)
    plain = Session(
        auth=TokenEndpoint(endpoint=f"{TEST_PUBLIC_URL}/compute/v2.1", token=token),
        transport=transport,
    )
    assert plain.request("/servers", "GET", endpoint_filter=COMPUTE).json() == {"servers": []}
    assert paths(transport)[sent_before:] == ["GET /compute/v2.1/servers"]


def test_expiring_token_is_renewed(transport: WSGITransport) -> None:
    plugin = admin_password_plugin(V3_URL)
    session = Session(auth=plugin, transport=transport)
    first = plugin.get_access(session)
    state = plugin.get_auth_state()
    assert state is not None
    # The same token, saved when it had 60 s left: under the 120 s margin.
    import datetime as dt

    soon = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=60)
    state["body"]["token"]["expires_at"] = soon.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    fresh = admin_password_plugin(V3_URL)
    assert not fresh.set_auth_state(state)
    assert fresh.get_access(session).auth_token != first.auth_token


def test_revoked_token_reauthenticates_once(cloud_deps, transport: WSGITransport) -> None:  # type: ignore[no-untyped-def]
    plugin = admin_password_plugin(V3_URL)
    session = Session(auth=plugin, transport=transport)
    old = plugin.get_token(session)
    cloud_deps.tokens.revoke_token(cloud_deps.tokens.decode(old))
    response = session.request("/servers", "GET", endpoint_filter=COMPUTE)
    assert response.status == 200
    assert plugin.get_token(session) != old
    assert paths(transport)[-3:] == [
        "GET /compute/v2.1/servers",
        "POST /identity/v3/auth/tokens",
        "GET /compute/v2.1/servers",
    ]
