"""The network API (a Neutron v2.0 subset) declared: every operation once, with its route,
policy rule (Neutron's name; the check where the token alone decides, else the responder's),
request and response schemas and statuses (see cloud/api/operation.py).

Neutron has no policy rule for its version and extension documents: they need a token, nothing
more (`any token` below).
"""

from __future__ import annotations

from pocketstack.cloud.api.operation import Operation, Rule, Service, every_version
from pocketstack.cloud.api.shapes import STR, arr, obj
from pocketstack.cloud.network import attributes, policy
from pocketstack.cloud.network.api import (
    agents,
    l3,
    metering,
    quotas,
    security_groups,
    subnetpools,
    tags,
)
from pocketstack.cloud.network.api.common import (
    READ_ERRORS,
    crud,
    error_response,
    public_paths,
    schemas,
)

_LINKS = arr(obj({"rel": STR, "href": STR}))
_EXTENSION = obj({"alias": STR, "name": STR, "description": STR, "updated": STR,
                  "links": arr({})}, closed=True)  # fmt: skip


def _documents() -> tuple[Operation, ...]:
    any_token = Rule("any token", policy.anyone)
    versions = obj({"versions": arr(obj({"id": STR, "status": STR, "links": _LINKS}))})
    resources = obj({"resources": arr(obj({"name": STR, "collection": STR, "links": _LINKS}))})
    return (
        Operation(method="GET", path="/", summary="Network API versions", policy=None,
                  status=(200,), response=every_version(versions)),
        Operation(method="GET", path="/v2.0", summary="The v2.0 API's core resources",
                  policy=any_token, status=(200,), response=every_version(resources),
                  errors=(401,)),
        Operation(method="GET", path="/v2.0/extensions", summary="List the API extensions served",
                  policy=any_token, status=(200,),
                  response=every_version(obj({"extensions": arr(_EXTENSION)})), errors=(401,)),
        Operation(method="GET", path="/v2.0/extensions/{alias}", summary="Show an API extension",
                  policy=any_token, status=(200,),
                  response=every_version(obj({"extension": _EXTENSION})), errors=READ_ERRORS),
    )  # fmt: skip


def _rules(name: str, *, create: Rule) -> dict[str, Rule]:
    return {"get": Rule(f"get_{name}"), "create": create, "update": Rule(f"update_{name}"),
            "delete": Rule(f"delete_{name}")}  # fmt: skip


def _operations() -> tuple[Operation, ...]:
    return (
        *_documents(),
        *crud("network", dict(attributes.NETWORK), summary="network",
              rules=_rules("network", create=Rule("create_network", policy.project_member))),
        # Whether a subnet or a port may be created depends on its network: the responder's.
        *crud("subnet", dict(attributes.SUBNET), summary="subnet",
              rules=_rules("subnet", create=Rule("create_subnet"))),
        *crud("port", dict(attributes.PORT), summary="port",
              rules=_rules("port", create=Rule("create_port"))),
        *security_groups.operations(),
        *l3.operations(),
        *quotas.operations(),
        *subnetpools.operations(),
        *metering.operations(),
        *tags.operations(),
        *agents.operations(),
    )  # fmt: skip


SERVICE = Service(
    name="network",
    operations=_operations(),
    schemas={**schemas(), **security_groups.schemas(), **l3.schemas(), **quotas.schemas(),
             **metering.schemas(),
             **subnetpools.schemas(),
             # Last: its Network replaces the core one (the extensions' attributes).
             **agents.schemas()},
    error_response=error_response,
    public_paths=public_paths,
)
