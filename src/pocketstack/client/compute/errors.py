"""Errors of the compute client, all under the client library's root `ClientError`.

ClientError
└── ComputeError
    ├── UnsupportedVersion      a microversion neither side can agree on, or malformed
    ├── UnsupportedAttribute    an option the negotiated microversion does not have
    ├── NoUniqueMatch           a name that matches several resources
    └── ResourceNotFound        a name or id that matches none
"""

from __future__ import annotations

from pocketstack.client.errors import ClientError


class ComputeError(ClientError):
    pass


class UnsupportedVersion(ComputeError):
    pass


class UnsupportedAttribute(ComputeError):
    def __init__(self, *, argument: str, start_version: str) -> None:
        super().__init__(
            f"'{argument}' argument is only allowed since microversion {start_version}."
        )
        self.argument = argument
        self.start_version = start_version


class NoUniqueMatch(ComputeError):
    pass


class ResourceNotFound(ComputeError):
    pass
