"""OS-OAUTH1 declared (see api.py) with Keystone's rule names and defaults: consumers and a
user's access tokens are for admins (deleting an access token is Keystone's
`ec2_delete_credential`, the token's own user or an admin, checked by the responder); the
request and access token requests are signed, not token-authenticated, so they are public; the
authorization of a request token is for admins who hold the roles they delegate (the
responder)."""

from __future__ import annotations

from pocketstack.cloud.api.operation import JSON, Operation, Rule, every_version
from pocketstack.cloud.api.shapes import NSTR, STR, arr, header, obj, ref
from pocketstack.cloud.identity import oauth1_requests, policy

_READ = (400, 401, 403, 404)
_WRITE = (400, 401, 403, 404, 409, 413)
FORM = "application/x-www-form-urlencoded"
PREFIX = "/v3/OS-OAUTH1"
ACCESS_TOKENS = "/v3/users/{user_id}/OS-OAUTH1/access_tokens"


def schemas() -> dict[str, JSON]:
    return {
        "OAuthConsumer": obj({"id": STR, "description": NSTR, "secret": STR,
                              "links": obj({"self": STR})}, required=("id", "links")),
        "OAuthAccessToken": obj(
            {"id": STR, "consumer_id": STR, "project_id": STR, "authorizing_user_id": STR,
             "expires_at": NSTR, "links": obj({"self": STR, "roles": STR})},
        ),
    }  # fmt: skip


TOKEN_SECTION: JSON = obj({"access_token_id": STR, "consumer_id": STR})
# The form a request or an access token is answered with.
_TOKEN_FORM: JSON = obj(
    {"oauth_token": STR, "oauth_token_secret": STR, "oauth_expires_at": STR},
    required=("oauth_token", "oauth_token_secret"),
)


def _admin(name: str) -> Rule:
    return Rule(f"identity:{name}", policy.admin_required)


def operations() -> list[Operation]:
    return _consumers() + _flow() + _access_tokens()


def _consumers() -> list[Operation]:
    collection = f"{PREFIX}/consumers"
    item = f"{collection}/{{consumer_id}}"
    one = every_version(obj({"consumer": ref("OAuthConsumer")}))
    listing = every_version(
        obj({"consumers": arr(ref("OAuthConsumer")), "links": ref("CollectionLinks")})
    )
    ops = [
        Operation(method="POST", path=collection, summary="Create a consumer",
                  policy=_admin("create_consumer"), status=(201,),
                  request=every_version(oauth1_requests.CONSUMER_CREATE),
                  parse=oauth1_requests.parse_consumer_create, response=one, errors=_WRITE),
        Operation(method="PATCH", path=item, summary="Update a consumer",
                  policy=_admin("update_consumer"), status=(200,),
                  request=every_version(oauth1_requests.CONSUMER_UPDATE),
                  parse=oauth1_requests.parse_consumer_update, response=one, errors=_WRITE),
        Operation(method="DELETE", path=item, summary="Delete a consumer",
                  policy=_admin("delete_consumer"), status=(204,), errors=_WRITE),
    ]  # fmt: skip
    for method in ("GET", "HEAD"):
        ops.append(Operation(method=method, path=collection, summary="List consumers",
                             policy=_admin("list_consumers"), status=(200,),
                             response=listing if method == "GET" else (),
                             errors=_READ))  # fmt: skip
        ops.append(Operation(method=method, path=item, summary="Show a consumer",
                             policy=_admin("get_consumer"), status=(200,),
                             response=one if method == "GET" else (), errors=_READ))  # fmt: skip
    return ops


def _flow() -> list[Operation]:
    signed = "An OAuth 1.0a Authorization header signed by the consumer"
    return [
        Operation(method="POST", path=f"{PREFIX}/request_token",
                  summary="Create a request token", policy=None, status=(201,),
                  response=every_version(_TOKEN_FORM), response_media=FORM,
                  parameters=(header("Authorization", required=True, description=signed),
                              header("Requested-Project-Id", required=True)),
                  errors=_READ),
        Operation(method="PUT", path=f"{PREFIX}/authorize/{{request_token_id}}",
                  summary="Authorize a request token",
                  policy=_admin("authorize_request_token"), status=(200,),
                  request=every_version(oauth1_requests.AUTHORIZE),
                  parse=oauth1_requests.parse_authorize,
                  response=every_version(obj({"token": obj({"oauth_verifier": STR})})),
                  errors=_WRITE),
        Operation(method="POST", path=f"{PREFIX}/access_token",
                  summary="Create an access token", policy=None, status=(201,),
                  response=every_version(_TOKEN_FORM), response_media=FORM,
                  parameters=(header("Authorization", required=True, description=signed),),
                  errors=_READ),
    ]  # fmt: skip


def _access_tokens() -> list[Operation]:
    item = f"{ACCESS_TOKENS}/{{access_token_id}}"
    roles = f"{item}/roles"
    one = every_version(obj({"access_token": ref("OAuthAccessToken")}))
    listing = every_version(
        obj({"access_tokens": arr(ref("OAuthAccessToken")), "links": ref("CollectionLinks")})
    )
    role_list = every_version(obj({"roles": arr(ref("Role")), "links": ref("CollectionLinks")}))
    role_one = every_version(obj({"role": ref("Role")}))
    ops = [
        Operation(method="DELETE", path=item, summary="Revoke an access token",
                  policy=Rule("identity:ec2_delete_credential", None), status=(204,),
                  errors=_WRITE),
    ]  # fmt: skip
    for method in ("GET", "HEAD"):
        get = method == "GET"
        ops += [
            Operation(method=method, path=ACCESS_TOKENS, summary="List a user's access tokens",
                      policy=_admin("list_access_tokens"), status=(200,),
                      response=listing if get else (), errors=_READ),
            Operation(method=method, path=item, summary="Show an access token",
                      policy=_admin("get_access_token"), status=(200,),
                      response=one if get else (), errors=_READ),
            Operation(method=method, path=roles, summary="List an access token's roles",
                      policy=_admin("list_access_token_roles"), status=(200,),
                      response=role_list if get else (), errors=_READ),
            Operation(method=method, path=f"{roles}/{{role_id}}",
                      summary="Show a role an access token delegates",
                      policy=_admin("get_access_token_role"), status=(200,),
                      response=role_one if get else (), errors=_READ),
        ]  # fmt: skip
    return ops
