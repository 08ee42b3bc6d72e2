"""The `v3totp` auth type from plain options, as keystoneauth loads it: a user (by id, or by
name and domain) and the passcode their authenticator app shows now, with any v3 scope.

The client only forwards the passcode it is given; nothing here computes one. A passcode is
good for a minute at most, so it is never part of the token cache's key: the key is the user
and the scope, and a cached token serves the next commands until it expires, whatever
passcode they are given. The passcode is never in a repr, and `--debug` shows it as ***.
"""

from __future__ import annotations

from pocketstack.client.errors import MissingAuthOptions

# Warm-path module: see docs/startup.md. A warm run with a TOTP passcode loads it.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from pocketstack.client.auth.base import Scope
    from pocketstack.client.auth.v3 import V3TOTP
    from pocketstack.client.cache import AuthStateCache

MISSING_PASSCODE = (
    "You must provide a TOTP passcode: --os-passcode, env[OS_PASSCODE] or passcode in "
    "clouds.yaml (or answer the prompt on a terminal)."
)
MISSING_USER = (
    "You must provide the passcode's user: --os-username or --os-user-id, env[OS_USERNAME] or "
    "env[OS_USER_ID], or username or user_id in clouds.yaml."
)


class TotpOptionsError(MissingAuthOptions):
    """The TOTP options are incomplete (loading.py tells it as its own AuthOptionsError)."""


def load_totp(
    *,
    auth_url: str,
    passcode: str | None,
    username: str | None,
    user_id: str | None,
    user_domain_id: str | None,
    user_domain_name: str | None,
    scope: Scope,
    cache: AuthStateCache | None,
    prompt_passcode: Callable[[], str | None] | None = None,
) -> V3TOTP:
    """The plugin for these options; TotpOptionsError naming what is missing.

    A user name's domain is the one given (loading.py fills in the default domain when none is
    given, as for a password)."""
    if not (username or user_id):
        raise TotpOptionsError(MISSING_USER)
    if not passcode and prompt_passcode is not None:
        passcode = prompt_passcode()
    if not passcode:
        raise TotpOptionsError(MISSING_PASSCODE)
    from pocketstack.client.auth.v3 import V3TOTP

    if user_id:
        username = user_domain_id = user_domain_name = None
    return V3TOTP(
        auth_url=auth_url,
        passcode=passcode.strip(),
        username=username,
        user_id=user_id,
        user_domain_id=user_domain_id,
        user_domain_name=user_domain_name,
        scope=scope,
        cache=cache,
    )
