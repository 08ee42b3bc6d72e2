"""A server's interfaces (os-interface): its ports listed and shown in Nova's view, a port
attached (a new one on a network, or one given) and detached.

As Nova's attach_interfaces API over Neutron: the ports come from the network service
(network/for_compute.py) in the transaction that holds the server, and the server's addresses
cache follows. A port made for the server is deleted when detached, a port given is unbound and
kept. Attaching and detaching need the server running, paused or stopped, with no task.
"""

from __future__ import annotations

from typing import Any

import falcon

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.compute import action_log, server_ports, states
from pocketstack.cloud.compute.actions_base import check_state
from pocketstack.cloud.compute.requests import InterfaceAttach
from pocketstack.cloud.compute.routing import auth_of, version_of
from pocketstack.cloud.compute.servers import check_not_locked, get_server
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import BadRequest, NotFound
from pocketstack.cloud.network import for_compute
from pocketstack.cloud.store.models.compute import Instance

_ATTACHABLE = (states.ACTIVE, states.PAUSED, states.STOPPED)
TAG_SINCE = "2.49"
TAG_SHOWN_SINCE = "2.70"


def _view(port: for_compute.PortInfo, tag: str | None, *, show_tag: bool) -> dict[str, Any]:
    view: dict[str, Any] = {
        "net_id": port.network_id,
        "port_id": port.id,
        "mac_addr": port.mac_address,
        "port_state": port.status,
        "fixed_ips": [{"subnet_id": s, "ip_address": a} for s, a in port.fixed_ips],
    }
    if show_tag:
        view["tag"] = tag
    return view


def _log(req: falcon.Request, session: Any, row: Instance, action: str, now: Any) -> None:
    action_log.record(
        session, instance_uuid=row.uuid, action=action, ctx=auth_of(req),
        request_id=getattr(req.context, "request_id", ""), now=now, host=row.host, done=True,
    )  # fmt: skip


class Interfaces:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, server_id: str) -> None:
        show_tag = version_of(req).at_least(TAG_SHOWN_SINCE)
        with self._deps.store.session() as session:
            row = get_server(session, auth_of(req), server_id)
            tags = server_ports.interface_tags(row)
            ports = for_compute.ports_of_server(session, row.uuid)
        resp.media = {"interfaceAttachments": [_view(p, tags.get(p.id), show_tag=show_tag)
                                               for p in ports]}  # fmt: skip

    def on_post(self, req: falcon.Request, resp: falcon.Response, server_id: str) -> None:
        ctx = auth_of(req)
        asked = request_of(req, InterfaceAttach)
        if asked.net_id and asked.port_id:
            raise BadRequest("Must not input both network_id and port_id")
        if asked.fixed_ip and not asked.net_id:
            raise BadRequest("Must input network_id when request IP address")
        now = self._deps.clock.now()
        with self._deps.store.session(write=True) as session:
            row = get_server(session, ctx, server_id, lock=True)
            check_not_locked(ctx, row)
            check_state("attach_interface", row, _ATTACHABLE)
            if row.host is None:
                raise BadRequest(f"Instance {row.uuid} is not ready")
            net_id = asked.net_id
            if net_id is None and asked.port_id is None:
                # Nova's choice when none is named: the only network the project may use.
                net_id = for_compute.auto_network(session, row.project_id)
            nic = for_compute.Nic(network_id=net_id, port_id=asked.port_id,
                                  fixed_ip=asked.fixed_ip)  # fmt: skip
            for_compute.check_nics(session, ctx, row.project_id, [nic], 1)
            port = server_ports.add_interface(session, row, nic, tag=asked.tag, now=now)
            row.updated_at = now
            _log(req, session, row, "attach_interface", now)
        show_tag = version_of(req).at_least(TAG_SHOWN_SINCE)
        resp.media = {"interfaceAttachment": _view(port, asked.tag, show_tag=show_tag)}


class InterfaceItem:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(
        self, req: falcon.Request, resp: falcon.Response, server_id: str, port_id: str
    ) -> None:
        with self._deps.store.session() as session:
            row = get_server(session, auth_of(req), server_id)
            ports = [p for p in for_compute.ports_of_server(session, row.uuid) if p.id == port_id]
            tags = server_ports.interface_tags(row)
        if not ports:
            raise NotFound(f"Instance {server_id} does not have a port with id {port_id}")
        show_tag = version_of(req).at_least(TAG_SHOWN_SINCE)
        resp.media = {"interfaceAttachment": _view(ports[0], tags.get(port_id),
                                                   show_tag=show_tag)}  # fmt: skip

    def on_delete(
        self, req: falcon.Request, resp: falcon.Response, server_id: str, port_id: str
    ) -> None:
        ctx = auth_of(req)
        now = self._deps.clock.now()
        with self._deps.store.session(write=True) as session:
            row = get_server(session, ctx, server_id, lock=True)
            check_not_locked(ctx, row)
            check_state("detach_interface", row, _ATTACHABLE)
            if not server_ports.drop_interface(session, row, port_id, now):
                raise NotFound(f"Port {port_id} is not attached")
            row.updated_at = now
            _log(req, session, row, "detach_interface", now)
        resp.status = falcon.HTTP_202
