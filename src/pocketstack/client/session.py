"""The shared session: auth headers, endpoint resolution, retries, redirects, errors, timing.

One request goes through short named steps:
    auth headers -> endpoint -> send (connect/503 retries) -> redirects
    -> on 401 invalidate, re-authenticate once and resend -> typed error for status >= 400.
"""

from __future__ import annotations

import sys
import time

from pocketstack import __version__
from pocketstack.client import jsoncodec
from pocketstack.client.errors import (
    AuthError,
    ClientError,
    ConnectFailure,
    EndpointNotFound,
    TooManyRedirects,
    from_response,
    parse_retry_after,
)
from pocketstack.client.slotted import Described
from pocketstack.client.transport import Headers, Request, Response

# Warm-path module: see docs/startup.md. urllib.parse and the debug module are imported only
# when a redirect or --debug needs them.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any, Final, Protocol

    from pocketstack.client.catalog import EndpointFilter
    from pocketstack.client.transport import TLSOptions, Transport

    class AuthPlugin(Protocol):
        """What the session needs from an auth plugin; plugins reach HTTP only through the
        session."""

        def get_headers(self, session: Session) -> dict[str, str] | None: ...

        def get_endpoint(
            self, session: Session, *, endpoint_filter: EndpointFilter | None
        ) -> str | None: ...

        def invalidate(self) -> bool: ...


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset()

_PY = ".".join(str(part) for part in sys.version_info[:3])
USER_AGENT = f"pocketstack/{__version__} {sys.implementation.name}/{_PY}"
_REDIRECT_TO_GET = frozenset({301, 302, 303})
_REDIRECT_KEEP = frozenset({307, 308})


class Timing(Described):
    __slots__ = ("elapsed", "method", "status", "url")
    _shown = ("method", "url", "status", "elapsed")

    def __init__(self, *, method: str, url: str, status: int | None, elapsed: float) -> None:
        self.method = method
        self.url = url
        self.status = status
        self.elapsed = elapsed


def _join(base: str, path: str) -> str:
    return base.rstrip("/") + "/" + path.lstrip("/") if path else base


_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.")
# What urlsplit strips from the front of a URL before looking for its scheme.
_C0_OR_SPACE = "".join(map(chr, range(0x21)))


def _is_absolute(url: str) -> bool:
    """Whether `urlsplit(url).scheme` would be non-empty, without importing urllib.parse."""
    url = url.lstrip(_C0_OR_SPACE).replace("\t", "").replace("\r", "").replace("\n", "")
    colon = url.find(":")
    return (
        colon > 0
        and url[0].isascii()
        and url[0].isalpha()
        and all(c in _SCHEME_CHARS for c in url[:colon])
    )


class Session:
    def __init__(
        self,
        *,
        auth: AuthPlugin | None = None,
        transport: Transport | None = None,
        tls: TLSOptions | None = None,
        timeout: float | None = None,
        user_agent: str | None = None,
        connect_retries: int = 0,
        status_retries: int = 0,
        retry_delay: float = 0.5,
        max_retry_delay: float = 60.0,
        redirect_limit: int = 30,
        debug: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.auth = auth
        self._transport = transport
        self._tls = tls
        self.timeout = timeout
        self.user_agent = user_agent or USER_AGENT
        self.connect_retries = connect_retries
        self.status_retries = status_retries
        self.retry_delay = retry_delay
        self.max_retry_delay = max_retry_delay
        self.redirect_limit = redirect_limit
        self.debug = debug
        self._sleep = sleep
        # Where the transport reads proxy variables (os.environ when None).
        self._environ = environ
        self.timings: list[Timing] = []
        # Version documents fetched by auth plugins, shared by every plugin on this session.
        self.discovery_cache: dict[str, Any] = {}

    @property
    def transport(self) -> Transport:
        if self._transport is None:
            # Imported here: a command that sends nothing (a warm `catalog list`) never pays
            # for the HTTP stack; ssl is imported only for an https:// URL.
            from pocketstack.client.transport.http import HTTPTransport

            self._transport = HTTPTransport(tls=self._tls, environ=self._environ, debug=self.debug)
        return self._transport

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    # auth helpers -------------------------------------------------------------------------
    def get_auth_headers(self) -> dict[str, str]:
        if self.auth is None:
            raise AuthError("An auth plugin is required to make an authenticated request")
        headers = self.auth.get_headers(self)
        if not headers:
            raise AuthError("No valid authentication is available")
        return headers

    def get_endpoint(self, *, endpoint_filter: EndpointFilter | None) -> str | None:
        if self.auth is None:
            return None
        return self.auth.get_endpoint(self, endpoint_filter=endpoint_filter)

    def invalidate(self) -> bool:
        return self.auth.invalidate() if self.auth is not None else False

    # the pipeline -------------------------------------------------------------------------
    def request(
        self,
        url: str,
        method: str,
        *,
        json: Any = UNSET,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        endpoint_filter: EndpointFilter | None = None,
        endpoint_override: str | None = None,
        authenticated: bool | None = None,
        microversion: str | None = None,
        microversion_service_type: str | None = None,
        raise_exc: bool = True,
        timeout: float | _Unset | None = UNSET,
        connect_retries: int | None = None,
        status_retries: int | None = None,
        redirect: bool = True,
        allow_reauth: bool = True,
    ) -> Response:
        method = method.upper()
        base_headers = Headers(headers or {})
        base_headers.setdefault_value("User-Agent", self.user_agent)
        base_headers.setdefault_value("Accept", "application/json")
        if json is not UNSET:
            body = jsoncodec.dumps(json).encode("utf-8")
            base_headers.setdefault_value("Content-Type", "application/json")
        if microversion:
            service_type = microversion_service_type or (
                endpoint_filter.service_type if endpoint_filter else None
            )
            if not service_type:
                raise ClientError("A microversion needs a service type to name in the header")
            base_headers.set("OpenStack-API-Version", f"{service_type} {microversion}")
            if service_type == "compute":
                base_headers.set("X-OpenStack-Nova-API-Version", microversion)
        if authenticated is None:
            authenticated = self.auth is not None

        if not _is_absolute(url):
            base = endpoint_override
            if base is None:
                base = self.get_endpoint(endpoint_filter=endpoint_filter)
            if base is None:
                raise EndpointNotFound(
                    f"Cannot resolve the relative URL {url!r}: no endpoint override and "
                    + ("no catalog match" if endpoint_filter else "no endpoint filter")
                )
            url = _join(base, url)

        effective_timeout = self.timeout if isinstance(timeout, _Unset) else timeout
        attempts = 2 if authenticated and allow_reauth else 1
        response: Response | None = None
        for attempt in range(attempts):
            send_headers = base_headers.copy()
            if authenticated:
                for name, value in self.get_auth_headers().items():
                    send_headers.set(name, value)
            response = self._send_following_redirects(
                Request(
                    method=method,
                    url=url,
                    headers=send_headers,
                    body=body,
                    timeout=effective_timeout,
                ),
                connect_retries=self.connect_retries
                if connect_retries is None
                else connect_retries,
                status_retries=self.status_retries if status_retries is None else status_retries,
                redirect=redirect,
            )
            if response.status == 401 and attempt + 1 < attempts and self.invalidate():
                continue
            break
        assert response is not None
        if raise_exc and response.status >= 400:
            raise from_response(response, method=method, url=response.url)
        return response

    def _send_following_redirects(
        self, request: Request, *, connect_retries: int, status_retries: int, redirect: bool
    ) -> Response:
        for _ in range(self.redirect_limit + 1):
            response = self._send_with_retries(
                request, connect_retries=connect_retries, status_retries=status_retries
            )
            location = response.headers.get("location")
            if (
                not redirect
                or not location
                or response.status not in (_REDIRECT_TO_GET | _REDIRECT_KEEP)
            ):
                return response
            from urllib.parse import urljoin, urlsplit

            from pocketstack.client.debug import TOKEN_HEADERS

            target = urljoin(request.url, location)
            headers = request.headers.copy()
            method, body = request.method, request.body
            if response.status in _REDIRECT_TO_GET and method != "HEAD":
                method, body = "GET", None
                headers.remove("Content-Type")
            if urlsplit(target).netloc != urlsplit(request.url).netloc:
                # Never hand a token to another host because an answer said so.
                for name in TOKEN_HEADERS:
                    headers.remove(name)
            request = Request(
                method=method, url=target, headers=headers, body=body, timeout=request.timeout
            )
        raise TooManyRedirects(f"More than {self.redirect_limit} redirects, last to {request.url}")

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        delay = retry_after if retry_after is not None else self.retry_delay * (2**attempt)
        return min(delay, self.max_retry_delay)

    def _send_with_retries(
        self, request: Request, *, connect_retries: int, status_retries: int
    ) -> Response:
        connect_attempt = status_attempt = 0
        while True:
            try:
                response = self._send_once(request)
            except ConnectFailure:
                if connect_attempt >= connect_retries:
                    raise
                self._sleep(self._backoff(connect_attempt, None))
                connect_attempt += 1
                continue
            if response.status == 503 and status_attempt < status_retries:
                retry_after = parse_retry_after(response.headers.get("retry-after"))
                self._sleep(self._backoff(status_attempt, retry_after))
                status_attempt += 1
                continue
            return response

    def _send_once(self, request: Request) -> Response:
        if self.debug is not None:
            from pocketstack.client import debug as _debug

            self.debug(
                _debug.request_line(
                    method=request.method,
                    url=request.url,
                    headers=request.headers,
                    body=request.body,
                )
            )
        # Resolved before the clock starts: the first use imports the HTTP stack, which is start-up
        # cost, not the request's.
        transport = self.transport
        started = time.perf_counter()
        try:
            response = transport.send(request)
        except ClientError as exc:
            elapsed = time.perf_counter() - started
            self.timings.append(
                Timing(method=request.method, url=request.url, status=None, elapsed=elapsed)
            )
            if self.debug is not None:
                self.debug(f"RESP: {type(exc).__name__}: {exc}")
            raise
        elapsed = time.perf_counter() - started
        self.timings.append(
            Timing(method=request.method, url=request.url, status=response.status, elapsed=elapsed)
        )
        if self.debug is not None:
            from pocketstack.client import debug as _debug

            for line in _debug.response_lines(response):
                self.debug(line)
        return Response(
            status=response.status,
            reason=response.reason,
            headers=response.headers,
            body=response.body,
            url=response.url,
            elapsed=elapsed,
        )
