"""The domain configuration operations declared (see api.py), with Keystone's rule names: all
for system admins (reading for system readers), admins here (see policy.py)."""

from __future__ import annotations

from pocketstack.cloud.api.operation import Operation, Rule, Versioned, every_version
from pocketstack.cloud.api.shapes import obj
from pocketstack.cloud.identity import domain_configs, policy

_READ = (400, 401, 403, 404)
_WRITE = (400, 401, 403, 404, 409, 413)
_CONFIG: tuple[Versioned, ...] = every_version(obj({"config": {"type": "object"}}))


def _rule(name: str) -> Rule:
    return Rule(f"identity:{name}", policy.admin_required)


def _reads(path: str, summary: str, rule: str) -> list[Operation]:
    return [Operation(method=method, path=path, summary=summary, policy=_rule(rule),
                      status=(200,), response=_CONFIG if method == "GET" else (), errors=_READ)
            for method in ("GET", "HEAD")]  # fmt: skip


def operations() -> list[Operation]:
    ops = [
        Operation(method="PUT", path="/v3/domains/{domain_id}/config",
                  summary="Create (replace) a domain's configuration",
                  policy=_rule("create_domain_config"), status=(200, 201),
                  request=every_version(domain_configs.CONFIG_BODY),
                  parse=domain_configs.parse_config, response=_CONFIG, errors=_WRITE),
    ]  # fmt: skip
    for path, what in (
        ("/v3/domains/{domain_id}/config", "a domain's configuration"),
        ("/v3/domains/{domain_id}/config/{group}", "a group of a domain's configuration"),
        ("/v3/domains/{domain_id}/config/{group}/{option}", "an option of a domain's"
                                                            " configuration"),
    ):  # fmt: skip
        ops += _reads(path, f"Show {what}", "get_domain_config")
        ops.append(Operation(method="PATCH", path=path, summary=f"Update {what}",
                             policy=_rule("update_domain_config"), status=(200,),
                             request=every_version(domain_configs.CONFIG_BODY),
                             parse=domain_configs.parse_config, response=_CONFIG,
                             errors=_WRITE))  # fmt: skip
        ops.append(Operation(method="DELETE", path=path, summary=f"Delete {what}",
                             policy=_rule("delete_domain_config"), status=(204,),
                             errors=_WRITE))  # fmt: skip
    for path, what in (
        ("/v3/domains/{domain_id}/config/security_compliance", "the password rules"),
        ("/v3/domains/{domain_id}/config/security_compliance/{option}", "a password rule"),
    ):
        # Anyone with a token (Keystone's empty rule): a client checks a password before
        # sending it.
        ops += [Operation(method=method, path=path, summary=f"Show {what}",
                          policy=Rule("identity:get_security_compliance_domain_config",
                                      policy.any_token),
                          status=(200,), response=_CONFIG if method == "GET" else (),
                          errors=_READ)
                for method in ("GET", "HEAD")]  # fmt: skip
    for path, what in (
        ("/v3/domains/config/default", "the default domain configuration"),
        ("/v3/domains/config/{group}/default", "a group's default configuration"),
        ("/v3/domains/config/{group}/{option}/default", "an option's default"),
    ):
        ops += _reads(path, f"Show {what}", "get_domain_config_default")
    return ops
