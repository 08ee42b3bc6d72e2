"""OS-OAUTH1 through the identity app, signed with oauthlib's client as a real consumer signs:
consumers, the request token, its authorization, the access token, the `oauth1` auth method,
and the revocation of what a deleted access token or consumer issued."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import falcon.testing
import pytest
from oauthlib import oauth1
from sqlalchemy import select

from pocketstack.cloud.store.models.oauth1 import (
    OAuthAccessToken,
    OAuthConsumer,
    OAuthRequestToken,
)
from tests.fixtures.cloud import OffsetClock, make_deps
from tests.unit.cloud.identity.conftest import IDENTITY, Client

CONSUMERS = "/v3/OS-OAUTH1/consumers"
REQUEST_TOKEN = "/v3/OS-OAUTH1/request_token"
ACCESS_TOKEN = "/v3/OS-OAUTH1/access_token"
TOKENS = "/v3/auth/tokens"
OAUTH_AUTH = {"auth": {"identity": {"methods": ["oauth1"], "oauth1": {}}}}


@dataclasses.dataclass
class Consumer:
    id: str
    secret: str


def _form(result: falcon.testing.Result) -> dict[str, str]:
    assert result.status_code == 201, result.text
    assert result.headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    return dict(parse_qsl(result.text))


class Setup:
    """The admin (admin and member on `proj`) and `bob` (member on `proj`, not an admin)."""

    def __init__(self, client: Client, admin: str) -> None:
        self.client = client
        project = client.post("/v3/projects", json={"project": {"name": "proj"}}, token=admin)
        assert project.status_code == 201, project.text
        self.project_id: str = project.json["project"]["id"]
        self.roles = {
            name: client.get("/v3/roles", token=admin, query=f"name={name}").json["roles"][0]["id"]
            for name in ("admin", "member", "reader")
        }
        me = client.get(TOKENS, token=admin, headers={"X-Subject-Token": admin}).json
        self.admin_id: str = me["token"]["user"]["id"]
        bob = client.post("/v3/users", json={"user": {"name": "bob", "password": "bob-pw"}},
                          token=admin)  # fmt: skip
        self.bob_id: str = bob.json["user"]["id"]
        for user, role in ((self.admin_id, "admin"), (self.admin_id, "member"),
                           (self.bob_id, "member")):  # fmt: skip
            path = f"/v3/projects/{self.project_id}/users/{user}/roles/{self.roles[role]}"
            assert client.request("PUT", path, token=admin).status_code == 204
        self.admin = self.password_token("admin", client_admin=True)
        self.bob = self.password_token("bob")

    def password_token(self, user: str, *, client_admin: bool = False) -> str:
        if client_admin:
            result = self.client.password_token(project="proj")
        else:
            result = self.client.password_token(user=user, password=f"{user}-pw", project="proj")
        assert result.status_code == 201, result.text
        return str(result.headers["X-Subject-Token"])

    def consumer(self, description: str = "a consumer") -> Consumer:
        made = self.client.post(CONSUMERS, json={"consumer": {"description": description}},
                                token=self.admin)  # fmt: skip
        assert made.status_code == 201, made.text
        return Consumer(made.json["consumer"]["id"], made.json["consumer"]["secret"])

    def signed_post(
        self, path: str, signer: oauth1.Client, *, json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> falcon.testing.Result:  # fmt: skip
        _, signed, _ = signer.sign(f"{IDENTITY}{path}", http_method="POST")
        return self.client.post(path, json=json, headers={**signed, **(headers or {})})

    def request_token(self, consumer: Consumer, *, secret: str | None = None) -> dict[str, str]:
        signer = oauth1.Client(consumer.id, client_secret=secret or consumer.secret,
                               callback_uri="oob")  # fmt: skip
        project = {"Requested-Project-Id": self.project_id}
        return _form(self.signed_post(REQUEST_TOKEN, signer, headers=project))

    def authorize(self, token_id: str, roles: list[dict[str, str]],
                  token: str | None = None) -> falcon.testing.Result:  # fmt: skip
        return self.client.request("PUT", f"/v3/OS-OAUTH1/authorize/{token_id}",
                                   json={"roles": roles}, token=token or self.admin)  # fmt: skip

    def exchange(
        self, consumer: Consumer, request: dict[str, str], verifier: str
    ) -> falcon.testing.Result:
        signer = oauth1.Client(consumer.id, client_secret=consumer.secret,
                               resource_owner_key=request["oauth_token"],
                               resource_owner_secret=request["oauth_token_secret"],
                               verifier=verifier)  # fmt: skip
        return self.signed_post(ACCESS_TOKEN, signer)

    def access_token(
        self, consumer: Consumer, roles: tuple[str, ...] = ("member",)
    ) -> dict[str, str]:
        request = self.request_token(consumer)
        authorized = self.authorize(request["oauth_token"], [{"name": r} for r in roles])
        assert authorized.status_code == 200, authorized.text
        return _form(self.exchange(consumer, request, authorized.json["token"]["oauth_verifier"]))

    def oauth_login(
        self, consumer: Consumer, access: dict[str, str], *, secret: str | None = None
    ) -> falcon.testing.Result:
        owner_secret = secret or access["oauth_token_secret"]
        signer = oauth1.Client(consumer.id, client_secret=consumer.secret,
                               resource_owner_key=access["oauth_token"],
                               resource_owner_secret=owner_secret)  # fmt: skip
        return self.signed_post(TOKENS, signer, json=OAUTH_AUTH)

    def oauth_token(self, consumer: Consumer, access: dict[str, str]) -> str:
        result = self.oauth_login(consumer, access)
        assert result.status_code == 201, result.text
        return str(result.headers["X-Subject-Token"])

    def validate(self, token: str) -> falcon.testing.Result:
        return self.client.get(TOKENS, token=self.admin, subject=token)


@pytest.fixture
def s(client: Client, admin: str) -> Setup:
    return Setup(client, admin)


def test_consumers_are_made_shown_listed_updated_and_deleted_by_admins(s: Setup) -> None:
    client = s.client
    made = client.post(CONSUMERS, json={"consumer": {"description": "mine", "team": "x"}},
                       token=s.admin)  # fmt: skip
    assert made.status_code == 201, made.text
    consumer = made.json["consumer"]
    assert len(consumer["secret"]) == 32
    assert (consumer["description"], consumer["team"]) == ("mine", "x")
    item = f"{CONSUMERS}/{consumer['id']}"
    assert consumer["links"]["self"] == f"{IDENTITY}/v3/OS-OAUTH1/consumers/{consumer['id']}"
    shown = client.get(item, token=s.admin).json["consumer"]
    assert "secret" not in shown
    assert shown == {k: v for k, v in consumer.items() if k != "secret"}
    listed = client.get(CONSUMERS, token=s.admin).json["consumers"]
    assert [c["id"] for c in listed] == [consumer["id"]]
    assert "secret" not in listed[0]
    patched = client.request("PATCH", item, json={"consumer": {"description": "new"}},
                             token=s.admin)  # fmt: skip
    assert patched.status_code == 200, patched.text
    assert patched.json["consumer"]["description"] == "new"
    assert "secret" not in patched.json["consumer"]
    refused = client.request("PATCH", item, json={"consumer": {"secret": "mine-now"}},
                             token=s.admin)  # fmt: skip
    assert refused.status_code == 400, refused.text
    for empty in ({}, {"consumer": {}}):
        nothing = client.request("PATCH", item, json=empty, token=s.admin)
        assert nothing.status_code == 400, nothing.text
    for method, path in (("GET", CONSUMERS), ("GET", item), ("DELETE", item)):
        assert client.request(method, path, token=s.bob).status_code == 403
    assert client.request("DELETE", item, token=s.admin).status_code == 204
    assert client.get(item, token=s.admin).status_code == 404
    assert client.request("DELETE", item, token=s.admin).status_code == 404


def test_the_whole_dance_gives_a_project_token_with_only_the_delegated_roles(s: Setup) -> None:
    consumer = s.consumer()
    request = s.request_token(consumer)
    assert set(request) == {"oauth_token", "oauth_token_secret", "oauth_expires_at"}
    authorized = s.authorize(request["oauth_token"], [{"name": "member"}])
    assert authorized.status_code == 200, authorized.text
    verifier = authorized.json["token"]["oauth_verifier"]
    assert len(verifier) == 8
    access = _form(s.exchange(consumer, request, verifier))
    assert access["oauth_token"] != request["oauth_token"]

    result = s.oauth_login(consumer, access)
    assert result.status_code == 201, result.text
    token = result.json["token"]
    assert token["methods"] == ["oauth1"]
    assert token["project"]["id"] == s.project_id
    assert token["user"]["id"] == s.admin_id
    assert [r["name"] for r in token["roles"]] == ["member"]
    section = {"access_token_id": access["oauth_token"], "consumer_id": consumer.id}
    assert token["OS-OAUTH1"] == section
    oauth_token = result.headers["X-Subject-Token"]
    validated = s.validate(oauth_token)
    assert validated.status_code == 200, validated.text
    assert validated.json["token"]["OS-OAUTH1"] == section
    # The delegation's token is not an admin's: the admin role was not delegated.
    assert s.client.get(CONSUMERS, token=oauth_token).status_code == 403
    rescope = {"auth": {"identity": {"methods": ["token"], "token": {"id": oauth_token}}}}
    assert s.client.post(TOKENS, json=rescope).status_code == 403

    tokens = f"/v3/users/{s.admin_id}/OS-OAUTH1/access_tokens"
    listed = s.client.get(tokens, token=s.admin).json["access_tokens"]
    assert [(t["id"], t["consumer_id"], t["project_id"]) for t in listed] == [
        (access["oauth_token"], consumer.id, s.project_id)
    ]
    assert not {"access_secret", "secret", "oauth_token_secret"} & set(listed[0])
    roles = s.client.get(f"{tokens}/{access['oauth_token']}/roles", token=s.admin).json["roles"]
    assert [r["id"] for r in roles] == [s.roles["member"]]
    role = f"{tokens}/{access['oauth_token']}/roles/{s.roles['member']}"
    assert s.client.get(role, token=s.admin).json["role"]["name"] == "member"
    other = f"{tokens}/{access['oauth_token']}/roles/{s.roles['admin']}"
    assert s.client.get(other, token=s.admin).status_code == 404


def test_deleting_the_access_token_revokes_its_tokens(s: Setup) -> None:
    consumer = s.consumer()
    access = s.access_token(consumer)
    token = s.oauth_token(consumer, access)
    item = f"/v3/users/{s.admin_id}/OS-OAUTH1/access_tokens/{access['oauth_token']}"
    assert s.client.get(item, token=s.admin).status_code == 200
    # Under another user's path: not found, and Keystone's 401 for its deletion or its roles.
    elsewhere = item.replace(s.admin_id, s.bob_id)
    assert s.client.get(elsewhere, token=s.admin).status_code == 404
    assert s.client.request("DELETE", elsewhere, token=s.admin).status_code == 401
    role = f"{elsewhere}/roles/{s.roles['member']}"
    assert s.client.get(role, token=s.admin).status_code == 401
    assert s.validate(token).status_code == 200
    assert s.client.request("DELETE", item, token=s.admin).status_code == 204
    assert s.validate(token).status_code == 404
    assert s.client.get(item, token=s.admin).status_code == 404
    assert s.oauth_login(consumer, access).status_code == 401


def test_deleting_the_consumer_revokes_its_tokens(s: Setup) -> None:
    consumer = s.consumer()
    token = s.oauth_token(consumer, s.access_token(consumer))
    kept = s.consumer("another")
    kept_token = s.oauth_token(kept, s.access_token(kept))
    assert (
        s.client.request("DELETE", f"{CONSUMERS}/{consumer.id}", token=s.admin).status_code == 204
    )
    assert s.validate(token).status_code == 404
    assert s.validate(kept_token).status_code == 200
    tokens = s.client.get(f"/v3/users/{s.admin_id}/OS-OAUTH1/access_tokens", token=s.admin)
    assert [t["consumer_id"] for t in tokens.json["access_tokens"]] == [kept.id]


def test_a_bad_signature_or_an_unknown_consumer_gets_no_request_token(s: Setup) -> None:
    consumer = s.consumer()
    signer = oauth1.Client(consumer.id, client_secret="0" * 32, callback_uri="oob")
    wrong = s.signed_post(REQUEST_TOKEN, signer, headers={"Requested-Project-Id": s.project_id})
    assert wrong.status_code == 401, wrong.text
    assert wrong.json["error"]["message"] == "Invalid signature"
    stranger = oauth1.Client("a" * 32, client_secret=consumer.secret, callback_uri="oob")
    unknown = s.signed_post(REQUEST_TOKEN, stranger,
                            headers={"Requested-Project-Id": s.project_id})  # fmt: skip
    assert unknown.status_code == 404, unknown.text
    signer = oauth1.Client(consumer.id, client_secret=consumer.secret, callback_uri="oob")
    no_project = s.signed_post(REQUEST_TOKEN, signer)
    assert no_project.status_code == 400, no_project.text
    unsigned = s.client.post(REQUEST_TOKEN, headers={"Requested-Project-Id": s.project_id})
    assert unsigned.status_code == 400, unsigned.text


def test_authorizing_takes_an_admin_holding_every_delegated_role(s: Setup) -> None:
    consumer = s.consumer()
    request = s.request_token(consumer)
    # bob holds member but is no admin (Keystone's admin_required).
    assert s.authorize(request["oauth_token"], [{"name": "member"}], token=s.bob).status_code == 403
    lacking = s.authorize(request["oauth_token"], [{"name": "reader"}])
    assert lacking.status_code == 401, lacking.text
    assert lacking.json["error"]["message"] == "authorizing user does not have role required"
    assert s.authorize(request["oauth_token"], [{"name": "nope"}]).status_code == 404
    assert s.authorize("f" * 32, [{"name": "member"}]).status_code == 404


def test_an_expired_or_spent_request_token_buys_nothing(s: Setup, clock: Any) -> None:
    consumer = s.consumer()
    request = s.request_token(consumer)
    authorized = s.authorize(request["oauth_token"], [{"id": s.roles["member"]}])
    verifier = authorized.json["token"]["oauth_verifier"]
    wrong = s.exchange(consumer, request, "A" * 8 if verifier != "A" * 8 else "B" * 8)
    assert wrong.status_code == 401, wrong.text
    assert s.exchange(consumer, request, verifier).status_code == 201
    spent = s.exchange(consumer, request, verifier)
    assert spent.status_code == 404, spent.text

    late = s.request_token(consumer)
    clock.advance(28800 + 1)
    s.admin = s.password_token("admin", client_admin=True)
    expired = s.authorize(late["oauth_token"], [{"name": "member"}])
    assert expired.status_code == 401, expired.text
    assert expired.json["error"]["message"] == "Request token is expired"


def test_an_unauthorized_request_token_or_a_wrong_secret_gets_no_token(s: Setup) -> None:
    consumer = s.consumer()
    request = s.request_token(consumer)
    unauthorized = s.exchange(consumer, request, "abcdefgh")
    assert unauthorized.status_code == 401, unauthorized.text
    access = s.access_token(consumer)
    forged = s.oauth_login(consumer, access, secret="0" * 32)
    assert forged.status_code == 401, forged.text
    someone_else = s.consumer("other")
    assert s.oauth_login(someone_else, access).status_code == 401


def test_an_access_token_expires_after_a_day(s: Setup, clock: Any) -> None:
    consumer = s.consumer()
    access = s.access_token(consumer)
    clock.advance(86400 + 1)
    result = s.oauth_login(consumer, access)
    assert result.status_code == 401, result.text
    assert result.json["error"]["message"] == "Access token is expired"


def test_racing_exchanges_of_one_request_token_make_one_access_token(
    db_url: str, tmp_path: Path, clock: OffsetClock
) -> None:
    data_dir = tmp_path / "cloud"
    data_dir.mkdir(mode=0o700)
    deps = make_deps(data_dir=data_dir, db_url=db_url, clock=clock)
    try:
        client = Client(deps)
        s = Setup(client, client.admin_token())
        consumer = s.consumer()
        request = s.request_token(consumer)
        authorized = s.authorize(request["oauth_token"], [{"name": "member"}])
        verifier = authorized.json["token"]["oauth_verifier"]
        workers = 4
        start = threading.Barrier(workers)
        results: list[falcon.testing.Result] = []
        lock = threading.Lock()

        def exchange() -> None:
            start.wait()
            result = s.exchange(consumer, request, verifier)
            with lock:
                results.append(result)

        threads = [threading.Thread(target=exchange) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        statuses = sorted(r.status_code for r in results)
        assert statuses == [201] + [404] * (workers - 1)
        tokens = client.get(f"/v3/users/{s.admin_id}/OS-OAUTH1/access_tokens", token=s.admin)
        assert len(tokens.json["access_tokens"]) == 1
        # And the consumer's deletion, on this backend too, ends what its access token issued.
        won = next(r for r in results if r.status_code == 201)
        token = s.oauth_token(consumer, _form(won))
        deleted = client.request("DELETE", f"{CONSUMERS}/{consumer.id}", token=s.admin)
        assert deleted.status_code == 204
        assert s.validate(token).status_code == 404
    finally:
        deps.store.dispose()


def test_an_oauth_token_delegates_nothing_further(s: Setup) -> None:
    consumer = s.consumer()
    # Even with the admin role delegated, the token is a delegation's.
    token = s.oauth_token(consumer, s.access_token(consumer, ("admin", "member")))
    assert s.client.get(CONSUMERS, token=token).status_code == 200
    client = s.client
    cred = client.post(
        f"/v3/users/{s.admin_id}/application_credentials",
        json={"application_credential": {"name": "from-oauth"}}, token=token,
    )  # fmt: skip
    assert cred.status_code == 403, cred.text
    trust = {"trustor_user_id": s.admin_id, "trustee_user_id": s.bob_id,
             "project_id": s.project_id, "impersonation": False,
             "roles": [{"name": "member"}]}  # fmt: skip
    made = client.post("/v3/OS-TRUST/trusts", json={"trust": trust}, token=token)
    assert made.status_code == 403, made.text
    other = s.request_token(s.consumer("other"))
    refused = s.authorize(other["oauth_token"], [{"name": "member"}], token=token)
    assert refused.status_code == 403, refused.text
    assert "delegation" in refused.json["error"]["message"]
    tokens = f"/v3/users/{s.admin_id}/OS-OAUTH1/access_tokens"
    listed = client.get(tokens, token=token)
    assert listed.status_code == 403
    assert "delegation" in listed.json["error"]["message"]


def test_no_secret_or_verifier_is_stored_in_clear(s: Setup) -> None:
    consumer = s.consumer()
    request = s.request_token(consumer)
    authorized = s.authorize(request["oauth_token"], [{"name": "member"}])
    verifier = authorized.json["token"]["oauth_verifier"]
    with s.client.deps.store.read() as conn:
        pending = [str(v) for row in conn.execute(select(OAuthRequestToken)) for v in row]
    assert request["oauth_token"] in pending
    assert not any(request["oauth_token_secret"] in v or verifier in v for v in pending)
    access = _form(s.exchange(consumer, request, verifier))
    with s.client.deps.store.read() as conn:
        stored = [str(v) for table in (OAuthConsumer, OAuthAccessToken)
                  for row in conn.execute(select(table)) for v in row]  # fmt: skip
    assert consumer.id in stored
    assert access["oauth_token"] in stored
    assert not any(consumer.secret in v or access["oauth_token_secret"] in v for v in stored)
    # What is stored still signs: the login works.
    s.oauth_token(consumer, access)


def test_a_signed_request_replayed_is_refused(s: Setup) -> None:
    consumer = s.consumer()
    access = s.access_token(consumer)
    signer = oauth1.Client(consumer.id, client_secret=consumer.secret,
                           resource_owner_key=access["oauth_token"],
                           resource_owner_secret=access["oauth_token_secret"])  # fmt: skip
    _, signed, _ = signer.sign(f"{IDENTITY}{TOKENS}", http_method="POST")
    first = s.client.post(TOKENS, json=OAUTH_AUTH, headers=signed)
    assert first.status_code == 201, first.text
    again = s.client.post(TOKENS, json=OAUTH_AUTH, headers=signed)
    assert again.status_code == 401, again.text
    # A new signature (a new nonce) is welcome.
    assert s.oauth_login(consumer, access).status_code == 201
    asker = oauth1.Client(consumer.id, client_secret=consumer.secret, callback_uri="oob")
    _, signed, _ = asker.sign(f"{IDENTITY}{REQUEST_TOKEN}", http_method="POST")
    headers = {**signed, "Requested-Project-Id": s.project_id}
    assert s.client.post(REQUEST_TOKEN, headers=headers).status_code == 201
    assert s.client.post(REQUEST_TOKEN, headers=headers).status_code == 401
