"""Every error the client library raises on purpose.

ClientError
├── TransportError              the request never got an HTTP answer
│   ├── ConnectFailure          refused, unreachable, DNS
│   ├── SSLFailure              TLS handshake or certificate verification
│   └── RequestTimeout          connect or read took longer than the timeout
├── TooManyRedirects
├── AuthError                   the auth plugin could not produce a token
│   ├── MissingAuthOptions      user, project or auth URL not given
│   └── DiscoveryFailure        no usable identity version at the auth URL
├── EndpointNotFound            the catalog has no endpoint matching the filter
├── InvalidResponse             an answer we cannot parse (not JSON, missing token ...)
│   └── MicroversionNotConfirmed  an answer not given at the microversion we assumed
└── HttpError                   status >= 400, built by `from_response`
    ├── HttpClientError (4xx): BadRequest, Unauthorized, Forbidden, NotFound,
    │   MethodNotAllowed, NotAcceptable, Conflict, RequestEntityTooLarge,
    │   UnsupportedMediaType, TooManyRequests
    │   └── (NotFound) AuthUrlNotFound   the token request got 404: a wrong auth URL
    └── HttpServerError (5xx): InternalServerError, BadGateway, ServiceUnavailable,
        GatewayTimeout
"""

from __future__ import annotations

from pocketstack.client import jsoncodec

# Warm-path module: see docs/startup.md.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar

    from pocketstack.client.transport import Response


class ClientError(Exception):
    """Root of the client library's exceptions."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class TransportError(ClientError):
    def __init__(self, message: str, *, method: str = "", url: str = "") -> None:
        super().__init__(message)
        self.method = method
        self.url = url


class ConnectFailure(TransportError):
    pass


class SSLFailure(TransportError):
    pass


class RequestTimeout(TransportError):
    pass


class TooManyRedirects(ClientError):
    pass


class AuthError(ClientError):
    pass


class MissingAuthOptions(AuthError):
    pass


class DiscoveryFailure(AuthError):
    pass


class EndpointNotFound(ClientError):
    pass


class InvalidResponse(ClientError):
    pass


class MicroversionNotConfirmed(InvalidResponse):
    """The service answered without saying it used the microversion we sent unasked-for
    (Adapter.confirm_microversion): it may not support microversions, or not that one."""


class HttpError(ClientError):
    """An HTTP answer with status >= 400; keeps what a user or a log needs to follow it up."""

    status: ClassVar[int] = 0

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        method: str = "",
        url: str = "",
        request_id: str | None = None,
        details: str | None = None,
        retry_after: float | None = None,
        response: Response | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.method = method
        self.url = url
        self.request_id = request_id
        self.details = details
        self.retry_after = retry_after
        self.response = response

    def __str__(self) -> str:
        text = f"{self.message} (HTTP {self.status_code})"
        if self.request_id:
            text += f" (Request-ID: {self.request_id})"
        return text


class HttpClientError(HttpError):
    pass


class HttpServerError(HttpError):
    pass


class BadRequest(HttpClientError):
    status = 400


class Unauthorized(HttpClientError):
    status = 401


class Forbidden(HttpClientError):
    status = 403


class NotFound(HttpClientError):
    status = 404


class AuthUrlNotFound(NotFound):
    """The token request itself was answered 404: nothing authenticates at that URL.

    Keystone answers bad credentials or an unknown project with 401, never 404, so a 404 here
    means the auth URL (or the version path guessed from it) points at no identity service.
    Still a NotFound, with the same status, URL and request id, for code that catches those."""

    def __init__(self, message: str, *, auth_url: str, cause: NotFound) -> None:
        super().__init__(
            message,
            status_code=cause.status_code,
            method=cause.method,
            url=cause.url,
            request_id=cause.request_id,
            details=cause.details,
            retry_after=cause.retry_after,
            response=cause.response,
        )
        self.auth_url = auth_url


class MethodNotAllowed(HttpClientError):
    status = 405


class NotAcceptable(HttpClientError):
    status = 406


class Conflict(HttpClientError):
    status = 409


class RequestEntityTooLarge(HttpClientError):
    status = 413


class UnsupportedMediaType(HttpClientError):
    status = 415


class TooManyRequests(HttpClientError):
    status = 429


class InternalServerError(HttpServerError):
    status = 500


class BadGateway(HttpServerError):
    status = 502


class ServiceUnavailable(HttpServerError):
    status = 503


class GatewayTimeout(HttpServerError):
    status = 504


_BY_STATUS: dict[int, type[HttpError]] = {
    cls.status: cls
    for cls in (
        BadRequest,
        Unauthorized,
        Forbidden,
        NotFound,
        MethodNotAllowed,
        NotAcceptable,
        Conflict,
        RequestEntityTooLarge,
        UnsupportedMediaType,
        TooManyRequests,
        InternalServerError,
        BadGateway,
        ServiceUnavailable,
        GatewayTimeout,
    )
}

_REQUEST_ID_HEADERS = ("x-openstack-request-id", "x-compute-request-id")


def _message_from_body(body: Any) -> tuple[str | None, str | None]:
    """(message, details) from Keystone's or Nova's error body, or (None, None)."""
    if not isinstance(body, dict) or not body:
        return None, None
    error = body.get("error")
    if isinstance(error, dict):
        # Keystone: {"error": {"code", "title", "message"}}
        message = error.get("message") or error.get("title")
        return (str(message) if message else None), None
    # Nova: {"<faultName>": {"code", "message", "details"?}} (a single key)
    if len(body) == 1:
        fault = next(iter(body.values()))
        if isinstance(fault, dict) and "message" in fault:
            details = fault.get("details")
            return str(fault["message"]), (str(details) if details else None)
    return None, None


def parse_retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    # An HTTP date is also allowed by RFC 9110.
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    import time

    return max(0.0, when.timestamp() - time.time())


def from_response(response: Response, *, method: str, url: str) -> HttpError:
    """The typed error for an answer with status >= 400 (4xx/5xx fallbacks for unknown codes)."""
    status = response.status
    cls = _BY_STATUS.get(status)
    if cls is None:
        cls = HttpServerError if status >= 500 else HttpClientError
    message: str | None = None
    details: str | None = None
    content_type = response.headers.get("content-type") or ""
    if response.body and "json" in content_type:
        try:
            message, details = _message_from_body(jsoncodec.loads(response.body))
        except ValueError:
            message = None
    if message is None:
        text = response.body.decode("utf-8", "replace").strip() if response.body else ""
        message = (
            text[:500]
            if text and "html" not in content_type
            else (response.reason or f"HTTP {status}")
        )
    request_id = None
    for name in _REQUEST_ID_HEADERS:
        request_id = response.headers.get(name)
        if request_id:
            break
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    return cls(
        message,
        status_code=status,
        method=method,
        url=url,
        request_id=request_id,
        details=details,
        retry_after=retry_after,
        response=response,
    )
