"""The /v3/policies operations declared (see api.py), with Keystone's rule names: reading is for
system readers and writing for system admins, both admins here (see policy.py)."""

from __future__ import annotations

from pocketstack.cloud.api.operation import JSON, Operation, Rule, every_version
from pocketstack.cloud.api.shapes import STR, arr, obj, query, ref
from pocketstack.cloud.identity import policies, policy

_READ = (400, 401, 403, 404)
_WRITE = (400, 401, 403, 404, 409, 413)


def schemas() -> dict[str, JSON]:
    return {
        "Policy": obj({"id": STR, "blob": STR, "type": STR, "links": obj({"self": STR})},
                      required=("id", "blob", "type", "links")),
    }  # fmt: skip


def _rule(name: str) -> Rule:
    return Rule(f"identity:{name}", policy.admin_required)


def operations() -> list[Operation]:
    item = "/v3/policies/{policy_id}"
    one = every_version(obj({"policy": ref("Policy")}))
    listing = every_version(obj({"policies": arr(ref("Policy")), "links": ref("CollectionLinks")}))
    return [
        Operation(method="GET", path="/v3/policies", summary="List policies",
                  policy=_rule("list_policies"), status=(200,), response=listing,
                  parameters=(query("type"),), errors=_READ),
        Operation(method="POST", path="/v3/policies", summary="Create a policy",
                  policy=_rule("create_policy"), status=(201,),
                  request=every_version(policies.POLICY_CREATE), parse=policies.parse_create,
                  response=one, errors=_WRITE),
        Operation(method="GET", path=item, summary="Show a policy", policy=_rule("get_policy"),
                  status=(200,), response=one, errors=_READ),
        Operation(method="PATCH", path=item, summary="Update a policy",
                  policy=_rule("update_policy"), status=(200,),
                  request=every_version(policies.POLICY_UPDATE), parse=policies.parse_update,
                  response=one, errors=_WRITE),
        Operation(method="DELETE", path=item, summary="Delete a policy",
                  policy=_rule("delete_policy"), status=(204,), errors=_WRITE),
    ]  # fmt: skip
