"""Who the caller is and what scope they get: the logic behind v3 and v2.0 token requests.

Every failure of identity or authorization is the same `AuthenticationFailed`, and every
password attempt costs one bcrypt check — unknown users included — so neither the answer nor its
timing tells a stranger which user names exist.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from sqlalchemy.engine import Connection

from pocketstack.cloud.auth.tokens import IssuedToken, TokenError, TokenPayload
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.identity import directory, user_options
from pocketstack.cloud.identity.catalog import CatalogService, load_catalog
from pocketstack.cloud.identity.directory import (
    DomainRef,
    ProjectRecord,
    Reader,
    RoleRef,
    UserRecord,
)
from pocketstack.cloud.identity.errors import AuthenticationFailed, PolicyDenied
from pocketstack.cloud.identity.lockout import Lockout
from pocketstack.cloud.identity.passwords import PasswordHasher
from pocketstack.cloud.identity.throttle import LoginThrottle


@dataclasses.dataclass(frozen=True, kw_only=True)
class PasswordCredential:
    password: str
    user_id: str | None = None
    user_name: str | None = None
    domain_id: str | None = None
    domain_name: str | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class ScopeRequest:
    """Exactly one of these is set, or none (then the user's default project applies)."""

    project_id: str | None = None
    project_name: str | None = None
    project_domain_id: str | None = None
    project_domain_name: str | None = None
    domain_id: str | None = None
    domain_name: str | None = None
    system: bool = False
    unscoped: bool = False
    # OS-TRUST: the trust whose project and roles the token gets (trust_auth.py).
    trust_id: str | None = None

    @property
    def wants_project(self) -> bool:
        return self.project_id is not None or self.project_name is not None

    @property
    def wants_domain(self) -> bool:
        return self.domain_id is not None or self.domain_name is not None


@dataclasses.dataclass(frozen=True, kw_only=True)
class TokenView:
    """Everything a token body shows, resolved from the database."""

    token_id: str
    payload: TokenPayload
    user: UserRecord
    project: ProjectRecord | None
    domain: DomainRef | None
    roles: list[RoleRef]
    catalog: list[CatalogService] | None


def claimed_user_key(cred: PasswordCredential) -> str:
    """What a login for a user that does not exist is throttled under: the name it gave."""
    if cred.user_id is not None:
        return f"id:{cred.user_id}"
    domain = cred.domain_id if cred.domain_id is not None else f"name:{cred.domain_name}"
    return f"name:{domain}/{cred.user_name}"


class Authenticator:
    def __init__(
        self,
        deps: CloudDeps,
        *,
        hasher: PasswordHasher,
        lockout: Lockout,
        throttle: LoginThrottle | None = None,
    ) -> None:
        self.deps = deps
        self.hasher = hasher
        self.lockout = lockout
        self.throttle = throttle

    # --- identity -------------------------------------------------------------------------

    def check_password(self, cred: PasswordCredential, *, source: str | None = None) -> UserRecord:
        """The user whose password this is, or AuthenticationFailed.

        `source` is the client's address: with a throttle, failures are counted per source and
        per user and a login past either limit is refused with 429 before any bcrypt work.
        """
        throttle = self.throttle
        standing = throttle.admit_source(source) if throttle is not None else None
        # Its place in the queue for a hashing slot: a source that keeps trying goes last.
        priority = standing.attempts if standing is not None else 0
        # The lookup's transaction ends before bcrypt runs: the check is slow on purpose.
        with self.deps.store.read() as session:
            if cred.user_id is not None:
                user = directory.find_user(session, user_id=cred.user_id)
            else:
                user = directory.find_user(
                    session,
                    name=cred.user_name,
                    domain_id=cred.domain_id,
                    domain_name=cred.domain_name,
                )
        user_key = user.id if user is not None else claimed_user_key(cred)
        if throttle is not None and standing is not None:
            throttle.admit_user(user_key, source=standing)
        if user is None:
            self.hasher.burn(cred.password, priority=priority)
            if throttle is not None:
                throttle.failed(source, user_key)
            raise AuthenticationFailed()
        locked = self.lockout.is_locked(count=user.failures, last_failure_at=user.last_failure_at)
        ok = self.hasher.verify(cred.password, user.password_hash, priority=priority)
        if not ok:
            if throttle is not None:
                throttle.failed(source, user_key)
            if user.password_hash is not None:
                self.lockout.record_failure(user.id)
            raise AuthenticationFailed()
        if locked and not self._exempt_from_lockout(user.id):
            raise AuthenticationFailed()
        if user.failures:
            self.lockout.clear(user.id)
        return user

    def _exempt_from_lockout(self, user_id: str) -> bool:
        """Keystone's `ignore_lockout_failure_attempts` (read only for a locked user)."""
        with self.deps.store.read() as conn:
            return user_options.is_set(conn, user_id, user_options.IGNORE_LOCKOUT)

    def check_token(self, token_id: str, *, conn: Connection | None = None) -> TokenPayload:
        try:
            return self.deps.tokens.validate(token_id, conn=conn)
        except TokenError:
            raise AuthenticationFailed() from None

    def load_user(self, session: Reader, user_id: str) -> UserRecord:
        user = directory.find_user(session, user_id=user_id)
        if user is None:
            raise AuthenticationFailed()
        return user

    @staticmethod
    def require_enabled(user: UserRecord) -> None:
        if not user.enabled or not user.domain.enabled:
            raise AuthenticationFailed()

    # --- scope ----------------------------------------------------------------------------

    def _project(self, session: Reader, scope: ScopeRequest) -> ProjectRecord:
        if scope.project_id is not None:
            project = directory.find_project(session, project_id=scope.project_id)
        else:
            project = directory.find_project(
                session,
                name=scope.project_name,
                domain_id=scope.project_domain_id,
                domain_name=scope.project_domain_name,
            )
        if project is None or not project.enabled or not project.domain.enabled:
            raise AuthenticationFailed()
        return project

    def resolve_scope(
        self, session: Reader, *, user: UserRecord, scope: ScopeRequest
    ) -> tuple[ProjectRecord | None, DomainRef | None, bool, list[RoleRef]]:
        """(project, domain, system, roles) for the token; the generic 401 without a role there."""
        if scope.wants_project:
            project = self._project(session, scope)
            roles = directory.roles_on(
                session, user_id=user.id, target_type="project", target_id=project.id
            )
            if not roles:
                raise AuthenticationFailed()
            return project, None, False, roles
        if scope.wants_domain:
            domain = directory.find_domain(
                session, domain_id=scope.domain_id, name=scope.domain_name
            )
            if domain is None or not domain.enabled:
                raise AuthenticationFailed()
            roles = directory.roles_on(
                session, user_id=user.id, target_type="domain", target_id=domain.id
            )
            if not roles:
                raise AuthenticationFailed()
            return None, domain, False, roles
        if scope.system:
            roles = directory.roles_on(
                session, user_id=user.id, target_type="system", target_id=directory.SYSTEM_TARGET
            )
            if not roles:
                raise AuthenticationFailed()
            return None, None, True, roles
        if scope.unscoped or user.default_project_id is None:
            return None, None, False, []
        # No scope asked for: the default project if it is usable, else unscoped (as Keystone).
        default = directory.find_project(session, project_id=user.default_project_id)
        if default is None or not default.enabled or not default.domain.enabled:
            return None, None, False, []
        roles = directory.roles_on(
            session, user_id=user.id, target_type="project", target_id=default.id
        )
        if not roles:
            return None, None, False, []
        return default, None, False, roles

    # --- issuing --------------------------------------------------------------------------

    def issue(
        self,
        session: Reader,
        *,
        user: UserRecord,
        methods: list[str],
        scope: ScopeRequest,
        parent: TokenPayload | None,
        include_catalog: bool,
    ) -> TokenView:
        self.require_enabled(user)
        if parent is not None and parent.system and (scope.wants_project or scope.wants_domain):
            raise PolicyDenied(
                "Using a system-scoped token to create a project-scoped or domain-scoped token"
                " is not allowed"
            )
        project, domain, system, roles = self.resolve_scope(session, user=user, scope=scope)
        # Rescoping keeps the original expiry and audit chain, so a token cannot be renewed forever.
        issued: IssuedToken = self.deps.tokens.issue(
            user_id=user.id,
            methods=methods,
            project_id=project.id if project else None,
            domain_id=domain.id if domain else None,
            system=system,
            roles=[r.name for r in roles],
            audit_ids=parent.audit_ids if parent else None,
            expires_at=parent.expires_at if parent else None,
        )
        catalog = None
        if include_catalog and (project or domain or system):
            catalog = load_catalog(session, user_id=user.id, project_id=issued.payload.project_id)
        return TokenView(
            token_id=issued.token_id,
            payload=issued.payload,
            user=user,
            project=project,
            domain=domain,
            roles=roles,
            catalog=catalog,
        )

    def view(
        self, session: Reader, *, token_id: str, payload: TokenPayload, include_catalog: bool
    ) -> TokenView | None:
        """Re-read what a validated token refers to; None if any of it has vanished."""
        project = None
        domain = None
        if payload.project_id is not None:
            found = directory.project_token_view(
                session,
                user_id=payload.user_id,
                project_id=payload.project_id,
                role_names=payload.roles,
            )
            if found is None or found[1] is None:
                return None
            user, project, roles = found
        else:
            maybe_user = directory.find_user(session, user_id=payload.user_id)
            if maybe_user is None:
                return None
            user = maybe_user
            if payload.domain_id is not None:
                domain = directory.find_domain(session, domain_id=payload.domain_id)
                if domain is None:
                    return None
            roles = directory.roles_by_name(session, payload.roles)
        catalog = None
        if include_catalog and payload.scoped:
            catalog = load_catalog(session, user_id=user.id, project_id=payload.project_id)
        return TokenView(
            token_id=token_id,
            payload=payload,
            user=user,
            project=project,
            domain=domain,
            roles=roles,
            catalog=catalog,
        )


def merge_methods(first: Sequence[str], parent: TokenPayload | None) -> list[str]:
    methods = list(dict.fromkeys(first))
    if parent is not None:
        methods.extend(m for m in parent.methods if m not in methods)
    return methods
