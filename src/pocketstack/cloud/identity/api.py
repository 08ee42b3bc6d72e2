"""The identity API (Keystone v3 and the legacy v2.0 token API) declared: every operation once
(see cloud/api/operation.py), with Keystone's request schemas (request_schemas.py) and the typed
request each body becomes (requests.py, auth_requests.py). A rule the token answers alone carries
its check (policy.py), enforced before the responder; a rule whose answer depends on the target
(a user may read their own record, an admin any) is named here and checked by the responder."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from pocketstack.cloud.api.operation import (
    JSON,
    Microversion,
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
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.identity import (
    app_credential_api,
    auth_requests,
    catalog_api,
    credential_api,
    group_requests,
    oauth1_api,
    policy,
    project_tag_api,
    project_tags,
    role_api,
    trust_api,
)
from pocketstack.cloud.identity import request_schemas as schemas
from pocketstack.cloud.identity import requests as bodies


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
        "Project": obj({"id": STR, "name": STR, "domain_id": NSTR, "description": STR,
                        "enabled": BOOL, "parent_id": NSTR, "is_domain": BOOL,
                        "links": entity_links}),
        "User": obj({"id": STR, "name": STR, "domain_id": STR, "enabled": BOOL,
                     "password_expires_at": NSTR, "links": entity_links}),
        "Group": obj({"id": STR, "name": STR, "domain_id": STR, "description": STR,
                      "links": entity_links}),
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
             "domain": named, "system": obj({"all": BOOL}),
             "application_credential": obj({"id": STR, "name": STR, "restricted": BOOL},
                                           required=("id", "name", "restricted")),
             "OS-TRUST:trust": trust_api.TOKEN_SECTION, "OS-OAUTH1": oauth1_api.TOKEN_SECTION},
            required=("methods", "user", "audit_ids", "expires_at", "issued_at"),
        ),
        "ApplicationCredential": obj(
            {"id": STR, "name": STR, "description": NSTR, "expires_at": NSTR, "project_id": STR,
             "roles": arr(obj({"id": STR, "name": STR}, required=("id", "name"))),
             "unrestricted": BOOL, "access_rules": arr({"type": "object"}),
             "links": entity_links, "secret": STR},
            required=("id", "name", "project_id", "roles", "unrestricted", "links"),
        ),
        **credential_api.schemas(), **trust_api.schemas(), **catalog_api.schemas(),
        **oauth1_api.schemas(), "Access": obj(
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


Check = Callable[[RequestContext, str], None] | None
ADMIN: Check = policy.admin_required
ANYONE: Check = policy.any_token


def _rule(name: str, check: Check = None) -> Rule:
    return Rule(f"identity:{name}", check)


@dataclasses.dataclass(frozen=True)
class Body:
    """A request body: its schema and the typed request it becomes."""

    schema: JSON
    parse: Callable[[Any, Microversion | None], object]


def _entities(plural: str, schema: str) -> tuple[Versioned, ...]:
    return every_version(obj({plural: arr(ref(schema)), "links": ref("CollectionLinks")}))


def _crud(
    plural: str,
    singular: str,
    schema: str,
    *,
    filters: tuple[str, ...],
    create: Body,
    update: Body | None = None,
    read: Check = ADMIN,
    get: Check = ADMIN,
) -> list[Operation]:
    """`read` and `get` check listing and showing (None: the responder decides, as a user may
    see their own user, project or domain); writing is for admins."""
    collection, item = f"/v3/{plural}", f"/v3/{plural}/{{{singular}_id}}"
    one = every_version(obj({singular: ref(schema)}))
    ops = [
        Operation(method="GET", path=collection, summary=f"List {plural}",
                  policy=_rule(f"list_{plural}", read), status=(200,),
                  response=_entities(plural, schema),
                  parameters=tuple(query(f) for f in filters), errors=READ),
        Operation(method="POST", path=collection, summary=f"Create a {singular}",
                  policy=_rule(f"create_{singular}", ADMIN), status=(201,),
                  request=every_version(create.schema), parse=create.parse,
                  response=one, errors=WRITE),
        Operation(method="GET", path=item, summary=f"Show a {singular}",
                  policy=_rule(f"get_{singular}", get), status=(200,), response=one,
                  errors=READ),
        Operation(method="DELETE", path=item, summary=f"Delete a {singular}",
                  policy=_rule(f"delete_{singular}", ADMIN), status=(204,), errors=WRITE),
    ]  # fmt: skip
    if update is not None:
        ops.append(Operation(method="PATCH", path=item, summary=f"Update a {singular}",
                             policy=_rule(f"update_{singular}", ADMIN), status=(200,),
                             request=every_version(update.schema), parse=update.parse,
                             response=one, errors=WRITE))  # fmt: skip
    return ops


def _grants(target: str, actor: str) -> list[Operation]:
    """A user's or a group's roles on a project, a domain or the system."""
    base = f"/v3/{target}s/{{{target}_id}}" if target != "system" else "/v3/system"
    roles = every_version(obj({"roles": arr(ref("Role")), "links": ref("CollectionLinks")}))
    listing = f"{base}/{actor}s/{{{actor}_id}}/roles"
    grant = f"{listing}/{{role_id}}"

    # Keystone's rule names: one set for projects and domains (users and groups alike), another
    # for the system, by actor.
    def rule(action: str, system: str) -> Rule:
        return _rule(f"{system}_for_{actor}" if target == "system" else action, ADMIN)

    return [
        Operation(method="GET", path=listing, summary=f"List a {actor}'s roles on a {target}",
                  policy=rule("list_grants", "list_system_grants"),
                  status=(200,), response=roles, errors=READ),
        Operation(method="PUT", path=grant, summary=f"Grant a {actor} a role on a {target}",
                  policy=rule("create_grant", "create_system_grant"),
                  status=(204,), errors=WRITE),
        Operation(method="GET", path=grant, summary=f"Check a {actor}'s role on a {target}",
                  policy=rule("check_grant", "check_system_grant"),
                  status=(204,), errors=READ),
        Operation(method="HEAD", path=grant, summary=f"Check a {actor}'s role on a {target}",
                  policy=rule("check_grant", "check_system_grant"),
                  status=(204,), errors=READ),
        Operation(method="DELETE", path=grant, summary=f"Revoke a {actor}'s role on a {target}",
                  policy=rule("revoke_grant", "revoke_system_grant"),
                  status=(204,), errors=WRITE),
    ]  # fmt: skip


def _groups() -> list[Operation]:
    """Groups and their members. Keystone's rules depend on the group's and the user's domains
    (admin, a reader of the system or the domain, a domain manager, the user themselves): named
    here, checked by the responders (admin/groups.py)."""
    one = every_version(obj({"group": ref("Group")}))
    member = "/v3/groups/{group_id}/users/{user_id}"
    ops = [
        Operation(method="GET", path="/v3/groups", summary="List groups",
                  policy=_rule("list_groups"), status=(200,),
                  response=_entities("groups", "Group"),
                  parameters=(query("name"), query("domain_id")), errors=READ),
        Operation(method="POST", path="/v3/groups", summary="Create a group",
                  policy=_rule("create_group"), status=(201,),
                  request=every_version(group_requests.GROUP_CREATE),
                  parse=group_requests.parse_group_create, response=one, errors=WRITE),
        Operation(method="GET", path="/v3/groups/{group_id}", summary="Show a group",
                  policy=_rule("get_group"), status=(200,), response=one, errors=READ),
        Operation(method="PATCH", path="/v3/groups/{group_id}", summary="Update a group",
                  policy=_rule("update_group"), status=(200,),
                  request=every_version(group_requests.GROUP_UPDATE),
                  parse=group_requests.parse_group_update, response=one, errors=WRITE),
        Operation(method="DELETE", path="/v3/groups/{group_id}", summary="Delete a group",
                  policy=_rule("delete_group"), status=(204,), errors=WRITE),
        Operation(method="GET", path="/v3/groups/{group_id}/users",
                  summary="List the users in a group", policy=_rule("list_users_in_group"),
                  status=(200,), response=_entities("users", "User"),
                  parameters=(query("name"), query("domain_id"), query("enabled")),
                  errors=READ),
        Operation(method="PUT", path=member, summary="Add a user to a group",
                  policy=_rule("add_user_to_group"), status=(204,), errors=WRITE),
        Operation(method="HEAD", path=member, summary="Check that a user is in a group",
                  policy=_rule("check_user_in_group"), status=(204,), errors=READ),
        Operation(method="GET", path=member, summary="Check that a user is in a group",
                  policy=_rule("check_user_in_group"), status=(204,), errors=READ),
        Operation(method="DELETE", path=member, summary="Remove a user from a group",
                  policy=_rule("remove_user_from_group"), status=(204,), errors=WRITE),
        Operation(method="GET", path="/v3/users/{user_id}/groups",
                  summary="List the groups a user is in", policy=_rule("list_groups_for_user"),
                  status=(200,), response=_entities("groups", "Group"),
                  parameters=(query("name"),), errors=READ),
        # No token: the original password is the credential (Keystone's unenforced route).
        Operation(method="POST", path="/v3/users/{user_id}/password",
                  summary="Change one's own password", policy=None, status=(204,),
                  request=every_version(group_requests.PASSWORD_CHANGE),
                  parse=group_requests.parse_password_change, errors=AUTH_ERRORS),
    ]  # fmt: skip
    for target in ("project", "domain", "system"):
        ops += _grants(target, "group")
    return ops


def _discovery() -> list[Operation]:
    version = every_version(obj({"version": ref("IdentityVersion")}))
    versions = every_version(obj({"versions": obj({"values": arr(ref("IdentityVersion"))})}))
    ops = []
    for path, summary, status, body, headers in (
        ("/", "Identity API versions", 300, versions, ("Location",)),
        ("/v3", "The v3 version document", 200, version, ()),
        ("/v2.0", "The v2.0 version document", 200, version, ()),
    ):
        ops.append(
            Operation(
                method="GET",
                path=path,
                summary=summary,
                policy=None,
                status=(status,),
                response=body,
                headers=headers,
            )
        )
        ops.append(
            Operation(
                method="HEAD",
                path=path,
                summary=summary,
                policy=None,
                status=(status,),
                headers=headers,
            )
        )
    return ops  # fmt: skip


def _tokens() -> list[Operation]:
    subject = header("X-Subject-Token", required=True, description="The token to check")
    nocatalog = (query("nocatalog"), query("allow_expired"))
    token = every_version(obj({"token": ref("Token")}))
    access = every_version(obj({"access": ref("Access")}))
    ops = [
        Operation(method="POST", path="/v3/auth/tokens", summary="Authenticate (issue a token)",
                  policy=None, status=(201,), request=every_version(schemas.TOKEN_ISSUE),
                  parse=auth_requests.parse_auth, response=token,
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
                  policy=None, status=(200,), request=every_version(schemas.V2_TOKEN_ISSUE),
                  parse=auth_requests.parse_v2_auth, response=access, errors=AUTH_ERRORS),
        Operation(method="GET", path="/v2.0/tokens/{token_id}", summary="Validate a token (v2.0)",
                  policy=_rule("validate_token"), status=(200,), response=access, errors=READ),
        Operation(method="HEAD", path="/v2.0/tokens/{token_id}", summary="Check a token (v2.0)",
                  policy=_rule("check_token"), status=(200,), errors=READ),
        Operation(method="DELETE", path="/v2.0/tokens/{token_id}", summary="Revoke a token (v2.0)",
                  policy=_rule("revoke_token"), status=(204,), errors=READ),
        # Keystone's admin-or-owner, where the caller is always the owner.
        Operation(method="GET", path="/v2.0/tenants", summary="The caller's projects (v2.0)",
                  policy=_rule("list_user_projects", ANYONE), status=(200,),
                  response=every_version(obj({"tenants": arr({"type": "object"}),
                                     "tenants_links": arr({})})),
                  errors=READ),
    ]  # fmt: skip
    for name in ("catalog", "projects", "domains", "system"):
        listing = every_version(obj({name: arr({"type": "object"}), "links": {"type": "object"}}))
        for method, response in (("GET", listing), ("HEAD", ())):
            ops.append(Operation(method=method, path=f"/v3/auth/{name}",
                                 summary=f"The caller's {name}",
                                 policy=_rule(f"get_auth_{name}", ANYONE), status=(200,),
                                 response=response, errors=READ))  # fmt: skip
    return ops


def _operations() -> tuple[Operation, ...]:
    ops = [*_discovery(), *_tokens()]
    ops += _crud("users", "user", "User", filters=("name", "domain_id", "enabled"),
                 create=Body(schemas.USER_CREATE, bodies.parse_user_create),
                 update=Body(schemas.USER_UPDATE, bodies.parse_user_update),
                 get=None)  # fmt: skip
    ops.append(Operation(method="GET", path="/v3/users/{user_id}/projects",
                         summary="A user's projects", policy=_rule("list_user_projects"),
                         status=(200,), response=_entities("projects", "Project"),
                         errors=READ))  # fmt: skip
    ops += _crud("projects", "project", "Project",
                 filters=("name", "domain_id", "enabled", "parent_id", "is_domain",
                          *project_tags.FILTERS),
                 create=Body(schemas.PROJECT_CREATE, project_tags.parse_project_create),
                 update=Body(schemas.PROJECT_UPDATE, project_tags.parse_project_update),
                 get=None)  # fmt: skip
    ops += _crud("domains", "domain", "Domain", filters=("name", "enabled"),
                 create=Body(schemas.DOMAIN_CREATE, bodies.parse_domain_create),
                 update=Body(schemas.DOMAIN_UPDATE, bodies.parse_domain_update),
                 get=None)  # fmt: skip
    ops += _crud("roles", "role", "Role", filters=("name", "domain_id"),
                 create=Body(schemas.ROLE_CREATE, bodies.parse_role_create))  # fmt: skip
    assignment_filters = ("user.id", "group.id", "scope.project.id", "scope.domain.id",
                          "scope.system", "role.id", "effective", "include_names",
                          "include_subtree", "scope.OS-INHERIT:inherited_to")  # fmt: skip
    ops.append(Operation(method="GET", path="/v3/role_assignments",
                         summary="List role assignments", policy=_rule("list_role_assignments"),
                         status=(200,),
                         response=every_version(obj({"role_assignments": arr({"type": "object"}),
                                            "links": ref("CollectionLinks")})),
                         parameters=tuple(query(n) for n in assignment_filters),
                         errors=READ))  # fmt: skip
    for target in ("project", "domain", "system"):
        ops += _grants(target, "user")
    ops += _groups()
    for part in (app_credential_api, project_tag_api, credential_api, trust_api, catalog_api,
                 role_api, oauth1_api):  # fmt: skip
        ops += part.operations()
    ops += _crud("services", "service", "Service", filters=("type", "name"),
                 create=Body(schemas.SERVICE_CREATE, bodies.parse_service_create))  # fmt: skip
    ops += _crud("endpoints", "endpoint", "Endpoint",
                 filters=("interface", "service_id", "region_id"),
                 create=Body(schemas.ENDPOINT_CREATE, catalog_api.endpoint_create))  # fmt: skip
    # Anyone with a token may read the regions (Keystone's empty check string).
    ops += _crud("regions", "region", "Region", filters=("parent_region_id",),
                 create=Body(schemas.REGION_CREATE, bodies.parse_region_create),
                 read=ANYONE, get=ANYONE)  # fmt: skip
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
