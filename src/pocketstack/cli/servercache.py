"""The ids and names of the last listed servers, for shell completion of --marker and --name.

A small text file, `<id>\\t<name>` per line, mode 0600 in a 0700 directory under the user's
cache directory; the completion scripts read it with the shell itself, so completing never
starts Python and never touches the network. The directory and the files follow the token
cache's rules (pocketstack.client.cache): the user's alone, or not used (said once on stderr);
written under a random name with O_EXCL|O_NOFOLLOW, then renamed into place.
"""

from __future__ import annotations

import os

from pocketstack.client.cache import (
    CacheRefused,
    open_private_dir,
    read_private,
    warn_refused,
    write_private,
)

# Warm-path module: see docs/startup.md (plain string paths, no pathlib).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from pocketstack.cli.context import Context
    from pocketstack.client.cache import Warn

FILE_NAME = "servers"
# A completion list is for a human to pick from; past this it is only slower to read.
MAX_ENTRIES = 5000


def directory(ctx: Context) -> str:
    """Next to the auth-state cache: `<cache home>/pocketstack/completion`."""
    if ctx.cache_dir is not None:
        auth_dir = os.path.normpath(os.fspath(ctx.cache_dir))
        return os.path.join(os.path.dirname(auth_dir), "completion")
    return default_directory(ctx.environ)


def default_directory(environ: Any) -> str:
    base = environ.get("XDG_CACHE_HOME") or os.environ.get("XDG_CACHE_HOME")
    if not base:
        base = os.path.join(environ.get("HOME") or os.path.expanduser("~"), ".cache")
    return os.path.join(base, "pocketstack", "completion")


def _clean(value: Any) -> str:
    # One entry per line, two fields per entry: no tab or line break may survive.
    text = "" if value is None else str(value)
    return " ".join(text.split()) if any(c in text for c in "\t\r\n") else text


def save(
    titles: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    directory: str | os.PathLike[str],
    warn: Warn | None = None,
) -> None:
    if "ID" not in titles or "Name" not in titles:
        return
    id_index, name_index = titles.index("ID"), titles.index("Name")
    kept = [row for row in rows[:MAX_ENTRIES] if row[id_index]]
    text = "".join(f"{row[id_index]}\t{row[name_index]}\n" for row in kept)
    if any(row[name_index] is None for row in kept) or (
        text.count("\t") != len(kept) or text.count("\n") != len(kept) or "\r" in text
    ):
        # A None, or a tab or line break inside an id or name: clean field by field (rare; the
        # check above costs a 10,000-row listing far less than cleaning every field).
        text = "".join(f"{_clean(row[id_index])}\t{_clean(row[name_index])}\n" for row in kept)
    data = text.encode("utf-8")
    directory = os.fspath(directory)
    try:
        dir_fd = open_private_dir(directory, create=True)
    except CacheRefused as exc:
        warn_refused(directory, "completion cache", exc, warn)
        return
    except OSError:
        # Completion is a convenience: a read-only cache must not fail the listing.
        return
    if dir_fd is None:  # removed again since makedirs
        return
    try:
        if read_private(dir_fd, FILE_NAME) == data:
            # The same listing as last time (the usual case): no write, no rename.
            return
        write_private(dir_fd, FILE_NAME, data)
    except OSError:
        return
    finally:
        os.close(dir_fd)


def load(directory: str | os.PathLike[str]) -> list[tuple[str, str]]:
    try:
        dir_fd = open_private_dir(os.fspath(directory), create=False)
    except OSError:
        return []
    if dir_fd is None:
        return []
    try:
        data = read_private(dir_fd, FILE_NAME)
    finally:
        os.close(dir_fd)
    try:
        text = (data or b"").decode("utf-8")
    except UnicodeDecodeError:
        return []
    entries = []
    for line in text.splitlines():
        server_id, _, name = line.partition("\t")
        if server_id:
            entries.append((server_id, name))
    return entries
