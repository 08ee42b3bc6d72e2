"""argparse's parser for a command: its help, its error messages, and every command that
pocketstack.cli.argspec does not parse on its own."""

from __future__ import annotations

import argparse
import os
import sys

from pocketstack.cli.errors import usage_error_text
from pocketstack.cli.options import add_global_options

# Start-up path (argparse only for --help and mistakes): see docs/startup.md.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn

    from pocketstack.cli.command_table import CommandModule, CommandSpec


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
    fnmatch) inside every add_argument call just to check metavars."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=help_width())


class ArgumentParser(argparse.ArgumentParser):
    """argparse's parser with a short answer to a mistake: the usage in one line, the error,
    and where the help is (argparse's own usage for `list` is about 50 lines), exit status 2.
    `manage`'s subcommands get this class too (add_subparsers makes parsers of its own type)."""

    def error(self, message: str) -> NoReturn:
        words = [self.prog]
        # A required subcommand is part of what must be typed: `pocketstack manage SUBCOMMAND`.
        for action in self._get_positional_actions():
            if isinstance(action.metavar, str):
                words.append(action.metavar)
            elif action.choices is not None:
                words.append("{" + ",".join(map(str, action.choices)) + "}")
            else:
                words.append(action.dest.upper())
        self.exit(2, usage_error_text(f"{' '.join(words)} [options]", message, command=self.prog))


def build_parser(
    words: tuple[str, ...], spec: CommandSpec, module: CommandModule
) -> argparse.ArgumentParser:
    parser = ArgumentParser(
        prog=f"pocketstack {' '.join(words)}",
        description=spec.help,
        # A command may redefine a global flag (e.g. its own --os-compute-api-version).
        conflict_handler="resolve",
        formatter_class=HelpFormatter,
    )
    add_global_options(parser, auth=spec.auth)
    module.add_arguments(parser)
    return parser
