"""The OS-TRUST operations declared (see api.py), with Keystone's rule names. Every rule names
the trust's trustor or trustee (or an admin), so the responders check them (admin/trusts.py)."""

from __future__ import annotations

from pocketstack.cloud.api.operation import JSON, Operation, Rule, every_version
from pocketstack.cloud.api.shapes import BOOL, INT, NSTR, STR, arr, obj, query, ref
from pocketstack.cloud.identity import trust_requests

_READ = (400, 401, 403, 404)
_WRITE = (400, 401, 403, 404, 409, 413)
_NINT: JSON = {"type": ["integer", "null"]}


def schemas() -> dict[str, JSON]:
    return {
        "Trust": obj(
            {"id": STR, "trustor_user_id": STR, "trustee_user_id": STR, "project_id": NSTR,
             "impersonation": BOOL, "expires_at": NSTR, "remaining_uses": _NINT,
             "redelegated_trust_id": NSTR, "redelegation_count": INT,
             "roles": arr(ref("Role")), "roles_links": {"type": "object"},
             "links": obj({"self": STR})},
            required=("id", "trustor_user_id", "trustee_user_id", "impersonation", "links"),
        ),
    }  # fmt: skip


TOKEN_SECTION: JSON = obj(
    {"id": STR, "impersonation": BOOL, "trustor_user": obj({"id": STR}),
     "trustee_user": obj({"id": STR})},
)  # fmt: skip


def _rule(name: str) -> Rule:
    return Rule(f"identity:{name}")


def operations() -> list[Operation]:
    collection = "/v3/OS-TRUST/trusts"
    item = f"{collection}/{{trust_id}}"
    roles = f"{item}/roles"
    one = every_version(obj({"trust": ref("Trust")}))
    role_list = every_version(obj({"roles": arr(ref("Role")), "links": ref("CollectionLinks")}))
    role_one = every_version(obj({"role": ref("Role")}))
    listing = every_version(obj({"trusts": arr(ref("Trust")), "links": ref("CollectionLinks")}))
    ops = [
        Operation(method="POST", path=collection, summary="Create a trust",
                  policy=_rule("create_trust"), status=(201,),
                  request=every_version(trust_requests.TRUST_CREATE),
                  parse=trust_requests.parse_trust_create, response=one, errors=_WRITE),
        Operation(method="DELETE", path=item, summary="Delete a trust",
                  policy=_rule("delete_trust"), status=(204,), errors=_WRITE),
    ]  # fmt: skip
    for method in ("GET", "HEAD"):
        ops.append(Operation(method=method, path=collection, summary="List trusts",
                             policy=_rule("list_trusts"), status=(200,),
                             response=listing if method == "GET" else (),
                             parameters=(query("trustor_user_id"), query("trustee_user_id")),
                             errors=_READ))  # fmt: skip
        ops.append(Operation(method=method, path=item, summary="Show a trust",
                             policy=_rule("get_trust"), status=(200,),
                             response=one if method == "GET" else (), errors=_READ))  # fmt: skip
        ops.append(Operation(method=method, path=roles, summary="List a trust's roles",
                             policy=_rule("list_roles_for_trust"), status=(200,),
                             response=role_list if method == "GET" else (),
                             errors=_READ))  # fmt: skip
        ops.append(Operation(method=method, path=f"{roles}/{{role_id}}",
                             summary="Show a role a trust delegates",
                             policy=_rule("get_role_for_trust"), status=(200,),
                             response=role_one if method == "GET" else (),
                             errors=_READ))  # fmt: skip
    return ops
