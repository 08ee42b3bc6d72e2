"""Tags declared (Neutron's standard-attr-tag): for each taggable resource, its tags listed,
replaced and cleared, and one tag checked, added and removed. Every rule depends on the tagged
resource (whoever sees it reads, whoever may update it changes): the responders' checks.
"""

from __future__ import annotations

from pocketstack.cloud.api.operation import Operation, Rule, every_version
from pocketstack.cloud.api.shapes import STR, arr, obj
from pocketstack.cloud.network.api.common import READ_ERRORS, WRITE_ERRORS
from pocketstack.cloud.network.tags_api import KINDS, Kind, parse_tags


def _of(kind: Kind) -> tuple[Operation, ...]:
    listed = every_version(obj({"tags": arr(STR)}, required=("tags",), closed=True))
    path = f"/v2.0/{kind.collection}/{{{kind.id_field}}}/tags"
    one = f"{path}/{{tag}}"
    name = kind.singular.replace("_", " ")
    return (
        Operation(method="GET", path=path, summary=f"List a {name}'s tags",
                  policy=Rule(f"get_{kind.rules}_tags"), status=(200,), response=listed,
                  errors=READ_ERRORS),
        Operation(method="PUT", path=path, summary=f"Replace all of a {name}'s tags",
                  policy=Rule(f"update_{kind.rules}_tags"), status=(200,),
                  request=every_version({"type": "object"}), parse=parse_tags,
                  response=listed, errors=WRITE_ERRORS),
        Operation(method="DELETE", path=path, summary=f"Remove all of a {name}'s tags",
                  policy=Rule(f"delete_{kind.rules}_tags"), status=(204,),
                  errors=WRITE_ERRORS),
        Operation(method="GET", path=one, summary=f"Check that a {name} has a tag (204)",
                  policy=Rule(f"get_{kind.rules}_tags"), status=(204,), errors=READ_ERRORS),
        Operation(method="PUT", path=one, summary=f"Add a tag to a {name}",
                  policy=Rule(f"create_{kind.rules}_tags"), status=(201,),
                  errors=WRITE_ERRORS),
        Operation(method="DELETE", path=one, summary=f"Remove a tag from a {name}",
                  policy=Rule(f"delete_{kind.rules}_tags"), status=(204,),
                  errors=WRITE_ERRORS),
    )  # fmt: skip


def operations() -> tuple[Operation, ...]:
    return tuple(op for kind in KINDS for op in _of(kind))
