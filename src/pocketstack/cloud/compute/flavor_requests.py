"""The request bodies of a flavor's extra specs and access list, as typed values (see
compute/requests.py for how parsers and schemas share the work)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from pocketstack.cloud.compute.flavor_spec_rules import check_extra_spec
from pocketstack.cloud.compute.requests import AtVersion, at_least
from pocketstack.cloud.errors import BadRequest

MAX_SPEC_VALUE = 255


@dataclasses.dataclass(frozen=True)
class ExtraSpecs:
    """POST /flavors/{id}/os-extra_specs (merged into the flavor's) or PUT .../{key} (one)."""

    # As stored: every value a string.
    specs: Mapping[str, str]
    # The body as sent, which Nova answers with (a number stays a number there).
    echo: Mapping[str, Any]


@dataclasses.dataclass(frozen=True)
class AccessChange:
    """POST /flavors/{id}/action: addTenantAccess or removeTenantAccess."""

    add: bool
    project_id: str


def _stored(specs: Mapping[str, Any], version: AtVersion) -> dict[str, str]:
    stored: dict[str, str] = {}
    for name, value in specs.items():
        text = value if isinstance(value, str) else str(value)
        # The schema bounds a string's length; a number's text only here (as Nova does).
        if not isinstance(value, str) and len(text) > MAX_SPEC_VALUE:
            raise BadRequest(f"extra_specs value has more than {MAX_SPEC_VALUE} characters.")
        if at_least(version, (2, 86)):
            check_extra_spec(name, text)
        stored[name] = text
    return stored


def parse_extra_specs(body: Any, version: AtVersion) -> ExtraSpecs:
    return ExtraSpecs(_stored(body["extra_specs"], version), body)


def parse_extra_spec_item(body: Any, version: AtVersion) -> ExtraSpecs:
    return ExtraSpecs(_stored(body, version), body)


def parse_access_change(body: Any, version: AtVersion) -> AccessChange:
    ((name, argument),) = body.items()
    if name not in ("addTenantAccess", "removeTenantAccess"):
        raise BadRequest(f"There is no such action: {name}")
    return AccessChange(add=name == "addTenantAccess", project_id=argument["tenant"])
