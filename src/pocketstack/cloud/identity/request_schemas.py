"""The identity API's request bodies as JSON Schemas, with Keystone's constraints (its
keystone/*/schema.py over keystone/common/validation/parameter_types.py).

Each admin body is its envelope (`{"user": {...}}`), required and closed as Keystone's whole-body
schemas are; the entity inside stays open, as Keystone keeps attributes it does not know (here
they are ignored). Where Keystone sets no bound but our column has one (an email, a region id),
the column's bound is declared too, so that the database never refuses what the schema took.
The token bodies keep Keystone's shape: `auth` may be absent or null, which Keystone answers
with its own "Expecting to find auth" rather than a schema error.
"""

from __future__ import annotations

from pocketstack.cloud.api.operation import JSON

BOOLEAN: JSON = {"type": "boolean"}
_NULLABLE_BOOLEAN: JSON = {"type": ["boolean", "null"]}
STRING: JSON = {"type": "string"}
NULLABLE_STRING: JSON = {"type": ["string", "null"]}
# Keystone's parameter_types.name: some non-blank character, 1 to 255 long.
NAME: JSON = {"type": "string", "minLength": 1, "maxLength": 255, "pattern": r"[\S]+"}
# Projects and domains take shorter names (keystone/resource/schema.py).
SHORT_NAME: JSON = {**NAME, "maxLength": 64}
ID_STRING: JSON = {"type": "string", "minLength": 1, "maxLength": 64,
                   "pattern": "^[a-zA-Z0-9-]+$"}  # fmt: skip
NULLABLE_ID: JSON = {**ID_STRING, "type": ["string", "null"]}
_URL: JSON = {"type": "string", "minLength": 0, "maxLength": 225,
              "pattern": "^[a-zA-Z0-9+.-]+:.+"}  # fmt: skip
_TAGS: JSON = {
    "type": "array",
    "items": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[^,/]*$"},
    "maxItems": 80,
    "uniqueItems": True,
}
# The resource options Keystone registers: a role's, project's or domain's are accepted, not
# kept (none changes anything here); a user's are kept (user_options.py), the MFA ones enforced.
_IMMUTABLE_OPTIONS: JSON = {
    "type": "object",
    "properties": {"immutable": _NULLABLE_BOOLEAN},
    "additionalProperties": False,
}
_USER_OPTIONS: JSON = {
    "type": "object",
    "properties": {
        **{name: _NULLABLE_BOOLEAN for name in (
            "ignore_change_password_upon_first_use", "ignore_password_expiry",
            "ignore_lockout_failure_attempts", "lock_password", "ignore_user_inactivity",
            "multi_factor_auth_enabled")},
        "multi_factor_auth_rules": {
            "type": ["array", "null"],
            "items": {"type": "array", "items": STRING, "minItems": 1, "uniqueItems": True},
            "uniqueItems": True,
        },
    },
    "additionalProperties": False,
}  # fmt: skip
_FEDERATED: JSON = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "idp_id": STRING,
            "protocols": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"protocol_id": STRING, "unique_id": STRING},
                    "required": ["protocol_id", "unique_id"],
                },
                "minItems": 1,
            },
        },
        "required": ["idp_id", "protocols"],
    },
}


def _entity(properties: JSON, *, required: tuple[str, ...] = (), update: bool = False) -> JSON:
    schema: JSON = {"type": "object", "properties": properties, "additionalProperties": True}
    if required:
        schema["required"] = list(required)
    if update:
        # An update must change something (Keystone's minProperties).
        schema["minProperties"] = 1
    return schema


def envelope(key: str, entity: JSON) -> JSON:
    return {
        "type": "object",
        "properties": {key: entity},
        "required": [key],
        "additionalProperties": False,
    }


_USER: JSON = {
    "default_project_id": NULLABLE_ID,
    "description": NULLABLE_STRING,
    "enabled": BOOLEAN,
    # Not in Keystone's schema (an "extra" attribute there); bounded by our column.
    "email": {"type": ["string", "null"], "maxLength": 255},
    "federated": _FEDERATED,
    "name": NAME,
    "password": NULLABLE_STRING,
    "options": _USER_OPTIONS,
}
USER_CREATE = envelope("user", _entity({**_USER, "domain_id": ID_STRING}, required=("name",)))
# A user's domain is not changed by an update (Keystone's update schema leaves it out).
USER_UPDATE = envelope("user", _entity(_USER, update=True))

_PROJECT: JSON = {
    "description": NULLABLE_STRING,
    "domain_id": NULLABLE_ID,
    "enabled": BOOLEAN,
    "is_domain": BOOLEAN,
    "parent_id": NULLABLE_ID,
    "name": SHORT_NAME,
    "tags": _TAGS,
    "options": _IMMUTABLE_OPTIONS,
}
PROJECT_CREATE = envelope("project", _entity(_PROJECT, required=("name",)))
PROJECT_UPDATE = envelope("project", _entity(_PROJECT, update=True))

_DOMAIN: JSON = {
    "description": NULLABLE_STRING,
    "enabled": BOOLEAN,
    "name": SHORT_NAME,
    "tags": _TAGS,
    "options": _IMMUTABLE_OPTIONS,
}
DOMAIN_CREATE = envelope("domain", _entity(_DOMAIN, required=("name",)))
DOMAIN_UPDATE = envelope("domain", _entity(_DOMAIN, update=True))

ROLE_CREATE = envelope("role", _entity(
    {"name": NAME, "description": NULLABLE_STRING, "options": _IMMUTABLE_OPTIONS,
     "domain_id": NULLABLE_ID},
    required=("name",),
))  # fmt: skip

SERVICE_CREATE = envelope("service", _entity(
    {"type": {"type": "string", "minLength": 1, "maxLength": 255}, "name": NAME,
     "enabled": BOOLEAN,
     # An "extra" attribute in Keystone; a text column here.
     "description": NULLABLE_STRING},
    required=("type",),
))  # fmt: skip

INTERFACES = ("admin", "internal", "public")
ENDPOINT_CREATE = envelope("endpoint", _entity(
    {"enabled": BOOLEAN, "interface": {"type": "string", "enum": list(INTERFACES)},
     # `region` is the legacy spelling of `region_id`, still accepted.
     "region_id": {"type": "string", "maxLength": 255},
     "region": {"type": "string", "maxLength": 255},
     "service_id": STRING, "url": _URL},
    required=("interface", "service_id", "url"),
))  # fmt: skip

# A region's id is the caller's to choose (empty: one is made up), at most what its column holds.
_REGION_ID: JSON = {"type": ["string", "null"], "maxLength": 255}
REGION_CREATE = envelope("region", _entity(
    {"id": _REGION_ID, "description": NULLABLE_STRING, "parent_region_id": _REGION_ID},
))  # fmt: skip

# --- tokens -------------------------------------------------------------------------------

_ID_OR_NAME: JSON = {"type": "object", "properties": {"id": STRING, "name": STRING}}
# By id, or by name and its user (auth_requests.py checks which, in Keystone's words).
_APP_CREDENTIAL_AUTH: JSON = {
    "type": "object",
    "properties": {"id": STRING, "name": STRING, "secret": STRING,
                   "user": {"type": "object",
                            "properties": {"id": STRING, "name": STRING, "domain": _ID_OR_NAME}}},
}  # fmt: skip
# The passcode is left untyped: Keystone compares whatever comes, so a number is a 401, not a 400.
_TOTP_AUTH: JSON = {
    "type": "object",
    "properties": {"user": {"type": "object",
                            "properties": {"id": STRING, "name": STRING, "domain": _ID_OR_NAME}}},
}  # fmt: skip
_TOKEN_ISSUE: JSON = {
    # Null is Keystone's "no auth", answered in its own words (auth_requests.py).
    "type": ["object", "null"],
    "properties": {
        "identity": {
            "type": "object",
            "properties": {
                "methods": {"type": "array", "items": STRING},
                "password": {
                    "type": "object",
                    "properties": {
                        "user": {
                            "type": "object",
                            "properties": {"id": STRING, "name": STRING, "password": STRING,
                                           "domain": _ID_OR_NAME},
                        },
                    },
                },
                "token": {"type": "object", "properties": {"id": STRING}, "required": ["id"]},
                "application_credential": _APP_CREDENTIAL_AUTH,
                "totp": _TOTP_AUTH,
            },
            "required": ["methods"],
        },
        # A string too: "unscoped", as keystoneauth sends it.
        "scope": {
            "type": ["object", "string"],
            "properties": {
                "project": {
                    "type": "object",
                    "properties": {"id": STRING, "name": STRING, "domain": _ID_OR_NAME},
                },
                "domain": _ID_OR_NAME,
                "OS-TRUST:trust": {"type": "object", "properties": {"id": STRING}},
                "system": {"type": "object", "properties": {"all": BOOLEAN}},
            },
        },
    },
    "required": ["identity"],
}  # fmt: skip
# Keystone reads `auth` alone and ignores whatever else the body holds.
TOKEN_ISSUE: JSON = {"type": "object", "properties": {"auth": _TOKEN_ISSUE}}

# The v2.0 API had no schema: Keystone checked presence in code (auth_requests.py); the types
# are what its code assumed, nullable where it read a missing value and a null alike.
V2_TOKEN_ISSUE: JSON = {
    "type": "object",
    "properties": {
        "auth": {
            "type": ["object", "null"],
            "properties": {
                "tenantId": NULLABLE_STRING,
                "tenantName": NULLABLE_STRING,
                "token": {"type": "object", "properties": {"id": NULLABLE_STRING}},
                "passwordCredentials": {
                    "type": "object",
                    "properties": {"username": NULLABLE_STRING, "userId": NULLABLE_STRING,
                                   "password": NULLABLE_STRING},
                },
            },
        },
    },
}  # fmt: skip
