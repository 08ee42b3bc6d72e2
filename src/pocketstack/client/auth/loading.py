"""Auth plugins from plain options: keystoneauth's `loading`, for this package's plugins.

Whoever holds the usual OS_* values (a command line, a clouds.yaml entry, a service's own
config) describes them in AuthOptions, and load_auth picks the plugin they mean and builds it:

    from pocketstack.client.auth.loading import AuthOptions, load_auth

    auth = load_auth(AuthOptions(auth_url="https://keystone.example/v3", username="demo",
                                 password="secret", project_name="demo"))
    session = Session(auth=auth)

What cannot make a plugin (a value missing, an unknown auth type, a URL without http:// or
https://) is an AuthOptionsError whose message is novaclient's, naming the flag and the
variable that give the value.
"""

from __future__ import annotations

from pocketstack.client.errors import MissingAuthOptions

# Warm-path module: see docs/startup.md. Every warm command builds its plugin here.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from pocketstack.client.auth.base import BaseIdentityPlugin, Scope, TokenEndpoint
    from pocketstack.client.cache import AuthStateCache

AUTH_TYPES = (
    "password",
    "token",
    "v2password",
    "v2token",
    "v3password",
    "v3token",
    "v3applicationcredential",
    "v3totp",
    "token_endpoint",
)
# Other spellings of the names above (keystoneauth's entry points, novaclient's aliases).
_AUTH_TYPE_ALIASES = {
    "v2_password": "v2password",
    "v3_password": "v3password",
    "admin_token": "token_endpoint",
    "none": "token_endpoint",
    # keystoneauth's entry point is v3applicationcredential; these are the spellings people
    # write in clouds.yaml (openstacksdk hands `auth_type` to keystoneauth as it is).
    "v3_application_credential": "v3applicationcredential",
    "v3_applicationcredential": "v3applicationcredential",
    "application_credential": "v3applicationcredential",
    "applicationcredential": "v3applicationcredential",
    "v3_totp": "v3totp",
}
# As novaclient does: a v3 user or project name without its domain means the Default domain
# (a genuine Keystone refuses a name alone with 400 "Expecting to find domain in project").
DEFAULT_DOMAIN_ID = "default"

MISSING_AUTH_URL = "You must provide an auth url via either --os-auth-url or env[OS_AUTH_URL]."
MISSING_USER = (
    "You must provide a user name/id (via --os-username, --os-user-id, env[OS_USERNAME] or "
    "env[OS_USER_ID]) or an auth token (via --os-token)."
)
MISSING_PROJECT = (
    "You must provide a project name or project ID via --os-project-name, --os-project-id, "
    "env[OS_PROJECT_ID] or env[OS_PROJECT_NAME]. You may use os-project and os-tenant "
    "interchangeably."
)
MISSING_PASSWORD = (
    "Expecting a password provided via either --os-password, env[OS_PASSWORD], or prompted response"
)
MISSING_ENDPOINT = (
    "You must provide an endpoint via --os-endpoint-override or env[OS_ENDPOINT_OVERRIDE] "
    "with --os-auth-type token_endpoint."
)
MISSING_TOKEN = "You must provide a token via --os-token or env[OS_TOKEN]."


class AuthOptionsError(MissingAuthOptions):
    """The options describe no plugin: a value missing, an unknown auth type, a bad URL."""


class AuthOptions:
    """The auth options, named as keystoneauth names them (OS_<NAME> in the environment).

    `auth_type` None means: chosen from what is given (choose_auth_type); `endpoint_override`
    is the endpoint of the token_endpoint type; `identity_api_version` "2..." drops the
    (v3-only) domain options."""

    __slots__ = (
        "application_credential_id",
        "application_credential_name",
        "application_credential_secret",
        "auth_type",
        "auth_url",
        "domain_id",
        "domain_name",
        "endpoint_override",
        "identity_api_version",
        "passcode",
        "password",
        "project_domain_id",
        "project_domain_name",
        "project_id",
        "project_name",
        "token",
        "user_domain_id",
        "user_domain_name",
        "user_id",
        "username",
    )

    def __init__(
        self,
        *,
        auth_type: str | None = None,
        auth_url: str | None = None,
        username: str | None = None,
        user_id: str | None = None,
        password: str | None = None,
        project_name: str | None = None,
        project_id: str | None = None,
        user_domain_name: str | None = None,
        user_domain_id: str | None = None,
        project_domain_name: str | None = None,
        project_domain_id: str | None = None,
        domain_name: str | None = None,
        domain_id: str | None = None,
        token: str | None = None,
        application_credential_id: str | None = None,
        application_credential_name: str | None = None,
        application_credential_secret: str | None = None,
        passcode: str | None = None,
        identity_api_version: str | None = None,
        endpoint_override: str | None = None,
    ) -> None:
        self.auth_type = auth_type
        self.auth_url = auth_url
        self.username = username
        self.user_id = user_id
        self.password = password
        self.project_name = project_name
        self.project_id = project_id
        self.user_domain_name = user_domain_name
        self.user_domain_id = user_domain_id
        self.project_domain_name = project_domain_name
        self.project_domain_id = project_domain_id
        self.domain_name = domain_name
        self.domain_id = domain_id
        self.token = token
        self.application_credential_id = application_credential_id
        self.application_credential_name = application_credential_name
        self.application_credential_secret = application_credential_secret
        self.passcode = passcode
        self.identity_api_version = identity_api_version
        self.endpoint_override = endpoint_override


def choose_auth_type(o: AuthOptions) -> str:
    """The auth type asked for (aliases resolved), else the one the given values imply."""
    if o.auth_type:
        name = o.auth_type.lower().replace("-", "_")
        return _AUTH_TYPE_ALIASES.get(name, name)
    if o.token and o.endpoint_override and not o.auth_url:
        return "token_endpoint"
    if o.token and not (o.username or o.user_id):
        return "token"
    if o.application_credential_secret:
        return "v3applicationcredential"
    # An id or a name without its secret: say the secret is missing, not the password.
    if (o.application_credential_id or o.application_credential_name) and not o.password:
        return "v3applicationcredential"
    return "password"


def check_url_scheme(url: str, *, what: str, where: str) -> None:
    """Refuse a URL without http:// or https://, naming it and the settings that give it.

    Without a scheme the URL reads as a relative path, and the failure would surface later
    as "Cannot resolve the relative URL", which names neither the cause nor the setting."""
    if url.lower().startswith(("http://", "https://")):
        return
    scheme, found, _ = url.partition("://")
    problem = f"has the scheme {scheme!r}" if found else "has no scheme"
    hint = "" if found else f" (e.g. 'http://{url}')"
    raise AuthOptionsError(
        f"The {what} {url!r} {problem}: it must start with http:// or https://{hint}; "
        f"it comes from {where}"
    )


def _scope(o: AuthOptions, *, v2: bool) -> Scope:
    from pocketstack.client.auth.base import Scope

    if v2:
        return Scope(project_id=o.project_id, project_name=o.project_name)
    domain_id = domain_name = None
    if not (o.project_id or o.project_name):
        domain_id, domain_name = o.domain_id, o.domain_name
    return Scope(
        project_id=o.project_id,
        project_name=o.project_name,
        project_domain_id=o.project_domain_id,
        project_domain_name=o.project_domain_name,
        domain_id=domain_id,
        domain_name=domain_name,
    )


def load_auth(
    o: AuthOptions,
    *,
    cache: AuthStateCache | None = None,
    prompt_password: Callable[[], str | None] | None = None,
    prompt_passcode: Callable[[], str | None] | None = None,
) -> BaseIdentityPlugin | TokenEndpoint:
    """The plugin the options describe, keeping its auth state in `cache` (None: not kept).

    A password-type plugin without a password asks `prompt_password` (if given) for one, a
    v3totp one without a passcode `prompt_passcode`.
    Raises AuthOptionsError naming what is missing or wrong."""
    auth_type = choose_auth_type(o)
    if auth_type not in AUTH_TYPES:
        raise AuthOptionsError(
            f"Unknown auth type {o.auth_type!r}; choose one of: {', '.join(AUTH_TYPES)}"
        )
    if auth_type == "token_endpoint":
        from pocketstack.client.auth.base import TokenEndpoint

        if not o.token:
            raise AuthOptionsError(MISSING_TOKEN)
        if not o.endpoint_override:
            raise AuthOptionsError(MISSING_ENDPOINT)
        check_url_scheme(
            o.endpoint_override,
            what="endpoint override",
            where="env[OS_ENDPOINT_OVERRIDE] or --os-endpoint-override",
        )
        return TokenEndpoint(endpoint=o.endpoint_override, token=o.token)

    if not o.auth_url:
        raise AuthOptionsError(MISSING_AUTH_URL)
    check_url_scheme(
        o.auth_url,
        what="auth URL",
        where="env[OS_AUTH_URL], --os-auth-url or auth_url in clouds.yaml",
    )
    # With identity v2 the (v3-only) domain options of a v3 openrc mean nothing.
    v2 = auth_type in ("v2password", "v2token") or (o.identity_api_version or "").startswith("2")
    scope = _scope(o, v2=v2)
    user_domain_id = None if v2 else o.user_domain_id
    user_domain_name = None if v2 else o.user_domain_name
    # For the plugins that can only speak v3; the generic ones apply it only if they pick v3.
    v3_scope = scope.with_default_domain(DEFAULT_DOMAIN_ID)
    v3_user_domain_id = user_domain_id
    if not (user_domain_id or user_domain_name):
        v3_user_domain_id = DEFAULT_DOMAIN_ID

    if auth_type == "v3applicationcredential":
        from pocketstack.client.auth import application_credential

        try:
            return application_credential.load_application_credential(
                auth_url=o.auth_url,
                secret=o.application_credential_secret,
                application_credential_id=o.application_credential_id,
                application_credential_name=o.application_credential_name,
                username=o.username,
                user_id=o.user_id,
                user_domain_id=o.user_domain_id,
                user_domain_name=o.user_domain_name,
                default_domain_id=DEFAULT_DOMAIN_ID,
                cache=cache,
            )
        except application_credential.ApplicationCredentialOptionsError as exc:
            raise AuthOptionsError(str(exc)) from None

    if auth_type == "v3totp":
        from pocketstack.client.auth import totp

        try:
            return totp.load_totp(
                auth_url=o.auth_url,
                passcode=o.passcode,
                username=o.username,
                user_id=o.user_id,
                user_domain_id=v3_user_domain_id,
                user_domain_name=user_domain_name,
                scope=v3_scope,
                cache=cache,
                prompt_passcode=prompt_passcode,
            )
        except totp.TotpOptionsError as exc:
            raise AuthOptionsError(str(exc)) from None

    if auth_type in ("token", "v2token", "v3token"):
        if not o.token:
            raise AuthOptionsError(MISSING_TOKEN)
        if auth_type == "v2token":
            from pocketstack.client.auth.v2 import V2Token

            return V2Token(
                auth_url=o.auth_url,
                token=o.token,
                tenant_id=scope.project_id,
                tenant_name=scope.project_name,
                cache=cache,
            )
        if auth_type == "v3token":
            from pocketstack.client.auth.v3 import V3Token

            return V3Token(auth_url=o.auth_url, token=o.token, scope=v3_scope, cache=cache)
        from pocketstack.client.auth.generic import Token

        return Token(
            auth_url=o.auth_url,
            token=o.token,
            scope=scope,
            default_domain_id=DEFAULT_DOMAIN_ID,
            cache=cache,
        )

    if not (o.username or o.user_id):
        raise AuthOptionsError(MISSING_USER)
    if not (scope.project_id or scope.project_name or scope.domain_id or scope.domain_name):
        raise AuthOptionsError(MISSING_PROJECT)
    password = o.password
    if not password:
        password = prompt_password() if prompt_password is not None else None
        if not password:
            raise AuthOptionsError(MISSING_PASSWORD)
    if auth_type == "v2password":
        from pocketstack.client.auth.v2 import V2Password

        return V2Password(
            auth_url=o.auth_url,
            password=password,
            username=o.username,
            user_id=o.user_id,
            tenant_id=scope.project_id,
            tenant_name=scope.project_name,
            cache=cache,
        )
    if auth_type == "v3password":
        from pocketstack.client.auth.v3 import V3Password

        return V3Password(
            auth_url=o.auth_url,
            password=password,
            username=o.username,
            user_id=o.user_id,
            user_domain_id=v3_user_domain_id,
            user_domain_name=user_domain_name,
            scope=v3_scope,
            cache=cache,
        )
    from pocketstack.client.auth.generic import Password

    return Password(
        auth_url=o.auth_url,
        password=password,
        username=o.username,
        user_id=o.user_id,
        user_domain_id=user_domain_id,
        user_domain_name=user_domain_name,
        scope=scope,
        default_domain_id=DEFAULT_DOMAIN_ID,
        cache=cache,
    )
