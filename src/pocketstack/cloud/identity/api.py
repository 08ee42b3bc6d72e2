"""The identity API (Keystone v3 and the legacy v2.0 token API) declared: every operation
once (see cloud/api/operation.py). Policy is checked by the responders (the answer depends on
the target: a user may read their own record, an admin any); the rules are named here."""

from __future__ import annotations

from collections.abc import Sequence

from pocketstack.cloud.api.operation import (
    JSON,
    Operation,
    PublicPath,
    Rule,
    Service,
    Versioned,
    every_version,
)
from pocketstack.cloud.api.shapes import (
    BOOL,
    NSTR,
    STR,
    arr,
    header,
    json_body,
    obj,
    query,
    ref,
)


def _schemas() -> dict[str, JSON]:
    links = obj({"self": STR, "previous": NSTR, "next": NSTR}, required=("self",))
    entity_links = obj({"self": STR})
    named = obj({"id": STR, "name": STR})
    return {
        "KeystoneError": obj(
            {"error": obj({"code": {"type": "integer"}, "title": STR, "message": STR})}
        ),
        "CollectionLinks": links,
        "IdentityVersion": obj(
            {"id": STR, "status": STR, "updated": STR, "links": arr(obj({"rel": STR, "href": STR})),
             "media-types": arr(obj({"base": STR, "type": STR}))},
        ),
        "Domain": obj({"id": STR, "name": STR, "description": STR, "enabled": BOOL,
                       "links": entity_links}),
        "Project": obj({"id": STR, "name": STR, "domain_id": STR, "description": STR,
                        "enabled": BOOL, "parent_id": NSTR, "is_domain": BOOL,
                        "links": entity_links}),
        "User": obj({"id": STR, "name": STR, "domain_id": STR, "enabled": BOOL,
                     "password_expires_at": NSTR, "links": entity_links}),
        "Role": obj({"id": STR, "name": STR, "domain_id": NSTR, "description": NSTR,
                     "links": entity_links}, required=("id", "name", "links")),
        "Service": obj({"id": STR, "type": STR, "name": NSTR, "description": STR,
                        "enabled": BOOL, "links": entity_links}),
        "Endpoint": obj({"id": STR, "interface": {"enum": ["public", "internal", "admin"]},
                         "region_id": NSTR, "region": NSTR, "service_id": STR, "url": STR,
                         "enabled": BOOL, "links": entity_links}),
        "Region": obj({"id": STR, "description": STR, "parent_region_id": NSTR,
                       "links": entity_links}),
        "Token": obj(
            {"methods": arr(STR), "user": obj({"id": STR, "name": STR, "domain": named}),
             "audit_ids": arr(STR), "expires_at": STR, "issued_at": STR,
             "roles": arr(named), "catalog": arr({"type": "object"}), "project": {"type": "object"},
             "domain": named, "system": obj({"all": BOOL})},
            required=("methods", "user", "audit_ids", "expires_at", "issued_at"),
        ),
        "Access": obj(
            {"token": obj({"id": STR, "expires": STR, "issued_at": STR, "audit_ids": arr(STR)}),
             "serviceCatalog": arr({"type": "object"}),
             "user": obj({"id": STR, "name": STR, "username": STR,
                          "roles": arr(obj({"name": STR}))}),
             "metadata": {"type": "object"}},
        ),
    }  # fmt: skip



def error_response(code: int) -> JSON:
    return json_body(ref("AuthError" if code == 401 else "KeystoneError"), "Keystone error")


READ = (400, 401, 403, 404)
WRITE = (400, 401, 403, 404, 409, 413)
AUTH_ERRORS = (400, 401, 403, 404, 413, 429)


def _rule(name: str) -> Rule:
    return Rule(f"identity:{name}")



def _entities(plural: str, schema: str) -> tuple[Versioned, ...]:
    return every_version(obj({plural: arr(ref(schema)), "links": ref("CollectionLinks")}))


def _crud(
    plural: str, singular: str, schema: str, *, filters: tuple[str, ...], patch: bool
) -> list[Operation]:
    collection, item = f"/v3/{plural}", f"/v3/{plural}/{{{singular}_id}}"
    one = every_version(obj({singular: ref(schema)}))
    body = every_version(obj({singular: {"type": "object"}}))
    ops = [
        Operation(method="GET", path=collection, summary=f"List {plural}",
                  policy=_rule(f"list_{plural}"), status=(200,),
                  response=_entities(plural, schema),
                  parameters=tuple(query(f) for f in filters), errors=READ),
        Operation(method="POST", path=collection, summary=f"Create a {singular}",
                  policy=_rule(f"create_{singular}"), status=(201,), request=body,
                  response=one, errors=WRITE),
        Operation(method="GET", path=item, summary=f"Show a {singular}",
                  policy=_rule(f"get_{singular}"), status=(200,), response=one, errors=READ),
        Operation(method="DELETE", path=item, summary=f"Delete a {singular}",
                  policy=_rule(f"delete_{singular}"), status=(204,), errors=WRITE),
    ]  # fmt: skip
    if patch:
        ops.append(Operation(method="PATCH", path=item, summary=f"Update a {singular}",
                             policy=_rule(f"update_{singular}"), status=(200,), request=body,
                             response=one, errors=WRITE))  # fmt: skip
    return ops


def _grants(target: str) -> list[Operation]:
    base = f"/v3/{target}s/{{{target}_id}}" if target != "system" else "/v3/system"
    roles = every_version(obj({"roles": arr(ref("Role")), "links": ref("CollectionLinks")}))
    listing = f"{base}/users/{{user_id}}/roles"
    grant = f"{listing}/{{role_id}}"
    scope = "" if target == "system" else f"_{target}"
    return [
        Operation(method="GET", path=listing, summary=f"List a user's roles on a {target}",
                  policy=_rule(f"list_grants{scope}" if target != "system"
                               else "list_system_grants_for_user"),
                  status=(200,), response=roles, errors=READ),
        Operation(method="PUT", path=grant, summary=f"Grant a role on a {target}",
                  policy=_rule("create_grant" if target != "system"
                               else "create_system_grant_for_user"),
                  status=(204,), errors=WRITE),
        Operation(method="GET", path=grant, summary=f"Check a role grant on a {target}",
                  policy=_rule("check_grant" if target != "system"
                               else "check_system_grant_for_user"),
                  status=(204,), errors=READ),
        Operation(method="HEAD", path=grant, summary=f"Check a role grant on a {target}",
                  policy=_rule("check_grant" if target != "system"
                               else "check_system_grant_for_user"),
                  status=(204,), errors=READ),
        Operation(method="DELETE", path=grant, summary=f"Revoke a role on a {target}",
                  policy=_rule("revoke_grant" if target != "system"
                               else "revoke_system_grant_for_user"),
                  status=(204,), errors=WRITE),
    ]  # fmt: skip


def _discovery() -> list[Operation]:
    version = every_version(obj({"version": ref("IdentityVersion")}))
    versions = every_version(obj({"versions": obj({"values": arr(ref("IdentityVersion"))})}))
    ops = []
    for path, summary, status, body, headers in (
        ("/", "Identity API versions", 300, versions, ("Location",)),
        ("/v3", "The v3 version document", 200, version, ()),
        ("/v2.0", "The v2.0 version document", 200, version, ()),
    ):
        ops.append(Operation(method="GET", path=path, summary=summary, policy=None,
                             status=(status,), response=body, headers=headers))
        ops.append(Operation(method="HEAD", path=path, summary=summary, policy=None,
                             status=(status,), headers=headers))
    return ops  # fmt: skip


def _tokens() -> list[Operation]:
    subject = header("X-Subject-Token", required=True, description="The token to check")
    nocatalog = (query("nocatalog"), query("allow_expired"))
    token = every_version(obj({"token": ref("Token")}))
    access = every_version(obj({"access": ref("Access")}))
    auth_body = every_version(obj({"auth": {"type": "object"}}))
    ops = [
        Operation(method="POST", path="/v3/auth/tokens", summary="Authenticate (issue a token)",
                  policy=None, status=(201,), request=auth_body, response=token,
                  parameters=nocatalog, errors=AUTH_ERRORS, headers=("X-Subject-Token",)),
        Operation(method="GET", path="/v3/auth/tokens", summary="Validate a token",
                  policy=_rule("validate_token"), status=(200,), response=token,
                  parameters=(subject, *nocatalog), errors=READ, headers=("X-Subject-Token",)),
        Operation(method="HEAD", path="/v3/auth/tokens", summary="Check a token",
                  policy=_rule("check_token"), status=(200,),
                  parameters=(subject, *nocatalog), errors=READ, headers=("X-Subject-Token",)),
        Operation(method="DELETE", path="/v3/auth/tokens", summary="Revoke a token",
                  policy=_rule("revoke_token"), status=(204,), parameters=(subject,),
                  errors=READ),
        Operation(method="POST", path="/v2.0/tokens", summary="Authenticate (v2.0)",
                  policy=None, status=(200,), request=auth_body, response=access,
                  errors=AUTH_ERRORS),
        Operation(method="GET", path="/v2.0/tokens/{token_id}", summary="Validate a token (v2.0)",
                  policy=_rule("validate_token"), status=(200,), response=access, errors=READ),
        Operation(method="HEAD", path="/v2.0/tokens/{token_id}", summary="Check a token (v2.0)",
                  policy=_rule("check_token"), status=(200,), errors=READ),
        Operation(method="DELETE", path="/v2.0/tokens/{token_id}", summary="Revoke a token (v2.0)",
                  policy=_rule("revoke_token"), status=(204,), errors=READ),
        Operation(method="GET", path="/v2.0/tenants", summary="The caller's projects (v2.0)",
                  policy=_rule("list_user_projects"), status=(200,),
                  response=every_version(obj({"tenants": arr({"type": "object"}),
                                     "tenants_links": arr({})})),
                  errors=READ),
    ]  # fmt: skip
    for name in ("catalog", "projects", "domains", "system"):
        listing = every_version(obj({name: arr({"type": "object"}), "links": {"type": "object"}}))
        for method, response in (("GET", listing), ("HEAD", ())):
            ops.append(Operation(method=method, path=f"/v3/auth/{name}",
                                 summary=f"The caller's {name}",
                                 policy=_rule(f"get_auth_{name}"), status=(200,),
                                 response=response, errors=READ))  # fmt: skip
    return ops


def _operations() -> tuple[Operation, ...]:
    ops = [*_discovery(), *_tokens()]
    ops += _crud("users", "user", "User", filters=("name", "domain_id", "enabled"), patch=True)
    ops.append(Operation(method="GET", path="/v3/users/{user_id}/projects",
                         summary="A user's projects", policy=_rule("list_user_projects"),
                         status=(200,), response=_entities("projects", "Project"),
                         errors=READ))  # fmt: skip
    ops += _crud("projects", "project", "Project",
                 filters=("name", "domain_id", "enabled", "parent_id", "is_domain"), patch=True)
    ops += _crud("domains", "domain", "Domain", filters=("name", "enabled"), patch=True)
    ops += _crud("roles", "role", "Role", filters=("name", "domain_id"), patch=False)
    assignment_filters = ("user.id", "group.id", "scope.project.id", "scope.domain.id",
                          "scope.system", "role.id", "effective", "include_names",
                          "include_subtree")
    ops.append(Operation(method="GET", path="/v3/role_assignments",
                         summary="List role assignments", policy=_rule("list_role_assignments"),
                         status=(200,),
                         response=every_version(obj({"role_assignments": arr({"type": "object"}),
                                            "links": ref("CollectionLinks")})),
                         parameters=tuple(query(n) for n in assignment_filters),
                         errors=READ))  # fmt: skip
    for target in ("project", "domain", "system"):
        ops += _grants(target)
    ops += _crud("services", "service", "Service", filters=("type", "name"), patch=False)
    ops += _crud("endpoints", "endpoint", "Endpoint",
                 filters=("interface", "service_id", "region_id"), patch=False)
    ops += _crud("regions", "region", "Region", filters=("parent_region_id",), patch=False)
    return tuple(ops)


def public_paths(route: str) -> Sequence[PublicPath]:
    return [PublicPath("/identity/" if route == "/" else f"/identity{route}")]


SERVICE = Service(
    name="identity",
    operations=_operations(),
    schemas=_schemas(),
    error_response=error_response,
    public_paths=public_paths,
)
