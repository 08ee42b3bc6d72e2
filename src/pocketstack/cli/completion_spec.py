"""What a completion script is generated from: the commands, their flags and where each
flag's value is completed from (pocketstack.cli.completion collects them from the parsers,
pocketstack.cli.completion_scripts writes them out for each shell)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Flag:
    names: tuple[str, ...]
    help: str
    # "none": a switch; "value": takes a word; "optional": nargs="?" (completion offers
    # values but the next word may be anything).
    arity: str
    choices: tuple[str, ...] = ()
    # "", "ids", "names", "files" or "dirs".
    source: str = ""


@dataclass(frozen=True, kw_only=True)
class Command:
    words: tuple[str, ...]
    help: str
    flags: tuple[Flag, ...]
    positional_choices: tuple[str, ...] = ()
