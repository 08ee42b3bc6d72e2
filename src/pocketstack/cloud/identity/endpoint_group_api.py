"""The OS-EP-FILTER operations declared (see api.py): endpoint groups, and the endpoints and
endpoint groups a project is limited to. Keystone's defaults give reading them to system readers
and writing them to system admins; both come down to admins here (see policy.py)."""

from __future__ import annotations

from pocketstack.cloud.api.operation import JSON, Operation, Rule, Versioned, every_version
from pocketstack.cloud.api.shapes import NSTR, STR, arr, obj, query, ref
from pocketstack.cloud.identity import endpoint_groups, policy

_READ = (400, 401, 403, 404)
_WRITE = (400, 401, 403, 404, 409, 413)
_BASE = "/v3/OS-EP-FILTER"


def schemas() -> dict[str, JSON]:
    return {
        "EndpointGroup": obj(
            {"id": STR, "name": STR, "description": NSTR, "filters": {"type": "object"},
             "links": obj({"self": STR})},
            required=("id", "name", "filters", "links"),
        ),
    }  # fmt: skip


def _rule(name: str) -> Rule:
    return Rule(f"identity:{name}", policy.admin_required)


def _listing(key: str, schema: str) -> tuple[Versioned, ...]:
    return every_version(obj({key: arr(ref(schema)), "links": ref("CollectionLinks")}))


def _reads(
    path: str, summary: str, rule: str, response: tuple[Versioned, ...], status: int = 200
) -> list[Operation]:
    """GET and HEAD of one resource (Keystone answers HEAD wherever it answers GET)."""
    return [Operation(method=method, path=path, summary=summary, policy=_rule(rule),
                      status=(status,), response=response if method == "GET" else (),
                      parameters=(query("name"),) if path.endswith("endpoint_groups") else (),
                      errors=_READ)
            for method in ("GET", "HEAD")]  # fmt: skip


def operations() -> list[Operation]:
    groups = f"{_BASE}/endpoint_groups"
    group = f"{groups}/{{endpoint_group_id}}"
    group_project = f"{group}/projects/{{project_id}}"
    project_endpoint = f"{_BASE}/projects/{{project_id}}/endpoints/{{endpoint_id}}"
    one = every_version(obj({"endpoint_group": ref("EndpointGroup")}))
    association = every_version(
        obj(
            {
                "project_endpoint_group": obj(
                    {"endpoint_group_id": STR, "project_id": STR, "links": obj({"self": STR})}
                )
            }
        )
    )
    ops = [
        *_reads(groups, "List endpoint groups", "list_endpoint_groups",
                _listing("endpoint_groups", "EndpointGroup")),
        Operation(method="POST", path=groups, summary="Create an endpoint group",
                  policy=_rule("create_endpoint_group"), status=(201,),
                  request=every_version(endpoint_groups.ENDPOINT_GROUP_CREATE),
                  parse=endpoint_groups.parse_create, response=one, errors=_WRITE),
        *_reads(group, "Show an endpoint group", "get_endpoint_group", one),
        Operation(method="PATCH", path=group, summary="Update an endpoint group",
                  policy=_rule("update_endpoint_group"), status=(200,),
                  request=every_version(endpoint_groups.ENDPOINT_GROUP_UPDATE),
                  parse=endpoint_groups.parse_update, response=one, errors=_WRITE),
        Operation(method="DELETE", path=group, summary="Delete an endpoint group",
                  policy=_rule("delete_endpoint_group"), status=(204,), errors=_WRITE),
        *_reads(f"{group}/projects", "The projects an endpoint group is associated with",
                "list_projects_associated_with_endpoint_group",
                _listing("projects", "Project")),
        *_reads(f"{group}/endpoints", "The endpoints an endpoint group matches",
                "list_endpoints_associated_with_endpoint_group",
                _listing("endpoints", "Endpoint")),
        *_reads(group_project, "Show an endpoint group's association with a project",
                "get_endpoint_group_in_project", association),
        Operation(method="PUT", path=group_project,
                  summary="Associate an endpoint group with a project",
                  policy=_rule("add_endpoint_group_to_project"), status=(204,),
                  errors=_WRITE),
        Operation(method="DELETE", path=group_project,
                  summary="Remove an endpoint group's association with a project",
                  policy=_rule("remove_endpoint_group_from_project"), status=(204,),
                  errors=_WRITE),
        *_reads(f"{_BASE}/projects/{{project_id}}/endpoint_groups",
                "The endpoint groups associated with a project",
                "list_endpoint_groups_for_project",
                _listing("endpoint_groups", "EndpointGroup")),
        *_reads(f"{_BASE}/projects/{{project_id}}/endpoints",
                "The endpoints a project is limited to", "list_endpoints_for_project",
                _listing("endpoints", "Endpoint")),
        *_reads(project_endpoint, "Check an endpoint's association with a project",
                "check_endpoint_in_project", (), status=204),
        Operation(method="PUT", path=project_endpoint,
                  summary="Associate an endpoint with a project",
                  policy=_rule("add_endpoint_to_project"), status=(204,), errors=_WRITE),
        Operation(method="DELETE", path=project_endpoint,
                  summary="Remove an endpoint's association with a project",
                  policy=_rule("remove_endpoint_from_project"), status=(204,), errors=_WRITE),
        *_reads(f"{_BASE}/endpoints/{{endpoint_id}}/projects",
                "The projects an endpoint is associated with", "list_projects_for_endpoint",
                _listing("projects", "Project")),
    ]  # fmt: skip
    return ops
