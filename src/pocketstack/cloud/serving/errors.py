"""Errors of the serving layer (start, stop, first-start set-up); all are CloudErrors."""

from __future__ import annotations

from pocketstack.cloud.errors import CloudError


class ServingError(CloudError):
    """The cloud could not be started, stopped or set up; the message says what to do."""
