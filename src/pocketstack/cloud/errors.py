"""The cloud's exception root. Each API maps these to its own wire shape in one place."""

from __future__ import annotations

from sqlalchemy import exc as db_exc


class CloudError(Exception):
    """Root of every error the cloud raises on purpose."""

    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(CloudError):
    status = 400


class Unauthorized(CloudError):
    status = 401


class Forbidden(CloudError):
    status = 403


class NotFound(CloudError):
    status = 404


class MethodNotAllowed(CloudError):
    status = 405


class NotAcceptable(CloudError):
    status = 406


class Conflict(CloudError):
    status = 409


class PayloadTooLarge(CloudError):
    status = 413


class TooManyRequests(CloudError):
    """Refused before doing the work; `retry_after` is whole seconds, for Retry-After."""

    status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)


class ConfigError(CloudError):
    """The cloud's configuration or data directory is unusable."""


# What a database refuses that stands for the client's error, not the server's: a value that
# validation let through but a backend cannot hold (too long, out of range, not storable), or a
# unique key that a concurrent identical request took first. Each service's error handlers map
# these with `from_database`, so that no backend turns such a request into a 500.
DATABASE_REFUSALS: tuple[type[Exception], ...] = (db_exc.DataError, db_exc.IntegrityError)


def from_database(exc: Exception) -> CloudError:
    """The client error one of DATABASE_REFUSALS stands for."""
    if isinstance(exc, db_exc.IntegrityError):
        return Conflict(
            "The request conflicts with the current state of the resource (a concurrent"
            " change or a reference to something that does not exist)."
        )
    return BadRequest("A value in the request is too long, out of range or cannot be stored.")
