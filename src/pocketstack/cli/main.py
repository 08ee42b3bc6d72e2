"""The `pocketstack` entry point: find the command, parse, run, and turn errors into exit codes.

Only the chosen command's module is imported (the COMMANDS table names it), so
`pocketstack --help` and `pocketstack X --help` import nothing they do not need.
Any error -> `ERROR (ClassName): message` on stderr and exit 1; Ctrl-C -> exit 130.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence

from pocketstack import __version__
from pocketstack.cli.options import OPTIONS, Settings, add_global_options

# Not `typing.TYPE_CHECKING`: importing typing costs a warm run ~3 ms; mypy honours the name.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Protocol, TextIO

    from pocketstack.cli.context import Context
    from pocketstack.client.transport import Transport

    class CommandModule(Protocol):
        def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

        def run(self, args: argparse.Namespace, ctx: Context) -> int: ...


class CommandSpec:
    __slots__ = ("auth", "help", "module")

    def __init__(self, *, module: str, help: str, auth: bool = True) -> None:
        self.module = module
        self.help = help
        # Commands that talk to a cloud get the auth options; the serving ones do not.
        self.auth = auth


COMMANDS: dict[tuple[str, ...], CommandSpec] = {
    ("list",): CommandSpec(
        module="pocketstack.cli.commands.list", help="List servers (every `nova list` flag)"
    ),
    ("token", "issue"): CommandSpec(
        module="pocketstack.cli.commands.token_issue",
        help="Show a token (the cached one while valid; --no-cache for a new one)",
    ),
    ("catalog", "list"): CommandSpec(
        module="pocketstack.cli.commands.catalog_list",
        help="List the services in the service catalog",
    ),
    ("demo",): CommandSpec(
        module="pocketstack.cli.commands.demo",
        help="Start the cloud if needed, seed a few servers, and list them",
        auth=False,
    ),
    ("serve",): CommandSpec(
        module="pocketstack.cli.commands.serve",
        help="Run the cloud (identity, compute, image) in the foreground",
        auth=False,
    ),
    ("up",): CommandSpec(
        module="pocketstack.cli.commands.up", help="Start the cloud in the background", auth=False
    ),
    ("down",): CommandSpec(
        module="pocketstack.cli.commands.down", help="Stop the running cloud", auth=False
    ),
    ("status",): CommandSpec(
        module="pocketstack.cli.commands.status",
        help="Say whether the cloud runs and where",
        auth=False,
    ),
    ("openrc",): CommandSpec(
        module="pocketstack.cli.commands.openrc",
        help="Print OS_* exports for the cloud's admin",
        auth=False,
    ),
    ("manage",): CommandSpec(
        module="pocketstack.cli.commands.manage",
        help="Administer the cloud: db-upgrade, fernet keys, bootstrap, seed",
        auth=False,
    ),
    ("completion",): CommandSpec(
        module="pocketstack.cli.commands.completion",
        help="Print a bash, zsh or fish completion script",
        auth=False,
    ),
}


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


def help_width() -> int:
    """The width argparse's HelpFormatter would use: shutil.get_terminal_size() columns - 2."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return (columns or 80) - 2


class HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, told its width: left alone it imports shutil (with bz2, lzma and
    fnmatch, ~3 ms) inside every add_argument call just to check metavars."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=help_width())


def build_parser(words: tuple[str, ...], spec: CommandSpec) -> argparse.ArgumentParser:
    # __import__ with a fromlist returns the submodule itself (no `import importlib` needed).
    module: CommandModule = __import__(spec.module, fromlist=["run"])
    parser = argparse.ArgumentParser(
        prog=f"pocketstack {' '.join(words)}",
        description=spec.help,
        # A command may redefine a global flag (e.g. its own --os-compute-api-version).
        conflict_handler="resolve",
        formatter_class=HelpFormatter,
    )
    add_global_options(parser, auth=spec.auth)
    module.add_arguments(parser)
    parser.set_defaults(_module=module)
    return parser


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
            stdout.write(top_level_help())
            return 2
        raise CommandError(f"Unknown command {word!r}; see `pocketstack --help`")
    words, rest = found
    spec = COMMANDS[words]
    parser = build_parser(words, spec)
    args = parser.parse_args(rest)
    if spec.auth:
        from pocketstack.cli.options import resolve

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
        module: CommandModule = args._module
        return module.run(args, ctx)
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
