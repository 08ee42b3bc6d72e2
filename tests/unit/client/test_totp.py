"""The `v3totp` auth type: the request keystoneauth's V3TOTP sends, its loading, its cache key."""

from __future__ import annotations

import pytest

from pocketstack.client.auth import totp
from pocketstack.client.auth.loading import AuthOptions, AuthOptionsError, load_auth
from pocketstack.client.auth.v3 import V3TOTP, V3Password

V3_URL = "https://keystone.example/v3"


def _load(**options: str) -> V3TOTP:
    plugin = load_auth(AuthOptions(auth_type="v3totp", auth_url=V3_URL, **options))
    assert isinstance(plugin, V3TOTP)
    return plugin


def test_by_name_the_default_domain_and_the_scope() -> None:
    plugin = _load(username="alice", passcode="123456", project_name="proj")
    assert plugin.method_data() == {
        "user": {"passcode": "123456", "name": "alice", "domain": {"id": "default"}}
    }
    assert plugin.scope.as_v3() == {"project": {"name": "proj", "domain": {"id": "default"}}}
    assert plugin.token_url() == f"{V3_URL}/auth/tokens"


def test_by_id_sends_no_name_and_the_unversioned_root_gets_v3() -> None:
    plugin = load_auth(
        AuthOptions(
            auth_type="v3-totp",
            auth_url="https://keystone.example",
            user_id="u1",
            username="alice",
            user_domain_name="Other",
            passcode=" 654321 ",
        )
    )
    assert isinstance(plugin, V3TOTP)
    assert plugin.method_data() == {"user": {"passcode": "654321", "id": "u1"}}
    assert plugin.token_url() == "https://keystone.example/v3/auth/tokens"


def test_the_cache_key_is_the_user_and_scope_never_the_passcode() -> None:
    first = _load(username="alice", passcode="111111", project_name="proj")
    second = _load(username="alice", passcode="222222", project_name="proj")
    assert first.get_cache_id() == second.get_cache_id()
    other_user = _load(username="bob", passcode="111111", project_name="proj")
    other_scope = _load(username="alice", passcode="111111", project_name="other")
    ids = {first.get_cache_id(), other_user.get_cache_id(), other_scope.get_cache_id()}
    assert len(ids) == 3
    # Not the password plugin's token either: a token made by a password is not a TOTP one.
    password = load_auth(
        AuthOptions(auth_type="v3password", auth_url=V3_URL, username="alice", password="x",
                    project_name="proj")
    )  # fmt: skip
    assert isinstance(password, V3Password)
    assert password.get_cache_id() != first.get_cache_id()
    assert "111111" not in repr(first)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"username": "alice"}, totp.MISSING_PASSCODE),
        ({"passcode": "123456"}, totp.MISSING_USER),
    ],
)
def test_a_missing_option_names_where_it_comes_from(options: dict[str, str], message: str) -> None:
    with pytest.raises(AuthOptionsError) as caught:
        load_auth(AuthOptions(auth_type="v3totp", auth_url=V3_URL, **options))
    assert str(caught.value) == message


def test_the_prompt_gives_the_passcode() -> None:
    plugin = load_auth(
        AuthOptions(auth_type="v3totp", auth_url=V3_URL, username="alice"),
        prompt_passcode=lambda: "333333",
    )
    assert isinstance(plugin, V3TOTP)
    assert plugin.passcode == "333333"
