"""What a command gets besides its arguments: the resolved settings, a lazily built session
with its auth plugin (pocketstack.client.auth.loading builds it from the settings),
per-service adapters, and the streams to write to."""

from __future__ import annotations

import sys

from pocketstack.cli.errors import CommandError
from pocketstack.cli.terminal import isatty

# Warm-path module: see docs/startup.md.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path
    from typing import Any, TextIO

    from pocketstack.cli.argspec import Namespace
    from pocketstack.cli.settings import Settings
    from pocketstack.client.adapter import Adapter
    from pocketstack.client.auth.base import BaseIdentityPlugin, TokenEndpoint
    from pocketstack.client.auth.loading import AuthOptions
    from pocketstack.client.session import Session
    from pocketstack.client.transport import Transport

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
                # The command's environment, not the process's: proxies are read from the same
                # variables as every OS_* setting.
                environ=self.environ,
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
                interactive=isatty(sys.stdin),
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
            from pocketstack.cli.table import render_table

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


def auth_options(s: Settings) -> AuthOptions:
    """The settings' auth options, as pocketstack.client.auth.loading takes them."""
    from pocketstack.client.auth.loading import AuthOptions

    return AuthOptions(
        auth_type=s.os_auth_type,
        auth_url=s.os_auth_url,
        username=s.os_username,
        user_id=s.os_user_id,
        password=s.os_password,
        project_name=s.os_project_name,
        project_id=s.os_project_id,
        user_domain_name=s.os_user_domain_name,
        user_domain_id=s.os_user_domain_id,
        project_domain_name=s.os_project_domain_name,
        project_domain_id=s.os_project_domain_id,
        domain_name=s.os_domain_name,
        domain_id=s.os_domain_id,
        token=s.os_token,
        application_credential_id=s.os_application_credential_id,
        application_credential_name=s.os_application_credential_name,
        application_credential_secret=s.os_application_credential_secret,
        passcode=s.os_passcode,
        identity_api_version=s.os_identity_api_version,
        endpoint_override=s.os_endpoint_override,
    )


def choose_auth_type(s: Settings) -> str:
    from pocketstack.client.auth.loading import choose_auth_type

    return choose_auth_type(auth_options(s))


def build_auth(
    s: Settings,
    *,
    cache_dir: Path | None = None,
    interactive: bool = False,
    warn: Callable[[str], object] | None = None,
) -> BaseIdentityPlugin | TokenEndpoint:
    """The auth plugin the settings describe, or a CommandError naming what is missing."""
    from pocketstack.client.auth import loading

    options = auth_options(s)
    cache = None
    if not s.no_cache and loading.choose_auth_type(options) != "token_endpoint":
        from pocketstack.client.cache import AuthStateCache

        cache = AuthStateCache(directory=cache_dir, warn=warn)
    try:
        return loading.load_auth(
            options,
            cache=cache,
            prompt_password=_prompt_password if interactive else None,
            prompt_passcode=_prompt_passcode if interactive else None,
        )
    except loading.AuthOptionsError as exc:
        # A command-line mistake: `ERROR (CommandError): ...` as for every other one.
        raise CommandError(str(exc)) from None


def _prompt_password() -> str | None:
    return _prompt("OS Password: ")


def _prompt_passcode() -> str | None:
    # keystoneauth's prompt for its v3totp passcode option.
    return _prompt("TOTP passcode: ")


def _prompt(question: str) -> str | None:
    import getpass

    try:
        return getpass.getpass(question)
    except EOFError:
        return None

