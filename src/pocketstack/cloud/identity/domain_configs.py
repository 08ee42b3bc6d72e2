"""Domain-specific configuration: the identity and LDAP options Keystone lets a domain set for
itself, what it answers by default, and its rules for reading and changing them.

Only the options Keystone lists may be stored (others are its 403 InvalidDomainConfig); the
sensitive ones (the LDAP password) are stored but never shown. Values are any JSON (a number
stays a number). The defaults are Keystone's own option defaults, which is what a domain without
its own configuration gets.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from pocketstack.cloud.api.operation import JSON, Microversion
from pocketstack.cloud.errors import BadRequest, Forbidden, NotFound
from pocketstack.cloud.inputs import TEXT_BYTES

_LDAP_DEFAULTS: dict[str, Any] = {
    "url": "ldap://localhost", "user": None, "suffix": "cn=example,cn=com",
    "query_scope": "one", "page_size": 0, "alias_dereferencing": "default",
    "debug_level": None, "chase_referrals": None, "user_tree_dn": None, "user_filter": None,
    "user_objectclass": "inetOrgPerson", "user_id_attribute": "cn",
    "user_name_attribute": "sn", "user_mail_attribute": "mail",
    "user_description_attribute": "description", "user_pass_attribute": "userPassword",
    "user_enabled_attribute": "enabled", "user_enabled_invert": False,
    "user_enabled_mask": 0, "user_enabled_default": "True",
    "user_attribute_ignore": ["default_project_id"],
    "user_default_project_id_attribute": None, "user_enabled_emulation": False,
    "user_enabled_emulation_dn": None, "user_enabled_emulation_use_group_config": False,
    "user_additional_attribute_mapping": [], "group_tree_dn": None, "group_filter": None,
    "group_objectclass": "groupOfNames", "group_id_attribute": "cn",
    "group_name_attribute": "ou", "group_members_are_ids": False,
    "group_member_attribute": "member", "group_desc_attribute": "description",
    "group_attribute_ignore": [], "group_additional_attribute_mapping": [],
    "tls_cacertfile": None, "tls_cacertdir": None, "use_tls": False,
    "tls_req_cert": "demand", "use_pool": True, "pool_size": 10, "pool_retry_max": 3,
    "pool_retry_delay": 0.1, "pool_connection_timeout": -1,
    "pool_connection_lifetime": 600, "use_auth_pool": True, "auth_pool_size": 100,
    "auth_pool_connection_lifetime": 60,
}  # fmt: skip
# Shown options and their defaults, by group, in Keystone's order.
DEFAULTS: dict[str, dict[str, Any]] = {
    "identity": {"driver": "sql", "list_limit": None},
    "ldap": _LDAP_DEFAULTS,
}
SENSITIVE: dict[str, tuple[str, ...]] = {"identity": (), "ldap": ("password",)}

# Keystone reads `config` leniently: a body without one is its "No options specified" (403).
CONFIG_BODY: JSON = {
    "type": "object",
    "properties": {"config": {"type": "object"}},
    "additionalProperties": True,
}

Config = dict[str, dict[str, Any]]


def invalid(reason: str) -> Forbidden:
    return Forbidden(f"Invalid domain specific configuration: {reason}.")


def not_found(domain_id: str, group: str | None, option: str | None) -> NotFound:
    if option:
        what = f"option {option} in group {group}"
    elif group:
        what = f"group {group}"
    else:
        what = "any options"
    return NotFound(f"Could not find {what} in domain configuration for domain {domain_id}.")


def is_sensitive(group: str, option: str) -> bool:
    return option in SENSITIVE.get(group, ())


def check_group_option(group: str | None, option: str | None) -> None:
    """Keystone's _assert_valid_group_and_option."""
    if group is None:
        return
    if group not in DEFAULTS:
        raise invalid(f"Group {group} is not supported for domain specific configurations")
    if option is not None and option not in DEFAULTS[group] and not is_sensitive(group, option):
        raise invalid(
            f"Option {option} in group {group} is not supported for domain specific configurations"
        )


def check_config(config: Any) -> Config:
    """Keystone's _assert_valid_config: some options, each group a non-empty object of options
    it supports."""
    if not config:
        raise invalid("No options specified")
    for group, options in config.items():
        if not options or not isinstance(options, dict):
            raise invalid(
                f"The value of group {group} specified in the config should be a dictionary"
                " of options"
            )
        for option in options:
            check_group_option(group, option)
    checked: Config = config
    return checked


@dataclasses.dataclass(frozen=True, kw_only=True)
class ConfigBody:
    """The body's `config`, as sent (checked by the responder, which knows the path)."""

    config: Any


def parse_config(body: Any, version: Microversion | None) -> ConfigBody:
    config = body.get("config", {})
    if len(json.dumps(config).encode("utf-8")) > TEXT_BYTES:
        raise BadRequest(f"The configuration is too long (at most {TEXT_BYTES} bytes)")
    return ConfigBody(config=config)


def check_update(config: Config, group: str | None, option: str | None) -> None:
    """What a PATCH of one group (or one option) may carry: that group (or option) alone."""
    if group is None:
        return
    if len(config) != 1 or (option is not None and len(config.get(group, {})) != 1):
        if option is not None:
            raise invalid(
                f"Trying to update option {option} in group {group}, so that, and only that,"
                " option must be specified  in the config"
            )
        raise invalid(
            f"Trying to update group {group}, so that, and only that, group must be"
            " specified in the config"
        )
    if group not in config:
        raise invalid(
            f"request to update group {group}, but config provided contains group"
            f" {next(iter(config))} instead"
        )
    if option is not None and option not in config[group]:
        raise invalid(
            f"Trying to update option {option} in group {group}, but config provided"
            f" contains option {next(iter(config[group]))} instead"
        )


def shape(options: list[tuple[str, str, Any]], option: str | None) -> dict[str, Any]:
    """Options as Keystone answers them: one option bare, otherwise grouped."""
    if option is not None:
        return {name: value for _, name, value in options}
    config: dict[str, Any] = {}
    for group, name, value in options:
        config.setdefault(group, {})[name] = value
    return config


def defaults(group: str | None, option: str | None) -> dict[str, Any]:
    """Keystone's get_config_default: the shown options' defaults."""
    check_group_option(group, option)
    if group is not None and option is not None:
        if option not in DEFAULTS[group]:
            raise invalid(f"Reading the default for option {option} in group {group} is not"
                          " supported")  # fmt: skip
        return {option: DEFAULTS[group][option]}
    groups = [group] if group is not None else list(DEFAULTS)
    return shape([(g, name, value) for g in groups for name, value in DEFAULTS[g].items()], None)
