"""What a command gets besides its arguments: the resolved settings, a lazily built session
with its auth plugin, per-service adapters, and the streams to write to."""

from __future__ import annotations

import os
import sys

from pocketstack.cli.errors import CommandError

# Not `typing.TYPE_CHECKING`: typing and pathlib cost a warm run ~7 ms to import.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path
    from typing import Any, TextIO

    from pocketstack.cli.argspec import Namespace
    from pocketstack.cli.options import Settings
    from pocketstack.client.adapter import Adapter
    from pocketstack.client.auth.base import BaseIdentityPlugin, Scope, TokenEndpoint
    from pocketstack.client.session import Session
    from pocketstack.client.transport import Transport

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
# As novaclient does: a v3 user or project name without its domain means the Default domain
# (a genuine Keystone refuses a name alone with 400 "Expecting to find domain in project").
DEFAULT_DOMAIN_ID = "default"
MISSING_APP_CRED = (
    "You must provide an application credential secret (--os-application-credential-secret, "
    "env[OS_APPLICATION_CREDENTIAL_SECRET]) and its id or name "
    "(--os-application-credential-id/-name)."
)


class Context:
    def __init__(
        self,
        *,
        args: Namespace,
        settings: Settings,
        stdout: TextIO,
        stderr: TextIO,
        environ: Mapping[str, str],
        transport: Transport | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self.args = args
        self.settings = settings
        self.stdout = stdout
        self.stderr = stderr
        self.environ = environ
        self._transport = transport
        # Where the auth-state cache lives when not the default (tests point it elsewhere).
        self.cache_dir = cache_dir
        self._session: Session | None = None
        self._auth: BaseIdentityPlugin | TokenEndpoint | None = None

    # the session --------------------------------------------------------------------------
    @property
    def session(self) -> Session:
        if self._session is None:
            from pocketstack.client.session import Session
            from pocketstack.client.transport import TLSOptions

            s = self.settings
            verify = not s.insecure and s.verify_from_cloud is not False
            self._session = Session(
                auth=self.auth,
                transport=self._transport,
                tls=TLSOptions(
                    verify=verify, cafile=s.os_cacert, certfile=s.os_cert, keyfile=s.os_key
                ),
                timeout=s.timeout if s.timeout and s.timeout > 0 else None,
                status_retries=2,
                debug=self._debug_line if s.debug else None,
            )
        return self._session

    def _debug_line(self, line: str) -> None:
        self.stderr.write(line + "\n")

    @property
    def auth(self) -> BaseIdentityPlugin | TokenEndpoint:
        if self._auth is None:
            self._auth = build_auth(
                self.settings,
                cache_dir=self.cache_dir,
                interactive=_is_tty(sys.stdin),
                warn=self.stderr.write,
            )
        return self._auth

    def adapter(
        self,
        *,
        service_type: str,
        microversion: str | None = None,
        service_name: str | None = None,
        endpoint_override: str | None = None,
    ) -> Adapter:
        from pocketstack.client.adapter import Adapter

        s = self.settings
        return Adapter(
            self.session,
            service_type=service_type,
            interface=s.os_interface,
            region_name=s.os_region_name,
            service_name=service_name,
            endpoint_override=endpoint_override,
            microversion=microversion,
        )

    # per-service data kept with the auth state (e.g. the compute version document) --------
    def get_cached_data(self, key: str) -> Any:
        from pocketstack.client.auth.base import BaseIdentityPlugin

        auth = self.auth
        return auth.get_cached_data(key) if isinstance(auth, BaseIdentityPlugin) else None

    def set_cached_data(self, key: str, value: Any) -> None:
        from pocketstack.client.auth.base import BaseIdentityPlugin

        auth = self.auth
        if isinstance(auth, BaseIdentityPlugin):
            auth.set_cached_data(key, value)

    def finish(self) -> None:
        """Print --timings and close connections; called by main whatever happened."""
        session = self._session
        if session is None:
            if self.settings.timings:
                self.stderr.write("No HTTP request was sent.\n")
            return
        if self.settings.timings:
            from pocketstack.cli.output import render_table

            rows = [
                [f"{t.method} {t.url}", str(t.status or "-"), f"{t.elapsed:.4f}"]
                for t in session.timings
            ]
            total = sum(t.elapsed for t in session.timings)
            count = len(session.timings)
            label = f"Total ({count} request{'' if count == 1 else 's'})"
            rows.append([label, "", f"{total:.4f}"])
            self.stderr.write(render_table(["Request", "Status", "Seconds"], rows) + "\n")
        session.close()


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _scope(s: Settings, *, v2: bool) -> Scope:
    from pocketstack.client.auth.base import Scope

    if v2:
        return Scope(project_id=s.os_project_id, project_name=s.os_project_name)
    project_domain_id, project_domain_name = s.os_project_domain_id, s.os_project_domain_name
    domain_id = domain_name = None
    if not (s.os_project_id or s.os_project_name):
        domain_id, domain_name = s.os_domain_id, s.os_domain_name
    return Scope(
        project_id=s.os_project_id,
        project_name=s.os_project_name,
        project_domain_id=project_domain_id,
        project_domain_name=project_domain_name,
        domain_id=domain_id,
        domain_name=domain_name,
    )


def choose_auth_type(s: Settings) -> str:
    if s.os_auth_type:
        name = s.os_auth_type.lower().replace("-", "_")
        aliases = {
            "v2_password": "v2password",
            "v3_password": "v3password",
            "admin_token": "token_endpoint",
            "none": "token_endpoint",
            "v3_application_credential": "v3applicationcredential",
        }
        return aliases.get(name, name)
    if s.os_token and s.os_endpoint_override and not s.os_auth_url:
        return "token_endpoint"
    if s.os_token and not (s.os_username or s.os_user_id):
        return "token"
    if s.os_application_credential_secret:
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
    raise CommandError(
        f"The {what} {url!r} {problem}: it must start with http:// or https://{hint}; "
        f"it comes from {where}"
    )


def build_auth(
    s: Settings,
    *,
    cache_dir: Path | None = None,
    interactive: bool = False,
    warn: Callable[[str], object] | None = None,
) -> BaseIdentityPlugin | TokenEndpoint:
    """The auth plugin the settings describe, or a CommandError naming what is missing."""
    from pocketstack.cli.options import AUTH_TYPES

    auth_type = choose_auth_type(s)
    if auth_type not in AUTH_TYPES:
        raise CommandError(
            f"Unknown auth type {s.os_auth_type!r}; choose one of: {', '.join(AUTH_TYPES)}"
        )
    if auth_type == "token_endpoint":
        from pocketstack.client.auth.base import TokenEndpoint

        if not s.os_token:
            raise CommandError(MISSING_TOKEN)
        if not s.os_endpoint_override:
            raise CommandError(MISSING_ENDPOINT)
        check_url_scheme(
            s.os_endpoint_override,
            what="endpoint override",
            where="env[OS_ENDPOINT_OVERRIDE] or --os-endpoint-override",
        )
        return TokenEndpoint(endpoint=s.os_endpoint_override, token=s.os_token)

    from pocketstack.client.cache import AuthStateCache

    if not s.os_auth_url:
        raise CommandError(MISSING_AUTH_URL)
    check_url_scheme(
        s.os_auth_url,
        what="auth URL",
        where="env[OS_AUTH_URL], --os-auth-url or auth_url in clouds.yaml",
    )
    cache = None if s.no_cache else AuthStateCache(directory=cache_dir, warn=warn)
    # With identity v2 the (v3-only) domain settings of a v3 openrc mean nothing.
    v2 = auth_type in ("v2password", "v2token") or (
        (s.os_identity_api_version or "").startswith("2")
    )
    scope = _scope(s, v2=v2)
    user_domain_id = None if v2 else s.os_user_domain_id
    user_domain_name = None if v2 else s.os_user_domain_name
    # For the plugins that can only speak v3; the generic ones apply it only if they pick v3.
    v3_scope = scope.with_default_domain(DEFAULT_DOMAIN_ID)
    v3_user_domain_id = user_domain_id
    if not (user_domain_id or user_domain_name):
        v3_user_domain_id = DEFAULT_DOMAIN_ID

    if auth_type == "v3applicationcredential":
        from pocketstack.client.auth.v3 import V3ApplicationCredential

        secret = s.os_application_credential_secret
        if not secret or not (s.os_application_credential_id or s.os_application_credential_name):
            raise CommandError(MISSING_APP_CRED)
        if not s.os_application_credential_id and not (s.os_username or s.os_user_id):
            raise CommandError(MISSING_USER)
        return V3ApplicationCredential(
            auth_url=s.os_auth_url,
            secret=secret,
            application_credential_id=s.os_application_credential_id,
            application_credential_name=s.os_application_credential_name,
            username=s.os_username,
            user_id=s.os_user_id,
            user_domain_id=v3_user_domain_id,
            user_domain_name=user_domain_name,
            cache=cache,
        )

    if auth_type in ("token", "v2token", "v3token"):
        if not s.os_token:
            raise CommandError(MISSING_TOKEN)
        if auth_type == "v2token":
            from pocketstack.client.auth.v2 import V2Token

            return V2Token(
                auth_url=s.os_auth_url,
                token=s.os_token,
                tenant_id=scope.project_id,
                tenant_name=scope.project_name,
                cache=cache,
            )
        if auth_type == "v3token":
            from pocketstack.client.auth.v3 import V3Token

            return V3Token(auth_url=s.os_auth_url, token=s.os_token, scope=v3_scope, cache=cache)
        from pocketstack.client.auth.generic import Token

        return Token(
            auth_url=s.os_auth_url,
            token=s.os_token,
            scope=scope,
            default_domain_id=DEFAULT_DOMAIN_ID,
            cache=cache,
        )

    if not (s.os_username or s.os_user_id):
        raise CommandError(MISSING_USER)
    if not (scope.project_id or scope.project_name or scope.domain_id or scope.domain_name):
        raise CommandError(MISSING_PROJECT)
    password = s.os_password
    if not password:
        password = _prompt_password() if interactive else None
        if not password:
            raise CommandError(MISSING_PASSWORD)
    if auth_type == "v2password":
        from pocketstack.client.auth.v2 import V2Password

        return V2Password(
            auth_url=s.os_auth_url,
            password=password,
            username=s.os_username,
            user_id=s.os_user_id,
            tenant_id=scope.project_id,
            tenant_name=scope.project_name,
            cache=cache,
        )
    if auth_type == "v3password":
        from pocketstack.client.auth.v3 import V3Password

        return V3Password(
            auth_url=s.os_auth_url,
            password=password,
            username=s.os_username,
            user_id=s.os_user_id,
            user_domain_id=v3_user_domain_id,
            user_domain_name=user_domain_name,
            scope=v3_scope,
            cache=cache,
        )
    from pocketstack.client.auth.generic import Password

    return Password(
        auth_url=s.os_auth_url,
        password=password,
        username=s.os_username,
        user_id=s.os_user_id,
        user_domain_id=user_domain_id,
        user_domain_name=user_domain_name,
        scope=scope,
        default_domain_id=DEFAULT_DOMAIN_ID,
        cache=cache,
    )


def _prompt_password() -> str | None:
    import getpass

    try:
        return getpass.getpass("OS Password: ")
    except EOFError:
        return None


def environ_default() -> Mapping[str, str]:
    return os.environ
