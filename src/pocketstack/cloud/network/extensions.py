"""`/v2.0/extensions`: exactly the Neutron API extensions this service implements. Clients and
tempest decide what to call from this list (openstacksdk's `find_extension`, tempest's
`api_extensions`), so an alias is listed only when what it adds is served in full.

`tag` is the older alias of the tags on networks (tempest's TagsTest asks for it); current
Neutron lists only standard-attr-tag, which covers them.

Not listed, because not served (yet): quota-check-limit (check_limit is honoured but not
advertised), l3-flavors, router availability zones (router_availability_zone), the L3 agent
scheduler, segments, DNS integration, QoS, trunks, address scopes, revision-if-match; of
security groups, address groups (security-groups-remote-address-group), sharing
(rbac-security-groups, security-groups-shared-filtering) and the default rule templates
(security-groups-default-rules).
"""

from __future__ import annotations

import falcon

from pocketstack.cloud.network import faults

# (alias, name, description, updated): names and dates as Neutron's definitions give them,
# descriptions in our words.
EXTENSIONS: tuple[tuple[str, str, str, str], ...] = (
    ("agent", "agent",
     "The network agents: listed, shown, enabled or disabled and deleted by admins",
     "2013-02-03T10:00:00-00:00"),
    ("allowed-address-pairs", "Allowed Address Pairs",
     "Extra addresses (and MACs) a port may use besides its own", "2013-07-23T10:00:00-00:00"),
    ("availability_zone", "Availability Zone",
     "The availability zones of the DHCP and L3 agents, and each agent's zone",
     "2015-01-01T10:00:00-00:00"),
    ("binding", "Port Binding",
     "Port binding attributes: host, VNIC type, profile, VIF type and details",
     "2014-02-03T10:00:00-00:00"),
    ("default-subnetpools", "Default Subnetpools",
     "A subnet pool per IP version marked as the default, which a subnet may be allocated from"
     " (use_default_subnetpool)", "2016-02-18T18:00:00-00:00"),
    ("dhcp_agent_scheduler", "DHCP Agent Scheduler",
     "Which DHCP agents host which networks, and an admin's changes to it",
     "2013-02-07T10:00:00-00:00"),
    ("dvr", "Distributed Virtual Router",
     "Whether a router is distributed (distributed), set and shown to admins only",
     "2014-06-1T10:00:00-00:00"),
    ("empty-string-filtering", "Empty String Filtering Extension",
     "Lists filter on attributes equal to the empty string", "2018-05-01T10:00:00-00:00"),
    ("external-net", "Neutron external network",
     "The router:external attribute of networks", "2013-01-14T10:00:00-00:00"),
    ("ext-gw-mode", "Neutron L3 Configurable external gateway mode",
     "Whether a router's gateway does SNAT (enable_snat)", "2013-03-28T10:00:00-00:00"),
    ("extra_dhcp_opt", "Neutron Extra DHCP options",
     "DHCP options of a port (extra_dhcp_opts), such as PXE boot's",
     "2013-03-17T12:00:00-00:00"),
    ("extraroute", "Neutron Extra Route",
     "Static routes of a router (routes)", "2013-02-01T10:00:00-00:00"),
    ("extraroute-atomic", "Atomically add/remove extra routes",
     "A router's static routes added and removed in one step (add_extraroutes,"
     " remove_extraroutes)", "2019-07-10T00:00:00+00:00"),
    ("fip-port-details", "Floating IP Port Details Extension",
     "The associated port's details shown with a floating IP (port_details)",
     "2018-04-09T10:00:00-00:00"),
    ("floatingip-pools", "Floating IP Pools Extension",
     "The subnets of external networks floating IPs are allocated from",
     "2018-03-21T10:00:00-00:00"),
    ("filter-validation", "Filter parameters validation",
     "A list refuses a filter on an attribute that is not filterable",
     "2018-07-04T10:00:00-00:00"),
    ("ip-substring-filtering", "IP address substring filtering",
     "Ports listed by a part of an address (fixed_ips=ip_address_substr=...)",
     "2017-11-28T09:00:00-00:00"),
    ("l3-ha", "HA Router extension",
     "Whether a router is highly available (ha), set and shown to admins only",
     "2014-04-26T00:00:00-00:00"),
    ("metering", "Neutron Metering",
     "Metering labels and their rules (remote_ip_prefix)", "2013-06-12T10:00:00-00:00"),
    ("metering_source_and_destination_fields",
     "Neutron Metering with source and destination filtering",
     "Metering label rules by source_ip_prefix and destination_ip_prefix",
     "2020-08-21T08:12:00-00:00"),
    ("net-mtu", "Network MTU", "The mtu attribute of networks", "2015-03-25T10:00:00-00:00"),
    ("net-mtu-writable", "Network MTU (writable)",
     "A network's MTU set on create and update", "2017-07-12T00:00:00-00:00"),
    ("network_availability_zone", "Network Availability Zone",
     "A network's availability zone hints and the zones of the agents hosting it",
     "2015-01-01T10:00:00-00:00"),
    ("pagination", "Pagination support",
     "Lists paged with limit, marker and page_reverse", "2016-06-12T00:00:00-00:00"),
    ("port-security", "Port Security",
     "The port_security_enabled attribute of networks and ports", "2012-07-23T10:00:00-00:00"),
    ("port-security-groups-filtering", "Port filtering on security groups",
     "Ports listed by the security groups they are in", "2018-01-09T09:00:00-00:00"),
    ("project-id", "project_id field enabled",
     "Resources show project_id beside tenant_id", "2016-09-09T09:09:09-09:09"),
    ("provider", "Provider Network",
     "A network's segment (type, physical network, segmentation id), set and shown to admins",
     "2012-09-07T10:00:00-00:00"),
    ("quotas", "Quota management support",
     "Each project's limits of networks, subnets, ports, routers, floating IPs and security"
     " groups and rules, set per project by admins", "2012-07-29T10:00:00-00:00"),
    ("quota_details", "Quota details management support",
     "A project's usage shown beside its limits", "2017-02-10T10:00:00-00:00"),
    ("router", "Neutron L3 Router",
     "Routers, their external gateways and interfaces, and floating IPs",
     "2012-07-20T10:00:00-00:00"),
    ("security-group", "security-group",
     "Security groups and their rules, each project's default group, and ports' groups",
     "2012-10-05T10:00:00-00:00"),
    ("security-groups-normalized-cidr", "Normalized CIDR field for security group rules",
     "A rule's remote_ip_prefix without its host bits (normalized_cidr)",
     "2020-07-28T10:00:00-00:00"),
    ("security-groups-rules-belongs-to-default-sg",
     "Security group rule belongs to the project's default security group",
     "Whether a rule is in a project's default group (belongs_to_default_sg)",
     "2023-05-23T10:00:00-00:00"),
    ("sorting", "Sorting support", "Lists sorted with sort_key and sort_dir",
     "2016-06-12T00:00:00-00:00"),
    ("standard-attr-description", "standard-attr-description",
     "A description on networks, subnets, ports, security groups and their rules",
     "2016-02-10T10:00:00-00:00"),
    ("standard-attr-revisions", "Resource revision numbers",
     "A revision_number counting each resource's changes", "2016-04-11T10:00:00-00:00"),
    ("stateful-security-group", "Stateful security group",
     "Whether a security group is stateful", "2019-11-26T09:00:00-00:00"),
    ("standard-attr-tag", "Tag support for resources with standard attribute",
     "Tags on networks, subnets, ports, routers, floating IPs, security groups and subnet"
     " pools, and the tags filters of their lists", "2017-01-01T00:00:00-00:00"),
    ("subnet_allocation", "Subnet Allocation",
     "Subnet pools, and subnets given a prefix from one", "2015-03-30T10:00:00-00:00"),
    ("subnetpool-prefix-ops", "Subnet Pool Prefix Operations",
     "Prefixes added to and removed from a subnet pool", "2019-02-08T10:00:00-00:00"),
    ("standard-attr-timestamp", "Resource timestamps",
     "created_at and updated_at on every resource, and the changed_since filter",
     "2016-09-12T10:00:00-00:00"),
    ("subnet-external-network", "Subnet belongs to an external network",
     "The router:external attribute of subnets", "2024-02-05T18:00:00-00:00"),
    ("tag", "Tag support", "Tags on networks", "2016-01-01T00:00:00-00:00"),
)  # fmt: skip

ALIASES = frozenset(alias for alias, *_ in EXTENSIONS)


def _view(alias: str, name: str, description: str, updated: str) -> dict[str, object]:
    return {"alias": alias, "name": name, "description": description, "updated": updated,
            "links": []}  # fmt: skip


class ExtensionList:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {"extensions": [_view(*ext) for ext in EXTENSIONS]}


class ExtensionItem:
    def on_get(self, req: falcon.Request, resp: falcon.Response, alias: str) -> None:
        for ext in EXTENSIONS:
            if ext[0] == alias:
                resp.media = {"extension": _view(*ext)}
                return
        raise faults.not_found("HTTPNotFound", f"Extension with alias {alias} does not exist")
