"""The cloud's exception root. Each API maps these to its own wire shape in one place."""

from __future__ import annotations


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


class ConfigError(CloudError):
    """The cloud's configuration or data directory is unusable."""
