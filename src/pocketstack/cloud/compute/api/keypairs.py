"""The compute API's key pairs (`/os-keypairs`) declared, with the typed request a create hands
its responder.

Nova's rules by microversion: the legacy v2 API takes any printable name (spaces around it
stripped); 2.1 to 2.91 letters, digits, '_', '-' and inner spaces; 2.92 also '@' and '.'. 2.2
adds `type` (ssh or x509) to bodies and answers, 2.10 lets an admin name the `user_id`, 2.35 pages
the list, 2.92 only imports (a public key is required, no private key is ever returned).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from pocketstack.cloud.api.operation import JSON, Microversion, Operation, Versioned
from pocketstack.cloud.api.shapes import INT, STR, arr, obj, query, ref
from pocketstack.cloud.compute.api import params
from pocketstack.cloud.compute.api.common import READ_ERRORS, WRITE_ERRORS, rule

# Each rule's default is "admin or the key pair's owner": the responder checks it, once it knows
# whose key pairs are asked for.
INDEX = rule("os-keypairs:index", None)
CREATE = rule("os-keypairs:create", None)
SHOW = rule("os-keypairs:show", None)
DELETE = rule("os-keypairs:delete", None)

SSH = "ssh"
X509 = "x509"
TYPES = (SSH, X509)

LEGACY: Microversion = (2, 0)
TYPE_SINCE: Microversion = (2, 2)
USER_ID_SINCE: Microversion = (2, 10)
PAGING_SINCE: Microversion = (2, 35)
IMPORT_ONLY_SINCE: Microversion = (2, 92)


@dataclasses.dataclass(frozen=True)
class NewKeypair:
    name: str
    key_type: str
    # None: generate a key pair.
    public_key: str | None
    # Whose key pair (2.10, admins); None: the caller's.
    user_id: str | None


def parse_create(body: Any, version: Microversion | None) -> NewKeypair:
    spec = body["keypair"]
    name: str = spec["name"]
    if version == LEGACY:
        # The legacy API accepts spaces around a name and drops them.
        name = name.strip()
    return NewKeypair(
        name=name,
        key_type=spec.get("type", SSH),
        public_key=spec.get("public_key"),
        # An empty user_id means the caller, as in Nova.
        user_id=spec.get("user_id") or None,
    )


def _name(charset: str) -> JSON:
    # Only inner spaces: the `name` format refuses them at either end.
    return {
        "allOf": [
            params.NAME,
            {"type": "string", "pattern": f"^[{charset}]+$", "minLength": 1, "maxLength": 255},
        ]
    }


_LEGACY_NAME = params.NAME_WITH_SPACES
_NAME = _name(r"_\- a-zA-Z0-9")
_NAME_V292 = _name(r"_\-\@\. a-zA-Z0-9")
_TYPE: JSON = {"type": "string", "enum": list(TYPES)}
_USER_ID: JSON = {"type": "string", "maxLength": 255}


def _create_request(name: JSON, *, typed: bool, user_id: bool, import_only: bool) -> JSON:
    props: dict[str, JSON] = {"name": name}
    if typed:
        props["type"] = _TYPE
    props["public_key"] = STR
    if user_id:
        props["user_id"] = _USER_ID
    required = ("name", "public_key") if import_only else ("name",)
    return obj({"keypair": obj(props, required=required, closed=True)}, closed=True)


def _create_requests() -> tuple[Versioned, ...]:
    return (
        Versioned(_create_request(_LEGACY_NAME, typed=False, user_id=False, import_only=False),
                  LEGACY, LEGACY),
        Versioned(_create_request(_NAME, typed=False, user_id=False, import_only=False),
                  (2, 1), (2, 1)),
        Versioned(_create_request(_NAME, typed=True, user_id=False, import_only=False),
                  TYPE_SINCE, (2, 9)),
        Versioned(_create_request(_NAME, typed=True, user_id=True, import_only=False),
                  USER_ID_SINCE, (2, 91)),
        Versioned(_create_request(_NAME_V292, typed=True, user_id=True, import_only=True),
                  IMPORT_ONLY_SINCE),
    )  # fmt: skip


def _keypair(props: dict[str, JSON], *, typed: bool, optional: tuple[str, ...] = ()) -> JSON:
    shape = dict(props)
    if typed:
        shape["type"] = _TYPE
    required = tuple(k for k in shape if k not in optional)
    return obj(shape, required=required, closed=True)


_LISTED: dict[str, JSON] = {"name": STR, "public_key": STR, "fingerprint": STR}
_CREATED: dict[str, JSON] = {**_LISTED, "user_id": STR}
_SHOWN: dict[str, JSON] = {
    **_CREATED,
    "created_at": STR,
    # Nova keeps no deleted key pair, and never changes one.
    "deleted": {"const": False},
    "deleted_at": {"type": "null"},
    "updated_at": {"type": "null"},
    "id": INT,
}


def _one(keypair: JSON) -> JSON:
    return obj({"keypair": keypair}, closed=True)


def _list(*, typed: bool, links: bool) -> JSON:
    props: dict[str, JSON] = {"keypairs": arr(_one(_keypair(_LISTED, typed=typed)))}
    if links:
        props["keypairs_links"] = arr(ref("ComputeLink"))
    return obj(props, required=("keypairs",), closed=True)


def _by_type(build: Callable[[bool], JSON]) -> tuple[Versioned, ...]:
    return (Versioned(build(False), None, (2, 1)), Versioned(build(True), TYPE_SINCE))


def operations() -> tuple[Operation, ...]:
    private: dict[str, JSON] = {**_CREATED, "private_key": STR}
    created = (
        Versioned(_one(_keypair(private, typed=False, optional=("private_key",))), None, (2, 1)),
        Versioned(_one(_keypair(private, typed=True, optional=("private_key",))),
                  TYPE_SINCE, (2, 91)),
        Versioned(_one(_keypair(_CREATED, typed=True)), IMPORT_ONLY_SINCE),
    )  # fmt: skip
    listed = (
        Versioned(_list(typed=False, links=False), None, (2, 1)),
        Versioned(_list(typed=True, links=False), TYPE_SINCE, (2, 34)),
        Versioned(_list(typed=True, links=True), PAGING_SINCE),
    )
    shown = _by_type(lambda typed: _one(_keypair(_SHOWN, typed=typed)))
    user_id = query("user_id", description="Whose key pairs (admins, 2.10)")
    paging = (query("limit", {"type": "integer", "minimum": 0}), query("marker"))
    return (
        Operation(method="GET", path="/os-keypairs", summary="List key pairs (by name)",
                  policy=INDEX, status=(200,), response=listed,
                  parameters=(user_id, *paging), errors=READ_ERRORS),
        Operation(method="POST", path="/os-keypairs",
                  summary="Import a key pair, or generate one (before 2.92): 201 from 2.2, 200"
                  " before", policy=CREATE, status=(201, 200), request=_create_requests(),
                  parse=parse_create, response=created, errors=WRITE_ERRORS),
        Operation(method="GET", path="/os-keypairs/{keypair_name}", summary="Show a key pair",
                  policy=SHOW, status=(200,), response=shown, parameters=(user_id,),
                  errors=READ_ERRORS),
        Operation(method="DELETE", path="/os-keypairs/{keypair_name}",
                  summary="Delete a key pair: 204 from 2.2, 202 before", policy=DELETE,
                  status=(204, 202), parameters=(user_id,), errors=WRITE_ERRORS),
    )  # fmt: skip
