"""A project's tags declared (see api.py), with Keystone's rule names. Reading them is for an
admin or a token on the project (the responder checks: the rule depends on the target);
writing them is for an admin."""

from __future__ import annotations

from pocketstack.cloud.api.operation import Operation, Rule, every_version
from pocketstack.cloud.api.shapes import STR, arr, obj
from pocketstack.cloud.identity import policy, project_tags

_READ = (400, 401, 403, 404)
_WRITE = (400, 401, 403, 404, 409, 413)


def _rule(name: str, *, admin: bool = False) -> Rule:
    return Rule(f"identity:{name}", policy.admin_required if admin else None)


def operations() -> list[Operation]:
    tags = "/v3/projects/{project_id}/tags"
    tag = f"{tags}/{{tag}}"
    listing = every_version(obj({"tags": arr(STR), "links": obj({"self": STR})}))
    ops = [
        Operation(method="PUT", path=tags, summary="Replace a project's tags",
                  policy=_rule("update_project_tags", admin=True), status=(200,),
                  request=every_version(project_tags.TAGS_UPDATE),
                  parse=project_tags.parse_tags_update, response=listing, errors=_WRITE),
        Operation(method="DELETE", path=tags, summary="Remove all of a project's tags",
                  policy=_rule("delete_project_tags", admin=True), status=(204,),
                  errors=_WRITE),
        Operation(method="PUT", path=tag, summary="Add a tag to a project",
                  policy=_rule("create_project_tag", admin=True), status=(201,),
                  errors=_WRITE, headers=("Location",)),
        Operation(method="DELETE", path=tag, summary="Remove a tag from a project",
                  policy=_rule("delete_project_tag", admin=True), status=(204,),
                  errors=_WRITE),
    ]  # fmt: skip
    for method in ("GET", "HEAD"):
        ops.append(Operation(method=method, path=tags, summary="List a project's tags",
                             policy=_rule("list_project_tags"), status=(200,),
                             response=listing if method == "GET" else (),
                             errors=_READ))  # fmt: skip
        ops.append(Operation(method=method, path=tag, summary="Check a project's tag",
                             policy=_rule("get_project_tag"), status=(204,),
                             errors=_READ))  # fmt: skip
    return ops
