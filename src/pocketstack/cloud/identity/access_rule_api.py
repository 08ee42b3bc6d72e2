"""A user's access rules, their operations declared (see api.py) with Keystone's rule names;
the owner-or-admin check is the responders' (access_rules.py)."""

from __future__ import annotations

from pocketstack.cloud.api.operation import JSON, Operation, Rule, every_version
from pocketstack.cloud.api.shapes import STR, arr, obj, query, ref

_READ = (400, 401, 403, 404)
_RULE: JSON = obj({"id": STR, "service": STR, "path": STR, "method": STR,
                   "links": obj({"self": STR})})  # fmt: skip


def operations() -> list[Operation]:
    collection = "/v3/users/{user_id}/access_rules"
    item = f"{collection}/{{access_rule_id}}"
    listed = every_version(obj({"access_rules": arr(_RULE), "links": ref("CollectionLinks")}))
    one = every_version(obj({"access_rule": _RULE}))
    ops: list[Operation] = []
    for method, body in (("GET", True), ("HEAD", False)):
        ops.append(Operation(method=method, path=collection, summary="List a user's access rules",
                             policy=Rule("identity:list_access_rules", None), status=(200,),
                             response=listed if body else (),
                             parameters=tuple(query(n) for n in ("service", "path", "method")),
                             errors=_READ))  # fmt: skip
        ops.append(Operation(method=method, path=item, summary="Show an access rule",
                             policy=Rule("identity:get_access_rule", None), status=(200,),
                             response=one if body else (), errors=_READ))  # fmt: skip
    ops.append(Operation(method="DELETE", path=item, summary="Delete an access rule",
                         policy=Rule("identity:delete_access_rule", None), status=(204,),
                         errors=_READ))  # fmt: skip
    return ops
