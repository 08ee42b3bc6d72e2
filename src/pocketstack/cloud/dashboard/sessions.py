"""Logging in and out of the dashboard, and the session between the two.

A login asks identity for an unscoped token with the user's password (the password goes no
further), lists the user's projects with it and scopes a token to one of them; the session row
keeps both tokens encrypted with the token keys (store/models/dashboard.py) and expires with
them. The cookie is 32 random bytes the row is found by, never anything the browser could read
a token or a user from.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from typing import Any

from cryptography.fernet import InvalidToken
from sqlalchemy import delete, select, update

from pocketstack.cloud.dashboard.calls import Answer, ServiceError, Services
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.store.models.dashboard import DashboardSession

IDENTITY = "/identity"
SESSION_COOKIE = "pocketstack_session"


class LoginFailed(Exception):
    """The credentials were refused; the message is what the login page shows."""


@dataclasses.dataclass(frozen=True)
class Project:
    id: str
    name: str


@dataclasses.dataclass(frozen=True)
class Session:
    cookie_hash: str
    user_id: str
    user_name: str
    domain_name: str
    project_id: str | None
    project_name: str | None
    is_admin: bool
    csrf_token: str
    expires_at: dt.datetime
    token: str | None
    unscoped_token: str
    projects: tuple[Project, ...]

    def csrf_ok(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given, self.csrf_token)


def cookie_hash(cookie: str) -> str:
    return hashlib.sha256(cookie.encode()).hexdigest()


def session_cookie(header: str) -> str:
    """The session cookie's value in a Cookie header, or "" when it has none."""
    for pair in header.split(";"):
        name, _, value = pair.strip().partition("=")
        if name == SESSION_COOKIE:
            return value.strip()
    return ""


def session_check(deps: CloudDeps) -> Callable[[str], bool]:
    """Whether a Cookie header holds a session that has not expired: the front door asks before
    it spools an image uploaded from the dashboard, as it asks for a token before image data."""

    def known(header: str) -> bool:
        cookie = session_cookie(header)
        if not cookie:
            return False
        live = select(DashboardSession.cookie_hash).where(
            DashboardSession.cookie_hash == cookie_hash(cookie),
            DashboardSession.expires_at > deps.clock.now())  # fmt: skip
        with deps.store.session() as db:
            return db.execute(live).first() is not None

    return known


def _expiry(answer: Answer) -> dt.datetime:
    text = str(answer.body["token"]["expires_at"])
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _issue(services: Services, auth: dict[str, Any]) -> Answer:
    return services.call("POST", IDENTITY, "/v3/auth/tokens", body={"auth": auth})


def _scoped(services: Services, token: str, project_id: str) -> Answer:
    return _issue(services, {
        "identity": {"methods": ["token"], "token": {"id": token}},
        "scope": {"project": {"id": project_id}},
    })  # fmt: skip


def projects(services: Services, token: str) -> list[Project]:
    """The projects the user may scope to, by name."""
    body = services.expect("GET", IDENTITY, "/v3/auth/projects", token=token)
    found = [Project(id=p["id"], name=p["name"]) for p in body.get("projects", [])
             if p.get("enabled", True)]  # fmt: skip
    return sorted(found, key=lambda p: (p.name, p.id))


class SessionStore:
    def __init__(self, deps: CloudDeps, services: Services) -> None:
        self._deps = deps
        self._services = services

    def _seal(self, token: str) -> str:
        return self._deps.keys.fernet().encrypt(token.encode()).decode()

    def _open(self, sealed: str) -> str | None:
        try:
            return self._deps.keys.fernet().decrypt(sealed.encode()).decode()
        except InvalidToken:
            # The keys rotated past it: the session is over.
            return None

    def login(self, *, domain: str, user: str, password: str) -> tuple[str, Session]:
        """A new session's cookie and the session; LoginFailed with the reason to show."""
        answer = _issue(self._services, {
            "identity": {"methods": ["password"], "password": {
                "user": {"name": user, "domain": {"name": domain}, "password": password}}},
            "scope": "unscoped",
        })  # fmt: skip
        cookie, session = self._open_session(answer, domain=domain)
        return cookie, self.switch(session, None)

    def login_application_credential(self, *, credential_id: str, secret: str
                                     ) -> tuple[str, Session]:  # fmt: skip
        """As login(), with an application credential: its token is scoped to the credential's
        project and cannot be rescoped, so that project is the session's only one."""
        answer = _issue(self._services, {"identity": {
            "methods": ["application_credential"],
            "application_credential": {"id": credential_id, "secret": secret}}})  # fmt: skip
        cookie, session = self._open_session(answer, domain="")
        scope = answer.body["token"]["project"]
        return cookie, self._scope(session, answer, [Project(id=scope["id"], name=scope["name"])])

    def _open_session(self, answer: Answer, *, domain: str) -> tuple[str, Session]:
        """The session row for a token identity just issued (LoginFailed if it refused)."""
        if answer.status == 401:
            raise LoginFailed("Invalid credentials.")
        if not answer.ok:
            raise LoginFailed(answer.message())
        who = answer.body["token"]["user"]
        cookie = secrets.token_urlsafe(32)
        row = DashboardSession(
            cookie_hash=cookie_hash(cookie), user_id=who["id"], user_name=who["name"],
            domain_name=who.get("domain", {}).get("name", domain),
            unscoped_token=self._seal(answer.headers["x-subject-token"]),
            csrf_token=secrets.token_urlsafe(32), expires_at=_expiry(answer), is_admin=False,
            projects="[]",
        )  # fmt: skip
        now = self._deps.clock.now()
        with self._deps.store.session(write=True) as db:
            # Sessions whose tokens have expired go as new ones come: no reaper needed.
            db.execute(delete(DashboardSession).where(DashboardSession.expires_at < now))
            db.add(row)
        session = self.find(cookie)
        if session is None:
            raise LoginFailed("The session could not be started.")
        return cookie, session

    def find(self, cookie: str | None) -> Session | None:
        if not cookie:
            return None
        now = self._deps.clock.now()
        with self._deps.store.session() as db:
            found = select(DashboardSession).where(
                DashboardSession.cookie_hash == cookie_hash(cookie))
            row = db.execute(found).scalar_one_or_none()
            if row is None or row.expires_at <= now:
                return None
            unscoped = self._open(row.unscoped_token)
            scoped = None if row.scoped_token is None else self._open(row.scoped_token)
            if unscoped is None:
                return None
            return Session(
                cookie_hash=row.cookie_hash, user_id=row.user_id, user_name=row.user_name,
                domain_name=row.domain_name, project_id=row.project_id,
                project_name=row.project_name, is_admin=row.is_admin,
                csrf_token=row.csrf_token, expires_at=row.expires_at, token=scoped,
                unscoped_token=unscoped,
                projects=tuple(Project(id=i, name=n) for i, n in json.loads(row.projects)),
            )  # fmt: skip

    def switch(self, session: Session, project_id: str | None) -> Session:
        """The session scoped to one of the user's projects (None: the first by name), the
        switcher's list read again; ServiceError if identity refuses the project."""
        mine = projects(self._services, session.unscoped_token)
        if project_id is None:
            if not mine:
                # A user with no project yet: signed in, every page says so.
                self._update(session, {"projects": "[]"})
                return dataclasses.replace(session, projects=())
            project_id = mine[0].id
        answer = _scoped(self._services, session.unscoped_token, project_id)
        if not answer.ok:
            raise ServiceError(answer)
        return self._scope(session, answer, mine)

    def _scope(self, session: Session, answer: Answer, mine: list[Project]) -> Session:
        """The session with the project-scoped token identity just issued (`answer`) and the
        projects the switcher offers."""
        token = answer.headers["x-subject-token"]
        issued = answer.body["token"]
        project = issued["project"]
        is_admin = "admin" in {role["name"] for role in issued.get("roles", [])}
        expires_at = min(session.expires_at, _expiry(answer))
        self._update(session, {
            "scoped_token": self._seal(token), "project_id": project["id"],
            "project_name": project["name"], "is_admin": is_admin, "expires_at": expires_at,
            "projects": json.dumps([[p.id, p.name] for p in mine]),
        })  # fmt: skip
        return dataclasses.replace(
            session, token=token, project_id=project["id"], project_name=project["name"],
            is_admin=is_admin, expires_at=expires_at, projects=tuple(mine),
        )  # fmt: skip

    def _update(self, session: Session, values: dict[str, object]) -> None:
        with self._deps.store.session(write=True) as db:
            db.execute(update(DashboardSession)
                       .where(DashboardSession.cookie_hash == session.cookie_hash)
                       .values(values))  # fmt: skip

    def logout(self, session: Session) -> None:
        """Revoke the session's tokens, then forget it."""
        for token in {session.token, session.unscoped_token} - {None}:
            assert token is not None
            self._services.call("DELETE", IDENTITY, "/v3/auth/tokens", token=token,
                                headers={"X-Subject-Token": token})  # fmt: skip
        with self._deps.store.session(write=True) as db:
            db.execute(delete(DashboardSession)
                       .where(DashboardSession.cookie_hash == session.cookie_hash))  # fmt: skip
