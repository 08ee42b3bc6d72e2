"""The commands `pocketstack` knows: each one's words, help, module and how it is parsed.

main finds the command here and imports only its module; the argparse parser
(pocketstack.cli.parser) and the completion scripts are built from the same table.
"""

from __future__ import annotations

# Warm-path module: see docs/startup.md.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol

    from pocketstack.cli.argspec import ArgumentParserLike, Namespace
    from pocketstack.cli.context import Context

    class CommandModule(Protocol):
        def add_arguments(self, parser: ArgumentParserLike) -> None: ...

        def run(self, args: Namespace, ctx: Context) -> int: ...


class CommandSpec:
    __slots__ = ("auth", "fast", "help", "module")

    def __init__(self, *, module: str, help: str, auth: bool = True, fast: bool = False) -> None:
        self.module = module
        self.help = help
        # Commands that talk to a cloud get the auth options; the serving ones do not.
        self.auth = auth
        # The commands run often enough for argparse's start-up to matter
        # (pocketstack.cli.argspec): their arguments skip it when it cannot change the answer.
        self.fast = fast


COMMANDS: dict[tuple[str, ...], CommandSpec] = {
    ("list",): CommandSpec(
        module="pocketstack.cli.commands.list",
        help="List servers (every `nova list` flag)",
        fast=True,
    ),
    ("token", "issue"): CommandSpec(
        module="pocketstack.cli.commands.token_issue",
        help="Show a token (the cached one while valid; --no-cache for a new one)",
        fast=True,
    ),
    ("catalog", "list"): CommandSpec(
        module="pocketstack.cli.commands.catalog_list",
        help="List the services in the service catalog",
        fast=True,
    ),
    ("fault", "add"): CommandSpec(
        module="pocketstack.cli.commands.fault_add",
        help="Add a fault rule (a cloud served with test_controls on)",
    ),
    ("fault", "list"): CommandSpec(
        module="pocketstack.cli.commands.fault_list", help="List the fault rules"
    ),
    ("fault", "clear"): CommandSpec(
        module="pocketstack.cli.commands.fault_clear", help="Remove the fault rules"
    ),
    ("clock", "advance"): CommandSpec(
        module="pocketstack.cli.commands.clock_advance",
        help="Move the cloud's clock forward (or --reset it)",
    ),
    ("driver", "delay"): CommandSpec(
        module="pocketstack.cli.commands.driver_delay",
        help="Set how long servers stay in BUILD and other transitions (or --reset it)",
    ),
    ("demo",): CommandSpec(
        module="pocketstack.cli.commands.demo",
        help="Start the cloud if needed, seed a few servers, and list them",
        auth=False,
    ),
    ("serve",): CommandSpec(
        module="pocketstack.cli.commands.serve",
        help="Run the cloud (identity, compute, image, network) in the foreground",
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
        help="Administer the cloud: db-upgrade, fernet keys, bootstrap, seed, snapshots",
        auth=False,
    ),
    ("completion",): CommandSpec(
        module="pocketstack.cli.commands.completion",
        help="Print a bash, zsh or fish completion script",
        auth=False,
    ),
}


def load(spec: CommandSpec) -> CommandModule:
    # __import__ with a fromlist returns the submodule itself (no `import importlib` needed).
    module: CommandModule = __import__(spec.module, fromlist=["run"])
    return module
