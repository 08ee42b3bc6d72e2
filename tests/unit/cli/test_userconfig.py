"""Saved defaults: file < per-cloud entry < command line; bad files named with their line."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from pocketstack.cli.commands import list as list_command
from pocketstack.cli.commands.list.options import resolve_options
from pocketstack.cli.userconfig import UserConfigError, config_path, load
from tests.unit.cli.conftest import V3_ENV, Runner

CONFIG = """\
# my defaults
[list]
columns = ["ID", "Name", "Status"]
format = "table"
long = false
limit = 50

[clouds.prod.list]
long = true
format = "json"
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pocketstack" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    list_command.add_arguments(parser)
    return parser.parse_args(list(argv))


def test_path_follows_xdg_and_override(tmp_path: Path) -> None:
    assert config_path({"XDG_CONFIG_HOME": "/x"}) == Path("/x/pocketstack/config.toml")
    assert config_path({"HOME": "/home/u"}) == Path("/home/u/.config/pocketstack/config.toml")
    assert config_path({"POCKETSTACK_CONFIG": "/etc/p.toml", "XDG_CONFIG_HOME": "/x"}) == Path(
        "/etc/p.toml"
    )


def test_missing_file_is_no_defaults(tmp_path: Path) -> None:
    assert load(tmp_path / "none.toml", cloud=None).values == {}


def test_cloud_entry_wins_over_list(tmp_path: Path) -> None:
    path = _write(tmp_path, CONFIG)
    assert load(path, cloud=None).values == {
        "columns": ["ID", "Name", "Status"], "format": "table", "long": False, "limit": 50}
    prod = load(path, cloud="prod").values
    assert prod["long"] is True
    assert prod["format"] == "json"
    assert prod["limit"] == 50
    assert load(path, cloud="other").values["format"] == "table"


def test_flags_win(tmp_path: Path) -> None:
    defaults = load(_write(tmp_path, CONFIG), cloud="prod")
    args = resolve_options(_parse(), defaults)
    assert (args.output_format, args.long, args.limit, args.columns) == (
        "json", True, 50, ["ID", "Name", "Status"])
    args = resolve_options(_parse("-f", "table", "--no-long", "--limit", "5", "-c", "ID"),
                           defaults)
    assert (args.output_format, args.long, args.limit, args.columns) == (
        "table", False, 5, ["ID"])
    # --fields and --minimal pick their own columns: neither --long nor -c is added.
    for argv in (["--minimal"], ["--fields", "name"]):
        args = resolve_options(_parse(*argv), defaults)
        assert args.long is False
        assert args.columns == []


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("[list]\nlong = yes\n", 2, "invalid TOML"),
        ("[list]\nlimit = 5\nlong = 1\n", 3, "list.long: expected true or false, not 1"),
        ("[list]\n\ncolumns = []\n", 3, "expected a list of column names"),
        ("[list]\nformat = 'xml'\n", 2, "expected one of table, json, yaml, csv, value"),
        ("[list]\nlong = true\nlimt = 5\n", 3, "unknown key 'limt' in [list]"),
        ("[lst]\nlong = true\n", 1, "unknown section or key 'lst'"),
        ("[clouds.prod.list]\nlimit = -5\n", 2, "clouds.prod.list.limit: expected -1"),
        ("list.long = 3\n", 1, "list.long: expected true or false"),
        ("[clouds.prod]\nlong = true\n", 2, "unknown key 'long' in [clouds.prod]"),
    ],
)
def test_bad_file_names_file_and_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(UserConfigError) as caught:
        load(path, cloud=None)
    assert str(caught.value).startswith(f"{path}, line {line}")
    assert message in str(caught.value)


def test_not_utf8(tmp_path: Path) -> None:
    path = _write(tmp_path, "")
    path.write_bytes(b"[list]\nformat = '\xff'\n")
    with pytest.raises(UserConfigError, match="not UTF-8"):
        load(path, cloud=None)


# through the command ---------------------------------------------------------------------
def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {**V3_ENV, "XDG_CONFIG_HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "c"),
            **extra}


def test_list_uses_saved_format_and_flags_win(run_cli: Runner, tmp_path: Path) -> None:
    _write(tmp_path, '[list]\nformat = "json"\ncolumns = ["ID", "Name"]\n')
    result = run_cli("list", env=_env(tmp_path))
    assert result.code == 0, result.err
    assert json.loads(result.out) == []
    result = run_cli("list", "-f", "csv", "-c", "Status", env=_env(tmp_path))
    assert result.code == 0, result.err
    assert result.out == '"Status"\n'


def test_list_per_cloud_override(run_cli: Runner, tmp_path: Path) -> None:
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text("clouds:\n  prod:\n    auth:\n      auth_url: "
                      + V3_ENV["OS_AUTH_URL"] + "\n")
    _write(tmp_path, '[list]\nformat = "json"\n[clouds.prod.list]\nformat = "csv"\n')
    env = _env(tmp_path, OS_CLIENT_CONFIG_FILE=str(clouds))
    result = run_cli("--os-cloud", "prod", "list", env=env)
    assert result.code == 0, result.err
    assert result.out.startswith('"ID","Name","Status"')
    result = run_cli("list", env=env)
    assert result.out.strip() == "[]"


def test_list_bad_config_is_an_error(run_cli: Runner, tmp_path: Path) -> None:
    path = _write(tmp_path, "[list]\nlong = 'sure'\n")
    result = run_cli("list", env=_env(tmp_path))
    assert result.code == 1
    assert result.err == (
        f"ERROR (UserConfigError): {path}, line 2: list.long: expected true or false, "
        "not 'sure'\n"
    )
