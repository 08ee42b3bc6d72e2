"""/v3/domains/{domain_id}/config/security_compliance[/{option}]: the password expression and
its description, for any user with a token (Keystone's rule), so that a client can check a new
password before sending it. Read-only, and of the default domain only: the rules are the
cloud's (config.py), not a domain's."""

from __future__ import annotations

import falcon

from pocketstack.cloud.errors import Forbidden
from pocketstack.cloud.identity.service import Identity

DEFAULT_DOMAIN_ID = "default"
OPTIONS = ("password_regex", "password_regex_description")


class SecurityComplianceConfig:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def on_get(self, req: falcon.Request, resp: falcon.Response, domain_id: str,
               option: str | None = None) -> None:  # fmt: skip
        if domain_id != DEFAULT_DOMAIN_ID:
            raise Forbidden(
                "Reading security compliance information is supported for the default domain"
                " only."
            )
        if option is not None and option not in OPTIONS:
            raise Forbidden(
                "Of the security compliance options, only password_regex and"
                " password_regex_description can be read."
            )
        config = self.identity.deps.config
        values = {
            "password_regex": config.password_regex,
            "password_regex_description": config.password_regex_description,
        }
        resp.media = {"config": values if option is None else {option: values[option]}}

    on_head = on_get
