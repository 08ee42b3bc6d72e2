"""The genuine command-line clients of the interoperability venv, run against a real
`pocketstack serve` (tests/interop/conftest.py's `live` fixture gives one at the newest compute
microversion)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any


class Live:
    def __init__(self, venv: Path, env: dict[str, str], workdir: Path) -> None:
        self.venv = venv
        self.env = env
        self.workdir = workdir

    def run(self, *argv: str) -> str:
        result = subprocess.run(
            [str(self.venv / "bin" / argv[0]), *argv[1:]], env=self.env, capture_output=True,
            text=True, timeout=120, check=False, cwd=self.workdir,
        )  # fmt: skip
        assert result.returncode == 0, f"{argv}: {result.stderr}"
        return result.stdout

    def json(self, *argv: str) -> Any:
        return json.loads(self.run(*argv, "-f", "json"))
