"""The identity service (Keystone v3 and the legacy v2.0 API) as a falcon app."""

from __future__ import annotations

import falcon

from pocketstack.cloud import jsonmedia
from pocketstack.cloud.api.enforce import enforcer, mount
from pocketstack.cloud.api.keywords import REQUEST_VALIDATOR
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.identity import (
    access_rules,
    discovery,
    domain_roles,
    effective_assignments,
    errors,
    oauth1_flow,
    policy,
    role_inference,
    v2,
    v3_tokens,
)
from pocketstack.cloud.identity import inherit_resources as inherit
from pocketstack.cloud.identity.admin import (
    app_credentials,
    catalog,
    credentials,
    domain_configs,
    domains,
    ec2_credentials,
    endpoint_groups,
    group_grants,
    groups,
    oauth1,
    password,
    policies,
    project_tags,
    projects,
    roles,
    trusts,
    users,
)
from pocketstack.cloud.identity.api import SERVICE
from pocketstack.cloud.identity.service import Identity
from pocketstack.cloud.identity.web import RequestIdMiddleware, json_reader, schema_error
from pocketstack.cloud.inputs import RefuseNul
from pocketstack.cloud.store import retry


def create_app(deps: CloudDeps) -> falcon.App[falcon.Request, falcon.Response]:
    identity = Identity(deps)
    app: falcon.App[falcon.Request, falcon.Response] = falcon.App(
        middleware=[
            RequestIdMiddleware(),
            RefuseNul(),
            enforcer(
                SERVICE,
                check_responses=deps.config.check_responses,
                caller_of=policy.caller_of(deps.tokens),
                read_body=json_reader(deps.config.max_request_body_size),
                invalid=schema_error,
                validator=REQUEST_VALIDATOR,
            ),
        ],
        cors_enable=False,
    )
    app.req_options.strip_url_path_trailing_slash = True
    app.req_options.keep_blank_qs_values = True
    # Bodies are parsed by our own reader (size limit, Keystone's 400s), never by falcon.
    app.req_options.auto_parse_form_urlencoded = False
    jsonmedia.install(app)
    errors.install(app)

    resources: dict[str, object] = {
        "/": discovery.Versions(),
        "/v3": discovery.V3Version(),
        "/v2.0": discovery.V2Version(),
        "/v2.0/tokens": v2.Tokens(identity),
        "/v2.0/tokens/{token_id}": v2.Token(identity),
        "/v2.0/tenants": v2.Tenants(identity),
        "/v3/auth/tokens": v3_tokens.AuthTokens(identity),
        "/v3/auth/catalog": v3_tokens.AuthCatalog(identity),
        "/v3/auth/projects": v3_tokens.AuthProjects(identity),
        "/v3/auth/domains": v3_tokens.AuthDomains(identity),
        "/v3/auth/system": v3_tokens.AuthSystem(identity),
        "/v3/users": users.Users(identity),
        "/v3/users/{user_id}": users.UserItem(identity),
        "/v3/users/{user_id}/projects": users.UserProjects(identity),
        "/v3/users/{user_id}/groups": groups.UserGroups(identity),
        "/v3/users/{user_id}/password": password.UserPassword(identity),
        "/v3/users/{user_id}/application_credentials": app_credentials.AppCredentials(identity),
        "/v3/users/{user_id}/application_credentials/{credential_id}": (
            app_credentials.AppCredentialItem(identity)
        ),
        "/v3/users/{user_id}/access_rules": access_rules.AccessRules(identity),
        "/v3/users/{user_id}/access_rules/{access_rule_id}": access_rules.AccessRuleItem(identity),
        "/v3/groups": groups.Groups(identity),
        "/v3/groups/{group_id}": groups.GroupItem(identity),
        "/v3/groups/{group_id}/users": groups.GroupUsers(identity),
        "/v3/groups/{group_id}/users/{user_id}": groups.GroupMember(identity),
        "/v3/projects": projects.Projects(identity),
        "/v3/projects/{project_id}": projects.ProjectItem(identity),
        "/v3/projects/{project_id}/tags": project_tags.ProjectTags(identity),
        "/v3/projects/{project_id}/tags/{tag}": project_tags.ProjectTag(identity),
        "/v3/credentials": credentials.Credentials(identity),
        "/v3/credentials/{credential_id}": credentials.CredentialItem(identity),
        "/v3/users/{user_id}/credentials/OS-EC2": ec2_credentials.Ec2Credentials(identity),
        "/v3/users/{user_id}/credentials/OS-EC2/{credential_id}": (
            ec2_credentials.Ec2CredentialItem(identity)
        ),
        "/v3/domains": domains.Domains(identity),
        "/v3/domains/{domain_id}": domains.DomainItem(identity),
        "/v3/OS-TRUST/trusts": trusts.Trusts(identity),
        "/v3/OS-TRUST/trusts/{trust_id}": trusts.TrustItem(identity),
        "/v3/OS-TRUST/trusts/{trust_id}/roles": trusts.TrustRoles(identity),
        "/v3/OS-TRUST/trusts/{trust_id}/roles/{role_id}": trusts.TrustRoleItem(identity),
        # Domain-specific roles, inherited grants and implied roles over admin/'s resources.
        "/v3/roles": domain_roles.Roles(identity),
        "/v3/roles/{role_id}": domain_roles.RoleItem(identity),
        "/v3/role_assignments": effective_assignments.RoleAssignments(identity),
        "/v3/roles/{role_id}/implies": role_inference.ImpliedRoleList(identity),
        "/v3/roles/{role_id}/implies/{implies_role_id}": (
            role_inference.ImpliedRoleItem(identity)
        ),
        "/v3/role_inferences": role_inference.RoleInferences(identity),
        "/v3/system/users/{user_id}/roles": roles.GrantList(identity, "system"),
        "/v3/system/users/{user_id}/roles/{role_id}": roles.Grant(identity, "system"),
        "/v3/system/groups/{group_id}/roles": group_grants.GroupGrantList(identity, "system"),
        "/v3/system/groups/{group_id}/roles/{role_id}": group_grants.GroupGrant(identity, "system"),
        "/v3/services": catalog.Services(identity),
        "/v3/services/{service_id}": catalog.ServiceItem(identity),
        "/v3/endpoints": catalog.Endpoints(identity),
        "/v3/endpoints/{endpoint_id}": catalog.EndpointItem(identity),
        "/v3/regions": catalog.Regions(identity),
        "/v3/regions/{region_id}": catalog.RegionItem(identity),
        **endpoint_groups.resources(identity),
        **domain_configs.resources(identity),
        **oauth1.resources(identity),
        **oauth1_flow.resources(identity),
        "/v3/policies": policies.Policies(identity),
        "/v3/policies/{policy_id}": policies.PolicyItem(identity),
    }
    for target in ("project", "domain"):
        base = f"/v3/{target}s/{{{target}_id}}/users/{{user_id}}/roles"
        resources[base] = roles.GrantList(identity, target)
        resources[f"{base}/{{role_id}}"] = roles.Grant(identity, target)
        base = f"/v3/{target}s/{{{target}_id}}/groups/{{group_id}}/roles"
        resources[base] = group_grants.GroupGrantList(identity, target)
        resources[f"{base}/{{role_id}}"] = group_grants.GroupGrant(identity, target)
    for target in ("domain", "project"):
        for actor in ("user", "group"):
            base = f"/v3/OS-INHERIT/{target}s/{{{target}_id}}/{actor}s/{{{actor}_id}}/roles"
            resources[f"{base}/{{role_id}}/inherited_to_projects"] = inherit.InheritedGrant(
                identity, target
            )
            if target == "domain":
                resources[f"{base}/inherited_to_projects"] = inherit.InheritedGrantList(
                    identity, target
                )
    # A transaction PostgreSQL or MariaDB gave up to break a deadlock (two creates meeting on
    # a unique key, say) runs again, as the network service's do (store/retry.py).
    mount(app, SERVICE, resources, wrap=retry.on_transient_errors)
    return app
