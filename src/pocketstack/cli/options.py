"""Global options, as `nova` takes them: each flag, its OS_* variable and novaclient's fallbacks.

Parser defaults are None so that "given on the command line" can be told apart;
pocketstack.cli.settings resolves them (command line > the `--os-cloud` entry > environment >
default).
"""

from __future__ import annotations

from pocketstack.client.auth.loading import AUTH_TYPES

# Warm-path module: see docs/startup.md.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from pocketstack.cli.argspec import ArgumentParserLike


class Option:
    """One global option: its flags, its variables, its clouds.yaml keys, its default."""

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
        flags=("--os-passcode",),
        dest="os_passcode",
        env=("OS_PASSCODE",),
        metavar="<passcode>",
        cloud=("auth.passcode",),
        help="TOTP passcode (with --os-auth-type v3totp)",
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


def add_global_options(parser: ArgumentParserLike, *, auth: bool = True) -> None:
    """Register the global options; commands without auth get only --debug (they send no HTTP
    request for --timings to time: main gives them Settings with timings off)."""
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
