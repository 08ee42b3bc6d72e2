"""tempest.conf for a cloud described by probe.CloudFacts.

Every feature flag comes from the facts; what is set here beside them is how tempest should run
(credentials, timeouts, paths), not what the cloud can do. Flags the probe does not decide keep
tempest's defaults unless the cloud plainly lacks what they need (no volume service, no network
service, no way to log into a server), each said below.
"""

from __future__ import annotations

from pathlib import Path

from tests.conformance.probe import CloudFacts

# Services tempest asks about, by catalog type (tempest's [service_available] name first).
SERVICE_TYPES = {
    "nova": "compute",
    "glance": "image",
    "neutron": "network",
    "cinder": "block-storage",
    "swift": "object-store",
    "heat": "orchestration",
    "placement": "placement",
    "barbican": "key-manager",
}
VOLUME_TYPES = ("block-storage", "volumev3", "volume")
# A fake driver answers at once: waits are for a loaded CI machine, and a test that waits for a
# state the cloud never reaches should fail in seconds, not in tempest's default 300.
BUILD_TIMEOUT = 15
BUILD_INTERVAL = 1

# The password rules the harness's cloud runs with (its pocketstack.toml) and tempest is told
# of: tempest cannot learn them from the cloud, and its security compliance tests (lockout,
# history) need them on. Short, as devstack sets them for the gate.
PASSWORD_RULES = {
    "lockout_failure_attempts": 2,
    "lockout_duration": 5,
    "unique_last_password_count": 2,
    "minimum_password_age": 0,
}
CLOUD_SETTINGS = "".join(f"{name} = {value}\n" for name, value in PASSWORD_RULES.items())


SCHEDULER_FILTERS = (
    "AvailabilityZoneFilter",
    "ComputeFilter",
    "ServerGroupAntiAffinityFilter",
    "ServerGroupAffinityFilter",
    "SameHostFilter",
    "DifferentHostFilter",
)


def render(
    facts: CloudFacts,
    *,
    identity_v3: str,
    admin_password: str,
    workspace: Path,
) -> str:
    conf: dict[str, dict[str, str]] = {}
    volumes = any(kind in facts.services for kind in VOLUME_TYPES)
    conf["DEFAULT"] = {
        "log_dir": str(workspace / "logs"),
        "log_file": "tempest.log",
        # Debug records carry response bodies: the harness reads them to tell a missing action.
        "debug": "true",
        "use_stderr": "false",
    }
    conf["oslo_concurrency"] = {"lock_path": str(workspace / "locks")}
    conf["auth"] = {
        "use_dynamic_credentials": "true",
        # A network, subnet and router per test project: only once the network service routes.
        "create_isolated_networks": str("router" in facts.network_extensions).lower(),
        "admin_username": "admin",
        "admin_password": admin_password,
        "admin_project_name": "admin",
        "admin_domain_name": "Default",
        "default_credentials_domain_name": "Default",
    }
    conf["identity"] = {
        "uri_v3": identity_v3,
        "auth_version": "v3",
        "region": facts.region,
        "v3_endpoint_type": "public",
        "default_domain_id": "default",
        "disable_ssl_certificate_validation": "false",
        **{f"user_{name}": str(value) for name, value in PASSWORD_RULES.items()},
    }
    conf["identity-feature-enabled"] = {
        "trust": str("OS-TRUST" in facts.identity_extensions).lower(),
        "api_extensions": ",".join(facts.identity_extensions),
        "security_compliance": str(facts.security_compliance).lower(),
    }
    conf["compute"] = {
        "region": facts.region,
        "endpoint_type": "publicURL",
        "image_ref": facts.image_ref,
        "image_ref_alt": facts.image_ref_alt,
        "flavor_ref": facts.flavor_ref,
        "flavor_ref_alt": facts.flavor_ref_alt,
        "min_microversion": facts.compute_min,
        "max_microversion": facts.compute_max,
        "min_compute_nodes": str(facts.compute_nodes),
        "build_timeout": str(BUILD_TIMEOUT),
        "build_interval": str(BUILD_INTERVAL),
    }
    features = {flag: str(offered).lower() for flag, offered in facts.compute_features.items()}
    features.update(
        {
            # Without a volume service nothing can be attached, encrypted or multi-attached.
            "attach_encrypted_volume": str(volumes).lower(),
            "volume_multiattach": "false",
            "swap_volume": "false",
            "ide_bus": str(volumes).lower(),
            # No metadata service, no config drive content: a fake driver boots nothing.
            "metadata_service": "false",
            "config_drive": "false",
            "shelve_migrate": "false",
            # The probe's body-less action is a 400 for these (their schemas need an object),
            # but the fake driver resizes, live-migrates, sets passwords and prints a console log.
            "resize": "true",
            "live_migration": "true",
            "change_password": "true",
            "console_output": "true",
            # Files injected at create and rebuild are kept and counted against their quotas
            # (up to 2.56, where Nova dropped them).
            "personality": "true",
            # The placement rules the fleet applies (compute/server_build.py, fleet.py).
            "scheduler_enabled_filters": ",".join(SCHEDULER_FILTERS),
        }
    )
    conf["compute-feature-enabled"] = features
    conf["image"] = {
        "region": facts.region,
        "endpoint_type": "publicURL",
        "build_timeout": str(BUILD_TIMEOUT),
        "build_interval": str(BUILD_INTERVAL),
    }
    conf["image-feature-enabled"] = {
        "api_v2": "true",
        "import_image": str(facts.image_import).lower(),
        "os_glance_reserved": str(facts.glance_reserved_namespace).lower(),
        "image_format_enforcement": str(facts.image_format_enforcement).lower(),
        "do_secure_hash": str(facts.image_secure_hash).lower(),
    }
    conf["service_available"] = {
        name: str(kind in facts.services or (name == "cinder" and volumes)).lower()
        for name, kind in SERVICE_TYPES.items()
    }
    # Nothing boots, so there is nothing to reach over SSH.
    conf["validation"] = {"run_validation": "false"}
    conf["network"] = {"region": facts.region}
    if facts.public_network_id:
        conf["network"]["public_network_id"] = facts.public_network_id
    if facts.shared_network_name:
        conf["compute"]["fixed_network_name"] = facts.shared_network_name
    extensions = set(facts.network_extensions)
    conf["network-feature-enabled"] = {
        # tempest's default is "all": it would test every extension Neutron has.
        "api_extensions": ",".join(facts.network_extensions),
        "ipv6": "true",
        "ipv6_subnet_attributes": "true",
        "port_security": str("port-security" in extensions).lower(),
        "port_admin_state_change": "true",
        "floating_ips": str("router" in extensions).lower(),
    }
    lines: list[str] = []
    for section, values in conf.items():
        lines += [f"[{section}]", *(f"{key} = {value}" for key, value in values.items()), ""]
    return "\n".join(lines)
