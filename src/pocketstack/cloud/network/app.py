"""The network API (a Neutron v2.0 subset: networks, subnets with IPAM, ports, security groups)
as a falcon app, mounted at `/networking` as devstack lays Neutron out. Data only: nothing
carries packets."""

from __future__ import annotations

import uuid
from typing import Any

import falcon

from pocketstack.cloud import jsonmedia
from pocketstack.cloud.api.enforce import enforcer, mount
from pocketstack.cloud.api.keywords import LINEAR_VALIDATOR
from pocketstack.cloud.auth.middleware import TokenAuthMiddleware
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.inputs import RefuseNul
from pocketstack.cloud.network import body, faults, policy, startup
from pocketstack.cloud.network.agents_api import routes as agent_routes
from pocketstack.cloud.network.api import SERVICE
from pocketstack.cloud.network.extensions import ExtensionItem, ExtensionList
from pocketstack.cloud.network.extraroutes import routes as extraroute_routes
from pocketstack.cloud.network.floating_ips import FloatingIPItem, FloatingIPList
from pocketstack.cloud.network.metering_routes import routes as metering_routes
from pocketstack.cloud.network.networks import NetworkItem, NetworkList
from pocketstack.cloud.network.ports import PortItem, PortList
from pocketstack.cloud.network.quotas_api import QuotaDefault, QuotaDetails, QuotaItem, QuotaList
from pocketstack.cloud.network.router_interfaces import RouterInterfaces
from pocketstack.cloud.network.routers import RouterItem, RouterList
from pocketstack.cloud.network.security_group_rules import (
    SecurityGroupRuleItem,
    SecurityGroupRuleList,
)
from pocketstack.cloud.network.security_groups import SecurityGroupItem, SecurityGroupList
from pocketstack.cloud.network.subnetpool_prefixes import PrefixOperation
from pocketstack.cloud.network.subnetpools import SubnetPoolItem, SubnetPoolList
from pocketstack.cloud.network.subnets import SubnetItem, SubnetList
from pocketstack.cloud.network.tags_api import routes as tag_routes
from pocketstack.cloud.network.versions import Resources, Versions
from pocketstack.cloud.store import retry


class _RequestId:
    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.request_id = f"req-{uuid.uuid4()}"

    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource: Any, req_succeeded: bool
    ) -> None:
        resp.set_header("X-Openstack-Request-Id", req.context.request_id)


def _is_public(req: falcon.Request) -> bool:
    return req.path in ("", "/")


def create_app(deps: CloudDeps) -> falcon.App[falcon.Request, falcon.Response]:
    middleware: list[Any] = [
        _RequestId(),
        TokenAuthMiddleware(
            tokens=deps.tokens, public_url=deps.config.public_url, is_public=_is_public
        ),
        RefuseNul(),
        enforcer(
            SERVICE,
            check_responses=deps.config.check_responses,
            caller_of=policy.caller_of,
            read_body=body.json_reader(deps.config.max_request_body_size),
            invalid=body.schema_error,
            validator=LINEAR_VALIDATOR,
        ),
    ]
    # The agents register and old networks get segments (network/startup.py).
    startup.start(deps)
    app: falcon.App[falcon.Request, falcon.Response] = falcon.App(middleware=middleware)
    app.req_options.keep_blank_qs_values = True
    app.req_options.strip_url_path_trailing_slash = True
    faults.install(app)
    jsonmedia.install(app)
    mount(
        app,
        SERVICE,
        {
            "/": Versions(),
            "/v2.0": Resources(),
            "/v2.0/extensions": ExtensionList(),
            "/v2.0/extensions/{alias}": ExtensionItem(),
            "/v2.0/networks": NetworkList(deps),
            "/v2.0/networks/{network_id}": NetworkItem(deps),
            "/v2.0/subnets": SubnetList(deps),
            "/v2.0/subnets/{subnet_id}": SubnetItem(deps),
            "/v2.0/subnetpools": SubnetPoolList(deps),
            "/v2.0/subnetpools/{subnetpool_id}": SubnetPoolItem(deps),
            "/v2.0/subnetpools/{subnetpool_id}/add_prefixes": PrefixOperation(deps, "add_prefixes"),
            "/v2.0/subnetpools/{subnetpool_id}/remove_prefixes": PrefixOperation(
                deps, "remove_prefixes"
            ),
            "/v2.0/ports": PortList(deps),
            "/v2.0/ports/{port_id}": PortItem(deps),
            "/v2.0/security-groups": SecurityGroupList(deps),
            "/v2.0/security-groups/{security_group_id}": SecurityGroupItem(deps),
            "/v2.0/security-group-rules": SecurityGroupRuleList(deps),
            "/v2.0/security-group-rules/{security_group_rule_id}": SecurityGroupRuleItem(deps),
            "/v2.0/routers": RouterList(deps),
            "/v2.0/routers/{router_id}": RouterItem(deps),
            "/v2.0/routers/{router_id}/add_router_interface": RouterInterfaces(deps, "add"),
            "/v2.0/routers/{router_id}/remove_router_interface": RouterInterfaces(deps, "remove"),
            "/v2.0/floatingips": FloatingIPList(deps),
            "/v2.0/floatingips/{floatingip_id}": FloatingIPItem(deps),
            "/v2.0/quotas": QuotaList(deps),
            "/v2.0/quotas/{project_id}": QuotaItem(deps),
            "/v2.0/quotas/{project_id}/default": QuotaDefault(),
            "/v2.0/quotas/{project_id}/details": QuotaDetails(deps),
            "/v2.0/quotas/{project_id}/details.json": QuotaDetails(deps),
            **tag_routes(deps),
            **metering_routes(deps),
            **extraroute_routes(deps),
            **agent_routes(deps),
        },
        # Every network responder's effects are in its one transaction: safe to run again.
        wrap=retry.on_transient_errors,
    )
    return app
