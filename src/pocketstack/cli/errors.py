"""The CLI's errors; they share the client library's root so `main` has one place to catch."""

from __future__ import annotations

from pocketstack.client.errors import ClientError


class CommandError(ClientError):
    """Bad or missing command-line input (named like novaclient's, for the same messages)."""
