"""The OS-OAUTH1 seeds of the seeded fuzzing: a consumer, and a request token for the admin's
project that consumer asked for (signed with oauthlib, as a consumer signs)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from oauthlib import oauth1

from tests.reliability.conftest import InProcessCloud

# Where falcon's simulated requests say they are sent.
_BASE = "http://falconframework.org"


def oauth1_seeds(cloud: InProcessCloud, *, admin_project: str) -> dict[str, str]:
    made = cloud.request("POST", "/identity/v3/OS-OAUTH1/consumers", token=cloud.admin_token,
                         body={"consumer": {"description": "seed"}})  # fmt: skip
    assert made.status_code == 201, made.text
    consumer = made.json["consumer"]
    path = "/identity/v3/OS-OAUTH1/request_token"
    signer = oauth1.Client(consumer["id"], client_secret=consumer["secret"], callback_uri="oob")
    _, signed, _ = signer.sign(f"{_BASE}{path}", http_method="POST")
    asked = cloud.request("POST", path, token="",
                          headers={**signed, "Requested-Project-Id": admin_project})  # fmt: skip
    assert asked.status_code == 201, asked.text
    return {
        "consumer_id": consumer["id"],
        "request_token_id": dict(parse_qsl(asked.text))["oauth_token"],
    }
