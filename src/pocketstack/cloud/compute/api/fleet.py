"""The compute API's fleet declared: os-services, os-hypervisors, os-hosts (gone from 2.43) and
os-availability-zone, with the body of each microversion as Nova's own schemas give it.

An operation that a microversion removed (hypervisor statistics, uptime, search and servers,
os-hosts) declares its last version (`until`): past it the app answers 404, as Nova does.
"""

from __future__ import annotations

from pocketstack.cloud.api.operation import JSON, Operation, Versioned
from pocketstack.cloud.api.shapes import BOOL, INT, NSTR, STR, arr, obj, query, ref
from pocketstack.cloud.compute.api.common import ADMIN, READ_ERRORS, READER, WRITE_ERRORS, rule
from pocketstack.cloud.compute.service_body import (
    BOOLEAN,
    HOST_NAME,
    SHORT_TEXT,
    parse_service_update,
)

UUID_IDS = (2, 53)
LAST_LEGACY = (2, 52)
PAGING = (2, 33)
HOSTS_LAST = (2, 42)
STATISTICS_LAST = (2, 87)
UP_DOWN: JSON = {"enum": ["up", "down"]}
ENABLED: JSON = {"enum": ["enabled", "disabled"]}
UUID: JSON = {"type": "string", "format": "uuid"}
NINT: JSON = {"type": ["integer", "null"]}


def _service(id_schema: JSON, *, forced_down: bool) -> JSON:
    props = {
        "binary": STR, "disabled_reason": NSTR, "host": STR, "id": id_schema, "state": UP_DOWN,
        "status": ENABLED, "updated_at": NSTR, "zone": STR,
    }  # fmt: skip
    if forced_down:
        props["forced_down"] = BOOL
    return obj(props, closed=True)


def _services() -> tuple[Operation, ...]:
    listing = tuple(
        Versioned(obj({"services": arr(schema)}, closed=True), low, high)
        for schema, low, high in (
            (_service(INT, forced_down=False), None, (2, 10)),
            (_service(INT, forced_down=True), (2, 11), LAST_LEGACY),
            (_service(UUID, forced_down=True), UUID_IDS, None),
        )
    )
    legacy_result = {
        "oneOf": [
            obj({"binary": STR, "disabled_reason": NSTR, "host": STR, "status": ENABLED},
                required=("binary", "host", "status"), closed=True),
            obj({"binary": STR, "forced_down": BOOL, "host": STR}, closed=True),
        ]
    }  # fmt: skip
    updated = (
        Versioned(obj({"service": legacy_result}, closed=True), None, LAST_LEGACY),
        Versioned(obj({"service": _service(UUID, forced_down=True)}, closed=True), UUID_IDS),
    )
    named = {"host": HOST_NAME, "binary": SHORT_TEXT, "disabled_reason": SHORT_TEXT}
    bodies = (
        Versioned(obj(named, required=("host", "binary"), closed=True), None, (2, 10)),
        Versioned(
            obj({**named, "forced_down": BOOLEAN}, required=("host", "binary"), closed=True),
            (2, 11),
            LAST_LEGACY,
        ),
        Versioned(
            obj(
                {"status": ENABLED, "disabled_reason": SHORT_TEXT, "forced_down": BOOLEAN},
                required=(),
                closed=True,
            ),
            UUID_IDS,
        ),
    )
    return (
        Operation(method="GET", path="/os-services", summary="List compute services",
                  policy=rule("os-services:list", ADMIN), status=(200,), response=listing,
                  parameters=(query("host"), query("binary")), errors=READ_ERRORS),
        Operation(method="PUT", path="/os-services/{service_id}",
                  summary="Update a service: by id from 2.53 (status, disabled_reason,"
                  " forced_down); before, {service_id} is the action (enable, disable,"
                  " disable-log-reason, force-down from 2.11) and the body names the service",
                  policy=rule("os-services:update", ADMIN), status=(200,), request=bodies,
                  parse=parse_service_update, response=updated, errors=WRITE_ERRORS),
        Operation(method="DELETE", path="/os-services/{service_id}",
                  summary="Delete a service (its integer id before 2.53, its uuid from 2.53)",
                  policy=rule("os-services:delete", ADMIN), status=(204,),
                  errors=WRITE_ERRORS),
    )  # fmt: skip


SERVERS: JSON = arr(obj({"name": STR, "uuid": UUID}, closed=True))
_USAGE = (
    "vcpus", "memory_mb", "local_gb", "vcpus_used", "memory_mb_used", "local_gb_used",
    "free_ram_mb", "free_disk_gb", "current_workload", "running_vms", "disk_available_least",
)  # fmt: skip


def _hypervisor(uuid_ids: bool) -> JSON:
    props: JSON = {
        "id": UUID if uuid_ids else INT, "hypervisor_hostname": STR, "state": UP_DOWN,
        "status": ENABLED,
    }  # fmt: skip
    if uuid_ids:
        props["servers"] = SERVERS
    return obj(props, required=("id", "hypervisor_hostname", "state", "status"), closed=True)


def _detail(low: tuple[int, int] | None) -> JSON:
    """A hypervisor in detail at microversions from `low`: cpu_info an object from 2.28, ids
    uuids and `servers` from 2.53, usage replaced by `uptime` from 2.88."""
    at = low or (2, 1)
    uuid_ids = at >= UUID_IDS
    props: JSON = {
        "id": UUID if uuid_ids else INT, "hypervisor_hostname": STR, "state": UP_DOWN,
        "status": ENABLED, "hypervisor_type": STR, "host_ip": NSTR,
        "hypervisor_version": {"type": ["string", "integer"]},
        "service": obj({"id": UUID if uuid_ids else INT, "host": STR, "disabled_reason": NSTR},
                       closed=True),
    }  # fmt: skip
    if uuid_ids:
        props["servers"] = SERVERS
    if at >= (2, 88):
        props["uptime"] = NSTR
    else:
        props.update({name: INT for name in _USAGE})
        for name in ("current_workload", "running_vms", "disk_available_least", "free_ram_mb",
                     "free_disk_gb"):  # fmt: skip
            props[name] = NINT
        props["cpu_info"] = {"type": "object"} if at >= (2, 28) else STR
    required = tuple(n for n in props if n not in ("servers", "disk_available_least"))
    return obj(props, required=required, closed=True)


def _hypervisors() -> tuple[Operation, ...]:
    links = arr(ref("ComputeLink"))
    listing = (
        Versioned(obj({"hypervisors": arr(_hypervisor(False))}, closed=True), None, (2, 32)),
        Versioned(obj({"hypervisors": arr(_hypervisor(False)), "hypervisors_links": links},
                      required=("hypervisors",), closed=True), PAGING, LAST_LEGACY),
        Versioned(obj({"hypervisors": arr(_hypervisor(True)), "hypervisors_links": links},
                      required=("hypervisors",), closed=True), UUID_IDS),
    )  # fmt: skip
    bands = ((None, (2, 27)), ((2, 28), (2, 32)), (PAGING, LAST_LEGACY),
             (UUID_IDS, STATISTICS_LAST), ((2, 88), None))  # fmt: skip
    details = tuple(
        Versioned(obj({"hypervisors": arr(_detail(low)), "hypervisors_links": links},
                      required=("hypervisors",), closed=True), low, high)
        for low, high in bands
    )  # fmt: skip
    shown = tuple(
        Versioned(obj({"hypervisor": _detail(low)}, closed=True), low, high) for low, high in bands
    )
    with_uptime = tuple(
        Versioned(obj({"hypervisor": obj({**_hypervisor(uuid_ids)["properties"], "uptime": NSTR},
                                         required=("id", "hypervisor_hostname", "state",
                                                   "status", "uptime"), closed=True)},
                      closed=True), low, high)
        for uuid_ids, low, high in ((False, None, LAST_LEGACY), (True, UUID_IDS, STATISTICS_LAST))
    )  # fmt: skip
    stats = obj({name: NINT if name in ("current_workload", "running_vms",
                                        "disk_available_least", "free_ram_mb", "free_disk_gb")
                 else INT for name in ("count", *_USAGE)}, closed=True)  # fmt: skip
    found = obj({"hypervisors": arr(_hypervisor(False))}, closed=True)
    with_servers = obj({"hypervisors": arr(obj(
        {**_hypervisor(False)["properties"], "servers": SERVERS},
        required=("id", "hypervisor_hostname", "state", "status"), closed=True))},
        closed=True)  # fmt: skip
    list_queries = tuple(
        query(n) for n in ("limit", "marker", "hypervisor_hostname_pattern", "with_servers")
    )
    return (
        Operation(method="GET", path="/os-hypervisors", summary="List hypervisors",
                  policy=rule("os-hypervisors:list", ADMIN), status=(200,), response=listing,
                  parameters=list_queries, errors=READ_ERRORS),
        Operation(method="GET", path="/os-hypervisors/detail",
                  summary="List hypervisors with details",
                  policy=rule("os-hypervisors:list-detail", ADMIN), status=(200,),
                  response=details, parameters=list_queries, errors=READ_ERRORS),
        Operation(until=STATISTICS_LAST, method="GET", path="/os-hypervisors/statistics",
                  summary="Hypervisor statistics (up to 2.87)",
                  policy=rule("os-hypervisors:statistics", ADMIN), status=(200,),
                  response=(Versioned(obj({"hypervisor_statistics": stats}, closed=True), None,
                                      STATISTICS_LAST),), errors=READ_ERRORS),
        Operation(method="GET", path="/os-hypervisors/{hypervisor_id}",
                  summary="Show a hypervisor (its integer id before 2.53, its uuid from 2.53)",
                  policy=rule("os-hypervisors:show", ADMIN), status=(200,), response=shown,
                  parameters=(query("with_servers"),), errors=READ_ERRORS),
        Operation(until=STATISTICS_LAST, method="GET",
                  path="/os-hypervisors/{hypervisor_id}/uptime",
                  summary="A hypervisor's uptime (up to 2.87)",
                  policy=rule("os-hypervisors:uptime", ADMIN), status=(200,),
                  response=with_uptime, errors=(*READ_ERRORS, 501)),
        Operation(until=LAST_LEGACY, method="GET",
                  path="/os-hypervisors/{hypervisor_id}/search",
                  summary="Hypervisors whose name contains {hypervisor_id} (up to 2.52)",
                  policy=rule("os-hypervisors:search", ADMIN), status=(200,),
                  response=(Versioned(found, None, LAST_LEGACY),), errors=READ_ERRORS),
        Operation(until=LAST_LEGACY, method="GET",
                  path="/os-hypervisors/{hypervisor_id}/servers",
                  summary="Hypervisors whose name contains {hypervisor_id}, with their servers"
                  " (up to 2.52)",
                  policy=rule("os-hypervisors:servers", ADMIN), status=(200,),
                  response=(Versioned(with_servers, None, LAST_LEGACY),), errors=READ_ERRORS),
    )  # fmt: skip


def _hosts_and_zones() -> tuple[Operation, ...]:
    hosts = obj({"hosts": arr(obj({"host_name": STR, "service": STR, "zone": STR}, closed=True))},
                closed=True)  # fmt: skip
    resource = obj({"cpu": INT, "disk_gb": INT, "host": STR, "memory_mb": INT, "project": STR},
                   closed=True)  # fmt: skip
    host = obj({"host": arr(obj({"resource": resource}, closed=True))}, closed=True)
    zone_state = obj({"available": BOOL})
    zones = obj({"availabilityZoneInfo": arr(obj(
        {"zoneName": STR, "zoneState": zone_state, "hosts": {"type": "null"}}, closed=True))},
        closed=True)  # fmt: skip
    service_state = obj({"active": BOOL, "available": BOOL, "updated_at": NSTR}, closed=True)
    zone_hosts = {"type": ["object", "null"],
                  "additionalProperties": {"type": "object",
                                           "additionalProperties": service_state}}  # fmt: skip
    detailed = obj({"availabilityZoneInfo": arr(obj(
        {"zoneName": STR, "zoneState": zone_state, "hosts": zone_hosts}, closed=True))},
        closed=True)  # fmt: skip
    return (
        Operation(until=HOSTS_LAST, method="GET", path="/os-hosts",
                  summary="List hosts (deprecated; up to 2.42)",
                  policy=rule("os-hosts:list", ADMIN), status=(200,),
                  response=(Versioned(hosts, None, HOSTS_LAST),), parameters=(query("zone"),),
                  errors=READ_ERRORS),
        Operation(until=HOSTS_LAST, method="GET", path="/os-hosts/{host_name}",
                  summary="A host's resources (deprecated; up to 2.42)",
                  policy=rule("os-hosts:show", ADMIN), status=(200,),
                  response=(Versioned(host, None, HOSTS_LAST),), errors=READ_ERRORS),
        Operation(method="GET", path="/os-availability-zone",
                  summary="List availability zones", policy=rule("os-availability-zone:list",
                  READER), status=(200,), response=(Versioned(zones),), errors=READ_ERRORS),
        Operation(method="GET", path="/os-availability-zone/detail",
                  summary="List availability zones with their hosts and services",
                  policy=rule("os-availability-zone:detail", ADMIN), status=(200,),
                  response=(Versioned(detailed),), errors=READ_ERRORS),
    )  # fmt: skip


def operations() -> tuple[Operation, ...]:
    return _services() + _hypervisors() + _hosts_and_zones()
