"""The identity service (Keystone v3 and the legacy v2.0 API) as a falcon app."""

from __future__ import annotations

import falcon

from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.identity import discovery, errors, v2, v3_tokens
from pocketstack.cloud.identity.admin import catalog, domains, projects, roles, users
from pocketstack.cloud.identity.service import Identity
from pocketstack.cloud.identity.web import RequestIdMiddleware
from pocketstack.cloud.inputs import RefuseNul


def create_app(deps: CloudDeps) -> falcon.App[falcon.Request, falcon.Response]:
    identity = Identity(deps)
    app: falcon.App[falcon.Request, falcon.Response] = falcon.App(
        middleware=[RequestIdMiddleware(), RefuseNul()], cors_enable=False
    )
    app.req_options.strip_url_path_trailing_slash = True
    app.req_options.keep_blank_qs_values = True
    # Bodies are parsed by our own reader (size limit, Keystone's 400s), never by falcon.
    app.req_options.auto_parse_form_urlencoded = False
    errors.install(app)

    app.add_route("/", discovery.Versions())
    app.add_route("/v3", discovery.V3Version())
    app.add_route("/v2.0", discovery.V2Version())

    app.add_route("/v2.0/tokens", v2.Tokens(identity))
    app.add_route("/v2.0/tokens/{token_id}", v2.Token(identity))
    app.add_route("/v2.0/tenants", v2.Tenants(identity))

    app.add_route("/v3/auth/tokens", v3_tokens.AuthTokens(identity))
    app.add_route("/v3/auth/catalog", v3_tokens.AuthCatalog(identity))
    app.add_route("/v3/auth/projects", v3_tokens.AuthProjects(identity))
    app.add_route("/v3/auth/domains", v3_tokens.AuthDomains(identity))
    app.add_route("/v3/auth/system", v3_tokens.AuthSystem(identity))

    app.add_route("/v3/users", users.Users(identity))
    app.add_route("/v3/users/{user_id}", users.UserItem(identity))
    app.add_route("/v3/users/{user_id}/projects", users.UserProjects(identity))
    app.add_route("/v3/projects", projects.Projects(identity))
    app.add_route("/v3/projects/{project_id}", projects.ProjectItem(identity))
    app.add_route("/v3/domains", domains.Domains(identity))
    app.add_route("/v3/domains/{domain_id}", domains.DomainItem(identity))
    app.add_route("/v3/roles", roles.Roles(identity))
    app.add_route("/v3/roles/{role_id}", roles.RoleItem(identity))
    app.add_route("/v3/role_assignments", roles.RoleAssignments(identity))
    for target in ("project", "domain"):
        base = f"/v3/{target}s/{{{target}_id}}/users/{{user_id}}/roles"
        app.add_route(base, roles.GrantList(identity, target))
        app.add_route(f"{base}/{{role_id}}", roles.Grant(identity, target))
    app.add_route("/v3/system/users/{user_id}/roles", roles.GrantList(identity, "system"))
    app.add_route("/v3/system/users/{user_id}/roles/{role_id}", roles.Grant(identity, "system"))
    app.add_route("/v3/services", catalog.Services(identity))
    app.add_route("/v3/services/{service_id}", catalog.ServiceItem(identity))
    app.add_route("/v3/endpoints", catalog.Endpoints(identity))
    app.add_route("/v3/endpoints/{endpoint_id}", catalog.EndpointItem(identity))
    app.add_route("/v3/regions", catalog.Regions(identity))
    app.add_route("/v3/regions/{region_id}", catalog.RegionItem(identity))
    return app
