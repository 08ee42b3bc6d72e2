"""Nova's security group proxy (/os-security-groups, /os-security-group-rules; deprecated, 404
from 2.36) and a server's groups (/servers/{id}/os-security-groups).

Nova relays these to Neutron; here they go to the network service's functions
(network/sg_for_compute.py), which answer in Nova's shapes and words.
"""

from __future__ import annotations

import ipaddress
import urllib.parse
from typing import Any

import falcon

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.compute.api.security_groups import GroupSpec
from pocketstack.cloud.compute.listing import MAX_LIMIT
from pocketstack.cloud.compute.routing import auth_of
from pocketstack.cloud.compute.servers import get_server
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import BadRequest
from pocketstack.cloud.inputs import MAX_INT, decimal, shown
from pocketstack.cloud.network import for_compute, sg_for_compute, sg_for_servers
from pocketstack.cloud.network.sg_for_compute import ANY_IPV4, NewRule


def _count(name: str, value: str) -> int:
    """Nova's non-negative integer of a query (any size: a limit is capped, an offset past the
    end is an empty page)."""
    if value == "":
        raise BadRequest(f"Invalid input for query parameters {name}. Value: . '' is too short")
    number = decimal(value, cap=MAX_INT)
    if number is None:
        raise BadRequest(f"Invalid input for query parameters {name}. Value: {value[:80]}."
                         f" {shown(value)} does not match '^[0-9]*$'")  # fmt: skip
    return number


# --- Nova's own checks of a rule (before it asks Neutron for one) ------------------------------

_PORTED = ("TCP", "UDP")
_NOVA_PROTOCOLS = ("TCP", "UDP", "ICMP")


def _cidr(value: Any) -> str:
    """Nova's parse_cidr: none is any IPv4 address; anything else must be a network."""
    if not value:
        return ANY_IPV4
    text = str(value)
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise BadRequest(f"{text} is not a valid IP network.") from None
    if "/" not in text:
        raise BadRequest(f"{text} is not a valid IP network.")
    return text


def nova_rule(new: NewRule) -> dict[str, Any]:
    """Nova's _new_ingress_rule: the rule's protocol, ports and remote, checked in its words."""
    protocol, low, high = new.ip_protocol, new.from_port, new.to_port
    rule: dict[str, Any] = {}
    upper = str(protocol).upper() if protocol else ""
    if new.group_id is not None:
        rule["group_id"] = new.group_id
        # A group's rule without ports opens the protocol's whole range.
        if low is None and high is None and upper == "ICMP":
            low = high = -1
        elif low is None and high is None and upper in _PORTED:
            low, high = 1, 65535
    else:
        rule["cidr"] = _cidr(new.cidr)
    if not (protocol and low is not None and high is not None):
        if "cidr" in rule:
            raise BadRequest("Not enough parameters to build a valid rule.")
        return rule
    try:
        low, high = int(low), int(high)
    except (ValueError, TypeError):
        reason = ("Type and Code must be integers for ICMP protocol type" if upper == "ICMP"
                  else "To and From ports must be integers")  # fmt: skip
        raise BadRequest(f"Invalid input received: {reason}") from None
    if upper not in _NOVA_PROTOCOLS:
        raise BadRequest(f"Invalid IP protocol {protocol}.")
    if upper in _PORTED and low > high:
        raise _port_range(low, high, "Former value cannot be greater than the later")
    if upper in _PORTED and (low < 1 or high > 65535):
        raise _port_range(low, high, f"Valid {upper} ports should be between 1-65535")
    if upper == "ICMP" and not (-1 <= low <= 255 and -1 <= high <= 255):
        raise _port_range(low, high, "For ICMP, the type:code must be valid")
    rule.update(protocol=str(protocol), from_port=low, to_port=high)
    if "cidr" in rule:
        _bad_prefix(rule["cidr"])
    return rule


def _port_range(low: int, high: int, why: str) -> BadRequest:
    return BadRequest(f"Invalid port range {low}:{high}. {why}")


def _bad_prefix(cidr: str) -> None:
    network = ipaddress.ip_network(cidr, strict=False)
    address = ipaddress.ip_address(cidr.split("/", 1)[0])
    if network.prefixlen == 0 and int(address) != 0:
        raise BadRequest(f"Bad prefix for network in cidr {cidr}")


class SecurityGroupList:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        params: dict[str, str] = {}
        for key, value in urllib.parse.parse_qsl(req.query_string, keep_blank_values=True):
            if key in ("limit", "offset"):
                _count(key, value)
            # Nova reads the last value of each.
            params[key] = value
        limit = _count("limit", params["limit"]) if "limit" in params else 0
        offset = _count("offset", params["offset"]) if "offset" in params else 0
        groups = sg_for_compute.list_groups(
            self._deps.store, auth_of(req), self._deps.clock.now(),
            all_projects="all_tenants" in params, offset=offset,
            # No limit (or 0) is the most Nova gives.
            limit=min(limit or MAX_LIMIT, MAX_LIMIT),
        )  # fmt: skip
        resp.media = {"security_groups": groups}

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        spec = request_of(req, GroupSpec)
        group = sg_for_compute.create_group(self._deps.store, auth_of(req),
                                            self._deps.clock.now(), name=spec.name,
                                            description=spec.description)  # fmt: skip
        resp.media = {"security_group": group}


class SecurityGroupItem:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, security_group_id: str) -> None:
        group = sg_for_compute.show_group(self._deps.store, auth_of(req), security_group_id)
        resp.media = {"security_group": group}

    def on_put(self, req: falcon.Request, resp: falcon.Response, security_group_id: str) -> None:
        spec = request_of(req, GroupSpec)
        group = sg_for_compute.update_group(
            self._deps.store, auth_of(req), self._deps.clock.now(), security_group_id,
            name=spec.name, description=spec.description,
        )  # fmt: skip
        resp.media = {"security_group": group}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, security_group_id: str) -> None:
        sg_for_compute.delete_group(self._deps.store, auth_of(req), security_group_id)
        resp.status = falcon.HTTP_202


class SecurityGroupRuleList:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        new = request_of(req, NewRule)
        rule = sg_for_compute.create_rule(self._deps.store, auth_of(req),
                                          self._deps.clock.now(), new, nova_rule)  # fmt: skip
        resp.media = {"security_group_rule": rule}


class SecurityGroupRuleItem:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_delete(self, req: falcon.Request, resp: falcon.Response, rule_id: str) -> None:
        sg_for_compute.delete_rule(self._deps.store, auth_of(req), self._deps.clock.now(),
                                   rule_id)  # fmt: skip
        resp.status = falcon.HTTP_202


class ServerSecurityGroups:
    """The groups on the server's ports that the caller sees (a group on two ports: twice, as
    Nova lists them), sorted by project and name."""

    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, server_id: str) -> None:
        ctx = auth_of(req)
        with self._deps.store.session() as session:
            row = get_server(session, ctx, server_id)
            ports = for_compute.ports_of_server(session, row.uuid)
            groups = sg_for_servers.server_groups(
                session, ctx, [p.security_group_ids for p in ports]
            )
        resp.media = {"security_groups": groups}
