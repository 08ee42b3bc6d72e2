"""Implied roles (role inference rules) and OS-INHERIT grants declared (see api.py), with
Keystone's rule names. Implied roles: writing is for admins, reading for Keystone's readers
(admins here, see policy.py). OS-INHERIT grants (held on every project below a domain or a
project) are checked with Keystone's ordinary grant rules."""

from __future__ import annotations

from pocketstack.cloud.api.operation import JSON, Operation, Rule, every_version
from pocketstack.cloud.api.shapes import STR, arr, obj, ref
from pocketstack.cloud.identity import policy

_READ = (400, 401, 403, 404)
_WRITE = (400, 401, 403, 404, 409, 413)
_INFERENCE_ROLE: JSON = obj(
    {"id": STR, "name": STR, "links": obj({"self": STR})}, required=("id", "links")
)
_LINKS: JSON = obj({"self": STR})


def _rule(name: str) -> Rule:
    return Rule(f"identity:{name}", policy.admin_required)


def operations() -> list[Operation]:
    return _implied_roles() + _inherited_grants()


def _implied_roles() -> list[Operation]:
    item = "/v3/roles/{role_id}/implies/{implies_role_id}"
    listing = "/v3/roles/{role_id}/implies"
    rule = obj({"prior_role": _INFERENCE_ROLE, "implies": _INFERENCE_ROLE},
               required=("prior_role", "implies"))  # fmt: skip
    rules = obj({"prior_role": _INFERENCE_ROLE, "implies": arr(_INFERENCE_ROLE)},
                required=("prior_role", "implies"))  # fmt: skip
    one = every_version(obj({"role_inference": rule, "links": _LINKS}))
    of_prior = every_version(obj({"role_inference": rules, "links": _LINKS}))
    every = every_version(obj({"role_inferences": arr(rules), "links": _LINKS}))
    ops = [
        Operation(method="PUT", path=item, summary="Create a role inference rule",
                  policy=_rule("create_implied_role"), status=(201,), response=one,
                  errors=_WRITE),
        Operation(method="GET", path=item, summary="Show a role inference rule",
                  policy=_rule("get_implied_role"), status=(200,), response=one, errors=_READ),
        Operation(method="HEAD", path=item, summary="Check a role inference rule",
                  policy=_rule("check_implied_role"), status=(204,), errors=_READ),
        Operation(method="DELETE", path=item, summary="Delete a role inference rule",
                  policy=_rule("delete_implied_role"), status=(204,), errors=_WRITE),
    ]  # fmt: skip
    for method in ("GET", "HEAD"):
        ops.append(Operation(method=method, path=listing, summary="List a role's implied roles",
                             policy=_rule("list_implied_roles"), status=(200,),
                             response=of_prior if method == "GET" else (),
                             errors=_READ))  # fmt: skip
        ops.append(Operation(method=method, path="/v3/role_inferences",
                             summary="List every role inference rule",
                             policy=_rule("list_role_inference_rules"), status=(200,),
                             response=every if method == "GET" else (),
                             errors=_READ))  # fmt: skip
    return ops


def _inherited_grants() -> list[Operation]:
    roles = every_version(obj({"roles": arr(ref("Role")), "links": ref("CollectionLinks")}))
    ops: list[Operation] = []
    for target in ("domain", "project"):
        for actor in ("user", "group"):
            base = f"/v3/OS-INHERIT/{target}s/{{{target}_id}}/{actor}s/{{{actor}_id}}/roles"
            grant = f"{base}/{{role_id}}/inherited_to_projects"
            what = f"a {actor}'s inherited role on a {target}"
            ops += [
                Operation(method="PUT", path=grant, summary=f"Grant {what}",
                          policy=_rule("create_grant"), status=(204,), errors=_WRITE),
                Operation(method="GET", path=grant, summary=f"Check {what}",
                          policy=_rule("check_grant"), status=(204,), errors=_READ),
                Operation(method="HEAD", path=grant, summary=f"Check {what}",
                          policy=_rule("check_grant"), status=(204,), errors=_READ),
                Operation(method="DELETE", path=grant, summary=f"Revoke {what}",
                          policy=_rule("revoke_grant"), status=(204,), errors=_WRITE),
            ]  # fmt: skip
            if target == "domain":
                ops.append(Operation(method="GET", path=f"{base}/inherited_to_projects",
                                     summary=f"List {what}s", policy=_rule("list_grants"),
                                     status=(200,), response=roles, errors=_READ))  # fmt: skip
    return ops
