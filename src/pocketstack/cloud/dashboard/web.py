"""What every dashboard page shares: the session behind the cookie, forms and their CSRF check,
rendering, and the security headers every answer carries."""

from __future__ import annotations

import dataclasses
import re
import secrets
from collections.abc import Callable
from typing import Any, NoReturn
from urllib.parse import parse_qs, urlencode

import falcon

from pocketstack.cloud.dashboard.calls import ServiceError, Services, segment
from pocketstack.cloud.dashboard.render import Renderer
from pocketstack.cloud.dashboard.sessions import SESSION_COOKIE, Session, SessionStore
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.requestbody import read_body

# The login form's double-submit token: there is no session to tie it to yet.
LOGIN_COOKIE = "pocketstack_login"
FORM_LIMIT = 64 * 1024
REFUSED_FORM = ("The form's CSRF token is missing or not this session's. Reload the page and "
                "try again.")  # fmt: skip
# No script, style or frame from anywhere but this cloud; no inline script at all; never framed.
POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
          "object-src 'none'")  # fmt: skip


class SecurityHeaders:
    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource: object, ok: bool
    ) -> None:
        resp.set_header("Content-Security-Policy", POLICY)
        resp.set_header("X-Frame-Options", "DENY")
        resp.set_header("X-Content-Type-Options", "nosniff")
        resp.set_header("Referrer-Policy", "same-origin")
        if not req.path.startswith("/static/"):
            resp.set_header("Cache-Control", "no-store")


@dataclasses.dataclass(frozen=True)
class Dashboard:
    """The parts every page resource is built with."""

    deps: CloudDeps
    services: Services
    sessions: SessionStore
    renderer: Renderer


_UUID = re.compile(r"^[0-9a-fA-F]{8}-?(?:[0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}$")


def resource_id(value: str, what: str) -> str:
    """An id from the browser as one escaped path segment of a call, or not found here when it
    is not an id at all: a servers' `detail` or an empty segment would name the list, not one
    resource (every compute and network id is a UUID)."""
    if not _UUID.match(value):
        raise falcon.HTTPNotFound(title=f"{what} {value} could not be found.")
    return segment(value)


def cookie(req: falcon.Request, name: str) -> str:
    """The cookie's first value, or "" when the browser sent none."""
    return (req.get_cookie_values(name) or [""])[0]


def secure(req: falcon.Request) -> bool:
    return req.scheme == "https"


def set_cookie(req: falcon.Request, resp: falcon.Response, name: str, value: str) -> None:
    resp.set_cookie(name, value, path=req.root_path or "/", http_only=True,
                    secure=secure(req), same_site="Strict")  # fmt: skip


def clear_cookie(req: falcon.Request, resp: falcon.Response, name: str) -> None:
    resp.unset_cookie(name, path=req.root_path or "/", same_site="Strict")


def redirect(req: falcon.Request, where: str) -> NoReturn:
    """303 to a path inside the dashboard."""
    raise falcon.HTTPSeeOther(f"{req.root_path}{where}")


def login_redirect(req: falcon.Request) -> NoReturn:
    query = urlencode({"next": req.relative_uri[len(req.root_path):]})
    raise falcon.HTTPSeeOther(f"{req.root_path}/auth/login?{query}")


def read_form(req: falcon.Request) -> dict[str, list[str]]:
    raw = read_body(req, limit=FORM_LIMIT, too_large="The form is too large.")
    try:
        text = raw.decode()
    except UnicodeDecodeError:
        raise falcon.HTTPBadRequest(title="The form is not UTF-8.") from None
    try:
        return parse_qs(text, keep_blank_values=True, max_num_fields=200)
    except ValueError:
        raise falcon.HTTPBadRequest(title="The form has too many fields.") from None


def field(form: dict[str, list[str]], name: str) -> str:
    values = form.get(name)
    return values[0].strip() if values else ""


def yes(value: Any) -> str:
    """A flag as Horizon's tables show it."""
    return "Yes" if value else "No"


def new_login_csrf() -> str:
    return secrets.token_urlsafe(32)


class Page:
    """A page resource: its session, rendering and the errors services answer."""

    def __init__(self, dashboard: Dashboard) -> None:
        self.dashboard = dashboard
        self.services = dashboard.services

    def session(self, req: falcon.Request) -> Session:
        found = self.dashboard.sessions.find(cookie(req, SESSION_COOKIE))
        if found is None:
            login_redirect(req)
        return found

    def posted(self, req: falcon.Request) -> tuple[Session, dict[str, list[str]]]:
        """The session and the form of a state-changing request, its CSRF token checked."""
        session = self.session(req)
        form = read_form(req)
        if not session.csrf_ok(field(form, "csrf_token") or None):
            raise falcon.HTTPForbidden(title=REFUSED_FORM)
        return session, form

    def render(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        template: str,
        values: dict[str, Any],
        *,
        session: Session | None,
        status: int = 200,
    ) -> None:
        mine = () if session is None else session.projects
        page: dict[str, Any] = {"root": req.root_path, "session": session, "projects": mine,
                                "error": None, "notice": None, "nav": ""}  # fmt: skip
        page.update(values)
        resp.status = status
        resp.content_type = falcon.MEDIA_HTML
        resp.text = self.dashboard.renderer.page(template, page)

    def call(self, session: Session, method: str, service: str, path: str,
             *, body: Any = None, query: dict[str, Any] | None = None) -> Any:  # fmt: skip
        """A service's answer for this session; an expired session goes back to the login."""
        if session.token is None:
            raise falcon.HTTPConflict(title="You are not a member of any project.")
        return self.services.expect(method, service, path, token=session.token, body=body,
                                    query=query)  # fmt: skip


def refusal(call: Callable[[], Any]) -> ServiceError | None:
    """None when the call succeeds; the service's refusal to show on the form otherwise (an
    expired token still ends the session)."""
    try:
        call()
    except ServiceError as refused:
        if refused.answer.status == 401:
            raise
        return refused
    return None


def http_error(dashboard: Dashboard) -> Any:
    """Falcon's errors (a refused CSRF token, a bad form, a page not found) as a page."""

    def handle(req: falcon.Request, resp: falcon.Response, exc: falcon.HTTPError,
               params: dict[str, Any]) -> None:  # fmt: skip
        session = dashboard.sessions.find(cookie(req, SESSION_COOKIE))
        message = exc.title if exc.description is None else f"{exc.title}: {exc.description}"
        Page(dashboard).render(req, resp, "error.html", {"title": "Error", "error": message},
                               session=session, status=exc.status_code)  # fmt: skip
        resp.set_headers(exc.headers or {})

    return handle


def service_error(dashboard: Dashboard) -> Any:
    """Falcon's handler for a ServiceError a page let through: the service's status and
    message on the error page; a token no longer valid (401) back to the login."""

    def handle(req: falcon.Request, resp: falcon.Response, exc: ServiceError,
               params: dict[str, Any]) -> None:  # fmt: skip
        if exc.answer.status == 401:
            clear_cookie(req, resp, SESSION_COOKIE)
            login_redirect(req)
        page = Page(dashboard)
        session = dashboard.sessions.find(cookie(req, SESSION_COOKIE))
        page.render(req, resp, "error.html", {"title": "Error", "error": str(exc)},
                    session=session, status=exc.answer.status)  # fmt: skip

    return handle
