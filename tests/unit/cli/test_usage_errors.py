"""A mistake on the command line: three lines (the usage in one, the error, where the help is)
and exit status 2, for every command — not argparse's whole usage before the one line that
matters (about 50 lines for `list`)."""

from __future__ import annotations

import pytest

from pocketstack.cli.main import COMMANDS, main
from tests.unit.cli.conftest import V3_ENV

# What each command needs besides options before an unknown flag can be the only mistake.
REQUIRED = {
    ("manage",): ["fernet-setup"],
    ("completion",): ["bash"],
    ("fault", "add"): ["compute", "drop"],
}


def usage_error(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> tuple[object, list[str], str]:
    """(exit code, stderr lines, stdout) of `pocketstack ARGV`, run in-process."""
    with pytest.raises(SystemExit) as exited:
        main(argv, environ=V3_ENV)
    captured = capsys.readouterr()
    return exited.value.code, captured.err.splitlines(), captured.out


@pytest.mark.parametrize("words", list(COMMANDS), ids=" ".join)
def test_an_unknown_flag_gets_three_lines_for_every_command(
    words: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    command = "pocketstack " + " ".join(words)
    code, lines, out = usage_error([*words, *REQUIRED.get(words, []), "--bogus-flag"], capsys)
    assert code == 2
    assert out == ""
    assert len(lines) == 3, lines
    assert lines[0].startswith(f"usage: {command} ")
    assert lines[0].endswith("[options]")
    assert lines[1] == "error: unrecognized arguments: --bogus-flag"
    assert lines[2] == f"Try '{command} --help' for more information."


@pytest.mark.parametrize(
    ("argv", "usage", "error"),
    [
        (
            ["list", "--limit", "abc"],
            "usage: pocketstack list [options]",
            "error: argument --limit: invalid int value: 'abc'",
        ),
        (
            ["list", "-f", "xml"],
            "usage: pocketstack list [options]",
            "error: argument -f/--format: invalid choice: 'xml' "
            "(choose from 'table', 'json', 'yaml', 'csv', 'value')",
        ),
        (
            ["token", "issue", "-f", "xml"],
            "usage: pocketstack token issue [options]",
            "error: argument -f/--format: invalid choice: 'xml' "
            "(choose from 'table', 'json', 'yaml', 'value', 'shell')",
        ),
        (
            ["manage", "seed", "--servers", "many"],
            "usage: pocketstack manage seed [options]",
            "error: argument --servers: invalid int value: 'many'",
        ),
        (
            ["manage"],
            "usage: pocketstack manage SUBCOMMAND [options]",
            "error: the following arguments are required: SUBCOMMAND",
        ),
        (
            ["completion", "tcsh"],
            "usage: pocketstack completion {bash,zsh,fish} [options]",
            "error: argument shell: invalid choice: 'tcsh' (choose from 'bash', 'zsh', 'fish')",
        ),
        (
            ["up", "--port", "99999"],
            "usage: pocketstack up [options]",
            "error: argument --port: a port is 1 to 65535, not 99999",
        ),
    ],
)
def test_bad_values_name_the_option_and_the_help(
    argv: list[str], usage: str, error: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines, out = usage_error(argv, capsys)
    # The help to try is the one of the (sub)command the usage line names.
    command = " ".join(word for word in usage.split()[1:] if word.islower() and word.isalpha())
    assert (code, out) == (2, "")
    assert lines == [usage, error, f"Try '{command} --help' for more information."]


def test_options_without_a_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--bogus"], environ=V3_ENV) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "usage: pocketstack [global options] <command> [options]",
        "error: no command given (arguments: --bogus)",
        "Try 'pocketstack --help' for more information.",
    ]


def test_help_is_still_the_whole_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["list", "--help"], environ=V3_ENV)
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: pocketstack list")
    assert len(out.splitlines()) > 50
