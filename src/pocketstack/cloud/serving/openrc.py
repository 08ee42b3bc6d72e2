"""The `OS_*` settings that point any OpenStack client at this cloud's admin."""

from __future__ import annotations

import shlex

from pocketstack.cloud.config import CloudConfig
from pocketstack.cloud.serving.errors import ServingError
from pocketstack.cloud.serving.firststart import read_admin_password
from pocketstack.cloud.serving.state import running_state

ADMIN_USER = "admin"
ADMIN_PROJECT = "admin"
DEFAULT_DOMAIN_NAME = "Default"

# Settings a previous `eval` (or another cloud's openrc) may have left that would override or
# contradict ours: a clouds.yaml entry, a token, ids, the other API version's domain settings.
_CONFLICTING = (
    "OS_CLOUD",
    "OS_TOKEN",
    "OS_AUTH_TYPE",
    "OS_USER_ID",
    "OS_PROJECT_ID",
    "OS_TENANT_ID",
    "OS_TENANT_NAME",
    "OS_USER_DOMAIN_ID",
    "OS_PROJECT_DOMAIN_ID",
    "OS_USER_DOMAIN_NAME",
    "OS_PROJECT_DOMAIN_NAME",
    "OS_DOMAIN_ID",
    "OS_DOMAIN_NAME",
    "OS_SYSTEM_SCOPE",
)


def base_url(config: CloudConfig) -> str:
    """Where the cloud is: the running server's address if it runs, else the configured one."""
    state = running_state(config)
    return (state.url if state is not None else config.public_url).rstrip("/")


def openrc_variables(config: CloudConfig, *, v2: bool = False) -> dict[str, str]:
    password = read_admin_password(config)
    if password is None:
        raise ServingError(
            f"no cloud set up in {config.data_dir} (no admin-password file); "
            "start one with `pocketstack up` or run `pocketstack manage bootstrap`"
        )
    identity = f"{base_url(config)}/identity"
    variables = {
        "OS_AUTH_URL": f"{identity}/v2.0" if v2 else f"{identity}/v3",
        "OS_USERNAME": ADMIN_USER,
        "OS_PASSWORD": password,
        "OS_PROJECT_NAME": ADMIN_PROJECT,
    }
    if v2:
        # novaclient's and older tools' name for the project.
        variables["OS_TENANT_NAME"] = ADMIN_PROJECT
    else:
        # Domain settings make keystoneauth's generic plugin skip v2.0, so only v3 has them.
        variables["OS_USER_DOMAIN_NAME"] = DEFAULT_DOMAIN_NAME
        variables["OS_PROJECT_DOMAIN_NAME"] = DEFAULT_DOMAIN_NAME
    variables["OS_IDENTITY_API_VERSION"] = "2" if v2 else "3"
    variables["OS_REGION_NAME"] = config.region
    return variables


def render_openrc(variables: dict[str, str]) -> str:
    stale = [name for name in _CONFLICTING if name not in variables]
    lines = [f"unset {' '.join(stale)}"] if stale else []
    lines += [f"export {name}={shlex.quote(value)}" for name, value in variables.items()]
    return "\n".join(lines) + "\n"
