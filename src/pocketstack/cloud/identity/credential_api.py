"""Credentials and the OS-EC2 view of the ec2 ones declared (see api.py), with Keystone's rule
names. Every rule names the credential's own user or an admin, so the responders check them
(admin/credentials.py, admin/ec2_credentials.py)."""

from __future__ import annotations

from pocketstack.cloud.api.operation import JSON, Operation, Rule, every_version
from pocketstack.cloud.api.shapes import NSTR, STR, arr, obj, query, ref
from pocketstack.cloud.identity import credential_requests as bodies

_READ = (400, 401, 403, 404)
_WRITE = (400, 401, 403, 404, 409, 413)


def schemas() -> dict[str, JSON]:
    links = obj({"self": STR})
    return {
        "Credential": obj(
            {"id": STR, "user_id": STR, "project_id": NSTR, "type": STR, "blob": STR,
             "links": links},
            required=("id", "user_id", "type", "blob", "links"),
        ),
        "Ec2Credential": obj(
            {"user_id": STR, "tenant_id": NSTR, "access": STR, "secret": STR,
             "trust_id": NSTR, "links": links},
            required=("user_id", "tenant_id", "access", "secret", "links"),
        ),
    }  # fmt: skip


def _rule(name: str) -> Rule:
    return Rule(f"identity:{name}")


def _listing(schema: str) -> JSON:
    return obj({"credentials": arr(ref(schema)), "links": ref("CollectionLinks")})


def operations() -> list[Operation]:
    one = every_version(obj({"credential": ref("Credential")}))
    item = "/v3/credentials/{credential_id}"
    ec2 = "/v3/users/{user_id}/credentials/OS-EC2"
    ec2_one = every_version(obj({"credential": ref("Ec2Credential")}))
    return [
        Operation(method="GET", path="/v3/credentials", summary="List credentials",
                  policy=_rule("list_credentials"), status=(200,),
                  response=every_version(_listing("Credential")),
                  parameters=(query("user_id"), query("type")), errors=_READ),
        Operation(method="POST", path="/v3/credentials", summary="Create a credential",
                  policy=_rule("create_credential"), status=(201,),
                  request=every_version(bodies.CREDENTIAL_CREATE),
                  parse=bodies.parse_credential_create, response=one, errors=_WRITE),
        Operation(method="GET", path=item, summary="Show a credential",
                  policy=_rule("get_credential"), status=(200,), response=one, errors=_READ),
        Operation(method="PATCH", path=item, summary="Update a credential",
                  policy=_rule("update_credential"), status=(200,),
                  request=every_version(bodies.CREDENTIAL_UPDATE),
                  parse=bodies.parse_credential_update, response=one, errors=_WRITE),
        Operation(method="DELETE", path=item, summary="Delete a credential",
                  policy=_rule("delete_credential"), status=(204,), errors=_WRITE),
        Operation(method="GET", path=ec2, summary="List a user's EC2 credentials",
                  policy=_rule("ec2_list_credentials"), status=(200,),
                  response=every_version(_listing("Ec2Credential")), errors=_READ),
        Operation(method="POST", path=ec2, summary="Create an EC2 credential",
                  policy=_rule("ec2_create_credential"), status=(201,),
                  request=every_version(bodies.EC2_CREATE), parse=bodies.parse_ec2_create,
                  response=ec2_one, errors=_WRITE),
        Operation(method="GET", path=f"{ec2}/{{credential_id}}",
                  summary="Show an EC2 credential", policy=_rule("ec2_get_credential"),
                  status=(200,), response=ec2_one, errors=_READ),
        Operation(method="DELETE", path=f"{ec2}/{{credential_id}}",
                  summary="Delete an EC2 credential", policy=_rule("ec2_delete_credential"),
                  status=(204,), errors=_WRITE),
    ]  # fmt: skip
