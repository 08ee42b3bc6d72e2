"""The `pocketstack` entry point: find the command, parse, run, and turn errors into exit codes.

Only the chosen command's module is imported (pocketstack.cli.command_table names it), so
`pocketstack --help` and `pocketstack X --help` import nothing they do not need.
Any error -> `ERROR (ClassName): message` on stderr and exit 1; Ctrl-C -> exit 130.
"""

from __future__ import annotations

import os
import sys

from pocketstack import __version__
from pocketstack.cli.command_table import COMMANDS, CommandSpec, load
from pocketstack.cli.options import OPTIONS, add_global_options
from pocketstack.cli.settings import Settings

# Warm-path module: see docs/startup.md.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path
    from typing import TextIO

    from pocketstack.cli.argspec import Namespace
    from pocketstack.client.transport import Transport

__all__ = ["COMMANDS", "find_command", "load", "main", "parse_arguments", "top_level_help"]


_VALUE_FLAGS = frozenset(
    flag for option in OPTIONS if option.kind != "flag" for flag in option.flags
)


def find_command(argv: Sequence[str]) -> tuple[tuple[str, ...], list[str]] | None:
    """(command words, the other arguments) — global options may come before the command."""
    index = 0
    while index < len(argv):
        token = argv[index]
        if token == "--":
            return None
        if token.startswith("-"):
            index += 2 if token in _VALUE_FLAGS else 1
            continue
        words = tuple(argv[index:])
        for length in range(min(3, len(words)), 0, -1):
            if words[:length] in COMMANDS:
                rest = list(argv[:index]) + list(argv[index + length :])
                return words[:length], rest
        return None
    return None


def _first_word(argv: Sequence[str]) -> str | None:
    index = 0
    while index < len(argv):
        token = argv[index]
        if token.startswith("-"):
            index += 2 if token in _VALUE_FLAGS else 1
            continue
        return token
    return None


def top_level_help() -> str:
    width = max(len(" ".join(words)) for words in COMMANDS)
    lines = [
        "usage: pocketstack [global options] <command> [options]",
        "",
        "The `nova list` system: a fast OpenStack client and an embedded cloud.",
        "",
        "commands:",
    ]
    for words, spec in COMMANDS.items():
        lines.append(f"  {' '.join(words).ljust(width)}  {spec.help}")
    lines += [
        "",
        "`pocketstack <command> --help` shows a command's options, the global ones included",
        "(--os-auth-url, --os-username, ... each with its OS_* variable).",
    ]
    return "\n".join(lines) + "\n"


def parse_arguments(words: tuple[str, ...], spec: CommandSpec, argv: Sequence[str]) -> Namespace:
    if spec.fast:
        from pocketstack.cli.argspec import ArgumentRecorder

        recorder = ArgumentRecorder()
        add_global_options(recorder, auth=spec.auth)
        load(spec).add_arguments(recorder)
        args = recorder.parse(argv)
        if args is not None:
            return args
    # Help, errors and every other command: argparse, with its messages and exit code 2.
    from pocketstack.cli.argspec import Namespace
    from pocketstack.cli.parser import build_parser

    parser = build_parser(words, spec, load(spec))
    return parser.parse_args(argv, namespace=Namespace())


def _run(
    argv: Sequence[str],
    *,
    environ: Mapping[str, str],
    stdout: TextIO,
    stderr: TextIO,
    transport: Transport | None,
    cache_dir: Path | None,
) -> int:
    if not argv or (argv[0] in ("-h", "--help", "help") and len(argv) == 1):
        stdout.write(top_level_help())
        return 0 if argv else 2
    if argv[0] == "--version":
        stdout.write(f"pocketstack {__version__}\n")
        return 0
    if argv[0] == "help":
        argv = [*argv[1:], "--help"]
    found = find_command(argv)
    if found is None:
        from pocketstack.cli.errors import CommandError

        word = _first_word(argv)
        if word is None:
            # Options but no command (`pocketstack --bogus`): the mistake, not the whole help.
            from pocketstack.cli.errors import usage_error_text

            stderr.write(
                usage_error_text(
                    "pocketstack [global options] <command> [options]",
                    f"no command given (arguments: {' '.join(argv)})",
                    command="pocketstack",
                )
            )
            return 2
        raise CommandError(f"Unknown command {word!r}; see `pocketstack --help`")
    words, rest = found
    spec = COMMANDS[words]
    args = parse_arguments(words, spec, rest)
    if spec.auth:
        from pocketstack.cli.settings import resolve

        settings = resolve(args, environ=environ)
    else:
        settings = Settings(debug=bool(getattr(args, "debug", False)))
    from pocketstack.cli.context import Context

    ctx = Context(
        args=args,
        settings=settings,
        stdout=stdout,
        stderr=stderr,
        environ=environ,
        transport=transport,
        cache_dir=cache_dir,
    )
    try:
        return load(spec).run(args, ctx)
    finally:
        ctx.finish()


def main(
    argv: Sequence[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    transport: Transport | None = None,
    cache_dir: Path | None = None,
) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        return _run(
            arguments,
            environ=os.environ if environ is None else environ,
            stdout=out,
            stderr=err,
            transport=transport,
            cache_dir=cache_dir,
        )
    except KeyboardInterrupt:
        err.write("... terminating pocketstack\n")
        return 130
    except BrokenPipeError:
        # `pocketstack list | head`: the reader left; nothing to report.
        return 0
    except Exception as exc:
        if "--debug" in arguments:
            import traceback

            traceback.print_exc(file=err)
        err.write(f"ERROR ({type(exc).__name__}): {exc}\n")
        return 1


if __name__ == "__main__":
    sys.exit(main())
