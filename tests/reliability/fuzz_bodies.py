"""The valid requests the seeded fuzzing starts from: resources of its own, and a valid body for
every operation that takes one (fuzz_seeds.py changes one place of them at a time).

A new operation with a request body needs an entry in BODIES: test_fuzz_coverage.py fails
until it has one.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from tests.reliability.conftest import InProcessCloud
from tests.reliability.fuzz_oauth1 import oauth1_seeds

# Replaced by a new value in every case (not once per run), so that a create whose name or id
# must be unique reaches its other checks in every case, not only in the first.
FRESH = "~fresh~"
# A public key that parses (ed25519), made for these tests.
PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIF1z639cEMpImqncIXwRAnxjezLPSMKden094Me3rBXm"


@dataclasses.dataclass(frozen=True)
class SeedIds:
    """Resources made for the seeded pass, so that what it changes or deletes is its own."""

    values: dict[str, str]

    def fill(self, template: Any) -> Any:
        if isinstance(template, str):
            return template.format_map(self.values)
        if isinstance(template, dict):
            return {self.fill(k): self.fill(v) for k, v in template.items()}
        if isinstance(template, list):
            return [self.fill(v) for v in template]
        return template


def freshen(document: Any) -> Any:
    """`document` with every FRESH in it (keys included) made a new, unique value."""
    if isinstance(document, str):
        return document.replace(FRESH, uuid.uuid4().hex[:12]) if FRESH in document else document
    if isinstance(document, dict):
        return {freshen(k): freshen(v) for k, v in document.items()}
    if isinstance(document, list):
        return [freshen(v) for v in document]
    return document


def _ok(result: Any, *statuses: int) -> Any:
    assert result.status_code in statuses, (result.status_code, result.text[:500])
    return result.json if result.text else None


def make_seeds(cloud: InProcessCloud) -> SeedIds:
    """What the seeded pass works on: the identity and compute resources (the admin's, or the
    member's where a member must reach them too) and the member's own network."""
    admin, member = cloud.admin_token, cloud.member_token
    suffix = uuid.uuid4().hex[:8]

    def post(path: str, body: Any, token: str = admin) -> Any:
        return _ok(cloud.request("POST", path, token=token, body=body), 200, 201, 202)

    def get(path: str, query: str = "", token: str = admin) -> Any:
        return _ok(cloud.request("GET", path, token=token, query_string=query), 200)

    image = post("/image/v2/images", {"name": f"seed-{suffix}", "seed-key": "v"}, member)["id"]
    flavor_body = {"name": f"seed-{suffix}", "ram": 64, "vcpus": 1, "disk": 0}
    flavor = post("/compute/v2.1/flavors", {"flavor": flavor_body})["flavor"]["id"]
    post(f"/compute/v2.1/flavors/{flavor}/os-extra_specs", {"extra_specs": {"seed-spec": "v"}})
    private_body = {**flavor_body, "name": f"seed-private-{suffix}",
                    "os-flavor-access:is_public": False}  # fmt: skip
    private_flavor = post("/compute/v2.1/flavors", {"flavor": private_body})["flavor"]["id"]
    server_body = {"name": f"seed-{suffix}", "imageRef": cloud.image_id, "flavorRef": "1",
                   "networks": "none", "metadata": {"seed-key": "v"}}  # fmt: skip
    server = post("/compute/v2.1/servers", {"server": server_body}, member)["server"]["id"]
    tagged = cloud.request("PUT", f"/compute/v2.1/servers/{server}/tags/seed-tag",
                           headers={"OpenStack-API-Version": "compute 2.26"})  # fmt: skip
    _ok(tagged, 201, 409)  # 409 while the server is still building: the tag is optional
    # A keypair of the same name for each: keypairs are the user's own.
    for who in (admin, member):
        post("/compute/v2.1/os-keypairs",
             {"keypair": {"name": f"seed-{suffix}", "public_key": PUBLIC_KEY}}, who)  # fmt: skip
    server_group = post("/compute/v2.1/os-server-groups", {"server_group": {
        "name": f"seed-{suffix}", "policy": "affinity"}}, member)["server_group"]["id"]  # fmt: skip
    aggregate = post("/compute/v2.1/os-aggregates",
                     {"aggregate": {"name": f"seed-{suffix}"}})["aggregate"]["id"]  # fmt: skip
    aggregate = str(aggregate)
    compute = get("/compute/v2.1/os-services", "binary=nova-compute")["services"][0]
    hypervisor = get("/compute/v2.1/os-hypervisors")["hypervisors"][0]["id"]
    domain = post("/identity/v3/domains", {"domain": {"name": f"seed-{suffix}"}})["domain"]["id"]
    project_body = {"name": f"seed-{suffix}", "domain_id": "default"}
    project = post("/identity/v3/projects", {"project": project_body})["project"]["id"]
    password = f"pw-{suffix}"
    user_body = {"name": f"seed-{suffix}", "password": password, "default_project_id": project}
    user = post("/identity/v3/users", {"user": user_body})["user"]["id"]
    # The password change has a user of its own: it ends the tokens of the user it changes.
    pw_body = {"name": f"seed-pw-{suffix}", "password": password}
    pw_user = post("/identity/v3/users", {"user": pw_body})["user"]["id"]
    group = post("/identity/v3/groups", {"group": {"name": f"seed-{suffix}"}})["group"]["id"]
    role = post("/identity/v3/roles", {"role": {"name": f"seed-{suffix}"}})["role"]["id"]
    member_role = get("/identity/v3/roles", "name=member")["roles"][0]["id"]
    _ok(cloud.request("PUT", f"/identity/v3/projects/{project}/users/{user}/roles/{member_role}",
                      token=admin), 204)  # fmt: skip
    region = post("/identity/v3/regions", {"region": {"id": f"seed-{suffix}"}})["region"]["id"]
    service = post("/identity/v3/services", {"service": {"type": f"seed-{suffix}"}})["service"]
    endpoint = post("/identity/v3/endpoints", {"endpoint": {
        "interface": "public", "url": "http://seed.test", "service_id": service["id"],
        "region_id": region}})["endpoint"]["id"]  # fmt: skip
    credential = post("/identity/v3/credentials", {"credential": {
        "user_id": user, "type": "cert", "blob": "seed"}})["credential"]["id"]  # fmt: skip
    endpoint_group = post("/identity/v3/OS-EP-FILTER/endpoint_groups", {"endpoint_group": {
        "name": f"seed-{suffix}", "filters": {"interface": "public"}}})  # fmt: skip
    policy = post("/identity/v3/policies", {"policy": {"blob": "{}", "type": "seed"}})["policy"]
    _ok(cloud.request("PUT", f"/identity/v3/domains/{domain}/config", token=admin,
                      body={"config": {"identity": {"driver": "sql"}}}), 201)  # fmt: skip
    token = cloud.deps.tokens.issue(
        user_id=user, methods=["password"], project_id=project, roles=("member",)
    ).token_id
    # A trust's trustor is the caller: the admin sending the seeds.
    admin_user = get("/identity/v3/users", "name=admin")["users"][0]["id"]
    admin_project = get("/identity/v3/projects", "name=admin")["projects"][0]["id"]
    return SeedIds({
        "server_id": server, "tag": "seed-tag", "key": "seed-key", "flavor_id": flavor,
        "flavor_extra_spec_key": "seed-spec", "private_flavor": private_flavor,
        "image_id": image, "fixture_image": cloud.image_id, "keypair_name": f"seed-{suffix}",
        "server_group_id": server_group, "aggregate_id": aggregate, "host_name": compute["host"],
        "compute_service": str(compute["id"]), "hypervisor_id": str(hypervisor),
        "class_name": "default", "tenant_id": project, "domain_id": domain,
        "project_id": project, "user_id": user, "user_name": f"seed-{suffix}",
        "password": password, "pw_user": pw_user, "group_id": group, "role_id": role,
        "region_id": region, "service_id": service["id"], "endpoint_id": endpoint,
        "credential_id": credential,
        "endpoint_group_id": endpoint_group["endpoint_group"]["id"], "policy_id": policy["id"],
        "group": "identity", "option": "driver",
        "token_id": token, "suffix": suffix, "fresh": FRESH,
        "admin_user_id": admin_user, "admin_project_id": admin_project,
        **_network_seeds(cloud, suffix), **oauth1_seeds(cloud, admin_project=admin_project),
    })  # fmt: skip


def _network_seeds(cloud: InProcessCloud, suffix: str) -> dict[str, str]:
    """The member's network, subnet and port, behind a router to `public` (so that a floating
    IP can reach the port), a subnet on no router, a security group with a rule, and a floating
    IP."""
    member = cloud.member_token

    def post(path: str, body: Any) -> Any:
        return _ok(cloud.request("POST", path, token=member, body=body), 201)

    public = _ok(cloud.request("GET", "/networking/v2.0/networks", token=member,
                               query_string="router:external=true"), 200)  # fmt: skip
    public_id = public["networks"][0]["id"]
    network = post("/networking/v2.0/networks", {"network": {"name": f"seed-{suffix}"}})
    network_id = network["network"]["id"]
    subnet = post("/networking/v2.0/subnets", {"subnet": {
        "network_id": network_id, "ip_version": 4, "cidr": "10.9.0.0/24",
        "name": f"seed-{suffix}"}})["subnet"]["id"]  # fmt: skip
    group = post(
        "/networking/v2.0/security-groups", {"security_group": {"name": f"seed-{suffix}"}}
    )["security_group"]["id"]
    rule = post(
        "/networking/v2.0/security-group-rules",
        {
            "security_group_rule": {
                "security_group_id": group,
                "direction": "ingress",
                "ethertype": "IPv4",
                "protocol": "tcp",
                "port_range_min": 22,
                "port_range_max": 22,
            }
        },
    )["security_group_rule"]
    # A subnet on no router, for the router's interface operations.
    spare = post("/networking/v2.0/networks", {"network": {"name": f"seed-spare-{suffix}"}})
    spare_subnet = post("/networking/v2.0/subnets", {"subnet": {
        "network_id": spare["network"]["id"], "ip_version": 4, "cidr": "10.10.0.0/24",
        "name": f"seed-spare-{suffix}"}})["subnet"]["id"]  # fmt: skip
    port = post("/networking/v2.0/ports", {"port": {
        "network_id": network_id, "name": f"seed-{suffix}"}})["port"]["id"]  # fmt: skip
    router = post(
        "/networking/v2.0/routers",
        {"router": {"name": f"seed-{suffix}", "external_gateway_info": {"network_id": public_id}}},
    )
    router_id = router["router"]["id"]
    attached = cloud.request("PUT", f"/networking/v2.0/routers/{router_id}/add_router_interface",
                             token=member, body={"subnet_id": subnet})  # fmt: skip
    _ok(attached, 200)
    floating = post(
        "/networking/v2.0/floatingips", {"floatingip": {"floating_network_id": public_id}}
    )["floatingip"]
    # A subnet pool, for its updates, prefix operations and tags.
    subnetpool = post("/networking/v2.0/subnetpools", {"subnetpool": {
        "name": f"seed-{suffix}", "prefixes": ["10.200.0.0/16"]}})["subnetpool"]["id"]  # fmt: skip
    return {
        "public_network": public_id, "network_id": network_id, "subnet_id": subnet,
        "spare_subnet": spare_subnet,
        "security_group_id": group, "rule_id": rule["id"], "security_group_rule_id": rule["id"],
        "port_id": port, "router_id": router_id, "floatingip_id": floating["id"],
        "floating_ip_id": floating["id"], "network": "private",
        "subnetpool_id": subnetpool,
        # A network with no subnet, which no DHCP agent hosts yet.
        "unhosted_network_id": post("/networking/v2.0/networks", {"network": {
            "name": f"seed-unhosted-{suffix}"}})["network"]["id"],
        "agent_id": _ok(cloud.request(
            "GET", "/networking/v2.0/agents", token=cloud.admin_token,
            query_string="agent_type=DHCP%20agent"), 200)["agents"][0]["id"],
        "metering_label_id": _ok(cloud.request(
            "POST", "/networking/v2.0/metering/metering-labels", token=cloud.admin_token,
            body={"metering_label": {"name": f"seed-{suffix}"}}), 201)["metering_label"]["id"],
    }  # fmt: skip


# The compute APIs Nova removed, at the last microversion that has them (404 after).
LEGACY_MICROVERSIONS: dict[str, str] = {
    "/compute/v2.1/os-hosts": "compute 2.42",
    "/compute/v2.1/images": "compute 2.35",
    "/compute/v2.1/os-networks": "compute 2.35",
    "/compute/v2.1/os-tenant-networks": "compute 2.35",
    "/compute/v2.1/os-security-group": "compute 2.35",  # -s and -rules
    "/compute/v2.1/os-floating-ip": "compute 2.35",  # -s and -pools
}
# Path parameters that name something else than the seed of the same name in this path.
PATH_SEEDS: dict[str, dict[str, str]] = {
    "/compute/v2.1/os-services/{service_id}": {"service_id": "{compute_service}"},
    "/identity/v3/users/{user_id}/password": {"user_id": "{pw_user}"},
    "/compute/v2.1/flavors/{flavor_id}/action": {"flavor_id": "{private_flavor}"},
    "/compute/v2.1/flavors/{flavor_id}/os-flavor-access": {"flavor_id": "{private_flavor}"},
}


def microversion_of(path: str) -> str | None:
    if not path.startswith("/compute/v2.1"):
        return None
    for prefix, version in LEGACY_MICROVERSIONS.items():
        if path.startswith(prefix):
            return version
    return "compute 2.90"


_SERVER = "/compute/v2.1/servers/{server_id}"
_FLAVOR = "/compute/v2.1/flavors/{flavor_id}"
_AGGREGATE = "/compute/v2.1/os-aggregates/{aggregate_id}"
_NET = "/networking/v2.0"
_AUTH = {"identity": {"methods": ["password"], "password": {"user": {
    "name": "{user_name}", "domain": {"id": "default"}, "password": "{password}"}}},
    "scope": {"project": {"id": "{project_id}"}}}  # fmt: skip
_QUOTAS = {"instances": 50, "cores": 100, "ram": 204800, "metadata_items": 128, "key_pairs": 200,
           "server_groups": 50, "server_group_members": 50}  # fmt: skip
_SUBNET_CHANGES = {
    "name": "s", "description": "d", "gateway_ip": "10.9.1.1",
    "allocation_pools": [{"start": "10.9.1.10", "end": "10.9.1.100"}],
    "dns_nameservers": ["10.0.0.2"], "enable_dhcp": True,
    "host_routes": [{"destination": "10.8.0.0/24", "nexthop": "10.9.1.2"}],
}  # fmt: skip
_PORT_CHANGES = {
    "name": "p", "description": "d", "admin_state_up": True,
    "fixed_ips": [{"subnet_id": "{subnet_id}"}], "device_id": "seed-device",
    "device_owner": "compute:nova", "port_security_enabled": True,
    "allowed_address_pairs": [{"ip_address": "10.9.0.200"}],
    "security_groups": ["{security_group_id}"],
}  # fmt: skip
# A valid body for each operation that takes one (paths without the {project_id} forms); None
# for an operation whose body must be empty. One place of it changes in each seeded case.
BODIES: dict[tuple[str, str], list[Any]] = {
    # --- compute
    ("POST", "/compute/v2.1/servers"): [{
        "server": {"name": "s-{suffix}", "imageRef": "{fixture_image}", "flavorRef": "1",
                   "networks": "none", "metadata": {"k": "v"}, "tags": ["t"], "description": "d",
                   "hostname": "seed-host", "key_name": "{keypair_name}",
                   "availability_zone": "nova", "min_count": 1, "max_count": 1,
                   "user_data": "aGk=", "adminPass": "secret",
                   "accessIPv4": "10.0.0.1", "config_drive": False, "OS-DCF:diskConfig": "AUTO",
                   "return_reservation_id": False, "security_groups": [{"name": "default"}]},
        "os:scheduler_hints": {"hint": "v"}}],
    ("PUT", _SERVER): [{"server": {"name": "s", "description": "d", "hostname": "seed-host",
                                   "accessIPv4": "10.0.0.1", "OS-DCF:diskConfig": "AUTO"}}],
    ("POST", _SERVER + "/action"): [{"lock": {"locked_reason": "r"}}, {"reboot": {"type": "SOFT"}},
                                    {"unlock": None}],
    ("PUT", _SERVER + "/tags"): [{"tags": ["a", "b"]}],
    ("PUT", _SERVER + "/tags/{tag}"): [None],
    ("POST", _SERVER + "/metadata"): [{"metadata": {"a": "1"}}],
    ("PUT", _SERVER + "/metadata"): [{"metadata": {"seed-key": "v", "a": "1"}}],
    ("PUT", _SERVER + "/metadata/{key}"): [{"meta": {"seed-key": "v"}}],
    ("POST", _SERVER + "/migrations/{migration_id}/action"): [{"force_complete": None}],
    ("POST", "/compute/v2.1/os-server-external-events"): [{"events": [{
        "name": "network-changed", "server_uuid": "{server_id}", "status": "completed",
        "tag": "t"}]}],
    ("POST", "/compute/v2.1/os-server-groups"): [{"server_group": {
        "name": "g-{fresh}", "policy": "anti-affinity", "rules": {"max_server_per_host": 2}}}],
    ("POST", "/compute/v2.1/flavors"): [{"flavor": {
        "name": "f-{fresh}", "id": "f-{fresh}", "ram": 64, "vcpus": 1, "disk": 0,
        "OS-FLV-EXT-DATA:ephemeral": 0, "swap": 0, "rxtx_factor": 1.0,
        "os-flavor-access:is_public": True, "description": "d"}}],
    ("PUT", _FLAVOR): [{"flavor": {"description": "d"}}],
    ("POST", _FLAVOR + "/os-extra_specs"): [{"extra_specs": {"hw:cpu_policy": "shared",
                                                             "seed-spec": "v", "n": 1}}],
    ("PUT", _FLAVOR + "/os-extra_specs/{flavor_extra_spec_key}"): [{"seed-spec": "w"}],
    ("POST", _FLAVOR + "/action"): [{"addTenantAccess": {"tenant": "{project_id}"}},
                                    {"removeTenantAccess": {"tenant": "{project_id}"}}],
    ("POST", "/compute/v2.1/os-keypairs"): [{"keypair": {
        "name": "k-{fresh}", "public_key": PUBLIC_KEY, "type": "ssh"}}],
    ("PUT", "/compute/v2.1/os-quota-sets/{project_id}"): [{"quota_set": {**_QUOTAS,
                                                                         "force": True}}],
    ("PUT", "/compute/v2.1/os-quota-class-sets/{class_name}"): [{"quota_class_set": _QUOTAS}],
    ("PUT", "/compute/v2.1/os-services/{service_id}"): [{"status": "enabled",
                                                         "forced_down": False}],
    ("PUT", "/compute/v2.1/os-hosts/{host_name}"): [{"status": "enable"},
                                                     {"maintenance_mode": "disable"}],
    ("POST", "/compute/v2.1/os-aggregates"): [{"aggregate": {
        "name": "a-{fresh}", "availability_zone": "z-{suffix}"}}],
    ("PUT", _AGGREGATE): [{"aggregate": {"name": "a2-{suffix}"}}],
    ("POST", _AGGREGATE + "/action"): [{"add_host": {"host": "{host_name}"}},
                                       {"remove_host": {"host": "{host_name}"}},
                                       {"set_metadata": {"metadata": {"k": "v", "gone": None}}}],
    ("POST", _AGGREGATE + "/images"): [{"cache": [{"id": "{fixture_image}"}]}],
    ("POST", _SERVER + "/os-interface"): [{"interfaceAttachment": {"net_id": "{network_id}"}}],
    ("POST", "/compute/v2.1/images/{image_id}/metadata"): [{"metadata": {"a": "1"}}],
    ("PUT", "/compute/v2.1/images/{image_id}/metadata"): [{"metadata": {"seed-key": "v"}}],
    ("PUT", "/compute/v2.1/images/{image_id}/metadata/{key}"): [{"meta": {"seed-key": "v"}}],
    ("POST", "/compute/v2.1/os-security-groups"): [{"security_group": {
        "name": "g", "description": "d"}}],
    ("PUT", "/compute/v2.1/os-security-groups/{security_group_id}"): [{"security_group": {
        "name": "g2", "description": "d"}}],
    ("POST", "/compute/v2.1/os-security-group-rules"): [
        {"security_group_rule": {"parent_group_id": "{security_group_id}", "ip_protocol": "tcp",
                                 "from_port": 8000, "to_port": 8001, "cidr": "10.0.0.0/8"}},
        {"security_group_rule": {"parent_group_id": "{security_group_id}", "ip_protocol": "udp",
                                 "from_port": 53, "to_port": 53,
                                 "group_id": "{security_group_id}"}}],
    # --- image
    ("POST", "/image/v2/images"): [{
        "name": "i", "container_format": "bare", "disk_format": "raw", "min_disk": 0,
        "min_ram": 0, "protected": False, "os_hidden": False, "visibility": "private",
        "tags": ["t"], "os_distro": "x"}],
    ("POST", "/image/v2/images/{image_id}/import"): [{"method": {"name": "glance-direct"}}],
    # --- identity
    ("POST", "/identity/v3/auth/tokens"): [{"auth": _AUTH}],
    ("POST", "/identity/v2.0/tokens"): [{"auth": {"passwordCredentials": {
        "username": "{user_name}", "password": "{password}"}, "tenantId": "{project_id}"}}],
    ("POST", "/identity/v3/users"): [{"user": {
        "name": "u-{fresh}", "password": "pw", "email": "e@example.test", "description": "d",
        "domain_id": "default", "enabled": True, "default_project_id": "{project_id}"}}],
    ("PATCH", "/identity/v3/users/{user_id}"): [{"user": {
        "name": "{user_name}", "email": "e@example.test", "description": "d", "enabled": True}}],
    ("POST", "/identity/v3/users/{user_id}/application_credentials"): [{
        "application_credential": {"name": "ac-{fresh}", "description": "d",
                                   "expires_at": "2099-01-01T00:00:00Z", "unrestricted": False}}],
    ("POST", "/identity/v3/OS-TRUST/trusts"): [{"trust": {
        "trustor_user_id": "{admin_user_id}", "trustee_user_id": "{user_id}",
        "project_id": "{admin_project_id}", "impersonation": False, "roles": [{"name": "admin"}],
        "expires_at": "2099-01-01T00:00:00Z", "remaining_uses": 5}}],
    ("POST", "/identity/v3/users/{user_id}/password"): [{"user": {
        "original_password": "{password}", "password": "{password}"}}],
    ("POST", "/identity/v3/projects"): [{"project": {
        "name": "p-{fresh}", "description": "d", "domain_id": "default", "enabled": True}}],
    ("PATCH", "/identity/v3/projects/{project_id}"): [{"project": {
        "name": "p2-{suffix}", "description": "d", "enabled": True}}],
    ("POST", "/identity/v3/domains"): [{"domain": {
        "name": "d-{fresh}", "description": "d", "enabled": True}}],
    ("PATCH", "/identity/v3/domains/{domain_id}"): [{"domain": {
        "name": "d2-{suffix}", "description": "d", "enabled": True}}],
    ("POST", "/identity/v3/groups"): [{"group": {
        "name": "g-{fresh}", "description": "d", "domain_id": "default"}}],
    ("PATCH", "/identity/v3/groups/{group_id}"): [{"group": {
        "name": "g2-{suffix}", "description": "d"}}],
    ("POST", "/identity/v3/roles"): [{"role": {"name": "r-{fresh}", "description": "d"}}],
    ("POST", "/identity/v3/services"): [{"service": {
        "type": "t-{suffix}", "name": "n", "description": "d", "enabled": True}}],
    ("POST", "/identity/v3/endpoints"): [{"endpoint": {
        "interface": "public", "url": "http://seed.test", "service_id": "{service_id}",
        "region_id": "{region_id}", "enabled": True}}],
    ("PUT", "/identity/v3/projects/{project_id}/tags"): [{"tags": ["seed-a", "seed-b"]}],
    ("POST", "/identity/v3/credentials"): [{"credential": {
        "user_id": "{user_id}", "project_id": "{project_id}", "type": "cert",
        "blob": "b-{fresh}"}}],
    ("PATCH", "/identity/v3/credentials/{credential_id}"): [{"credential": {
        "blob": "b2", "type": "cert"}}],
    ("POST", "/identity/v3/users/{user_id}/credentials/OS-EC2"): [{"tenant_id": "{project_id}"}],
    ("POST", "/identity/v3/regions"): [{"region": {
        "id": "r-{fresh}", "description": "d", "parent_region_id": "{region_id}"}}],
    ("PUT", "/identity/v3/regions/{region_id}"): [{"region": {
        "description": "d", "parent_region_id": None}}],
    ("PATCH", "/identity/v3/regions/{region_id}"): [{"region": {
        "description": "d2", "parent_region_id": None}}],
    ("PATCH", "/identity/v3/services/{service_id}"): [{"service": {
        "type": "t2-{suffix}", "name": "n2", "description": "d", "enabled": True}}],
    ("PATCH", "/identity/v3/endpoints/{endpoint_id}"): [{"endpoint": {
        "interface": "internal", "url": "http://seed2.test", "service_id": "{service_id}",
        "region_id": "{region_id}", "enabled": True}}],
    ("PATCH", "/identity/v3/roles/{role_id}"): [{"role": {
        "name": "r2-{suffix}", "description": "d"}}],
    ("POST", "/identity/v3/OS-EP-FILTER/endpoint_groups"): [{"endpoint_group": {
        "name": "g", "description": "d", "filters": {"service_id": "{service_id}"}}}],
    ("PATCH", "/identity/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}"): [{
        "endpoint_group": {"name": "g2", "filters": {"interface": "internal"}}}],
    ("POST", "/identity/v3/policies"): [{"policy": {"blob": "b", "type": "t", "x": 1}}],
    ("POST", "/identity/v3/OS-OAUTH1/consumers"): [{"consumer": {"description": "d", "x": 1}}],
    ("PATCH", "/identity/v3/OS-OAUTH1/consumers/{consumer_id}"): [{"consumer": {
        "description": "d2"}}],
    ("PUT", "/identity/v3/OS-OAUTH1/authorize/{request_token_id}"): [{"roles": [
        {"name": "admin"}]}],
    ("PATCH", "/identity/v3/policies/{policy_id}"): [{"policy": {"blob": "b2", "type": "t2"}}],
    ("PUT", "/identity/v3/domains/{domain_id}/config"): [{"config": {
        "identity": {"driver": "sql"}, "ldap": {"url": "ldap://seed.test", "password": "p"}}}],
    ("PATCH", "/identity/v3/domains/{domain_id}/config"): [{"config": {
        "identity": {"driver": "sql", "list_limit": 5}}}],
    ("PATCH", "/identity/v3/domains/{domain_id}/config/{group}"): [{"config": {
        "identity": {"driver": "sql"}}}],
    ("PATCH", "/identity/v3/domains/{domain_id}/config/{group}/{option}"): [{"config": {
        "driver": "sql"}}],
    # --- network
    ("POST", _NET + "/networks"): [{"network": {
        "name": "n", "description": "d", "admin_state_up": True, "mtu": 1400,
        "port_security_enabled": True}}],
    ("PUT", _NET + "/networks/{network_id}"): [{"network": {
        "name": "n2", "description": "d", "admin_state_up": True, "mtu": 1400,
        "port_security_enabled": True}}],
    ("POST", _NET + "/subnets"): [{"subnet": {
        "network_id": "{network_id}", "ip_version": 4, "cidr": "10.9.1.0/24",
        **_SUBNET_CHANGES}}],
    ("PUT", _NET + "/subnets/{subnet_id}"): [{"subnet": {
        **_SUBNET_CHANGES, "gateway_ip": "10.9.0.1",
        "allocation_pools": [{"start": "10.9.0.10", "end": "10.9.0.100"}],
        "host_routes": [{"destination": "10.8.0.0/24", "nexthop": "10.9.0.2"}]}}],
    ("POST", _NET + "/ports"): [{"port": {"network_id": "{network_id}", **_PORT_CHANGES}}],
    ("PUT", _NET + "/ports/{port_id}"): [{"port": _PORT_CHANGES}],
    ("POST", _NET + "/security-groups"): [{"security_group": {
        "name": "g", "description": "d", "stateful": True}}],
    ("PUT", _NET + "/security-groups/{security_group_id}"): [{"security_group": {
        "name": "g2", "description": "d"}}],
    ("POST", _NET + "/security-group-rules"): [{"security_group_rule": {
        "security_group_id": "{security_group_id}", "direction": "ingress",
        "ethertype": "IPv4", "protocol": "tcp", "port_range_min": 9000,
        "port_range_max": 9001, "remote_ip_prefix": "10.0.0.0/8", "description": "d"}}],
    ("POST", _NET + "/routers"): [{"router": {
        "name": "r", "description": "d", "admin_state_up": True,
        "external_gateway_info": {"network_id": "{public_network}"}}}],
    ("PUT", _NET + "/routers/{router_id}"): [{"router": {
        "name": "r2", "description": "d", "admin_state_up": True,
        "external_gateway_info": {"network_id": "{public_network}"},
        "routes": [{"destination": "10.8.0.0/24", "nexthop": "10.9.0.5"}]}}],
    ("PUT", _NET + "/routers/{router_id}/add_router_interface"): [
        {"subnet_id": "{spare_subnet}"}],
    ("PUT", _NET + "/routers/{router_id}/remove_router_interface"): [
        {"subnet_id": "{spare_subnet}"}],
    ("PUT", _NET + "/routers/{router_id}/add_extraroutes"): [{"router": {
        "routes": [{"destination": "10.8.1.0/24", "nexthop": "10.9.0.6"}]}}],
    ("PUT", _NET + "/routers/{router_id}/remove_extraroutes"): [{"router": {
        "routes": [{"destination": "10.8.1.0/24", "nexthop": "10.9.0.6"}]}}],
    ("POST", _NET + "/metering/metering-labels"): [{"metering_label": {
        "name": "m", "description": "d", "shared": False}}],
    ("POST", _NET + "/metering/metering-label-rules"): [{"metering_label_rule": {
        "metering_label_id": "{metering_label_id}", "direction": "egress", "excluded": False,
        "source_ip_prefix": "10.0.0.0/24", "destination_ip_prefix": "10.1.0.0/24"}}],
    ("POST", _NET + "/floatingips"): [{"floatingip": {
        "floating_network_id": "{public_network}", "description": "d"}}],
    ("PUT", _NET + "/floatingips/{floatingip_id}"): [{"floatingip": {
        "port_id": "{port_id}", "description": "d"}}],
    ("PUT", _NET + "/quotas/{project_id}"): [{"quota": {"network": 50, "port": 200}}],
    ("PUT", _NET + "/agents/{agent_id}"): [{"agent": {"admin_state_up": True,
                                                     "description": "d"}}],
    ("POST", _NET + "/agents/{agent_id}/dhcp-networks"): [{"network_id": "{unhosted_network_id}"}],
    ("POST", _NET + "/subnetpools"): [{"subnetpool": {
        "name": "p", "description": "d", "prefixes": ["10.210.0.0/16", "10.211.0.0/16"],
        "min_prefixlen": 20, "max_prefixlen": 28, "default_prefixlen": 24,
        "default_quota": 4096, "address_scope_id": None}}],
    ("PUT", _NET + "/subnetpools/{subnetpool_id}"): [{"subnetpool": {
        "name": "p2", "description": "d", "prefixes": ["10.200.0.0/15"], "min_prefixlen": 16,
        "max_prefixlen": 30, "default_prefixlen": 26, "default_quota": 1024}}],
    ("PUT", _NET + "/subnetpools/{subnetpool_id}/add_prefixes"): [
        {"prefixes": ["10.220.0.0/16"]}],
    ("PUT", _NET + "/subnetpools/{subnetpool_id}/remove_prefixes"): [
        {"prefixes": ["10.200.128.0/17"]}],
    ("PUT", _NET + "/subnetpools/{subnetpool_id}/tags"): [{"tags": ["seed-a", "seed-b"]}],
    **{("PUT", f"{_NET}/{collection}/{{{field}}}/tags"): [{"tags": ["seed-a", "seed-b"]}]
       for collection, field in (("networks", "network_id"), ("subnets", "subnet_id"),
                                 ("ports", "port_id"), ("routers", "router_id"),
                                 ("floatingips", "floatingip_id"),
                                 ("security-groups", "security_group_id"))},
}  # fmt: skip
