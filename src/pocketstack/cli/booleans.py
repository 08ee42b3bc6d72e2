"""The one reading of a yes/no string: oslo's bool_from_string, as novaclient uses it."""

from __future__ import annotations

from pocketstack.cli.errors import CommandError

# Warm-path module: see docs/startup.md.
_TRUE = frozenset({"1", "t", "true", "on", "y", "yes"})
_FALSE = frozenset({"0", "f", "false", "off", "n", "no"})


def bool_from_string(value: str, *, strict: bool = False, name: str = "") -> bool:
    """True for 1/t/true/on/y/yes (any case, spaces around ignored).

    Anything else is False, unless `strict`: then only 0/f/false/off/n/no are False and any
    other value is a CommandError naming the variable `name`. The lenient reading is
    novaclient's for its flag variables (OS_INSECURE=whatever is simply not insecure); the
    strict one is how it reads ALL_TENANTS, where a typo must not silently list one tenant.
    """
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if not strict or lowered in _FALSE:
        return False
    accepted = ", ".join(f"'{v}'" for v in sorted(_TRUE | _FALSE))
    raise CommandError(
        f"Unrecognized value '{value}' in {name}, acceptable values are: {accepted}"
    )
