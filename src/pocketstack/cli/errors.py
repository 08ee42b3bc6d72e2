"""The CLI's errors; they share the client library's root so `main` has one place to catch."""

from __future__ import annotations

from pocketstack.client.errors import ClientError


class CommandError(ClientError):
    """Bad or missing command-line input (named like novaclient's, for the same messages)."""


def usage_error_text(usage: str, message: str, *, command: str) -> str:
    """What a command-line mistake prints: the short usage, the error and where help is.

    The whole usage (50 lines for `list`) would bury the one line that matters."""
    return f"usage: {usage}\nerror: {message}\nTry '{command} --help' for more information.\n"
