"""The global options resolved: command line > the `--os-cloud` entry (clouds.yaml +
secure.yaml) > environment > default, into one read-only Settings."""

from __future__ import annotations

import os

# As in pocketstack.client.transport: the same classes without the `collections` package.
from _collections_abc import Mapping

from pocketstack.cli.booleans import bool_from_string
from pocketstack.cli.errors import CommandError
from pocketstack.cli.options import OPTIONS, Option
from pocketstack.client.slotted import Value

# Warm-path module: see docs/startup.md.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from pocketstack.cli.argspec import Namespace

_SECRET = frozenset(
    {"os_password", "os_token", "os_application_credential_secret", "os_passcode"}
)


class Settings(Value):
    """The resolved global options (every layer of precedence applied).

    Immutable once built; `verify_from_cloud` is clouds.yaml `verify: false` or a CA path.
    Its repr leaves the secrets out.
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
        "os_passcode",
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
    _fields = __slots__
    _shown = tuple(name for name in __slots__ if name not in _SECRET)

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
    os_passcode: str | None
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
        os_passcode: str | None = None,
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
        setter(self, "os_passcode", os_passcode)
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


def _from_env(option: Option, environ: Mapping[str, str]) -> Any:
    for name in option.env:
        value = environ.get(name)
        if value:
            if option.kind == "flag":
                return bool_from_string(value)
            if option.kind == "float":
                try:
                    return float(value)
                except ValueError:
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
        values["insecure"] = bool_from_string(values["insecure"])
    return Settings(**values)
