"""Agents, the DHCP agent scheduler, availability zones and floating IP pools declared
(Neutron's agent, dhcp_agent_scheduler, availability_zone and floatingip-pools extensions), and
the network attributes of provider and network_availability_zone.

Policy (neutron/conf/policies/agent.py, availability_zone.py, floatingip_pools.py): the agent
and zone rules are an admin's, decided per item as Neutron's API layer does (a list shows
others nothing, an item is missing to them: the responders'); the scheduler's rules are enforced
whole (403); the pools are readable by any reader of a project.
"""

from __future__ import annotations

from pocketstack.cloud.api.operation import JSON, Operation, Rule, Versioned, every_version
from pocketstack.cloud.api.shapes import BOOL, NSTR, STR, arr, obj, query, ref
from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.network import agents, agents_api, attributes, body, faults, provider
from pocketstack.cloud.network.api.common import READ_ERRORS, WRITE_ERRORS, resource_shapes

_NINT: JSON = {"type": ["integer", "null"]}
_EXTRA_NETWORK: dict[str, JSON] = {
    provider.NETWORK_TYPE: NSTR, provider.PHYSICAL_NETWORK: NSTR,
    provider.SEGMENTATION_ID: _NINT, "availability_zone_hints": arr(STR),
    "availability_zones": arr(STR),
}  # fmt: skip


def _admin(ctx: RequestContext, name: str) -> None:
    if not ctx.is_admin:
        raise faults.policy_refused(name)


def schemas() -> dict[str, JSON]:
    """The agent's shapes, and the network's with the extensions' attributes (replacing the
    core one: provider attributes are shown to admins only, so not required)."""
    network = {**resource_shapes()["Network"], **_EXTRA_NETWORK}
    required = tuple(name for name in network if name not in provider.ATTRIBUTES)
    agent: dict[str, JSON] = {
        "id": STR, "agent_type": STR, "binary": STR, "topic": STR, "host": STR,
        "admin_state_up": BOOL, "created_at": STR, "started_at": STR,
        "heartbeat_timestamp": STR, "alive": BOOL, "configurations": {"type": "object"},
        "description": NSTR, "availability_zone": NSTR,
    }  # fmt: skip
    zone = {"name": STR, "resource": STR, "state": STR}
    pool = {"subnet_id": STR, "subnet_name": STR, "network_id": STR, "cidr": STR,
            "tenant_id": NSTR, "project_id": NSTR}  # fmt: skip
    return {
        "Network": obj(network, required=required, closed=True),
        "NetworkFields": obj(network, required=(), closed=True),
        "Agent": obj(agent, closed=True),
        "AgentFields": obj(agent, required=(), closed=True),
        "AvailabilityZoneFields": obj(zone, required=(), closed=True),
        "FloatingipPoolFields": obj(pool, required=(), closed=True),
    }


def _list_controls() -> tuple[JSON, ...]:
    return (query("fields"), query("sort_key"), query("sort_dir"),
            query("limit", {"type": "integer", "minimum": 0}), query("marker"),
            query("page_reverse", BOOL))  # fmt: skip


def _listed(collection: str, shape: str) -> tuple[Versioned, ...]:
    return every_version(obj({collection: arr(ref(shape)),
                              f"{collection}_links": arr(ref("NetworkLink"))},
                             required=(collection,), closed=True))  # fmt: skip


def _agent_operations() -> tuple[Operation, ...]:
    item = "/v2.0/agents/{agent_id}"
    filters = tuple(query(name) for name, attr in agents.AGENT.items() if attr.query)
    update = every_version(attributes.request_schema("agent", agents.AGENT, create=False))
    return (
        Operation(method="GET", path="/v2.0/agents", summary="List network agents",
                  policy=Rule("get_agent"), status=(200,),
                  response=_listed("agents", "AgentFields"),
                  parameters=filters + _list_controls(), errors=READ_ERRORS),
        Operation(method="GET", path=item, summary="Show a network agent",
                  policy=Rule("get_agent"), status=(200,),
                  response=every_version(obj({"agent": ref("AgentFields")}, closed=True)),
                  parameters=(query("fields"),), errors=READ_ERRORS),
        Operation(method="PUT", path=item,
                  summary="Update a network agent (admin_state_up, description)",
                  policy=Rule("update_agent"), status=(200,), request=update,
                  parse=body.update("agent", agents.AGENT),
                  response=every_version(obj({"agent": ref("Agent")}, closed=True)),
                  errors=WRITE_ERRORS),
        Operation(method="DELETE", path=item, summary="Delete a network agent",
                  policy=Rule("delete_agent"), status=(204,), errors=WRITE_ERRORS),
    )  # fmt: skip


def _scheduler_operations() -> tuple[Operation, ...]:
    hosted = "/v2.0/agents/{agent_id}/dhcp-networks"
    return (
        Operation(method="GET", path=hosted, summary="List the networks a DHCP agent hosts",
                  policy=Rule("get_dhcp-networks", _admin), status=(200,),
                  response=_listed("networks", "NetworkFields"),
                  parameters=_list_controls(), errors=READ_ERRORS),
        Operation(method="POST", path=hosted, summary="Schedule a network on a DHCP agent",
                  policy=Rule("create_dhcp-network", _admin), status=(201,),
                  request=every_version(obj({"network_id": {}}, required=())),
                  parse=agents_api.parse_network_to_host, errors=WRITE_ERRORS),
        Operation(method="DELETE", path=f"{hosted}/{{network_id}}",
                  summary="Remove a network from a DHCP agent",
                  policy=Rule("delete_dhcp-network", _admin), status=(204,),
                  errors=WRITE_ERRORS),
        Operation(method="GET", path="/v2.0/networks/{network_id}/dhcp-agents",
                  summary="List the DHCP agents hosting a network",
                  policy=Rule("get_dhcp-agents", _admin), status=(200,),
                  response=every_version(obj({"agents": arr(ref("Agent"))}, closed=True)),
                  errors=READ_ERRORS),
    )  # fmt: skip


def operations() -> tuple[Operation, ...]:
    zone_filters = tuple(query(name) for name in ("name", "resource", "state"))
    return (
        *_agent_operations(),
        *_scheduler_operations(),
        Operation(method="GET", path="/v2.0/availability_zones",
                  summary="List the availability zones of the network agents",
                  policy=Rule("get_availability_zone"), status=(200,),
                  response=_listed("availability_zones", "AvailabilityZoneFields"),
                  parameters=(*zone_filters, query("fields")), errors=READ_ERRORS),
        Operation(method="GET", path="/v2.0/floatingip_pools",
                  summary="List the subnets floating IPs are allocated from",
                  policy=Rule("get_floatingip_pool"), status=(200,),
                  response=_listed("floatingip_pools", "FloatingipPoolFields"),
                  parameters=_list_controls(), errors=READ_ERRORS),
    )  # fmt: skip
