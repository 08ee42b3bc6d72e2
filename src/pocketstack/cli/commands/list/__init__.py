"""`pocketstack list`: `nova list` with every flag of novaclient's do_list, and more.

Flags, search options, microversion gates, columns and messages follow novaclient
(v2/shell.py do_list); `-f/-c/--sort-column` and `--long` follow python-openstackclient.

The package's modules, in the order a run uses them:
- arguments: the flags, nova's and those beyond nova (--long, the output's, --watch);
- options: ListOptions, the flags with the user's saved defaults applied, resolved once;
- query: the flags -> the GET /servers request (names to ids, microversion gates);
- columns: what each column shows, read from a server's body;
- paging: pages -> rows as they arrive, --long's names filled in, nova's order;
- command: the run itself (checks, the listing, printing or --watch, the completion cache).
"""

from __future__ import annotations

from pocketstack.cli.commands.list.arguments import add_arguments
from pocketstack.cli.commands.list.command import run

HELP = "list servers (every `nova list` flag, plus -f/-c/--long)"

__all__ = ["HELP", "add_arguments", "run"]
