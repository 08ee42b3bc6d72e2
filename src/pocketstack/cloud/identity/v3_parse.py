"""Turn a v3 `{"auth": ...}` body into credentials and a scope, with Keystone's 400 wording."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from pocketstack.cloud.errors import BadRequest
from pocketstack.cloud.identity.authn import PasswordCredential, ScopeRequest
from pocketstack.cloud.identity.errors import (
    AuthenticationFailed,
    MethodNotSupported,
    SchemaError,
    ValidationError,
)

SUPPORTED_METHODS = ("password", "token")
_TYPE_NAMES = {dict: "object", str: "string", list: "array", bool: "boolean"}


def _show(value: Any) -> str:
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 64 else text[:61] + "..."


def _typed(value: Any, kind: type, path: str) -> Any:
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise SchemaError(path=path, detail=f"{_show(value)} is not of type '{_TYPE_NAMES[kind]}'")
    return value


def _opt(obj: dict[str, Any], key: str, kind: type, path: str) -> Any:
    if key not in obj:
        return None
    return _typed(obj[key], kind, f"{path}/{key}" if path else key)


def _id_or_name(obj: dict[str, Any], path: str) -> tuple[str | None, str | None]:
    ident = _opt(obj, "id", str, path)
    name = _opt(obj, "name", str, path)
    if ident is None and name is None:
        raise BadRequest(f"Invalid input for field {path}: id or name must be present.")
    return ident, name


@dataclasses.dataclass(frozen=True, kw_only=True)
class V3AuthRequest:
    methods: list[str]
    password: PasswordCredential | None
    token_id: str | None
    scope: ScopeRequest


def _password(identity: dict[str, Any]) -> PasswordCredential:
    data = _typed(identity["password"], dict, "identity/password")
    if "user" not in data:
        raise ValidationError(attribute="user", target="password")
    user = _typed(data["user"], dict, "identity/password/user")
    user_id, user_name = _id_or_name(user, "identity/password/user")
    password = _opt(user, "password", str, "identity/password/user")
    domain_id = domain_name = None
    if "domain" in user:
        domain = _typed(user["domain"], dict, "identity/password/user/domain")
        domain_id, domain_name = _id_or_name(domain, "identity/password/user/domain")
    if user_id is None and domain_id is None and domain_name is None:
        raise ValidationError(attribute="domain", target="user")
    return PasswordCredential(
        # Keystone sends a missing password down the normal path, where it simply fails.
        password=password if password is not None else "",
        user_id=user_id,
        user_name=user_name if user_id is None else None,
        domain_id=domain_id,
        domain_name=domain_name if domain_id is None else None,
    )


def _scope(auth: dict[str, Any]) -> ScopeRequest:
    if "scope" not in auth:
        return ScopeRequest()
    raw = auth["scope"]
    if isinstance(raw, str):
        if raw == "unscoped":
            return ScopeRequest(unscoped=True)
        raise ValidationError(
            attribute="system, project, domain, OS-TRUST:trust or unscoped", target="scope"
        )
    scope = _typed(raw, dict, "scope")
    keys = [k for k in ("project", "domain", "unscoped", "system", "OS-TRUST:trust") if k in scope]
    if len(keys) != 1:
        raise ValidationError(
            attribute="system, project, domain, OS-TRUST:trust or unscoped", target="scope"
        )
    kind = keys[0]
    if kind == "unscoped":
        return ScopeRequest(unscoped=True)
    if kind == "system":
        system = _typed(scope["system"], dict, "scope/system")
        _opt(system, "all", bool, "scope/system")
        return ScopeRequest(system=True)
    if kind == "domain":
        domain = _typed(scope["domain"], dict, "scope/domain")
        domain_id, domain_name = _id_or_name(domain, "scope/domain")
        return ScopeRequest(domain_id=domain_id, domain_name=domain_name if not domain_id else None)
    if kind == "project":
        project = _typed(scope["project"], dict, "scope/project")
        project_id, project_name = _id_or_name(project, "scope/project")
        pd_id = pd_name = None
        if "domain" in project:
            pdomain = _typed(project["domain"], dict, "scope/project/domain")
            pd_id, pd_name = _id_or_name(pdomain, "scope/project/domain")
        if project_id is None and pd_id is None and pd_name is None:
            # A project name means nothing without its domain.
            raise ValidationError(attribute="domain", target="project")
        if project_id is not None:
            return ScopeRequest(project_id=project_id)
        return ScopeRequest(
            project_name=project_name,
            project_domain_id=pd_id,
            project_domain_name=pd_name if pd_id is None else None,
        )
    # Trusts are not implemented: a trust scope can never be satisfied.
    raise MethodNotSupported(supported=SUPPORTED_METHODS)


def parse_v3_auth(body: dict[str, Any]) -> V3AuthRequest:
    auth = body.get("auth")
    if not auth:
        raise ValidationError(attribute="auth", target="request body")
    auth = _typed(auth, dict, "auth")
    if "identity" not in auth:
        raise SchemaError(path="auth", detail="'identity' is a required property")
    identity = _typed(auth["identity"], dict, "identity")
    if "methods" not in identity:
        raise SchemaError(path="identity", detail="'methods' is a required property")
    methods_raw = _typed(identity["methods"], list, "identity/methods")
    methods: list[str] = []
    for index, method in enumerate(methods_raw):
        _typed(method, str, f"identity/methods/{index}")
        if method not in methods:
            methods.append(method)
    for method in methods:
        if method not in identity:
            raise ValidationError(attribute=method, target="identity")
    for method in methods:
        if method not in SUPPORTED_METHODS:
            raise MethodNotSupported(supported=SUPPORTED_METHODS)
    if not methods:
        # Keystone: no method ran, so nobody was authenticated.
        raise AuthenticationFailed()
    password = _password(identity) if "password" in methods else None
    token_id = None
    if "token" in methods:
        token = _typed(identity["token"], dict, "identity/token")
        if "id" not in token:
            raise SchemaError(path="identity/token", detail="'id' is a required property")
        token_id = _typed(token["id"], str, "identity/token/id")
    return V3AuthRequest(methods=methods, password=password, token_id=token_id, scope=_scope(auth))
