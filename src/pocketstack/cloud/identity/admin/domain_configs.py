"""/v3/domains/{domain_id}/config[/{group}[/{option}]] and /v3/domains/config/.../default:
a domain's own configuration, and Keystone's defaults for it.

A PUT replaces the whole configuration (201 when the domain had none, 200 otherwise); a PATCH
merges into it, and of one group or option only changes what is already there; a DELETE of a
group or option needs it to be there. Sensitive options are kept and never answered.
"""

from __future__ import annotations

import json
from typing import Any

import falcon
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.errors import NotFound
from pocketstack.cloud.identity import domain_configs
from pocketstack.cloud.identity.admin import security_compliance
from pocketstack.cloud.identity.admin.common import conflicts
from pocketstack.cloud.identity.domain_configs import Config, ConfigBody
from pocketstack.cloud.identity.service import Identity
from pocketstack.cloud.store.models.identity import Domain
from pocketstack.cloud.store.models.identity_catalog import DomainConfigOption as Option


def _lock_domain(session: Session, domain_id: str) -> None:
    """The domain's row, locked: writes of one domain's configuration take turns (without it,
    two writers inserting the same options deadlock on MariaDB)."""
    query = select(Domain.id).where(Domain.id == domain_id).with_for_update()
    if session.execute(query).first() is None:
        raise NotFound(f"Could not find domain: {domain_id}.")


def _options(
    session: Session, domain_id: str, group: str | None, option: str | None, *, sensitive: bool
) -> list[tuple[str, str, Any]]:
    """The stored options (sensitive ones only if asked), in a stable order."""
    query = select(Option).where(Option.domain_id == domain_id)
    if not sensitive:
        query = query.where(Option.sensitive.is_(False))
    if group is not None:
        query = query.where(Option.group_name == group)
    if option is not None:
        query = query.where(Option.option_name == option)
    rows = session.execute(query.order_by(Option.group_name, Option.option_name)).scalars()
    return [(row.group_name, row.option_name, json.loads(row.value)) for row in rows]


def _shown(session: Session, domain_id: str, group: str | None, option: str | None) -> Any:
    """Keystone's get_config: what is stored and may be shown, or its 404."""
    domain_configs.check_group_option(group, option)
    found = _options(session, domain_id, group, option, sensitive=False)
    if not found:
        raise domain_configs.not_found(domain_id, group, option)
    return domain_configs.shape(found, option)


def _store(session: Session, domain_id: str, config: Config) -> None:
    """Set each option: update it where stored, insert it where not."""
    for group, options in config.items():
        for name, value in options.items():
            row = session.get(Option, (domain_id, group, name))
            if row is None:
                session.add(Option(domain_id=domain_id, group_name=group, option_name=name,
                                   value=json.dumps(value),
                                   sensitive=domain_configs.is_sensitive(group, name)))  # fmt: skip
            else:
                row.value = json.dumps(value)
    # Another request storing the same option meanwhile: Keystone's 409 for the loser.
    with conflicts("domain config", f"Duplicate entry for domain {domain_id}"):
        session.flush()


class _Config:
    """The domain's configuration, a group of it, or one option, by the path's parameters."""

    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def _get(self, resp: falcon.Response, domain_id: str, group: str | None,
             option: str | None) -> None:  # fmt: skip
        with self.identity.deps.store.session() as session:
            resp.media = {"config": _shown(session, domain_id, group, option)}

    def _patch(self, req: falcon.Request, resp: falcon.Response, domain_id: str,
               group: str | None, option: str | None) -> None:  # fmt: skip
        sent = request_of(req, ConfigBody).config
        with self.identity.deps.store.session(write=True) as session:
            _lock_domain(session, domain_id)
            config = domain_configs.check_config(
                {group: sent} if group is not None and option is not None else sent
            )
            domain_configs.check_group_option(group, option)
            domain_configs.check_update(config, group, option)
            if group is not None and not _options(session, domain_id, group, option,
                                                  sensitive=True):  # fmt: skip
                raise domain_configs.not_found(domain_id, group, option)
            _store(session, domain_id, config)
            resp.media = {"config": _shown(session, domain_id, None, None)}

    def _delete(self, resp: falcon.Response, domain_id: str, group: str | None,
                option: str | None) -> None:  # fmt: skip
        with self.identity.deps.store.session(write=True) as session:
            _lock_domain(session, domain_id)
            domain_configs.check_group_option(group, option)
            if group is not None and not _options(session, domain_id, group, option,
                                                  sensitive=True):  # fmt: skip
                raise domain_configs.not_found(domain_id, group, option)
            query = delete(Option).where(Option.domain_id == domain_id)
            if group is not None:
                query = query.where(Option.group_name == group)
            if option is not None:
                query = query.where(Option.option_name == option)
            session.execute(query)
        resp.status = falcon.HTTP_204


class DomainConfig(_Config):
    def on_get(self, req: falcon.Request, resp: falcon.Response, domain_id: str) -> None:
        self._get(resp, domain_id, None, None)

    def on_head(self, req: falcon.Request, resp: falcon.Response, domain_id: str) -> None:
        self._get(resp, domain_id, None, None)
        resp.media = None

    def on_put(self, req: falcon.Request, resp: falcon.Response, domain_id: str) -> None:
        sent = request_of(req, ConfigBody).config
        with self.identity.deps.store.session(write=True) as session:
            _lock_domain(session, domain_id)
            had = bool(_options(session, domain_id, None, None, sensitive=True))
            config = domain_configs.check_config(sent)
            session.execute(delete(Option).where(Option.domain_id == domain_id))
            _store(session, domain_id, config)
            shown = _options(session, domain_id, None, None, sensitive=False)
            resp.media = {"config": domain_configs.shape(shown, None)}
        resp.status = falcon.HTTP_200 if had else falcon.HTTP_201

    def on_patch(self, req: falcon.Request, resp: falcon.Response, domain_id: str) -> None:
        self._patch(req, resp, domain_id, None, None)

    def on_delete(self, req: falcon.Request, resp: falcon.Response, domain_id: str) -> None:
        self._delete(resp, domain_id, None, None)


class DomainConfigGroup(_Config):
    def on_get(self, req: falcon.Request, resp: falcon.Response, domain_id: str,
               group: str) -> None:  # fmt: skip
        self._get(resp, domain_id, group, None)

    def on_head(self, req: falcon.Request, resp: falcon.Response, domain_id: str,
                group: str) -> None:  # fmt: skip
        self._get(resp, domain_id, group, None)
        resp.media = None

    def on_patch(self, req: falcon.Request, resp: falcon.Response, domain_id: str,
                 group: str) -> None:  # fmt: skip
        self._patch(req, resp, domain_id, group, None)

    def on_delete(self, req: falcon.Request, resp: falcon.Response, domain_id: str,
                  group: str) -> None:  # fmt: skip
        self._delete(resp, domain_id, group, None)


class DomainConfigOption(_Config):
    def on_get(self, req: falcon.Request, resp: falcon.Response, domain_id: str, group: str,
               option: str) -> None:  # fmt: skip
        self._get(resp, domain_id, group, option)

    def on_head(self, req: falcon.Request, resp: falcon.Response, domain_id: str, group: str,
                option: str) -> None:  # fmt: skip
        self._get(resp, domain_id, group, option)
        resp.media = None

    def on_patch(self, req: falcon.Request, resp: falcon.Response, domain_id: str, group: str,
                 option: str) -> None:  # fmt: skip
        self._patch(req, resp, domain_id, group, option)

    def on_delete(self, req: falcon.Request, resp: falcon.Response, domain_id: str, group: str,
                  option: str) -> None:  # fmt: skip
        self._delete(resp, domain_id, group, option)


class DefaultConfig:
    """Keystone's defaults: all of them, a group's, or one option's."""

    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response, group: str | None = None,
               option: str | None = None) -> None:  # fmt: skip
        resp.media = {"config": domain_configs.defaults(group, option)}

    def on_head(self, req: falcon.Request, resp: falcon.Response, group: str | None = None,
                option: str | None = None) -> None:  # fmt: skip
        domain_configs.defaults(group, option)


def resources(identity: Identity) -> dict[str, object]:
    """The routes of domain configuration, for the app (app.py)."""
    domain = "/v3/domains/{domain_id}/config"
    defaults = DefaultConfig(identity)
    compliance = security_compliance.SecurityComplianceConfig(identity)
    return {
        domain: DomainConfig(identity),
        # Literal segments route before {group}: these reads are anyone's, the rest admins'.
        f"{domain}/security_compliance": compliance,
        f"{domain}/security_compliance/{{option}}": compliance,
        f"{domain}/{{group}}": DomainConfigGroup(identity),
        f"{domain}/{{group}}/{{option}}": DomainConfigOption(identity),
        "/v3/domains/config/default": defaults,
        "/v3/domains/config/{group}/default": defaults,
        "/v3/domains/config/{group}/{option}/default": defaults,
    }
