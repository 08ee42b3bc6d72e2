"""The `v3applicationcredential` auth type from plain options, as keystoneauth loads it.

An application credential is a secret plus either its id, or its name and its owner (a name is
unique per user only). It carries its own project, so no scope is ever sent, and the project
options of an openrc still in the environment are ignored rather than refused.

Every check runs before a request is sent, and each failure is one line naming the options
that give the missing value. The secret is never part of the token cache's key (the key is the
credential's id, or its name and user, as a password plugin's is the user and never the
password), never in a repr, and `--debug` shows it as ***.
"""

from __future__ import annotations

from pocketstack.client.errors import MissingAuthOptions

# Warm-path module: see docs/startup.md. A warm run with an application credential loads it.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pocketstack.client.auth.v3 import V3ApplicationCredential
    from pocketstack.client.cache import AuthStateCache

# keystoneauth's wording, with where each value comes from.
MISSING_ID_OR_NAME = (
    "You must provide either an application credential ID or an application credential name "
    "and user: --os-application-credential-id or --os-application-credential-name, "
    "env[OS_APPLICATION_CREDENTIAL_ID] or env[OS_APPLICATION_CREDENTIAL_NAME], or "
    "application_credential_id or application_credential_name in clouds.yaml."
)
MISSING_SECRET = (
    "You must provide an application credential secret: --os-application-credential-secret, "
    "env[OS_APPLICATION_CREDENTIAL_SECRET] or application_credential_secret in clouds.yaml "
    "(or secure.yaml)."
)
MISSING_USER = (
    "An application credential name is unique per user only: also give its user with "
    "--os-username or --os-user-id (env[OS_USERNAME] or env[OS_USER_ID]), or use the "
    "credential's ID (--os-application-credential-id)."
)


class ApplicationCredentialOptionsError(MissingAuthOptions):
    """The application credential options are incomplete (loading.py tells it as its own
    AuthOptionsError: this module does not import loading, which imports it)."""


def load_application_credential(
    *,
    auth_url: str,
    secret: str | None,
    application_credential_id: str | None,
    application_credential_name: str | None,
    username: str | None,
    user_id: str | None,
    user_domain_id: str | None,
    user_domain_name: str | None,
    default_domain_id: str | None,
    cache: AuthStateCache | None,
) -> V3ApplicationCredential:
    """The plugin for these options; ApplicationCredentialOptionsError when one is missing.

    With the id, the user options are not sent (Keystone finds the user from the credential);
    with a name, a user name without its domain means `default_domain_id`."""
    if not (application_credential_id or application_credential_name):
        raise ApplicationCredentialOptionsError(MISSING_ID_OR_NAME)
    if not secret:
        raise ApplicationCredentialOptionsError(MISSING_SECRET)
    from pocketstack.client.auth.v3 import V3ApplicationCredential

    if application_credential_id:
        return V3ApplicationCredential(
            auth_url=auth_url,
            secret=secret,
            application_credential_id=application_credential_id,
            cache=cache,
        )
    if not (username or user_id):
        raise ApplicationCredentialOptionsError(MISSING_USER)
    if user_id:
        username = user_domain_id = user_domain_name = None
    elif not (user_domain_id or user_domain_name):
        user_domain_id = default_domain_id
    return V3ApplicationCredential(
        auth_url=auth_url,
        secret=secret,
        application_credential_name=application_credential_name,
        username=username,
        user_id=user_id,
        user_domain_id=user_domain_id,
        user_domain_name=user_domain_name,
        cache=cache,
    )
