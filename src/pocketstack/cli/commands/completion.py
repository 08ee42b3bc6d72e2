"""`pocketstack completion bash|zsh|fish`: print a completion script for every command and
flag (generated from the COMMANDS table and the commands' parsers)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pocketstack.cli.argspec import Namespace
    from pocketstack.cli.context import Context

SHELLS = ("bash", "zsh", "fish")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("shell", choices=SHELLS, help="The shell to complete in")
    parser.epilog = (
        "bash: `source <(pocketstack completion bash)` in ~/.bashrc; "
        "zsh: `source <(pocketstack completion zsh)` in ~/.zshrc after compinit; "
        "fish: `pocketstack completion fish > ~/.config/fish/completions/pocketstack.fish`. "
        "Server ids and names complete from the last `pocketstack list`."
    )


def run(args: Namespace, ctx: Context) -> int:
    from pocketstack.cli.completion import script

    ctx.stdout.write(script(args.shell))
    return 0
