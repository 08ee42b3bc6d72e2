"""Token requests (v3 `POST /v3/auth/tokens`, legacy `POST /v2.0/tokens`) as typed values,
built from bodies their declared schema (request_schemas.py) has already typed.

The rest is what Keystone checks in code after its schema, in its order and words: an id or a
name where one is needed, each method's payload present and supported, exactly one scope, and
the domain a name needs to mean anything.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from pocketstack.cloud.api.operation import Microversion
from pocketstack.cloud.errors import BadRequest, Unauthorized
from pocketstack.cloud.identity.app_credential_requests import (
    AppCredentialLogin,
    parse_app_credential_login,
)
from pocketstack.cloud.identity.authn import PasswordCredential, ScopeRequest
from pocketstack.cloud.identity.errors import (
    AuthenticationFailed,
    MethodNotSupported,
    ValidationError,
)
from pocketstack.cloud.identity.totp_requests import TotpLogin, parse_totp_login

# The methods a 401 advertises, as Keystone lists its enabled ones.
SUPPORTED_METHODS = ("password", "token", "application_credential", "totp", "oauth1")
ACCEPTED_METHODS = SUPPORTED_METHODS
APP_CREDENTIAL_SCOPE_ERROR = (
    "Error authenticating with application credential: Application credentials cannot request"
    " a scope."
)
DEFAULT_DOMAIN_ID = "default"
_SCOPES = ("project", "domain", "unscoped", "system", "OS-TRUST:trust")
_ONE_SCOPE = "system, project, domain, OS-TRUST:trust or unscoped"


@dataclasses.dataclass(frozen=True, kw_only=True)
class AuthRequest:
    """A v3 token request: the methods asked for (each once, in order), their credentials."""

    methods: tuple[str, ...]
    password: PasswordCredential | None
    token_id: str | None
    scope: ScopeRequest
    application_credential: AppCredentialLogin | None = None
    totp: TotpLogin | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class V2AuthRequest:
    """A v2.0 token request: a token to rescope or a password, and the tenant asked for."""

    token_id: str | None
    password: PasswordCredential | None
    scope: ScopeRequest


def _id_or_name(obj: dict[str, Any] | None, field: str) -> None:
    if obj is not None and "id" not in obj and "name" not in obj:
        raise BadRequest(f"Invalid input for field {field}: id or name must be present.")


def _names_something(auth: dict[str, Any]) -> None:
    """Keystone's checks right after its schema (validate_issue_token_auth)."""
    user = auth["identity"].get("password", {}).get("user")
    _id_or_name(user, "identity/password/user")
    _id_or_name(user.get("domain") if user else None, "identity/password/user/domain")
    scope = auth.get("scope")
    if isinstance(scope, dict):
        project = scope.get("project")
        _id_or_name(project, "scope/project")
        _id_or_name(project.get("domain") if project else None, "scope/project/domain")
        _id_or_name(scope.get("domain"), "scope/domain")


def _scope(auth: dict[str, Any]) -> ScopeRequest:
    if "scope" not in auth:
        return ScopeRequest()
    scope = auth["scope"]
    if isinstance(scope, str):
        # keystoneauth's explicit "no scope"; Keystone tests the string with `in`, where any
        # other word either names nothing or would be indexed as an object.
        if scope == "unscoped":
            return ScopeRequest(unscoped=True)
        raise ValidationError(attribute=_ONE_SCOPE, target="scope")
    if sum(kind in scope for kind in _SCOPES) != 1:
        raise ValidationError(attribute=_ONE_SCOPE, target="scope")
    if "system" in scope:
        return ScopeRequest(system=True)
    if "unscoped" in scope:
        return ScopeRequest(unscoped=True)
    if "domain" in scope:
        domain = scope["domain"]
        return ScopeRequest(
            domain_id=domain.get("id"), domain_name=None if "id" in domain else domain["name"]
        )
    if "project" in scope:
        project = scope["project"]
        if "id" in project:
            return ScopeRequest(project_id=project["id"])
        domain = project.get("domain")
        if domain is None:
            # A project name means nothing without its domain.
            raise ValidationError(attribute="domain", target="project")
        return ScopeRequest(
            project_name=project["name"],
            project_domain_id=domain.get("id"),
            project_domain_name=None if "id" in domain else domain.get("name"),
        )
    trust = scope["OS-TRUST:trust"]
    if not trust.get("id"):
        raise ValidationError(attribute="trust_id", target="trust")
    return ScopeRequest(trust_id=trust["id"])


def _password(identity: dict[str, Any]) -> PasswordCredential:
    if "user" not in identity["password"]:
        raise ValidationError(attribute="user", target="password")
    user = identity["password"]["user"]
    domain = user.get("domain")
    if "id" not in user and domain is None:
        raise ValidationError(attribute="domain", target="user")
    return PasswordCredential(
        # Keystone sends a missing password down the normal path, where it simply fails.
        password=user.get("password", ""),
        user_id=user.get("id"),
        user_name=None if "id" in user else user["name"],
        domain_id=domain.get("id") if domain else None,
        domain_name=domain.get("name") if domain and "id" not in domain else None,
    )


def parse_auth(body: Any, version: Microversion | None) -> AuthRequest:
    auth: dict[str, Any] | None = body.get("auth")
    if auth is None:
        raise ValidationError(attribute="auth", target="request body")
    _names_something(auth)
    identity = auth["identity"]
    methods = tuple(dict.fromkeys(identity["methods"]))
    for method in methods:
        if method not in identity:
            raise ValidationError(attribute=method, target="identity")
    if any(method not in ACCEPTED_METHODS for method in methods):
        raise MethodNotSupported(supported=SUPPORTED_METHODS)
    app_credential = None
    if "application_credential" in methods:
        # The credential decides the scope (Keystone checks this before any scope's shape).
        if "scope" in auth:
            raise Unauthorized(APP_CREDENTIAL_SCOPE_ERROR)
        app_credential = parse_app_credential_login(identity["application_credential"])
    scope = _scope(auth)
    if not methods:
        # Keystone: no method ran, so nobody was authenticated.
        raise AuthenticationFailed()
    return AuthRequest(
        methods=methods,
        password=_password(identity) if "password" in methods else None,
        token_id=identity["token"]["id"] if "token" in methods else None,
        scope=scope,
        application_credential=app_credential,
        totp=parse_totp_login(identity["totp"]) if "totp" in methods else None,
    )


def _v2_scope(auth: dict[str, Any]) -> ScopeRequest:
    # v2.0 has no default-project rule: without a tenant the token is unscoped.
    if auth.get("tenantId"):
        return ScopeRequest(project_id=auth["tenantId"])
    if auth.get("tenantName"):
        return ScopeRequest(project_name=auth["tenantName"], project_domain_id=DEFAULT_DOMAIN_ID)
    return ScopeRequest(unscoped=True)


def parse_v2_auth(body: Any, version: Microversion | None) -> V2AuthRequest:
    """Keystone's v2.0 checks, which were code alone (the v2.0 API never had a schema)."""
    auth: dict[str, Any] | None = body.get("auth")
    if auth is None:
        raise ValidationError(attribute="auth", target="request body")
    if "token" in auth:
        if "id" not in auth["token"]:
            raise ValidationError(attribute="id", target="token")
        return V2AuthRequest(token_id=auth["token"]["id"] or "", password=None,
                             scope=_v2_scope(auth))  # fmt: skip
    if "passwordCredentials" not in auth:
        raise ValidationError(attribute="auth", target="request body")
    creds = auth["passwordCredentials"]
    if "password" not in creds:
        raise ValidationError(attribute="password", target="passwordCredentials")
    user_id, username = creds.get("userId"), creds.get("username")
    if not user_id and not username:
        raise ValidationError(attribute="username or userId", target="passwordCredentials")
    password = creds["password"] or ""
    cred = (
        PasswordCredential(password=password, user_name=username, domain_id=DEFAULT_DOMAIN_ID)
        if username
        else PasswordCredential(password=password, user_id=user_id)
    )
    return V2AuthRequest(token_id=None, password=cred, scope=_v2_scope(auth))
