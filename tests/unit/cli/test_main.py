from __future__ import annotations

import json
import re

import pytest

from pocketstack.cli.main import COMMANDS, find_command, main
from pocketstack.client.transport.wsgi import WSGITransport
from tests.fixtures.cloud import ADMIN_PASSWORD
from tests.unit.cli.conftest import V2_ENV, V3_ENV, Runner


def test_token_issue_table(run_cli: Runner) -> None:
    result = run_cli("token", "issue")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == lines[2] == lines[-1]
    assert lines[0].startswith("+------------+-")
    fields = [line.split("|")[1].strip() for line in lines if line.startswith("| ")]
    assert fields == ["Field", "expires", "id", "project_id", "user_id"]
    assert re.search(r"\| expires +\| \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000 +\|", result.out)


def test_token_issue_json_and_value(run_cli: Runner) -> None:
    data = json.loads(run_cli("token", "issue", "-f", "json").out)
    assert set(data) == {"expires", "id", "project_id", "user_id"}
    # The second run reuses the cached token.
    assert run_cli("token", "issue", "-f", "value", "-c", "id").out.strip() == data["id"]


def test_catalog_list(run_cli: Runner) -> None:
    result = run_cli("catalog", "list")
    assert result.code == 0, result.err
    assert "| Name" in result.out
    assert "| Endpoints" in result.out
    assert re.search(
        r"^\| +\| compute +\|   public: http://cloud.test/compute/v2.1 +\|$",
        result.out,
        re.MULTILINE,
    ) or re.search(
        r"^\| +\| +\|   public: http://cloud.test/compute/v2.1 +\|$", result.out, re.MULTILINE
    )
    rows = json.loads(run_cli("catalog", "list", "-f", "json").out)
    by_type = {row["Type"]: row for row in rows}
    assert {"identity", "compute", "image"} <= set(by_type)
    interfaces = {ep["interface"] for ep in by_type["compute"]["Endpoints"]}
    assert interfaces == {"public", "internal", "admin"}


def test_catalog_list_with_v2_auth_url(run_cli: Runner) -> None:
    result = run_cli("--timings", "catalog", "list", "-f", "value", "-c", "Type", env=V2_ENV)
    assert result.code == 0, result.err
    assert "compute" in result.out.split()
    assert "GET http://cloud.test/identity/v2.0 " in result.err
    assert "POST http://cloud.test/identity/v2.0/tokens" in result.err
    assert "Total (2 requests)" in result.err


def test_sort_and_columns(run_cli: Runner) -> None:
    result = run_cli("catalog", "list", "-f", "csv", "-c", "Type", "--sort-column", "Type")
    lines = result.out.splitlines()
    assert lines[0] == '"Type"'
    assert lines[1:] == sorted(lines[1:])
    bad = run_cli("catalog", "list", "-c", "Nope")
    assert bad.code == 1
    assert bad.err.startswith("ERROR (CommandError): No recognized column names in ['Nope']")


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        (
            "OS_AUTH_URL",
            "You must provide an auth url via either --os-auth-url or env[OS_AUTH_URL].",
        ),
        (
            "OS_USERNAME",
            "You must provide a user name/id (via --os-username, --os-user-id, "
            "env[OS_USERNAME] or env[OS_USER_ID]) or an auth token (via --os-token).",
        ),
        (
            "OS_PROJECT_NAME",
            "You must provide a project name or project ID via --os-project-name, "
            "--os-project-id, env[OS_PROJECT_ID] or env[OS_PROJECT_NAME].",
        ),
        ("OS_PASSWORD", "Expecting a password provided via either --os-password, env[OS_PASSWORD]"),
    ],
)
def test_missing_settings_name_flag_and_variable(
    run_cli: Runner, missing: str, message: str
) -> None:
    env = {k: v for k, v in V3_ENV.items() if k != missing}
    result = run_cli("token", "issue", env=env)
    assert result.code == 1
    assert result.err.startswith(f"ERROR (CommandError): {message}")
    assert result.out == ""


def test_flags_override_env_and_nova_fallbacks_work(run_cli: Runner) -> None:
    env = {
        "NOVA_URL": V3_ENV["OS_AUTH_URL"],
        "NOVA_USERNAME": "admin",
        "NOVA_PASSWORD": "wrong",
        "NOVA_PROJECT_ID": "admin",
        "OS_USER_DOMAIN_NAME": "Default",
        "OS_PROJECT_DOMAIN_NAME": "Default",
    }
    failed = run_cli("token", "issue", env=env)
    assert failed.code == 1
    assert failed.err.startswith(
        "ERROR (Unauthorized): The request you have made requires authentication. (HTTP 401)"
    )
    ok = run_cli("--os-password", ADMIN_PASSWORD, "token", "issue", env=env)
    assert ok.code == 0, ok.err
    # Global options may also follow the command words, as with openstack.
    assert run_cli("token", "issue", "--os-password", ADMIN_PASSWORD, env=env).code == 0


def test_wrong_password_is_reported_not_raised(run_cli: Runner) -> None:
    result = run_cli("token", "issue", env={**V3_ENV, "OS_PASSWORD": "nope"})
    assert result.code == 1
    assert "Traceback" not in result.err
    assert ADMIN_PASSWORD not in result.err


def test_debug_shows_no_secret(run_cli: Runner) -> None:
    result = run_cli("--debug", "--no-cache", "token", "issue", "-f", "json")
    token = json.loads(result.out)["id"]
    assert "REQ: curl -g -i -X POST http://cloud.test/identity/v3/auth/tokens" in result.err
    assert ADMIN_PASSWORD not in result.err
    assert token not in result.err


def test_no_cache_authenticates_every_time(run_cli: Runner, cli_transport: WSGITransport) -> None:
    run_cli("--no-cache", "token", "issue")
    run_cli("--no-cache", "token", "issue")
    assert sum(r.method == "POST" for r in cli_transport.sent) == 2
    run_cli("token", "issue")
    run_cli("token", "issue")
    assert sum(r.method == "POST" for r in cli_transport.sent) == 3


def test_help_and_unknown_command(run_cli: Runner, capsys: pytest.CaptureFixture[str]) -> None:
    top = run_cli("--help")
    assert top.code == 0
    for words in COMMANDS:
        assert " ".join(words) in top.out
    bad = run_cli("frobnicate")
    assert (bad.code, bad.err) == (
        1,
        "ERROR (CommandError): Unknown command 'frobnicate'; see `pocketstack --help`\n",
    )
    with pytest.raises(SystemExit) as exited:
        run_cli("token", "issue", "--help")
    assert exited.value.code == 0
    assert "--os-auth-url" in capsys.readouterr().out


def test_find_command_skips_option_values() -> None:
    assert find_command(["--os-username", "list", "token", "issue", "-f", "json"]) == (
        ("token", "issue"),
        ["--os-username", "list", "-f", "json"],
    )
    assert find_command(["--debug", "catalog", "list"]) == (("catalog", "list"), ["--debug"])
    assert find_command(["catalog"]) is None


def test_ctrl_c_exits_130(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from pocketstack.cli.commands import token_issue

    def interrupted(args: object, ctx: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(token_issue, "run", interrupted)
    err = io.StringIO()
    assert main(["token", "issue"], environ=V3_ENV, stdout=io.StringIO(), stderr=err) == 130
