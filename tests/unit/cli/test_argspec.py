"""The fast argument parser (pocketstack.cli.argspec) against argparse, for the hot commands.

Whenever ArgumentRecorder.parse returns a Namespace, it must be the one argparse returns for
the same argv (same attributes, same values, same types); where argparse would print help or
an error, the fast parser must return None so that argparse gets to say it.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import shlex
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pocketstack.cli.argspec import ArgumentRecorder, Namespace
from pocketstack.cli.main import COMMANDS, load, main, parse_arguments
from pocketstack.cli.options import add_global_options
from pocketstack.cli.parser import build_parser

FAST_COMMANDS: list[tuple[str, ...]] = [("list",), ("token", "issue"), ("catalog", "list")]


@functools.cache
def parsers(words: tuple[str, ...]) -> tuple[ArgumentRecorder, argparse.ArgumentParser]:
    """The command's recorder (as main.parse_arguments builds it) and its argparse parser."""
    spec = COMMANDS[words]
    module = load(spec)
    recorder = ArgumentRecorder()
    add_global_options(recorder, auth=spec.auth)
    module.add_arguments(recorder)
    return recorder, build_parser(words, spec, module)


def recorded_flags(recorder: ArgumentRecorder) -> list[str]:
    return sorted({flag for option in recorder.options for flag in option.flags})


class Exited:
    """argparse's answer when it stops the program (help or a usage error)."""

    def __init__(self, code: object, out: str, err: str) -> None:
        self.code = code
        self.out = out
        self.err = err

    def __repr__(self) -> str:
        return f"SystemExit({self.code!r}) stdout={self.out[:80]!r} stderr={self.err!r}"


def argparse_outcome(
    parser: argparse.ArgumentParser, argv: Sequence[str]
) -> dict[str, object] | Exited:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            return vars(parser.parse_args(list(argv), namespace=Namespace()))
        except SystemExit as exited:
            return Exited(exited.code, out.getvalue(), err.getvalue())


def comparable(values: dict[str, object]) -> dict[str, tuple[str, str]]:
    # Type and repr: 1 == 1.0 == True and nan != nan would otherwise hide or invent differences.
    return {name: (type(value).__name__, repr(value)) for name, value in values.items()}


def assert_same_as_argparse(words: tuple[str, ...], argv: Sequence[str]) -> Namespace | None:
    recorder, parser = parsers(words)
    fast = recorder.parse(list(argv))
    if fast is None:
        return None
    slow = argparse_outcome(parser, argv)
    command = f"pocketstack {' '.join(words)} {shlex.join(argv)}"
    assert not isinstance(slow, Exited), (
        f"{command}: the fast parser returned {fast!r}, argparse exits: {slow!r}"
    )
    got, want = comparable(vars(fast)), comparable(slow)
    differences = {
        name: {"fast": got.get(name), "argparse": want.get(name)}
        for name in sorted(set(got) | set(want))
        if got.get(name) != want.get(name)
    }
    assert not differences, f"{command}: fast parser and argparse disagree: {differences}"
    return fast


# The corpus ------------------------------------------------------------------------------------
# A value each typed flag accepts; every other value flag takes any string.
GOOD_VALUE = {
    "--limit": "5",
    "--max-width": "80",
    "--timeout": "5",
    "--watch": "5",
    "--all-tenants": "1",
    "-f": "json",
    "--format": "json",
}


def generated_corpus(words: tuple[str, ...]) -> list[list[str]]:
    """Every recorded flag: value flags as `--flag v` and `--flag=v`, flags twice."""
    recorder, _ = parsers(words)
    corpus: list[list[str]] = []
    for option in recorder.options:
        for flag in option.flags:
            if option.kind == "store_const":
                corpus += [[flag], [flag, flag], [f"{flag}=1"]]
                continue
            value = next((GOOD_VALUE[f] for f in option.flags if f in GOOD_VALUE), "v")
            corpus += [[flag, value], [f"{flag}={value}"], [flag], [flag, value, flag, value]]
    return corpus


HAND_CORPUS: list[list[str]] = [
    [],
    # --limit
    ["--limit", "-1"],
    ["--limit=-1"],
    ["--limit", "-1.5"],
    ["--limit=-1.5"],
    ["--limit", "1.5"],
    ["--limit", "x"],
    ["--limit"],
    ["--limit", "5", "--limit", "7"],
    ["--limit", " 5"],
    ["--limit", "1_000"],
    ["--limit", "٣"],
    ["--limit", "-٣"],
    ["--limit", "0x10"],
    ["--limit", "-0"],
    ["--limit", "-.5"],
    ["--limit=--"],
    # nargs="?" flags
    ["--all-tenants"],
    ["--all-tenants", "0"],
    ["--all-tenants", "1"],
    ["--all-tenants", "x"],
    ["--all-tenants", "-1"],
    ["--all-tenants=0"],
    ["--all-tenants="],
    ["--all-tenants", "--limit", "5"],
    ["--all-tenants", "--all-tenants", "0"],
    ["--tenant"],
    ["--tenant", "t1"],
    ["--tenant", "--user"],
    ["--tenant", "-"],
    ["--tenant", "-x"],
    ["--tenant", "-1"],
    ["--tenant", ""],
    ["--tenant=--"],
    ["--user"],
    ["--user", "--limit", "3"],
    ["--user", "bob", "--tenant"],
    ["--user", "--", "x"],
    # output formatters
    ["-f", "json", "-c", "ID", "-c", "Name"],
    ["-fjson"],
    ["-f=json"],
    ["--format=yaml"],
    ["--format", "bogus"],
    ["--format"],
    ["-f", "shell"],
    ["-f", "value", "-f", "csv"],
    ["-f", "JSON"],
    ["-cID"],
    ["-c"],
    ["-c", "-1"],
    ["-c", "ID", "--column=Name", "-c", "ID"],
    ["--column=--"],
    ["-c", "x", "--column=--"],
    ["--sort-column", "Name", "--sort-descending"],
    ["--sort-column=Name", "--sort-column", "ID"],
    ["--max-width", "80"],
    ["--max-width", "-1"],
    ["--max-width=0"],
    ["--max-width", "wide"],
    ["--fit-width"],
    ["--no-color"],
    ["--no-colour", "--no-color"],
    # the mutually exclusive config drive flags
    ["--config-drive", "--no-config-drive"],
    ["--no-config-drive", "--config-drive"],
    ["--config-drive", "--limit", "5", "--no-config-drive"],
    ["--config-drive", "--config-drive"],
    ["--no-config-drive"],
    ["--no-config-drive", "--no-config-drive"],
    ["--config-drive=1"],
    # --watch
    ["--watch"],
    ["--watch", "5"],
    ["--watch", "0"],
    ["--watch", "-1"],
    ["--watch", "x"],
    ["--watch", "nan"],
    ["--watch", "86401"],
    ["--watch", "--long"],
    ["--watch=2.5"],
    ["--watch="],
    ["--watch", "1", "--watch"],
    # abbreviations
    ["--lim", "5"],
    ["--lim=5"],
    ["--all", "1"],
    ["--no-conf"],
    ["--sort-desc"],
    ["--os-auth", "u"],
    ["--form", "json"],
    ["--na", "web"],
    # --name values that look like options, or are empty
    ["--name", "-"],
    ["--name", "-x"],
    ["--name", ""],
    ["--name", "a=b"],
    ["--name", "-1"],
    ["--name", "-.5"],
    ["--name", "-5."],
    ["--name", "-1e5"],
    ["--name", "-x y"],
    ["--name", "-1\n"],
    ["--name", "--name"],
    ["--name", "--"],
    ["--name="],
    ["--name=a=b"],
    ["--name=-x"],
    ["--name=--"],
    ["--name= "],
    ["--name", "web", "--"],
    ["--", "--name", "web"],
    ["--"],
    # stray words and help
    ["web"],
    ["--name", "web", "extra"],
    ["list"],
    ["-"],
    [""],
    ["-h"],
    ["--help"],
    ["--limit", "5", "-h"],
    ["--name", "-h"],
    # repeated flags: the last wins
    ["--name", "a", "--name", "b"],
    ["--status", "ACTIVE", "--status=ERROR"],
    ["--os-tenant-name", "p", "--os-project-name", "q"],
    # global options
    ["--os-auth-url", "http://x/v3", "--debug", "--timeout", "5", "--insecure"],
    ["--os-auth-url", "URL", "--debug", "--timeout", "5", "--timeout=x", "--insecure"],
    ["--timeout=x"],
    ["--timeout", "5", "--timeout=7.5"],
    ["--timeout", "-1"],
    ["--timeout", "nan"],
    ["--timeout", "inf"],
    ["--timeout", "-inf"],
    ["--timeout", "1e3"],
    ["--timeout", "-1e3"],
    ["--os-compute-api-version", "2.60"],
    ["--os-compute-api-version=2.latest"],
    ["--os-endpoint-type", "internal"],
    ["--os-interface=admin"],
    ["--endpoint-type", "public"],
    ["--os-url", "http://e"],
    ["--bypass-url=http://e"],
    ["--os-auth-plugin", "token"],
    ["--os-password", "-secret"],
    ["--os-password=-secret"],
    ["--os-password", "p@ss word"],
    ["--debug=1"],
    ["--debug", "--debug"],
    ["--no-cache", "--timings"],
    # everyday invocations
    ["--name", "web", "--status", "ACTIVE"],
    ["--sort", "name:asc"],
    ["--sort", "name:asc,created_at"],
    ["--debug"],
    ["--os-cloud", "x"],
    ["--fields", "name,status"],
    ["--minimal"],
    ["--long"],
    ["--no-long", "--long"],
    ["--deleted"],
    ["--changes-since=2020-01-01"],
    ["--changes-before", "2020-01-01T00:00:00Z"],
    ["--tags", "a,b", "--not-tags-any=c"],
    ["--tags-any", "x", "--not-tags", "y"],
    ["--locked", "true"],
    ["--ip", "10.0.0.*"],
    ["--ip6", "::1"],
    ["--marker", "abc", "--limit", "2"],
    ["--host", "h", "--availability-zone", "nova", "--key-name", "k"],
    ["--vm-state", "active", "--task-state", "spawning", "--power-state", "1"],
    ["--progress", "50", "--reservation-id", "r-1", "--flavor", "1", "--image", "cirros"],
    ["-f", "value", "-c", "id"],
    ["-f", "json", "--sort-column", "Type", "--sort-descending", "--max-width", "100"],
]


def corpus_cases() -> list[tuple[tuple[str, ...], list[str]]]:
    cases: list[tuple[tuple[str, ...], list[str]]] = []
    for words in FAST_COMMANDS:
        cases += [(words, argv) for argv in HAND_CORPUS + generated_corpus(words)]
    return cases


def case_id(case: object) -> str:
    if isinstance(case, tuple):
        return " ".join(case)
    assert isinstance(case, list)
    return shlex.join(case) or "<none>"


# Argv the fast parser must take on its own: the test cannot pass by always falling back.
MUST_BE_FAST: dict[tuple[str, ...], list[list[str]]] = {
    ("list",): [
        [],
        ["--limit", "-1"],
        ["--limit=-1"],
        ["--all-tenants"],
        ["--all-tenants", "1"],
        ["-f", "json", "-c", "ID"],
        ["--name", "web", "--status", "ACTIVE"],
        ["--sort", "name:asc"],
        ["--debug"],
        ["--os-cloud", "x"],
        ["--fields", "name,status"],
        ["--minimal"],
        ["--long"],
        ["--changes-since=2020-01-01"],
        ["--tenant"],
        ["--user", "--limit", "3"],
        ["--name", "a=b"],
        ["--name", "-1"],
        ["--config-drive"],
        ["--no-config-drive"],
        ["--watch"],
        ["--watch", "5"],
        ["--sort-column", "Name", "--sort-descending"],
        ["--os-auth-url", "http://x/v3", "--debug", "--timeout", "5", "--insecure"],
        ["--os-compute-api-version", "2.60"],
        ["--name", "a", "--name", "b"],
    ],
    ("token", "issue"): [
        [],
        ["-f", "json"],
        ["-f", "value", "-c", "id"],
        ["--format=shell"],
        ["--debug"],
        ["--os-cloud", "x"],
        ["--no-cache"],
    ],
    ("catalog", "list"): [
        [],
        ["-f", "json"],
        ["-f", "csv", "-c", "Type", "--sort-column", "Type"],
        ["--timings"],
        ["--os-cloud", "x"],
    ],
}


# Tests -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("words", FAST_COMMANDS, ids=case_id)
def test_recorder_knows_every_flag_argparse_knows(words: tuple[str, ...]) -> None:
    recorder, parser = parsers(words)
    argparse_flags = {flag for action in parser._actions for flag in action.option_strings}
    assert set(recorded_flags(recorder)) == argparse_flags - {"-h", "--help"}


@pytest.mark.parametrize(("words", "argv"), corpus_cases(), ids=case_id)
def test_fast_parser_agrees_with_argparse(words: tuple[str, ...], argv: list[str]) -> None:
    assert_same_as_argparse(words, argv)


@pytest.mark.parametrize(
    ("words", "argv"),
    [(words, argv) for words, cases in MUST_BE_FAST.items() for argv in cases],
    ids=case_id,
)
def test_common_argv_is_parsed_without_argparse(words: tuple[str, ...], argv: list[str]) -> None:
    recorder, _ = parsers(words)
    assert recorder.parse(list(argv)) is not None, "fell back to argparse"
    assert assert_same_as_argparse(words, argv) is not None


def test_fast_parser_values() -> None:
    # A few answers spelled out, so that a shared mistake of both parsers would show too.
    recorder, _ = parsers(("list",))
    args = recorder.parse(["--limit", "-1", "--all-tenants", "-c", "ID", "-c", "Name"])
    assert args is not None
    assert (args.limit, args.all_tenants, args.columns) == (-1, 1, ["ID", "Name"])
    assert (args.output_format, args.config_drive, args.timeout, args.os_interface) == (
        None,
        None,
        None,
        None,
    )
    args = recorder.parse(["--no-config-drive", "--watch", "--tenant", "--format=yaml"])
    assert args is not None
    assert (args.config_drive, args.watch, args.tenant, args.output_format) == (
        False,
        2.0,
        None,
        "yaml",
    )


def test_parsing_leaves_the_defaults_alone() -> None:
    recorder, _ = parsers(("list",))
    first = recorder.parse(["-c", "ID", "--sort-column", "Name"])
    assert first is not None
    again = recorder.parse([])
    assert again is not None
    assert (again.columns, again.sort_columns) == ([], [])


# Values each flag may take, and tokens that make argparse think twice.
_PLAUSIBLE_VALUES = ["1", "0", "5", "-1", "2.5", "x", "web", "a=b", "json", "shell", "ID"]
_JUNK_VALUES = ["", " ", "--", "-", "-1.5", "-.5", "nan", "-x", "-h", "--lim", "-1\n", "٣"]


@functools.cache
def argv_strategy(words: tuple[str, ...]) -> st.SearchStrategy[list[str]]:
    """Argv built of pieces: a switch, a flag and a value, `--flag=value`, any flag alone, or
    a stray token; mostly plausible, so that the fast parser answers often enough to check."""
    recorder, _ = parsers(words)
    switches = sorted(
        {flag for o in recorder.options if o.kind == "store_const" for flag in o.flags}
    )
    takers = sorted({flag for o in recorder.options if o.kind != "store_const" for flag in o.flags})
    plausible = st.sampled_from(_PLAUSIBLE_VALUES)
    values = st.one_of(
        plausible,
        plausible,
        st.sampled_from(_JUNK_VALUES),
        st.sampled_from(_JUNK_VALUES),
        st.text(alphabet="-=1x. \n٣", max_size=4),
    )
    switch = st.sampled_from(switches).map(lambda flag: [flag])
    with_value = st.tuples(st.sampled_from(takers), values).map(list)
    joined = st.builds(
        "{}={}".format, st.sampled_from([f for f in takers if f.startswith("--")]), values
    ).map(lambda token: [token])
    alone = st.sampled_from(recorded_flags(recorder)).map(lambda flag: [flag])
    stray = values.map(lambda token: [token])
    piece = st.one_of(
        switch, switch, with_value, with_value, with_value, joined, joined, alone, stray
    )
    return st.lists(piece, max_size=5).map(lambda pieces: [t for p in pieces for t in p])


@pytest.mark.parametrize("words", FAST_COMMANDS, ids=case_id)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fast_parser_agrees_with_argparse_on_any_argv(
    words: tuple[str, ...], data: st.DataObject
) -> None:
    argv = data.draw(argv_strategy(words), label="argv")
    assert_same_as_argparse(words, argv)


# Through the entry point -----------------------------------------------------------------------
def run_main(argv: list[str], tmp_path: Path) -> int:
    return main(
        argv,
        environ={},
        stdout=io.StringIO(),
        stderr=io.StringIO(),
        cache_dir=tmp_path / "auth-cache",
    )


def test_list_help_still_comes_from_argparse(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        run_main(["list", "--help"], tmp_path)
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: pocketstack list")
    for flag in ("--limit", "--all-tenants", "--os-auth-url", "--watch", "--format"):
        assert flag in out


def test_unknown_flag_still_exits_2_with_argparse_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        run_main(["list", "--limit", "5", "--frobnicate"], tmp_path)
    assert exited.value.code == 2
    assert capsys.readouterr().err == (
        "usage: pocketstack list [options]\n"
        "error: unrecognized arguments: --frobnicate\n"
        "Try 'pocketstack list --help' for more information.\n"
    )


def test_bad_value_still_exits_2_with_argparse_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        run_main(["list", "--limit", "many"], tmp_path)
    assert exited.value.code == 2
    assert "argument --limit: invalid int value: 'many'" in capsys.readouterr().err


def test_abbreviation_is_parsed_by_argparse_through_parse_arguments() -> None:
    spec = COMMANDS[("list",)]
    args = parse_arguments(("list",), spec, ["--lim", "5", "--all-t"])
    assert (args.limit, args.all_tenants) == (5, 1)


def test_common_argv_does_not_build_the_argparse_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    import pocketstack.cli.parser

    def refuse(*args: object, **kwargs: object) -> argparse.ArgumentParser:
        raise AssertionError("argparse was used")

    monkeypatch.setattr(pocketstack.cli.parser, "build_parser", refuse)
    args = parse_arguments(("list",), COMMANDS[("list",)], ["--limit", "-1", "-f", "json"])
    assert (args.limit, args.output_format) == (-1, "json")
