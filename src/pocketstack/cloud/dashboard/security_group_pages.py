"""Security groups: the project's groups (made and deleted here), one group's rules, and the
form that adds a rule, all through the network API."""

from __future__ import annotations

from typing import Any

import falcon

from pocketstack.cloud.dashboard.calls import segment
from pocketstack.cloud.dashboard.sessions import Session
from pocketstack.cloud.dashboard.web import Page, field, redirect, refusal, resource_id

NETWORK = "/networking"
PROTOCOLS = ("", "tcp", "udp", "icmp")


def _port_range(rule: dict[str, Any]) -> str:
    low, high = rule.get("port_range_min"), rule.get("port_range_max")
    if low is None and high is None:
        return "Any"
    return str(low) if low == high else f"{low} - {high}"


def _optional_int(text: str, label: str) -> int | None:
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise falcon.HTTPBadRequest(title=f"{label} must be a whole number.") from None


def _group_path(group_id: str) -> str:
    return f"/v2.0/security-groups/{resource_id(group_id, 'Security group')}"


class SecurityGroups(Page):
    def page(self, req: falcon.Request, resp: falcon.Response, session: Session, *,
             error: str | None = None, status: int = 200) -> None:  # fmt: skip
        groups = self.call(session, "GET", NETWORK, "/v2.0/security-groups",
                           query={"project_id": session.project_id or ""})["security_groups"]
        self.render(req, resp, "security_groups.html", {
            "title": "Security Groups", "nav": "security_groups", "error": error,
            "groups": sorted(groups, key=lambda g: (g["name"], g["id"])),
        }, session=session, status=status)  # fmt: skip

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.page(req, resp, self.session(req))

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        session, form = self.posted(req)
        body = {"security_group": {"name": field(form, "name"),
                                   "description": field(form, "description")}}  # fmt: skip
        refused = refusal(lambda: self.call(session, "POST", NETWORK, "/v2.0/security-groups",
                                            body=body))  # fmt: skip
        if refused is not None:
            self.page(req, resp, session, error=str(refused), status=refused.answer.status)
            return
        redirect(req, "/project/security_groups")


class SecurityGroup(Page):
    def page(self, req: falcon.Request, resp: falcon.Response, session: Session,
             group_id: str, *, error: str | None = None, status: int = 200) -> None:  # fmt: skip
        group = self.call(session, "GET", NETWORK, _group_path(group_id))["security_group"]
        names = {}
        for rule in group.get("security_group_rules", []):
            remote = rule.get("remote_group_id")
            if remote and remote not in names:
                names[remote] = remote if remote != group["id"] else group["name"]
        rules = sorted(group.get("security_group_rules", []),
                       key=lambda r: (r["direction"], r["ethertype"], r.get("protocol") or "",
                                      r.get("port_range_min") or 0, r["id"]))  # fmt: skip
        self.render(req, resp, "security_group.html", {
            "title": f"Manage Security Group Rules: {group['name']}",
            "nav": "security_groups", "group": group, "error": error, "protocols": PROTOCOLS,
            "rules": [(r["id"], r["direction"].capitalize(), r["ethertype"],
                       (r.get("protocol") or "Any").upper() if r.get("protocol") else "Any",
                       _port_range(r), r.get("remote_ip_prefix") or "-",
                       names.get(r.get("remote_group_id") or "", "-"),
                       r.get("description") or "-") for r in rules],
        }, session=session, status=status)  # fmt: skip

    def on_get(self, req: falcon.Request, resp: falcon.Response, group_id: str) -> None:
        self.page(req, resp, self.session(req), group_id)


class Rules(SecurityGroup):
    """Adds a rule (the form on the group's page)."""

    def on_post(self, req: falcon.Request, resp: falcon.Response, group_id: str) -> None:
        session, form = self.posted(req)
        rule: dict[str, Any] = {
            "security_group_id": resource_id(group_id, "Security group"),
            "direction": field(form, "direction") or "ingress",
            "ethertype": field(form, "ethertype") or "IPv4",
        }  # fmt: skip
        protocol = field(form, "protocol")
        if protocol:
            rule["protocol"] = protocol
        for name, label in (("port_range_min", "The lowest port"),
                            ("port_range_max", "The highest port")):  # fmt: skip
            value = _optional_int(field(form, name), label)
            if value is not None:
                rule[name] = value
        for name in ("remote_ip_prefix", "description"):
            if field(form, name):
                rule[name] = field(form, name)
        refused = refusal(lambda: self.call(session, "POST", NETWORK, "/v2.0/security-group-rules",
                                            body={"security_group_rule": rule}))  # fmt: skip
        if refused is not None:
            if refused.answer.status == 404:
                # The group is gone: there is no page to show the form on again.
                raise refused
            self.page(req, resp, session, group_id, error=str(refused),
                      status=refused.answer.status)  # fmt: skip
            return
        redirect(req, f"/project/security_groups/{segment(group_id)}")


class RuleDelete(Page):
    def on_post(self, req: falcon.Request, resp: falcon.Response, group_id: str) -> None:
        session, form = self.posted(req)
        rule = resource_id(field(form, "rule_id"), "Security group rule")
        self.call(session, "DELETE", NETWORK, f"/v2.0/security-group-rules/{rule}")
        redirect(req, f"/project/security_groups/{segment(group_id)}")


class GroupDelete(Page):
    def on_post(self, req: falcon.Request, resp: falcon.Response, group_id: str) -> None:
        session, _ = self.posted(req)
        self.call(session, "DELETE", NETWORK, _group_path(group_id))
        redirect(req, "/project/security_groups")
