"""Global options, as `nova` takes them: each flag, its OS_* variable and novaclient's fallbacks.

Precedence: command line > the `--os-cloud` entry (clouds.yaml + secure.yaml) > environment >
default. Parser defaults are None so that "given on the command line" can be told apart.
"""

from __future__ import annotations

import os

# As in pocketstack.client.transport: the same classes without the `collections` package.
from _collections_abc import Mapping

# Not `typing.TYPE_CHECKING`: importing typing costs a warm run ~3 ms; mypy honours the name.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from pocketstack.cli.argspec import ArgumentParserLike, Namespace

AUTH_TYPES = (
    "password",
    "token",
    "v2password",
    "v2token",
    "v3password",
    "v3token",
    "v3applicationcredential",
    "token_endpoint",
)
_TRUE = frozenset({"1", "true", "yes", "on", "y", "t"})


class Option:
    # A plain class, not a dataclass: `dataclasses` imports `inspect` (~9 ms per run).
    __slots__ = ("cloud", "default", "dest", "env", "flags", "help", "kind", "metavar")

    def __init__(
        self,
        *,
        flags: tuple[str, ...],
        dest: str,
        env: tuple[str, ...] = (),
        help: str = "",
        metavar: str | None = None,
        kind: str = "str",
        default: Any = None,
        cloud: tuple[str, ...] = (),
    ) -> None:
        self.flags = flags
        self.dest = dest
        self.env = env
        self.help = help
        self.metavar = metavar
        self.kind = kind  # "str", "flag" or "float"
        self.default = default
        # Keys of a clouds.yaml entry ("auth.username"), first found wins.
        self.cloud = cloud


OPTIONS: tuple[Option, ...] = (
    Option(
        flags=("--os-cloud",),
        dest="os_cloud",
        env=("OS_CLOUD",),
        metavar="<cloud>",
        help="Cloud name in clouds.yaml",
    ),
    Option(
        flags=("--os-auth-type", "--os-auth-plugin"),
        dest="os_auth_type",
        env=("OS_AUTH_TYPE",),
        metavar="<auth-type>",
        cloud=("auth_type",),
        help=f"Authentication type: {', '.join(AUTH_TYPES)} (default password)",
    ),
    Option(
        flags=("--os-auth-url",),
        dest="os_auth_url",
        env=("OS_AUTH_URL", "NOVA_URL"),
        metavar="<auth-url>",
        cloud=("auth.auth_url",),
        help="Identity (Keystone) URL",
    ),
    Option(
        flags=("--os-username",),
        dest="os_username",
        env=("OS_USERNAME", "NOVA_USERNAME"),
        metavar="<auth-user-name>",
        cloud=("auth.username",),
        help="User name",
    ),
    Option(
        flags=("--os-user-id",),
        dest="os_user_id",
        env=("OS_USER_ID",),
        metavar="<auth-user-id>",
        cloud=("auth.user_id",),
        help="User ID",
    ),
    Option(
        flags=("--os-password",),
        dest="os_password",
        env=("OS_PASSWORD", "NOVA_PASSWORD"),
        metavar="<auth-password>",
        cloud=("auth.password",),
        help="User's password",
    ),
    Option(
        flags=("--os-project-name", "--os-tenant-name"),
        dest="os_project_name",
        env=("OS_PROJECT_NAME", "OS_TENANT_NAME", "NOVA_PROJECT_ID"),
        metavar="<auth-project-name>",
        cloud=("auth.project_name", "auth.tenant_name"),
        help="Project (tenant) name to scope to",
    ),
    Option(
        flags=("--os-project-id", "--os-tenant-id"),
        dest="os_project_id",
        env=("OS_PROJECT_ID", "OS_TENANT_ID"),
        metavar="<auth-project-id>",
        cloud=("auth.project_id", "auth.tenant_id"),
        help="Project (tenant) ID to scope to",
    ),
    Option(
        flags=("--os-user-domain-name",),
        dest="os_user_domain_name",
        env=("OS_USER_DOMAIN_NAME",),
        metavar="<auth-user-domain-name>",
        cloud=("auth.user_domain_name",),
        help="User's domain name (v3)",
    ),
    Option(
        flags=("--os-user-domain-id",),
        dest="os_user_domain_id",
        env=("OS_USER_DOMAIN_ID",),
        metavar="<auth-user-domain-id>",
        cloud=("auth.user_domain_id",),
        help="User's domain ID (v3)",
    ),
    Option(
        flags=("--os-project-domain-name",),
        dest="os_project_domain_name",
        env=("OS_PROJECT_DOMAIN_NAME",),
        metavar="<auth-project-domain-name>",
        cloud=("auth.project_domain_name",),
        help="Project's domain name (v3)",
    ),
    Option(
        flags=("--os-project-domain-id",),
        dest="os_project_domain_id",
        env=("OS_PROJECT_DOMAIN_ID",),
        metavar="<auth-project-domain-id>",
        cloud=("auth.project_domain_id",),
        help="Project's domain ID (v3)",
    ),
    Option(
        flags=("--os-domain-name",),
        dest="os_domain_name",
        env=("OS_DOMAIN_NAME",),
        metavar="<auth-domain-name>",
        cloud=("auth.domain_name",),
        help="Domain name to scope to (v3)",
    ),
    Option(
        flags=("--os-domain-id",),
        dest="os_domain_id",
        env=("OS_DOMAIN_ID",),
        metavar="<auth-domain-id>",
        cloud=("auth.domain_id",),
        help="Domain ID to scope to (v3)",
    ),
    Option(
        flags=("--os-token",),
        dest="os_token",
        env=("OS_TOKEN", "OS_AUTH_TOKEN"),
        metavar="<token>",
        cloud=("auth.token",),
        help="An existing token",
    ),
    Option(
        flags=("--os-application-credential-id",),
        dest="os_application_credential_id",
        env=("OS_APPLICATION_CREDENTIAL_ID",),
        metavar="<id>",
        cloud=("auth.application_credential_id",),
        help="Application credential ID",
    ),
    Option(
        flags=("--os-application-credential-name",),
        dest="os_application_credential_name",
        env=("OS_APPLICATION_CREDENTIAL_NAME",),
        metavar="<name>",
        cloud=("auth.application_credential_name",),
        help="Application credential name",
    ),
    Option(
        flags=("--os-application-credential-secret",),
        dest="os_application_credential_secret",
        env=("OS_APPLICATION_CREDENTIAL_SECRET",),
        metavar="<secret>",
        cloud=("auth.application_credential_secret",),
        help="Application credential secret",
    ),
    Option(
        flags=("--os-identity-api-version",),
        dest="os_identity_api_version",
        env=("OS_IDENTITY_API_VERSION",),
        metavar="<version>",
        cloud=("identity_api_version",),
        help="Identity API version; 2 drops the (v3-only) domain options",
    ),
    Option(
        flags=("--os-region-name",),
        dest="os_region_name",
        env=("OS_REGION_NAME", "NOVA_REGION_NAME"),
        metavar="<region-name>",
        cloud=("region_name",),
        help="Region of the endpoints to use",
    ),
    Option(
        flags=("--os-endpoint-type", "--os-interface", "--endpoint-type"),
        dest="os_interface",
        env=("OS_INTERFACE", "OS_ENDPOINT_TYPE", "NOVA_ENDPOINT_TYPE"),
        metavar="<interface>",
        cloud=("interface", "endpoint_type"),
        default="public",
        help="Endpoint interface: public (publicURL), internal, admin (default public)",
    ),
    Option(
        flags=("--service-type",),
        dest="service_type",
        env=("NOVA_SERVICE_TYPE",),
        metavar="<service-type>",
        help="Compute service type (default compute)",
    ),
    Option(
        flags=("--service-name",),
        dest="service_name",
        env=("NOVA_SERVICE_NAME",),
        metavar="<service-name>",
        help="Compute service name in the catalog",
    ),
    Option(
        flags=("--os-endpoint-override", "--os-url", "--bypass-url"),
        dest="os_endpoint_override",
        env=("OS_ENDPOINT_OVERRIDE", "NOVACLIENT_ENDPOINT_OVERRIDE", "NOVACLIENT_BYPASS_URL"),
        metavar="<endpoint>",
        help="Use this endpoint instead of the catalog's",
    ),
    Option(
        flags=("--os-compute-api-version",),
        dest="os_compute_api_version",
        env=("OS_COMPUTE_API_VERSION",),
        metavar="<compute-api-ver>",
        cloud=("compute_api_version",),
        help="Compute API microversion (default 2.latest)",
    ),
    Option(
        flags=("--insecure",),
        dest="insecure",
        env=("OS_INSECURE", "NOVACLIENT_INSECURE"),
        kind="flag",
        help="Do not verify the server's TLS certificate",
    ),
    Option(
        flags=("--os-cacert",),
        dest="os_cacert",
        env=("OS_CACERT",),
        metavar="<ca-file>",
        cloud=("cacert",),
        help="CA bundle to verify TLS servers with",
    ),
    Option(
        flags=("--os-cert",),
        dest="os_cert",
        env=("OS_CERT",),
        metavar="<certificate>",
        cloud=("cert",),
        help="Client certificate (PEM)",
    ),
    Option(
        flags=("--os-key",),
        dest="os_key",
        env=("OS_KEY",),
        metavar="<key>",
        cloud=("key",),
        help="Client certificate key (PEM)",
    ),
    Option(
        flags=("--timeout",),
        dest="timeout",
        env=("OS_TIMEOUT",),
        kind="float",
        metavar="<seconds>",
        default=600.0,
        help="HTTP timeout in seconds (default 600)",
    ),
    Option(
        flags=("--debug",),
        dest="debug",
        kind="flag",
        help="Log every request and response to stderr (secrets masked)",
    ),
    Option(
        flags=("--timings",),
        dest="timings",
        kind="flag",
        help="Print every HTTP request with its time to stderr",
    ),
    Option(
        flags=("--no-cache",),
        dest="no_cache",
        env=("POCKETSTACK_NO_CACHE",),
        kind="flag",
        help="Neither read nor write the auth-state cache",
    ),
)


class Settings:
    """The resolved global options (every layer of precedence applied).

    Immutable once built; `verify_from_cloud` is clouds.yaml `verify: false` or a CA path.
    """

    __slots__ = (
        "debug",
        "insecure",
        "no_cache",
        "os_application_credential_id",
        "os_application_credential_name",
        "os_application_credential_secret",
        "os_auth_type",
        "os_auth_url",
        "os_cacert",
        "os_cert",
        "os_cloud",
        "os_compute_api_version",
        "os_domain_id",
        "os_domain_name",
        "os_endpoint_override",
        "os_identity_api_version",
        "os_interface",
        "os_key",
        "os_password",
        "os_project_domain_id",
        "os_project_domain_name",
        "os_project_id",
        "os_project_name",
        "os_region_name",
        "os_token",
        "os_user_domain_id",
        "os_user_domain_name",
        "os_user_id",
        "os_username",
        "service_name",
        "service_type",
        "timeout",
        "timings",
        "verify_from_cloud",
    )

    os_cloud: str | None
    os_auth_type: str | None
    os_auth_url: str | None
    os_username: str | None
    os_user_id: str | None
    os_password: str | None
    os_project_name: str | None
    os_project_id: str | None
    os_user_domain_name: str | None
    os_user_domain_id: str | None
    os_project_domain_name: str | None
    os_project_domain_id: str | None
    os_domain_name: str | None
    os_domain_id: str | None
    os_token: str | None
    os_application_credential_id: str | None
    os_application_credential_name: str | None
    os_application_credential_secret: str | None
    os_identity_api_version: str | None
    os_region_name: str | None
    os_interface: str
    service_type: str | None
    service_name: str | None
    os_endpoint_override: str | None
    os_compute_api_version: str | None
    insecure: bool
    os_cacert: str | None
    os_cert: str | None
    os_key: str | None
    timeout: float | None
    debug: bool
    timings: bool
    no_cache: bool
    verify_from_cloud: bool | None

    def __init__(
        self,
        *,
        os_cloud: str | None = None,
        os_auth_type: str | None = None,
        os_auth_url: str | None = None,
        os_username: str | None = None,
        os_user_id: str | None = None,
        os_password: str | None = None,
        os_project_name: str | None = None,
        os_project_id: str | None = None,
        os_user_domain_name: str | None = None,
        os_user_domain_id: str | None = None,
        os_project_domain_name: str | None = None,
        os_project_domain_id: str | None = None,
        os_domain_name: str | None = None,
        os_domain_id: str | None = None,
        os_token: str | None = None,
        os_application_credential_id: str | None = None,
        os_application_credential_name: str | None = None,
        os_application_credential_secret: str | None = None,
        os_identity_api_version: str | None = None,
        os_region_name: str | None = None,
        os_interface: str = "public",
        service_type: str | None = None,
        service_name: str | None = None,
        os_endpoint_override: str | None = None,
        os_compute_api_version: str | None = None,
        insecure: bool = False,
        os_cacert: str | None = None,
        os_cert: str | None = None,
        os_key: str | None = None,
        timeout: float | None = 600.0,
        debug: bool = False,
        timings: bool = False,
        no_cache: bool = False,
        verify_from_cloud: bool | None = None,
    ) -> None:
        setter = object.__setattr__
        setter(self, "os_cloud", os_cloud)
        setter(self, "os_auth_type", os_auth_type)
        setter(self, "os_auth_url", os_auth_url)
        setter(self, "os_username", os_username)
        setter(self, "os_user_id", os_user_id)
        setter(self, "os_password", os_password)
        setter(self, "os_project_name", os_project_name)
        setter(self, "os_project_id", os_project_id)
        setter(self, "os_user_domain_name", os_user_domain_name)
        setter(self, "os_user_domain_id", os_user_domain_id)
        setter(self, "os_project_domain_name", os_project_domain_name)
        setter(self, "os_project_domain_id", os_project_domain_id)
        setter(self, "os_domain_name", os_domain_name)
        setter(self, "os_domain_id", os_domain_id)
        setter(self, "os_token", os_token)
        setter(self, "os_application_credential_id", os_application_credential_id)
        setter(self, "os_application_credential_name", os_application_credential_name)
        setter(self, "os_application_credential_secret", os_application_credential_secret)
        setter(self, "os_identity_api_version", os_identity_api_version)
        setter(self, "os_region_name", os_region_name)
        setter(self, "os_interface", os_interface)
        setter(self, "service_type", service_type)
        setter(self, "service_name", service_name)
        setter(self, "os_endpoint_override", os_endpoint_override)
        setter(self, "os_compute_api_version", os_compute_api_version)
        setter(self, "insecure", insecure)
        setter(self, "os_cacert", os_cacert)
        setter(self, "os_cert", os_cert)
        setter(self, "os_key", os_key)
        setter(self, "timeout", timeout)
        setter(self, "debug", debug)
        setter(self, "timings", timings)
        setter(self, "no_cache", no_cache)
        setter(self, "verify_from_cloud", verify_from_cloud)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Settings are read-only: cannot set {name!r}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Settings):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self.__slots__)

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, n) for n in self.__slots__))

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{n}=***" if n in _SECRET and getattr(self, n) else f"{n}={getattr(self, n)!r}"
            for n in self.__slots__
        )
        return f"Settings({shown})"


_SECRET = frozenset({"os_password", "os_token", "os_application_credential_secret"})


def add_global_options(parser: ArgumentParserLike, *, auth: bool = True) -> None:
    """Register the global options; commands without auth get only --debug/--timings."""
    group = parser.add_argument_group("global options")
    for option in OPTIONS:
        if not auth and option.dest not in ("debug",):
            continue
        env_help = ", ".join(f"env[{name}]" for name in option.env)
        text = option.help + (f" ({env_help})" if env_help else "")
        if option.kind == "flag":
            group.add_argument(
                *option.flags,
                dest=option.dest,
                action="store_const",
                const=True,
                default=None,
                help=text,
            )
        else:
            group.add_argument(
                *option.flags,
                dest=option.dest,
                default=None,
                metavar=option.metavar,
                type=float if option.kind == "float" else str,
                help=text,
            )


def _parse_bool(text: str) -> bool:
    return text.strip().lower() in _TRUE


def _from_env(option: Option, environ: Mapping[str, str]) -> Any:
    for name in option.env:
        value = environ.get(name)
        if value:
            if option.kind == "flag":
                return _parse_bool(value)
            if option.kind == "float":
                try:
                    return float(value)
                except ValueError:
                    from pocketstack.cli.errors import CommandError

                    raise CommandError(f"env[{name}] must be a number, not {value!r}") from None
            return value
    return None


def _from_cloud(option: Option, cloud: Mapping[str, Any]) -> Any:
    for key in option.cloud:
        node: Any = cloud
        for part in key.split("."):
            node = node.get(part) if isinstance(node, Mapping) else None
        if node is not None and node != "":
            return str(node) if option.kind == "str" else node
    return None


def resolve(args: Namespace, *, environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    cloud_name = getattr(args, "os_cloud", None) or env.get("OS_CLOUD")
    cloud: Mapping[str, Any] = {}
    if cloud_name:
        # Imported only with --os-cloud: it needs yaml.
        from pocketstack.client.clouds import load_cloud

        cloud = load_cloud(cloud_name, environ=env)
    values: dict[str, Any] = {}
    known = frozenset(Settings.__slots__)
    for option in OPTIONS:
        value = getattr(args, option.dest, None)
        if value is None and cloud:
            value = _from_cloud(option, cloud)
        if value is None:
            value = _from_env(option, env)
        if value is None:
            value = option.default
        if option.dest in known and value is not None:
            values[option.dest] = value
    values["os_cloud"] = cloud_name
    verify = cloud.get("verify") if cloud else None
    if verify is not None:
        values["verify_from_cloud"] = bool(verify) if isinstance(verify, bool) else None
        if isinstance(verify, str) and "os_cacert" not in values:
            values["os_cacert"] = verify
    if isinstance(values.get("insecure"), str):
        values["insecure"] = _parse_bool(values["insecure"])
    return Settings(**values)
