"""os-quota-sets and os-quota-class-sets through the compute app: what each microversion shows,
who may read and change them, the not-below-usage rule, per-user limits and the defaults."""

from __future__ import annotations

from typing import Any

import pytest

from pocketstack.cloud.compute import quotas
from pocketstack.cloud.errors import Forbidden
from tests.fixtures.cloud import create_user, issue_token
from tests.unit.cloud.compute.helpers import Compute, fault

NETWORK = {"fixed_ips", "floating_ips", "security_groups", "security_group_rules"}
INJECTED = {"injected_files", "injected_file_content_bytes", "injected_file_path_bytes"}
CORE = {"instances", "cores", "ram", "metadata_items", "key_pairs", "server_groups",
        "server_group_members"}  # fmt: skip
DEFAULTS = {"instances": 10, "cores": 20, "ram": 51200, "metadata_items": 128, "key_pairs": 100,
            "server_groups": 10, "server_group_members": 10, "injected_files": 5,
            "injected_file_content_bytes": 10240, "injected_file_path_bytes": 255,
            "fixed_ips": -1, "floating_ips": -1, "security_groups": -1,
            "security_group_rules": -1}  # fmt: skip


def quota_path(compute: Compute, project: str | None = None, suffix: str = "") -> str:
    return f"/v2.1/os-quota-sets/{project or compute.alice.project_id}{suffix}"


def put_quota(compute: Compute, body: dict[str, Any], *, version: str | None = None,
              query: str = "", project: str | None = None) -> Any:  # fmt: skip
    path = quota_path(compute, project) + (f"?{query}" if query else "")
    return compute.call("PUT", path, headers=compute.admin, version=version,
                        body={"quota_set": body})  # fmt: skip


@pytest.mark.parametrize(
    ("version", "keys"),
    [
        ("2.1", CORE | NETWORK | INJECTED),
        ("2.35", CORE | NETWORK | INJECTED),
        ("2.36", CORE | INJECTED),
        ("2.56", CORE | INJECTED),
        ("2.57", CORE),
        ("2.100", CORE),
    ],
)
def test_show_defaults_and_detail_keys_by_microversion(
    compute: Compute, version: str, keys: set[str]
) -> None:
    project = compute.alice.project_id
    shown = compute.get(quota_path(compute), headers=compute.alice_h, version=version)
    assert shown.status_code == 200, shown.text
    assert shown.json["quota_set"] == {"id": project, **{k: DEFAULTS[k] for k in keys}}
    defaults = compute.get(quota_path(compute, suffix="/defaults"), headers=compute.alice_h,
                           version=version)  # fmt: skip
    assert defaults.json == shown.json
    detail = compute.get(quota_path(compute, suffix="/detail"), headers=compute.alice_h,
                         version=version).json["quota_set"]  # fmt: skip
    assert set(detail) == keys | {"id"}
    assert detail["ram"] == {"in_use": 0, "limit": 51200, "reserved": 0}


def test_the_legacy_v2_root_answers_like_2_1(compute: Compute) -> None:
    project = compute.alice.project_id
    result = compute.get(f"/v2/{project}/os-quota-sets/{project}", headers=compute.alice_h)
    assert set(result.json["quota_set"]) == CORE | NETWORK | INJECTED | {"id"}


def test_readers_see_their_own_project_only_and_admins_see_any(compute: Compute) -> None:
    rita = create_user(compute.deps, name="rita", project_name="alpha", roles=("reader",))
    rita_h = {"X-Auth-Token": issue_token(compute.deps, user_id=rita.id,
                                          project_id=rita.project_id)}  # fmt: skip
    assert compute.get(quota_path(compute), headers=rita_h).status_code == 200
    assert compute.get(quota_path(compute, suffix="/detail"), headers=rita_h).status_code == 200
    for suffix, rule in (("", "show"), ("/detail", "detail")):
        refused = compute.get(quota_path(compute, suffix=suffix), headers=compute.bob_h)
        assert refused.status_code == 403
        assert fault(refused) == (
            "forbidden",
            f"Policy doesn't allow os_compute_api:os-quota-sets:{rule} to be performed.",
        )
        assert (
            compute.get(quota_path(compute, suffix=suffix), headers=compute.admin).status_code
            == 200
        )
    # Anyone may read the defaults (Nova's RULE_ANY), whatever project the path names.
    assert (
        compute.get(quota_path(compute, suffix="/defaults"), headers=compute.bob_h).status_code
        == 200
    )


def test_only_an_admin_updates_or_reverts(compute: Compute) -> None:
    for method, body in (("PUT", {"quota_set": {"ram": 0}}), ("DELETE", None)):
        refused = compute.call(method, quota_path(compute), headers=compute.alice_h, body=body)
        assert refused.status_code == 403
        rule = "update" if method == "PUT" else "delete"
        assert fault(refused)[1] == (
            f"Policy doesn't allow os_compute_api:os-quota-sets:{rule} to be performed."
        )
    shown = compute.get(quota_path(compute), headers=compute.alice_h).json["quota_set"]
    assert shown["ram"] == 51200


def test_update_then_show_then_revert_to_defaults(compute: Compute) -> None:
    updated = put_quota(compute, {"ram": "5120", "instances": 3, "key_pairs": -1})
    assert updated.status_code == 200, updated.text
    assert "id" not in updated.json["quota_set"]
    assert (updated.json["quota_set"]["ram"], updated.json["quota_set"]["instances"]) == (5120, 3)
    assert updated.json["quota_set"]["key_pairs"] == -1
    shown = compute.get(quota_path(compute), headers=compute.alice_h).json["quota_set"]
    assert (shown["ram"], shown["instances"], shown["cores"]) == (5120, 3, 20)
    # Another project keeps the defaults.
    other = compute.get(quota_path(compute, compute.bob.project_id), headers=compute.bob_h)
    assert other.json["quota_set"]["ram"] == 51200
    reverted = compute.call("DELETE", quota_path(compute), headers=compute.admin)
    assert reverted.status_code == 202
    assert reverted.text == ""
    shown = compute.get(quota_path(compute), headers=compute.alice_h).json["quota_set"]
    assert (shown["ram"], shown["instances"], shown["key_pairs"]) == (51200, 10, 100)


def test_a_limit_cannot_go_below_usage_unless_forced(compute: Compute) -> None:
    project = compute.alice.project_id
    for _ in range(2):
        compute.make(project=project, user=compute.alice.id)
    compute.make(project=project, user=compute.alice.id, vm_state="deleted")
    refused = put_quota(compute, {"instances": 1})
    assert refused.status_code == 400
    assert fault(refused)[1] == (
        "Quota limit 1 for instances must be greater than or equal to already used and reserved 2."
    )
    refused = put_quota(compute, {"cores": "1", "ram": 100})
    assert fault(refused)[1].startswith("Quota limit 1 for cores must be greater than or equal")
    # Nothing of a refused update is written, not even the limits that were fine.
    assert put_quota(compute, {"ram": 100000, "instances": 1}).status_code == 400
    shown = compute.get(quota_path(compute), headers=compute.alice_h).json["quota_set"]
    assert shown["ram"] == 51200
    assert put_quota(compute, {"instances": 2}).status_code == 200
    forced = put_quota(compute, {"instances": 1, "force": "True"})
    assert forced.status_code == 200
    assert forced.json["quota_set"]["instances"] == 1
    assert "force" not in forced.json["quota_set"]
    detail = compute.get(quota_path(compute, suffix="/detail"), headers=compute.alice_h)
    assert detail.json["quota_set"]["instances"] == {"in_use": 2, "limit": 1, "reserved": 0}
    assert detail.json["quota_set"]["cores"] == {"in_use": 2, "limit": 20, "reserved": 0}
    assert detail.json["quota_set"]["ram"] == {"in_use": 1024, "limit": 51200, "reserved": 0}
    # -1 is unlimited: never below any usage.
    assert put_quota(compute, {"instances": -1}).json["quota_set"]["instances"] == -1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"instances": -2}, "-2 is less than the minimum of -1"),
        ({"instances": "-5"}, "Invalid input for field/attribute instances. Value: -5."
                              " -5 is less than the minimum of -1"),
        ({"ram": 2147483648}, "is greater than the maximum of 2147483647"),
        ({"ram": "2147483648"}, "2147483648 is greater than the maximum of 2147483647"),
        ({"cores": "abc"}, "Invalid input for field/attribute cores. Value: abc."),
        ({"cores": 1.5}, "Invalid input for field/attribute cores."),
        ({"cores": True}, "Invalid input for field/attribute cores."),
        ({"force": "maybe"}, "Invalid input for field/attribute force."),
        ({"networks": 1}, "Additional properties are not allowed ('networks' was unexpected)"),
    ],
)  # fmt: skip
def test_bad_values_are_refused_400(compute: Compute, body: dict[str, Any], message: str) -> None:
    result = put_quota(compute, body)
    assert result.status_code == 400
    assert message in fault(result)[1]


def test_update_body_keys_follow_the_microversion(compute: Compute) -> None:
    assert put_quota(compute, {"floating_ips": 5}, version="2.35").status_code == 200
    refused = put_quota(compute, {"floating_ips": 5}, version="2.36")
    assert refused.status_code == 400
    assert put_quota(compute, {"injected_files": 2}, version="2.56").status_code == 200
    assert put_quota(compute, {"injected_files": 2}, version="2.57").status_code == 400
    assert compute.call("PUT", quota_path(compute), headers=compute.admin,
                        body={"quota": {}}).status_code == 400  # fmt: skip
    updated = put_quota(compute, {"server_groups": 3}, version="2.57").json["quota_set"]
    assert set(updated) == CORE
    assert updated["server_groups"] == 3


def test_user_limits_inside_a_project(compute: Compute) -> None:
    user = compute.alice.id
    result = put_quota(compute, {"instances": 4, "fixed_ips": 7}, query=f"user_id={user}",
                       version="2.35")  # fmt: skip
    assert result.status_code == 200, result.text
    assert result.json["quota_set"]["instances"] == 4
    mine = compute.get(quota_path(compute), headers=compute.alice_h, query=f"user_id={user}")
    assert mine.json["quota_set"]["instances"] == 4
    project = compute.get(quota_path(compute), headers=compute.alice_h).json["quota_set"]
    assert project["instances"] == 10
    # fixed_ips is kept per project even when a user is named (Nova's PER_PROJECT_QUOTAS).
    assert project["fixed_ips"] == 7
    # A user may not be given more than the project leaves: 10 - 4 (theirs) + 4.
    refused = put_quota(compute, {"instances": 11}, query=f"user_id={user}")
    assert fault(refused)[1] == "Quota limit 11 for instances must be less than or equal to 10."
    # The project may not go below what its users' limits add up to.
    refused = put_quota(compute, {"instances": 3})
    assert fault(refused)[1] == (
        "Quota limit 3 for instances must be greater than or equal to already used and reserved 4."
    )
    compute.make(project=compute.alice.project_id, user=user)
    detail = compute.get(quota_path(compute, suffix="/detail"), headers=compute.alice_h,
                         query=f"user_id=other&user_id={user}")  # fmt: skip
    assert detail.json["quota_set"]["instances"] == {"in_use": 1, "limit": 4, "reserved": 0}
    assert compute.call("DELETE", quota_path(compute) + f"?user_id={user}",
                        headers=compute.admin).status_code == 202  # fmt: skip
    mine = compute.get(quota_path(compute), headers=compute.alice_h, query=f"user_id={user}")
    assert mine.json["quota_set"]["instances"] == 10
    assert compute.get(quota_path(compute), headers=compute.alice_h).json["quota_set"][
        "fixed_ips"] == 7  # fmt: skip


def test_unknown_query_parameters_are_refused_from_2_75(compute: Compute) -> None:
    assert compute.get(quota_path(compute), headers=compute.alice_h, version="2.74",
                       query="foo=1").status_code == 200  # fmt: skip
    refused = compute.get(quota_path(compute), headers=compute.alice_h, version="2.75",
                          query="foo=1")  # fmt: skip
    assert fault(refused) == (
        "badRequest",
        "Additional properties are not allowed ('foo' was unexpected)",
    )
    assert compute.get(quota_path(compute, suffix="/detail"), headers=compute.alice_h,
                       version="2.75", query="user_id=x").status_code == 200  # fmt: skip


def test_an_overlong_project_id_is_not_a_valid_project(compute: Compute) -> None:
    result = put_quota(compute, {"ram": 1}, project="a" * 256)
    assert result.status_code == 400
    assert "is not a valid project." in fault(result)[1]


# --- quota classes -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "keys"),
    [
        ("2.1", (CORE - {"server_groups", "server_group_members"}) | NETWORK | INJECTED),
        ("2.50", CORE | INJECTED),
        ("2.57", CORE),
    ],
)
def test_class_set_keys_by_microversion(compute: Compute, version: str, keys: set[str]) -> None:
    shown = compute.get("/v2.1/os-quota-class-sets/default", headers=compute.admin,
                        version=version)  # fmt: skip
    assert shown.json["quota_class_set"] == {"id": "default", **{k: DEFAULTS[k] for k in keys}}


def test_the_default_class_drives_every_projects_defaults(compute: Compute) -> None:
    path = "/v2.1/os-quota-class-sets/default"
    updated = compute.call("PUT", path, headers=compute.admin, version="2.57",
                           body={"quota_class_set": {"instances": 25, "ram": "1024"}})  # fmt: skip
    assert updated.status_code == 200, updated.text
    assert "id" not in updated.json["quota_class_set"]
    assert updated.json["quota_class_set"]["instances"] == 25
    shown = compute.get(path, headers=compute.admin).json["quota_class_set"]
    assert (shown["instances"], shown["ram"]) == (25, 1024)
    defaults = compute.get(quota_path(compute, suffix="/defaults"), headers=compute.alice_h)
    assert defaults.json["quota_set"]["instances"] == 25
    put_quota(compute, {"instances": 2})
    assert compute.get(quota_path(compute), headers=compute.alice_h).json["quota_set"][
        "instances"] == 2  # fmt: skip
    bob = compute.get(quota_path(compute, compute.bob.project_id), headers=compute.bob_h)
    assert bob.json["quota_set"]["instances"] == 25
    limits = compute.get("/v2.1/limits", headers=compute.bob_h).json["limits"]["absolute"]
    assert limits["maxTotalInstances"] == 25
    # Another class is kept, but it is not what projects fall back to.
    compute.call("PUT", "/v2.1/os-quota-class-sets/gold", headers=compute.admin,
                 body={"quota_class_set": {"cores": 99}})  # fmt: skip
    gold = compute.get("/v2.1/os-quota-class-sets/gold", headers=compute.admin)
    assert gold.json["quota_class_set"]["cores"] == 99
    assert gold.json["quota_class_set"]["instances"] == 10
    assert compute.get(quota_path(compute, suffix="/defaults"), headers=compute.alice_h).json[
        "quota_set"]["cores"] == 20  # fmt: skip


def test_quota_classes_are_for_admins(compute: Compute) -> None:
    shown = compute.get("/v2.1/os-quota-class-sets/default", headers=compute.alice_h)
    assert fault(shown) == (
        "forbidden",
        "Policy doesn't allow os_compute_api:os-quota-class-sets:show to be performed.",
    )
    updated = compute.call("PUT", "/v2.1/os-quota-class-sets/default", headers=compute.alice_h,
                           body={"quota_class_set": {"instances": 1}})  # fmt: skip
    assert updated.status_code == 403


def test_class_updates_follow_the_microversion(compute: Compute) -> None:
    path = "/v2.1/os-quota-class-sets/default"

    def put(body: dict[str, Any], version: str) -> int:
        return compute.call("PUT", path, headers=compute.admin, version=version,
                            body={"quota_class_set": body}).status_code  # fmt: skip

    assert put({"security_groups": 3}, "2.49") == 200
    assert put({"security_groups": 3}, "2.50") == 400
    assert put({"injected_files": 3}, "2.57") == 400
    assert put({"force": True}, "2.1") == 400
    assert put({"instances": -2}, "2.1") == 400
    long_name = compute.call("PUT", "/v2.1/os-quota-class-sets/" + "c" * 256,
                             headers=compute.admin,
                             body={"quota_class_set": {"instances": 1}})  # fmt: skip
    assert fault(long_name)[1] == "quota_class_name has 256 characters, more than 255."


# --- what the limits hold back ------------------------------------------------------------


def test_server_group_and_key_pair_creates_stop_at_their_limits(compute: Compute) -> None:
    put_quota(compute, {"server_groups": 1, "key_pairs": 1})
    body = {"server_group": {"name": "g", "policies": ["affinity"]}}
    made = compute.call("POST", "/v2.1/os-server-groups", headers=compute.alice_h, body=body)
    assert made.status_code == 200, made.text
    refused = compute.call("POST", "/v2.1/os-server-groups", headers=compute.alice_h, body=body)
    assert fault(refused) == ("forbidden", "Quota exceeded, too many server groups.")
    # The group is in use: the limit cannot go below it, and the detail view counts it.
    assert put_quota(compute, {"server_groups": 0}).status_code == 400
    detail = compute.get(quota_path(compute, suffix="/detail"), headers=compute.alice_h)
    assert detail.json["quota_set"]["server_groups"]["in_use"] == 1
    keypair = {"keypair": {"name": "k1"}}
    assert compute.call("POST", "/v2.1/os-keypairs", headers=compute.alice_h,
                        body=keypair).status_code == 200  # fmt: skip
    refused = compute.call("POST", "/v2.1/os-keypairs", headers=compute.alice_h,
                           body={"keypair": {"name": "k2"}})  # fmt: skip
    assert fault(refused) == ("forbidden", "Quota exceeded, too many key pairs.")
    # Another project's limits are its own.
    assert compute.call("POST", "/v2.1/os-server-groups", headers=compute.bob_h,
                        body=body).status_code == 200  # fmt: skip


def _claim(compute: Compute, **sizes: int) -> int:
    with compute.deps.store.session(write=True) as session:
        return quotas.claim_instances(
            session, project_id=compute.alice.project_id, user_id=compute.alice.id, **sizes
        )


def test_claims_word_what_is_exceeded_as_nova_does(compute: Compute) -> None:
    project = compute.alice.project_id
    put_quota(compute, {"instances": 3, "cores": 4, "ram": 2048})
    compute.make(project=project, user=compute.alice.id, vcpus=2, memory_mb=1024)
    assert _claim(compute, vcpus=1, memory_mb=512, min_count=1, max_count=5) == 2
    with pytest.raises(Forbidden) as over:
        _claim(compute, vcpus=2, memory_mb=1024, min_count=2, max_count=2)
    assert over.value.message == (
        "Quota exceeded for cores, ram: Requested 4, 2048, but already used 2, 1024 of 4, 2048"
        " cores, ram"
    )
    with pytest.raises(Forbidden) as over:
        _claim(compute, vcpus=1, memory_mb=1, min_count=3, max_count=4)
    assert over.value.message == (
        "Quota exceeded for cores, instances: Requested 4, 3-4, but already used 2, 1 of 4, 3"
        " cores, instances"
    )
    # A user with a limit of their own is held to it, and told so in their own numbers.
    put_quota(compute, {"instances": 1}, query=f"user_id={compute.alice.id}", version="2.1")
    with pytest.raises(Forbidden) as over:
        _claim(compute, vcpus=1, memory_mb=1)
    assert over.value.message == (
        "Quota exceeded for instances: Requested 1, but already used 1 of 1 instances"
    )
    # Unlimited (-1) never binds, whatever is asked.
    put_quota(compute, {"instances": -1, "cores": -1, "ram": -1, "force": True})
    compute.call("DELETE", quota_path(compute) + f"?user_id={compute.alice.id}",
                 headers=compute.admin)  # fmt: skip
    assert _claim(compute, vcpus=64, memory_mb=10**6, max_count=50) == 50


def test_metadata_and_personality_limits(compute: Compute) -> None:
    project, user = compute.alice.project_id, compute.alice.id
    limits = {"metadata_items": 2, "injected_files": 1, "injected_file_path_bytes": 5,
              "injected_file_content_bytes": 3}  # fmt: skip
    put_quota(compute, limits)
    with compute.deps.store.session() as session:
        quotas.check_metadata_items(session, project_id=project, user_id=user, count=2)
        with pytest.raises(Forbidden, match=r"^Maximum number of metadata items exceeds 2$"):
            quotas.check_metadata_items(session, project_id=project, user_id=user, count=3)
        # Without a project (a token scoped elsewhere): the defaults.
        quotas.check_metadata_items(session, project_id=None, user_id=None, count=128)
        quotas.check_injected_files(session, project_id=project, user_id=user,
                                    files=[("/a", b"abc")])  # fmt: skip
        for files, message in (
            ([("/a", b""), ("/b", b"")], "Personality file limit exceeded"),
            ([("/abcdef", b"")], "Personality file path exceeds maximum 5"),
            ([("/a", b"abcd")], "Personality file content exceeds maximum 3"),
        ):
            with pytest.raises(Forbidden) as over:
                quotas.check_injected_files(session, project_id=project, user_id=user,
                                            files=files)  # fmt: skip
            assert over.value.message == message


def test_a_float_is_no_integer_for_a_limit_as_for_novas_validator(compute: Compute) -> None:
    body = {"quota_set": {"instances": 3.0}}
    result = compute.call("PUT", f"/v2.1/os-quota-sets/{compute.alice.project_id}",
                          headers=compute.admin, body=body)  # fmt: skip
    assert result.status_code == 400
    assert fault(result)[1].startswith("Invalid input for field/attribute instances. Value: 3.0.")
