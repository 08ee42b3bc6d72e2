"""Signing in, switching project and signing out."""

from __future__ import annotations

import hmac

import falcon

from pocketstack.cloud.dashboard.calls import ServiceError
from pocketstack.cloud.dashboard.sessions import SESSION_COOKIE, LoginFailed
from pocketstack.cloud.dashboard.web import (
    LOGIN_COOKIE,
    Page,
    clear_cookie,
    cookie,
    field,
    new_login_csrf,
    read_form,
    redirect,
    set_cookie,
)

DEFAULT_DOMAIN = "Default"
REFUSED_LOGIN = ("The form's CSRF token is missing or not this browser's. Reload the page and "
                 "try again.")  # fmt: skip


def _safe_next(target: str) -> str:
    """Where to go after signing in: a path inside the dashboard only (never another site)."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/project/instances"


class Login(Page):
    def _form(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        *,
        error: str | None,
        username: str = "",
        domain: str = DEFAULT_DOMAIN,
        status: int = 200,
    ) -> None:
        token = new_login_csrf()
        set_cookie(req, resp, LOGIN_COOKIE, token)
        self.render(req, resp, "login.html", {
            "title": "Log in", "login_csrf": token, "error": error, "username": username,
            "domain": domain, "next": _safe_next(req.get_param("next") or ""),
        }, session=None, status=status)  # fmt: skip

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self._form(req, resp, error=None)

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        form = read_form(req)
        expected = cookie(req, LOGIN_COOKIE)
        given = field(form, "csrf_token")
        if not expected or not hmac.compare_digest(given, expected):
            raise falcon.HTTPForbidden(title=REFUSED_LOGIN)
        username, domain = field(form, "username"), field(form, "domain") or DEFAULT_DOMAIN
        sessions = self.dashboard.sessions
        try:
            if field(form, "auth_type") == "application_credential":
                opened, _ = sessions.login_application_credential(
                    credential_id=field(form, "credential_id"),
                    secret=(form.get("secret") or [""])[0])  # fmt: skip
            else:
                opened, _ = sessions.login(domain=domain, user=username,
                                           password=(form.get("password") or [""])[0])  # fmt: skip
        except LoginFailed as failed:
            self._form(req, resp, error=str(failed), username=username, domain=domain,
                       status=401)  # fmt: skip
            return
        clear_cookie(req, resp, LOGIN_COOKIE)
        set_cookie(req, resp, SESSION_COOKIE, opened)
        redirect(req, _safe_next(field(form, "next")))


class Switch(Page):
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        session, form = self.posted(req)
        try:
            self.dashboard.sessions.switch(session, field(form, "project_id"))
        except ServiceError as refused:
            raise falcon.HTTPForbidden(title=f"The project cannot be used: {refused}") from None
        redirect(req, "/project/instances")


class Logout(Page):
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        session, _ = self.posted(req)
        self.dashboard.sessions.logout(session)
        clear_cookie(req, resp, SESSION_COOKIE)
        redirect(req, "/auth/login")
