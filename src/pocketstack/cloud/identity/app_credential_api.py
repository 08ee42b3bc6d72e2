"""A user's application credentials, their operations declared (see api.py) with Keystone's
rule names."""

from __future__ import annotations

from pocketstack.cloud.api.operation import Operation, Rule, every_version
from pocketstack.cloud.api.shapes import arr, obj, query, ref
from pocketstack.cloud.identity import access_rule_api, app_credential_requests

_READ = (400, 401, 403, 404)
_WRITE = (400, 401, 403, 404, 409, 413)
_LISTED = every_version(
    obj({"application_credentials": arr(ref("ApplicationCredential")),
         "links": ref("CollectionLinks")})
)  # fmt: skip


def _rule(name: str) -> Rule:
    return Rule(f"identity:{name}", None)


def operations() -> list[Operation]:
    """A user's application credentials. Keystone's rules name the credential's own user (the
    owner) or an admin: named here, checked by the responders (admin/app_credentials.py)."""
    collection = "/v3/users/{user_id}/application_credentials"
    item = f"{collection}/{{credential_id}}"
    one = every_version(obj({"application_credential": ref("ApplicationCredential")}))
    return [
        Operation(method="GET", path=collection, summary="List a user's application credentials",
                  policy=_rule("list_application_credentials"), status=(200,),
                  response=_LISTED,
                  parameters=(query("name"),), errors=_READ),
        Operation(method="POST", path=collection, summary="Create an application credential",
                  policy=_rule("create_application_credential"), status=(201,),
                  request=every_version(app_credential_requests.APP_CREDENTIAL_CREATE),
                  parse=app_credential_requests.parse_app_credential_create,
                  response=one, errors=_WRITE),
        Operation(method="GET", path=item, summary="Show an application credential",
                  policy=_rule("get_application_credential"), status=(200,), response=one,
                  errors=_READ),
        Operation(method="DELETE", path=item, summary="Delete an application credential",
                  policy=_rule("delete_application_credential"), status=(204,), errors=_WRITE),
        # The rules of the user's restricted credentials, listed and deleted on their own.
        *access_rule_api.operations(),
    ]  # fmt: skip
