"""Saved defaults for `pocketstack list`: the user's config file, per-cloud overrides.

    $POCKETSTACK_CONFIG, else $XDG_CONFIG_HOME/pocketstack/config.toml
    (XDG_CONFIG_HOME defaults to ~/.config)

    [list]                        # every cloud
    columns = ["ID", "Name", "Status", "Networks"]
    format = "table"              # table, json, yaml, csv, value
    long = true
    limit = 50                    # page size: --limit
    fit_width = true
    max_width = 160
    color = false

    [clouds.prod.list]            # with --os-cloud prod (or OS_CLOUD=prod): wins over [list]

Command-line flags always win (pocketstack.cli.commands.list.options applies the defaults).
A file that does not parse, an unknown key or a value of the wrong type is an error naming
the file and the line. This module is imported only when a file exists, so users without
one pay nothing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pocketstack.cli.configpath import config_file
from pocketstack.cli.errors import CommandError
from pocketstack.cli.output import FORMATS


def config_path(environ: Mapping[str, str]) -> Path:
    """$POCKETSTACK_CONFIG, else $XDG_CONFIG_HOME/pocketstack/config.toml (~/.config)."""
    return Path(config_file(environ))


class UserConfigError(CommandError):
    """The user's config file cannot be used; the message names the file and line."""


@dataclass(frozen=True, kw_only=True)
class Key:
    name: str
    kind: type
    help: str


LIST_KEYS: tuple[Key, ...] = (
    Key(name="columns", kind=list, help="columns to show, as -c"),
    Key(name="format", kind=str, help="output format, as -f"),
    Key(name="long", kind=bool, help="--long by default"),
    Key(name="limit", kind=int, help="page size, as --limit (-1 = every page)"),
    Key(name="fit_width", kind=bool, help="--fit-width by default"),
    Key(name="max_width", kind=int, help="--max-width by default"),
    Key(name="color", kind=bool, help="false = --no-color by default"),
)
_KEYS = {key.name: key for key in LIST_KEYS}


@dataclass(frozen=True)
class ListDefaults:
    values: Mapping[str, Any]

    def get(self, name: str) -> Any:
        return self.values.get(name)


def load(path: str | os.PathLike[str], *, cloud: str | None) -> ListDefaults:
    """The [list] defaults with the [clouds.<cloud>.list] ones on top; empty if no file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return ListDefaults({})
    except OSError as exc:
        raise UserConfigError(f"{path}: cannot read the config file: {exc.strerror}") from None
    import tomllib

    try:
        text = data.decode("utf-8")
        document = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise UserConfigError(f"{path}: not UTF-8 text ({exc.reason})") from None
    except tomllib.TOMLDecodeError as exc:
        raise UserConfigError(f"{path}, {_decode_error(exc)}") from None
    return ListDefaults(_merge(document, text=text, path=path, cloud=cloud))


def _decode_error(exc: Exception) -> str:
    # Python 3.11's TOMLDecodeError only tells the position in its message.
    message = str(exc)
    found = re.search(r"\(at line (\d+), column (\d+)\)", message)
    if found is None:
        return f"invalid TOML: {message}"
    reason = message[: found.start()].strip()
    return f"line {found.group(1)}, column {found.group(2)}: invalid TOML: {reason}"


def _merge(
    document: Mapping[str, Any], *, text: str, path: Path, cloud: str | None
) -> dict[str, Any]:
    for name in document:
        if name not in ("list", "clouds"):
            raise _error(path, text, (), name, f"unknown section or key {name!r} "
                         "(expected [list] or [clouds.<name>.list])")
    merged = _section(document, ("list",), text=text, path=path)
    clouds = document.get("clouds", {})
    if not isinstance(clouds, dict):
        raise _error(path, text, (), "clouds", "clouds must be a table: [clouds.<name>.list]")
    for name, entry in clouds.items():
        if not isinstance(entry, dict):
            raise _error(path, text, ("clouds",), name,
                         f"clouds.{name} must be a table: [clouds.{name}.list]")
        for key in entry:
            if key != "list":
                raise _error(path, text, ("clouds", name), key,
                             f"unknown key {key!r} in [clouds.{name}] (expected list)")
        # Every cloud's entry is checked, not only the one in use: a typo should not wait
        # for the day that cloud is picked.
        values = _section(document, ("clouds", name, "list"), text=text, path=path)
        if name == cloud:
            merged.update(values)
    return merged


def _section(
    document: Mapping[str, Any], table: tuple[str, ...], *, text: str, path: Path
) -> dict[str, Any]:
    node: Any = document
    for part in table:
        node = node.get(part, {}) if isinstance(node, dict) else None
    if not isinstance(node, dict):
        raise _error(path, text, table[:-1], table[-1], f"{'.'.join(table)} must be a table")
    values: dict[str, Any] = {}
    for name, value in node.items():
        where = ".".join(table)
        key = _KEYS.get(name)
        if key is None:
            known = ", ".join(_KEYS)
            raise _error(path, text, table, name, f"unknown key {name!r} in [{where}] "
                         f"(known: {known})")
        problem = _check(key, value)
        if problem:
            raise _error(path, text, table, name, f"{where}.{name}: {problem}")
        values[name] = list(value) if isinstance(value, list) else value
    return values


def _check(key: Key, value: Any) -> str | None:
    if key.kind is bool:
        return None if isinstance(value, bool) else f"expected true or false, not {value!r}"
    if key.kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"expected an integer, not {value!r}"
        if key.name == "limit" and value < -1:
            return f"expected -1 (every page) or more, not {value}"
        return None
    if key.kind is list:
        if not isinstance(value, list) or not value or not all(
            isinstance(item, str) and item for item in value
        ):
            return f"expected a list of column names, not {value!r}"
        return None
    if not isinstance(value, str):
        return f"expected a string, not {value!r}"
    if key.name == "format" and value not in FORMATS:
        return f"expected one of {', '.join(FORMATS)}, not {value!r}"
    return None


def _error(path: Path, text: str, table: tuple[str, ...], key: str, message: str) -> Exception:
    line = find_line(text, table, key)
    where = f", line {line}" if line else ""
    return UserConfigError(f"{path}{where}: {message}")


def find_line(text: str, table: tuple[str, ...], key: str) -> int | None:
    """The line defining `key` in `table` (header form or dotted keys), 1-based."""
    current: tuple[str, ...] = ()
    key_pattern = re.compile(r"\s*([A-Za-z0-9_.\"' -]+?)\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            current = _dotted(stripped.strip("[]"))
            if current == (*table, key) or current[: len(table) + 1] == (*table, key):
                return number
            continue
        found = key_pattern.match(line)
        if found is None:
            continue
        full = current + _dotted(found.group(1))
        if full[: len(table) + 1] == (*table, key):
            return number
    return None


def _dotted(text: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in text.split("."))
