"""Shell completion scripts for bash, zsh and fish, generated from the COMMANDS table and each
command's own parser, so a new command or flag is completed without touching this module.

Server ids (--marker) and names (--name) come from the file `list` leaves behind
(pocketstack.cli.servercache), read by the shell itself: completing never starts Python and
never sends a request.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Mapping

from pocketstack.cli.completion_spec import Command, Flag
from pocketstack.cli.errors import CommandError

SHELLS = ("bash", "zsh", "fish")
# What the value of an option is completed from, by its dest.
SERVER_IDS = frozenset({"marker"})
SERVER_NAMES = frozenset({"name"})
FILES = frozenset({"os_cacert", "os_cert", "os_key"})
DIRECTORIES = frozenset({"data_dir"})


def _clean_help(text: str | None) -> str:
    if not text or text == argparse.SUPPRESS:
        return ""
    first = " ".join(text.replace("%%", "%").split())
    return first[:100]


def _flags(parser: argparse.ArgumentParser) -> tuple[list[Flag], list[str], dict[str, str]]:
    """(flags, positional choices, sub-commands with their help) of one parser."""
    flags: list[Flag] = []
    positional: list[str] = []
    subcommands: dict[str, str] = {}
    # argparse has no public way to list a parser's actions; _actions is what argparse's
    # own help formatter walks.
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name in action.choices:
                subcommands[name] = _clean_help(helps.get(name))
            continue
        if not action.option_strings:
            if action.choices:
                positional.extend(str(choice) for choice in action.choices)
            continue
        if action.help == argparse.SUPPRESS:
            continue
        arity = "none" if action.nargs == 0 else ("optional" if action.nargs == "?" else "value")
        source = ""
        if action.dest in SERVER_IDS:
            source = "ids"
        elif action.dest in SERVER_NAMES:
            source = "names"
        elif action.dest in FILES:
            source = "files"
        elif action.dest in DIRECTORIES:
            source = "dirs"
        choices = tuple(str(c) for c in action.choices) if action.choices else ()
        flags.append(
            Flag(
                names=tuple(action.option_strings),
                help=_clean_help(action.help),
                arity=arity,
                choices=choices,
                source=source,
            )
        )
    return flags, positional, subcommands


def collect() -> list[Command]:
    """Every command and sub-command with its flags (imports every command module)."""
    from pocketstack.cli.command_table import COMMANDS, load
    from pocketstack.cli.parser import build_parser

    commands: list[Command] = []
    for words, spec in COMMANDS.items():
        parser = build_parser(words, spec, load(spec))
        flags, positional, subcommands = _flags(parser)
        commands.append(
            Command(words=words, help=spec.help, flags=tuple(flags),
                    positional_choices=tuple(positional))
        )
        if subcommands:
            sub_parsers = _subparsers(parser)
            for name, help_text in subcommands.items():
                sub_flags, sub_positional, _ = _flags(sub_parsers[name])
                # A sub-command also accepts the flags its parent parser registered.
                commands.append(
                    Command(words=(*words, name), help=help_text,
                            flags=tuple(_merge(flags, sub_flags)),
                            positional_choices=tuple(sub_positional))
                )
    return commands


def _subparsers(parser: argparse.ArgumentParser) -> Mapping[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _merge(first: Iterable[Flag], second: Iterable[Flag]) -> list[Flag]:
    seen: set[str] = set()
    merged: list[Flag] = []
    for flag in [*second, *first]:
        if seen.intersection(flag.names):
            continue
        seen.update(flag.names)
        merged.append(flag)
    return merged


def global_value_flags() -> list[str]:
    from pocketstack.cli.options import OPTIONS

    return sorted(flag for option in OPTIONS if option.kind != "flag" for flag in option.flags)


def script(shell: str) -> str:
    if shell not in SHELLS:
        raise CommandError(f"Unknown shell {shell!r}; choose one of: {', '.join(SHELLS)}")
    from pocketstack.cli import completion_scripts

    commands = collect()
    if shell == "bash":
        return completion_scripts.bash(commands, global_value_flags())
    if shell == "zsh":
        return completion_scripts.zsh(commands, global_value_flags())
    return completion_scripts.fish(commands, global_value_flags())
