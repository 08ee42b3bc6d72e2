"""The identity API (Keystone v3 and the legacy v2.0 token API) under `/identity`."""

from __future__ import annotations

from pocketstack.cloud.openapi.shapes import (
    BOOL,
    JSON,
    NSTR,
    STR,
    arr,
    header,
    json_body,
    no_body,
    obj,
    operation,
    path_param,
    query,
    ref,
)

TAG = "identity"
V3 = "/identity/v3"


def schemas() -> dict[str, JSON]:
    links = obj({"self": STR, "previous": NSTR, "next": NSTR}, required=("self",))
    entity_links = obj({"self": STR})
    named = obj({"id": STR, "name": STR})
    return {
        "AuthError": obj(
            {"error": obj({"code": {"const": 401}, "title": STR, "message": STR})}
        ),
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


def _errors(*codes: int) -> dict[int, JSON]:
    return {
        code: json_body(ref("AuthError" if code == 401 else "KeystoneError"), "Keystone error")
        for code in codes
    }


def _entities(plural: str, singular: str, schema: str) -> JSON:
    return json_body(obj({plural: arr(ref(schema)), "links": ref("CollectionLinks")}), singular)


def _one(singular: str, schema: str) -> JSON:
    return json_body(obj({singular: ref(schema)}))


READ = (400, 401, 403, 404)
WRITE = (400, 401, 403, 404, 409, 413)


def _crud(
    plural: str, singular: str, schema: str, *, filters: tuple[str, ...], patch: bool
) -> dict[str, JSON]:
    item_param = path_param(f"{singular}_id")
    collection = {
        "get": operation(f"List {plural}", tag=TAG, parameters=[query(f) for f in filters],
                         responses={200: _entities(plural, singular, schema), **_errors(*READ)}),
        "post": operation(f"Create a {singular}", tag=TAG,
                          body=obj({singular: {"type": "object"}}),
                          responses={201: _one(singular, schema), **_errors(*WRITE)}),
    }  # fmt: skip
    item: JSON = {
        "parameters": [item_param],
        "get": operation(f"Show a {singular}", tag=TAG,
                         responses={200: _one(singular, schema), **_errors(*READ)}),
        "delete": operation(f"Delete a {singular}", tag=TAG,
                            responses={204: no_body("Deleted"), **_errors(*WRITE)}),
    }  # fmt: skip
    if patch:
        item["patch"] = operation(
            f"Update a {singular}", tag=TAG, body=obj({singular: {"type": "object"}}),
            responses={200: _one(singular, schema), **_errors(*WRITE)},
        )  # fmt: skip
    return {f"{V3}/{plural}": collection, f"{V3}/{plural}/{{{singular}_id}}": item}


def _grants(target: str) -> dict[str, JSON]:
    params = [path_param(f"{target}_id")] if target != "system" else []
    params.append(path_param("user_id"))
    base = f"{V3}/{target}s/{{{target}_id}}" if target != "system" else f"{V3}/system"
    roles = json_body(obj({"roles": arr(ref("Role")), "links": ref("CollectionLinks")}))
    grant = [*params, path_param("role_id")]
    granted = {204: no_body("The user has the role")}
    return {
        f"{base}/users/{{user_id}}/roles": {
            "parameters": params,
            "get": operation(f"List a user's roles on a {target}", tag=TAG,
                             responses={200: roles, **_errors(*READ)}),
        },
        f"{base}/users/{{user_id}}/roles/{{role_id}}": {
            "parameters": grant,
            "put": operation(f"Grant a role on a {target}", tag=TAG,
                             responses={**granted, **_errors(*WRITE)}),
            "get": operation(f"Check a role grant on a {target}", tag=TAG,
                             responses={**granted, **_errors(*READ)}),
            "head": operation(f"Check a role grant on a {target}", tag=TAG,
                              responses={**granted, **_errors(*READ)}),
            "delete": operation(f"Revoke a role on a {target}", tag=TAG,
                                responses={**granted, **_errors(*WRITE)}),
        },
    }  # fmt: skip


def _tokens() -> dict[str, JSON]:
    subject = header("X-Subject-Token", required=True, description="The token to check")
    token = {
        "description": "A token",
        "headers": {"X-Subject-Token": {"schema": STR}},
        "content": {"application/json": {"schema": obj({"token": ref("Token")})}},
    }
    checked = {"description": "Valid", "headers": {"X-Subject-Token": {"schema": STR}}}
    access = json_body(obj({"access": ref("Access")}))
    nocatalog = [query("nocatalog"), query("allow_expired")]
    list_of = {
        name: json_body(obj({name: arr({"type": "object"}), "links": {"type": "object"}}))
        for name in ("catalog", "projects", "domains", "system")
    }
    auth_body = obj({"auth": {"type": "object"}})
    return {
        f"{V3}/auth/tokens": {
            "post": operation("Authenticate (issue a token)", tag=TAG, public=True,
                              parameters=nocatalog, body=auth_body,
                              responses={201: token, **_errors(400, 401, 403, 404, 413, 429)}),
            "get": operation("Validate a token", tag=TAG, parameters=[subject, *nocatalog],
                             responses={200: token, **_errors(*READ)}),
            "head": operation("Check a token", tag=TAG, parameters=[subject, *nocatalog],
                              responses={200: checked, **_errors(*READ)}),
            "delete": operation("Revoke a token", tag=TAG, parameters=[subject],
                                responses={204: no_body("Revoked"), **_errors(*READ)}),
        },
        **{
            f"{V3}/auth/{name}": {
                method: operation(f"The caller's {name}", tag=TAG,
                                  responses={200: list_of[name] if method == "get"
                                             else no_body("OK"), **_errors(*READ)})
                for method in ("get", "head")
            }
            for name in ("catalog", "projects", "domains", "system")
        },
        "/identity/v2.0/tokens": {
            "post": operation("Authenticate (v2.0)", tag=TAG, public=True, body=auth_body,
                              responses={200: access, **_errors(400, 401, 403, 404, 413, 429)}),
        },
        "/identity/v2.0/tokens/{token_id}": {
            "parameters": [path_param("token_id")],
            "get": operation("Validate a token (v2.0)", tag=TAG,
                             responses={200: access, **_errors(*READ)}),
            "head": operation("Check a token (v2.0)", tag=TAG,
                              responses={200: no_body("Valid"), **_errors(*READ)}),
            "delete": operation("Revoke a token (v2.0)", tag=TAG,
                                responses={204: no_body("Revoked"), **_errors(*READ)}),
        },
        "/identity/v2.0/tenants": {
            "get": operation("The caller's projects (v2.0)", tag=TAG, responses={
                200: json_body(obj({"tenants": arr({"type": "object"}), "tenants_links": arr({})})),
                **_errors(*READ)}),
        },
    }  # fmt: skip


def paths() -> dict[str, JSON]:
    version = json_body(obj({"version": ref("IdentityVersion")}))
    versions = {
        "description": "Multiple choices: the v3 and v2.0 documents",
        "headers": {"Location": {"schema": STR}},
        "content": {
            "application/json": {
                "schema": obj({"versions": obj({"values": arr(ref("IdentityVersion"))})})
            }
        },
    }
    discovery: dict[str, JSON] = {
        path: {method: operation(summary, tag=TAG, public=True,
                                 responses={code: body if method == "get" else no_body("OK")})
               for method in ("get", "head")}
        for path, summary, code, body in (
            ("/identity/", "Identity API versions", 300, versions),
            ("/identity/v3", "The v3 version document", 200, version),
            ("/identity/v2.0", "The v2.0 version document", 200, version),
        )
    }  # fmt: skip
    paths_: dict[str, JSON] = {**discovery, **_tokens()}
    paths_.update(
        _crud("users", "user", "User", filters=("name", "domain_id", "enabled"), patch=True)
    )
    paths_[f"{V3}/users/{{user_id}}/projects"] = {
        "parameters": [path_param("user_id")],
        "get": operation(
            "A user's projects",
            tag=TAG,
            responses={200: _entities("projects", "project", "Project"), **_errors(*READ)},
        ),
    }
    paths_.update(
        _crud(
            "projects",
            "project",
            "Project",
            filters=("name", "domain_id", "enabled", "parent_id", "is_domain"),
            patch=True,
        )
    )
    paths_.update(_crud("domains", "domain", "Domain", filters=("name", "enabled"), patch=True))
    paths_.update(_crud("roles", "role", "Role", filters=("name", "domain_id"), patch=False))
    paths_[f"{V3}/role_assignments"] = {
        "get": operation(
            "List role assignments",
            tag=TAG,
            parameters=[
                query(n)
                for n in (
                    "user.id",
                    "group.id",
                    "scope.project.id",
                    "scope.domain.id",
                    "scope.system",
                    "role.id",
                    "effective",
                    "include_names",
                    "include_subtree",
                )
            ],
            responses={
                200: json_body(
                    obj(
                        {
                            "role_assignments": arr({"type": "object"}),
                            "links": ref("CollectionLinks"),
                        }
                    )
                ),
                **_errors(*READ),
            },
        ),
    }
    for target in ("project", "domain", "system"):
        paths_.update(_grants(target))
    paths_.update(_crud("services", "service", "Service", filters=("type", "name"), patch=False))
    paths_.update(
        _crud(
            "endpoints",
            "endpoint",
            "Endpoint",
            filters=("interface", "service_id", "region_id"),
            patch=False,
        )
    )
    paths_.update(_crud("regions", "region", "Region", filters=("parent_region_id",),
                        patch=False))  # fmt: skip
    return paths_
