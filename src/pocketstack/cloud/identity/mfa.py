"""Keystone's multi-factor auth rules, enforced when a token is issued, and the auth receipts
that let a client add the missing methods in a second request.

A user's `multi_factor_auth_rules` is a list of rules, each a list of method names; a token is
issued when the methods that succeeded (in this request, and in a receipt presented with it in
`Openstack-Auth-Receipt`) include every method of some rule. Keystone's details: the rules
apply unless `multi_factor_auth_enabled` is false; a rule counts only the methods this cloud
offers (so a rule naming only unknown methods is met by anything, and nobody is locked out by
a method the cloud does not have); a malformed rule is ignored. When no rule is met, the answer
is a 401 with a fresh receipt in the header, and in the body the receipt and the rules that
share a method with what succeeded (`required_auth_methods`).
"""

from __future__ import annotations

from typing import Any

from pocketstack.cloud.auth.receipts import Receipt, ReceiptInvalid, Receipts
from pocketstack.cloud.identity import user_options
from pocketstack.cloud.identity.auth_requests import SUPPORTED_METHODS
from pocketstack.cloud.identity.directory import Reader, UserRecord
from pocketstack.cloud.identity.errors import AuthenticationFailed
from pocketstack.cloud.identity.service import Identity
from pocketstack.cloud.identity.web import isotime


class MoreMethodsRequired(Exception):
    """No rule is met: the receipt to hand back and the body of the 401 that carries it."""

    def __init__(self, receipt: Receipt, body: dict[str, Any]) -> None:
        super().__init__("more auth methods are required")
        self.receipt = receipt
        self.body = body


def rules(options: dict[str, Any]) -> list[frozenset[str]]:
    """The rules in force, each narrowed to the methods this cloud offers."""
    if options.get(user_options.MFA_ENABLED) is False:
        return []
    found = options.get(user_options.MFA_RULES)
    if not isinstance(found, list):
        return []
    offered = frozenset(SUPPORTED_METHODS)
    return [
        frozenset(rule) & offered
        for rule in found
        if isinstance(rule, list) and rule and all(isinstance(m, str) for m in rule)
    ]


def satisfied(options: dict[str, Any], methods: list[str]) -> bool:
    in_force = rules(options)
    return not in_force or any(rule <= frozenset(methods) for rule in in_force)


def _receipts(ident: Identity) -> Receipts:
    return Receipts(
        keys=ident.deps.tokens.keys,
        clock=ident.deps.clock,
        expiration=ident.deps.config.receipt_expiration,
    )


def _body(receipt: Receipt, user: UserRecord, required: list[list[str]]) -> dict[str, Any]:
    return {
        "receipt": {
            "methods": list(receipt.methods),
            "user": {
                "id": user.id,
                "name": user.name,
                "domain": {"id": user.domain.id, "name": user.domain.name},
            },
            "expires_at": isotime(receipt.expires_at),
            "issued_at": isotime(receipt.issued_at),
        },
        "required_auth_methods": required,
    }


def token_methods(
    ident: Identity, session: Reader, header: str | None, *, user: UserRecord, methods: list[str]
) -> list[str]:
    """The methods the token gets: this request's and those of the receipt presented with it
    (`header`). MoreMethodsRequired when the user's rules want more; a receipt that is bad,
    expired or another user's is the generic 401."""
    if header:
        try:
            presented = _receipts(ident).validate(header)
        except ReceiptInvalid:
            raise AuthenticationFailed() from None
        if presented.user_id != user.id:
            raise AuthenticationFailed()
        methods = [*methods, *(m for m in presented.methods if m not in methods)]
    options = user_options.of(session, user.id)
    if satisfied(options, methods):
        return methods
    receipt = _receipts(ident).issue(user_id=user.id, methods=tuple(methods))
    # Keystone's: the rules (narrowed to the offered methods) that share one with what succeeded.
    required = [sorted(rule) for rule in rules(options) if rule & frozenset(methods)]
    raise MoreMethodsRequired(receipt, _body(receipt, user, required))

