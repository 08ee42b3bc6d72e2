"""The bench's own virtualenv (bench/.venv) with the upstream tools and matplotlib.

It is rebuilt only when bench/requirements.txt changes (its hash is kept in the venv), so a
second run starts at once. The interpreter is the one running the bench unless --python says
otherwise; upstream and pocketstack are then measured on the same Python.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
VENV_DIR = BENCH_DIR / ".venv"
REQUIREMENTS = BENCH_DIR / "requirements.txt"
STAMP = "bench-requirements.sha256"
VERSIONED = (
    "python-novaclient",
    "python-openstackclient",
    "openstacksdk",
    "keystoneauth1",
    "matplotlib",
)


@dataclass(frozen=True, kw_only=True)
class BenchVenv:
    root: Path

    @property
    def python(self) -> Path:
        return self.root / "bin" / "python"

    def tool(self, name: str) -> Path:
        return self.root / "bin" / name

    def versions(self) -> dict[str, str]:
        code = (
            "import importlib.metadata as m, json, sys\n"
            "out = {}\n"
            "for n in sys.argv[1:]:\n"
            "    try: out[n] = m.version(n)\n"
            "    except m.PackageNotFoundError: pass\n"
            "print(json.dumps(out))\n"
        )
        done = subprocess.run(
            [str(self.python), "-c", code, *VERSIONED], capture_output=True, text=True, check=True
        )
        result: dict[str, str] = json.loads(done.stdout)
        return result


def _base_interpreter(python: str) -> str:
    """The real interpreter behind a venv's python (so a venv never nests in another)."""
    done = subprocess.run(
        [python, "-c", "import os, sys; print(os.path.realpath(sys._base_executable))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def _digest(base: str) -> str:
    text = REQUIREMENTS.read_bytes() + b"\0" + base.encode()
    return hashlib.sha256(text).hexdigest()


def existing_venv() -> BenchVenv | None:
    venv = BenchVenv(root=VENV_DIR)
    return venv if venv.python.exists() else None


def ensure_venv(*, python: str | None = None, log: bool = True) -> BenchVenv:
    base = _base_interpreter(python or sys.executable)
    venv = BenchVenv(root=VENV_DIR)
    digest = _digest(base)
    stamp = VENV_DIR / STAMP
    if venv.python.exists() and stamp.exists() and stamp.read_text().strip() == digest:
        return venv
    if log:
        print(f"bench: building {VENV_DIR} (upstream tools from PyPI; once)", flush=True)
    if VENV_DIR.exists():
        shutil.rmtree(VENV_DIR)
    subprocess.run([base, "-m", "venv", str(VENV_DIR)], check=True)
    pip = [str(venv.python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    # pip's output (index warnings included) is shown only when the install fails.
    done = subprocess.run([*pip, "-r", str(REQUIREMENTS)], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"installing {REQUIREMENTS} failed:\n{done.stdout}{done.stderr}")
    stamp.write_text(digest + "\n")
    return venv
