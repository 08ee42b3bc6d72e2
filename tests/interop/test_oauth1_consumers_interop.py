"""The genuine `openstack consumer ...` commands (OS-OAUTH1 consumers) against a real
`pocketstack serve`: a consumer is created with its secret shown once, listed, shown without
it, given a new description, and deleted."""

from __future__ import annotations

import subprocess
import uuid

import pytest

from tests.interop.live_clients import Live

pytestmark = pytest.mark.interop


def test_consumer_lifecycle(live: Live) -> None:
    description = f"interop-{uuid.uuid4().hex[:8]}"
    created = live.json("openstack", "consumer", "create", "--description", description)
    consumer_id = created["id"]
    assert created["description"] == description
    assert len(created["secret"]) == 32
    listed = live.json("openstack", "consumer", "list")
    assert {"ID": consumer_id, "Description": description} in listed
    shown = live.json("openstack", "consumer", "show", consumer_id)
    assert shown["id"] == consumer_id
    assert shown["description"] == description
    assert "secret" not in shown
    live.run("openstack", "consumer", "set", "--description", "renamed", consumer_id)
    assert live.json("openstack", "consumer", "show", consumer_id)["description"] == "renamed"
    live.run("openstack", "consumer", "delete", consumer_id)
    gone = subprocess.run(
        [str(live.venv / "bin" / "openstack"), "consumer", "show", consumer_id], env=live.env,
        capture_output=True, text=True, timeout=120, check=False, cwd=live.workdir,
    )  # fmt: skip
    assert gone.returncode != 0
    assert consumer_id not in {row["ID"] for row in live.json("openstack", "consumer", "list")}


def test_delegation_through_request_and_access_tokens(live: Live) -> None:
    """`openstack request token create/authorize`, `openstack access token create`, then
    keystoneauth's `v3oauth1` plugin logs in with the access token."""
    tag = uuid.uuid4().hex[:8]
    project = live.json("openstack", "project", "create", f"oauth-{tag}")
    me = live.json("openstack", "token", "issue")["user_id"]
    live.run("openstack", "role", "add", "--user", me, "--project", project["id"], "member")
    consumer = live.json("openstack", "consumer", "create", "--description", tag)
    keys = ("--consumer-key", consumer["id"], "--consumer-secret", consumer["secret"])
    request = live.json("openstack", "request", "token", "create", *keys,
                        "--project", project["id"])  # fmt: skip
    verifier = live.json("openstack", "request", "token", "authorize",
                         "--request-key", request["key"], "--role", "member")  # fmt: skip
    access = live.json(
        "openstack", "access", "token", "create", *keys,
        "--request-key", request["key"],
        "--request-secret", request["secret"],
        "--verifier", verifier["oauth_verifier"],
    )  # fmt: skip
    env = {k: v for k, v in live.env.items()
           if not k.startswith(("OS_USER", "OS_PASSWORD", "OS_PROJECT", "OS_TENANT"))}  # fmt: skip
    env.update(OS_AUTH_TYPE="v3oauth1", OS_CONSUMER_KEY=consumer["id"],
               OS_CONSUMER_SECRET=consumer["secret"], OS_ACCESS_KEY=access["key"],
               OS_ACCESS_SECRET=access["secret"])  # fmt: skip
    delegated = Live(live.venv, env, live.workdir)
    token = delegated.json("openstack", "token", "issue")
    assert token["project_id"] == project["id"]
    assert token["user_id"] == me
    live.run("openstack", "consumer", "delete", consumer["id"])
