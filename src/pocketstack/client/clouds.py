"""clouds.yaml and secure.yaml, found where openstacksdk looks for them.

Search order (first file found wins): $OS_CLIENT_CONFIG_FILE, ./clouds.yaml,
~/.config/openstack/clouds.yaml, /etc/openstack/clouds.yaml (also .yml and .json);
secure.yaml ($OS_CLIENT_SECURE_FILE, then the same directories) is merged over the entry.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pocketstack.client.errors import ClientError

_EXTENSIONS = (".yaml", ".yml", ".json")


class CloudConfigError(ClientError):
    pass


def _directories(environ: Mapping[str, str]) -> list[Path]:
    home = Path(os.path.expanduser("~"))
    config_home = environ.get("XDG_CONFIG_HOME") or str(home / ".config")
    return [Path.cwd(), Path(config_home) / "openstack", Path("/etc/openstack")]


def find_file(stem: str, *, override: str | None, environ: Mapping[str, str]) -> Path | None:
    if override:
        path = Path(override).expanduser()
        return path if path.is_file() else None
    for directory in _directories(environ):
        for ext in _EXTENSIONS:
            path = directory / f"{stem}{ext}"
            if path.is_file():
                return path
    return None


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CloudConfigError(f"Cannot read {path}: {exc.strerror}") from exc
    try:
        if path.suffix == ".json":
            data = json.loads(text)
        else:
            import yaml

            data = yaml.safe_load(text)
    except ValueError as exc:
        raise CloudConfigError(f"{path} is not valid: {exc}") from exc
    except Exception as exc:  # yaml.YAMLError, without importing yaml to name it
        raise CloudConfigError(f"{path} is not valid YAML: {exc}") from exc
    return data if isinstance(data, dict) else {}


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_cloud(name: str, *, environ: Mapping[str, str]) -> dict[str, Any]:
    clouds_file = find_file(
        "clouds", override=environ.get("OS_CLIENT_CONFIG_FILE"), environ=environ
    )
    if clouds_file is None:
        raise CloudConfigError(
            f"Cloud {name} was not found: no clouds.yaml in the current directory, "
            "~/.config/openstack or /etc/openstack (or env[OS_CLIENT_CONFIG_FILE])"
        )
    clouds = _read(clouds_file).get("clouds") or {}
    entry = clouds.get(name)
    secure_file = find_file(
        "secure", override=environ.get("OS_CLIENT_SECURE_FILE"), environ=environ
    )
    secure_entry: Any = None
    if secure_file is not None:
        secure_entry = (_read(secure_file).get("clouds") or {}).get(name)
    if not isinstance(entry, dict):
        if not isinstance(secure_entry, dict):
            known = ", ".join(sorted(clouds)) or "none"
            raise CloudConfigError(
                f"Cloud {name} was not found in {clouds_file} (clouds defined: {known})"
            )
        entry = {}
    if isinstance(secure_entry, dict):
        entry = _merge(entry, secure_entry)
    return entry
