"""The compute API (Nova v2.1 with microversions) as a falcon app, mounted at `/compute`."""

from __future__ import annotations

from typing import Any

import falcon

from pocketstack.cloud import jsonmedia
from pocketstack.cloud.api.enforce import enforcer, mount
from pocketstack.cloud.auth.middleware import TokenAuthMiddleware
from pocketstack.cloud.compute import faults, routing, validation
from pocketstack.cloud.compute.actions import ServerAction
from pocketstack.cloud.compute.aggregates import (
    AggregateActions,
    AggregateImages,
    AggregateItem,
    AggregateList,
)
from pocketstack.cloud.compute.api import SERVICE
from pocketstack.cloud.compute.diagnostics import ServerDiagnostics
from pocketstack.cloud.compute.extensions import ExtensionItem, ExtensionList
from pocketstack.cloud.compute.external_events import ServerExternalEvents
from pocketstack.cloud.compute.flavor_access import FlavorAccessList, FlavorAction
from pocketstack.cloud.compute.flavor_extras import FlavorExtraSpec, FlavorExtraSpecs
from pocketstack.cloud.compute.flavors import FlavorItem, FlavorList
from pocketstack.cloud.compute.fleet_routes import fleet_routes
from pocketstack.cloud.compute.floating_ips import routes as floating_ip_routes
from pocketstack.cloud.compute.images_proxy import (
    ImageItem,
    ImageList,
    ImageMetadata,
    ImageMetadataItem,
)
from pocketstack.cloud.compute.instance_actions import InstanceActionItem, InstanceActions
from pocketstack.cloud.compute.interfaces import InterfaceItem, Interfaces
from pocketstack.cloud.compute.keypairs import KeypairItem, KeypairList
from pocketstack.cloud.compute.limits import Limits
from pocketstack.cloud.compute.migrations import (
    MigrationList,
    ServerMigrationAction,
    ServerMigrationItem,
    ServerMigrations,
)
from pocketstack.cloud.compute.network_proxy import proxy_routes
from pocketstack.cloud.compute.quota_sets import (
    QuotaClassSet,
    QuotaDefaults,
    QuotaDetail,
    QuotaSet,
)
from pocketstack.cloud.compute.server_groups import ServerGroupItem, ServerGroupList
from pocketstack.cloud.compute.server_ips import ServerIps, ServerIpsOfNetwork
from pocketstack.cloud.compute.server_meta import (
    ServerMetadata,
    ServerMetadataItem,
    ServerTag,
    ServerTags,
)
from pocketstack.cloud.compute.server_password import ServerPassword
from pocketstack.cloud.compute.servers import ServerItem, ServerList
from pocketstack.cloud.compute.usage import TenantUsage, TenantUsages
from pocketstack.cloud.compute.versions import VersionResource, VersionsResource
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.inputs import RefuseNul


class _Reads:
    """Only the GET of a resource: falcon answers any other method 405 (as Nova, with Allow)."""

    def __init__(self, resource: ServerList | FlavorList) -> None:
        self.on_get = resource.on_get


def create_app(deps: CloudDeps) -> falcon.App[falcon.Request, falcon.Response]:
    middleware: list[Any] = [
        routing.RoutingMiddleware(),
        TokenAuthMiddleware(
            tokens=deps.tokens, public_url=deps.config.public_url, is_public=routing.is_public
        ),
        RefuseNul(),
        routing.VersionMiddleware(),
        enforcer(
            SERVICE,
            check_responses=deps.config.check_responses,
            version_of=routing.microversion_of,
            caller_of=routing.caller_of,
            read_body=validation.body_reader(deps.config.max_request_body_size),
            invalid=validation.schema_refusal,
            formats=validation.FORMATS,
            validator=validation.VALIDATOR,
        ),
    ]
    app: falcon.App[falcon.Request, falcon.Response] = falcon.App(
        middleware=middleware,
        cors_enable=False,
    )
    app.req_options.keep_blank_qs_values = True
    # routing.py keeps a trailing slash where Nova would: no route matches it.
    app.req_options.strip_url_path_trailing_slash = False
    faults.install(app)
    jsonmedia.install(app)
    mount(
        app,
        SERVICE,
        {
            routing.ROOT_PATH: VersionsResource(),
            routing.VERSION_PATH: VersionResource(),
            "/servers": ServerList(deps, detail=False),
            "/servers/detail": _Reads(ServerList(deps, detail=True)),
            "/servers/{server_id}": ServerItem(deps),
            "/servers/{server_id}/action": ServerAction(deps),
            "/servers/{server_id}/os-instance-actions": InstanceActions(deps),
            "/servers/{server_id}/os-instance-actions/{request_id}": InstanceActionItem(deps),
            "/servers/{server_id}/tags": ServerTags(deps),
            "/servers/{server_id}/tags/{tag}": ServerTag(deps),
            "/servers/{server_id}/metadata": ServerMetadata(deps),
            "/servers/{server_id}/metadata/{key}": ServerMetadataItem(deps),
            "/servers/{server_id}/ips": ServerIps(deps),
            "/servers/{server_id}/os-interface": Interfaces(deps),
            "/servers/{server_id}/os-interface/{port_id}": InterfaceItem(deps),
            "/extensions": ExtensionList(),
            "/extensions/{alias}": ExtensionItem(),
            "/servers/{server_id}/ips/{network}": ServerIpsOfNetwork(deps),
            "/servers/{server_id}/os-server-password": ServerPassword(deps),
            "/servers/{server_id}/diagnostics": ServerDiagnostics(deps),
            "/servers/{server_id}/migrations": ServerMigrations(deps),
            "/servers/{server_id}/migrations/{migration_id}": ServerMigrationItem(deps),
            "/servers/{server_id}/migrations/{migration_id}/action": ServerMigrationAction(deps),
            "/os-migrations": MigrationList(deps),
            "/os-server-external-events": ServerExternalEvents(deps),
            "/images": ImageList(deps, detail=False),
            "/images/detail": ImageList(deps, detail=True),
            "/images/{image_id}": ImageItem(deps),
            "/images/{image_id}/metadata": ImageMetadata(deps),
            "/images/{image_id}/metadata/{key}": ImageMetadataItem(deps),
            "/os-simple-tenant-usage": TenantUsages(deps),
            "/os-simple-tenant-usage/{tenant_id}": TenantUsage(deps),
            "/os-server-groups": ServerGroupList(deps),
            "/os-server-groups/{server_group_id}": ServerGroupItem(deps),
            "/flavors": FlavorList(deps, detail=False),
            "/flavors/detail": _Reads(FlavorList(deps, detail=True)),
            "/flavors/{flavor_id}": FlavorItem(deps),
            "/flavors/{flavor_id}/os-extra_specs": FlavorExtraSpecs(deps),
            "/flavors/{flavor_id}/os-extra_specs/{flavor_extra_spec_key}": FlavorExtraSpec(deps),
            "/flavors/{flavor_id}/os-flavor-access": FlavorAccessList(deps),
            "/flavors/{flavor_id}/action": FlavorAction(deps),
            **fleet_routes(deps),
            **proxy_routes(deps),
            **floating_ip_routes(deps),
            "/os-aggregates": AggregateList(deps),
            "/os-aggregates/{aggregate_id}": AggregateItem(deps),
            "/os-aggregates/{aggregate_id}/action": AggregateActions(deps),
            "/os-aggregates/{aggregate_id}/images": AggregateImages(deps),
            "/os-keypairs": KeypairList(deps),
            "/os-keypairs/{keypair_name}": KeypairItem(deps),
            "/os-quota-sets/{project_id}": QuotaSet(deps),
            "/os-quota-sets/{project_id}/defaults": QuotaDefaults(deps),
            "/os-quota-sets/{project_id}/detail": QuotaDetail(deps),
            "/os-quota-class-sets/{class_name}": QuotaClassSet(deps),
            "/limits": Limits(deps),
        },
    )
    return app
