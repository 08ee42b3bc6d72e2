"""The pytest plugin as a tool's test environment gets it: the wheel built from this checkout,
installed into a fresh virtualenv beside pytest and openstacksdk and nothing else, runs the
example test module of README.md ("Testing your tool against pocketstack") — the plugin found
through its entry point in the installed package, never this source tree."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
INTEROP_PINS = REPO / "tests" / "fixtures" / "interop-requirements.txt"
SECTION = "## Testing your tool against pocketstack"
_IGNORED = shutil.ignore_patterns(".git", ".venv*", "build", "dist", "__pycache__",
                                  "*.egg-info", ".conformance", "results", ".*_cache")  # fmt: skip


def readme_example() -> str:
    """The first python code block of the section."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index(SECTION) :]
    found = re.search(r"^```python\n(.*?)^```$", section, flags=re.S | re.M)
    assert found is not None, f"README.md's {SECTION!r} shows no python example"
    return found.group(1)


def _pins(path: Path) -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name = line.split("==", 1)[0]
            pins[re.sub(r"[-_.]+", "-", name).lower()] = line
    return pins


def _constraints(into: Path) -> Path:
    """pocketstack's lock, and the interop lock's pins for what it does not name (openstacksdk
    and its dependencies): the versions CI tests, one resolution."""
    ours = _pins(REPO / "constraints.txt")
    theirs = _pins(INTEROP_PINS)
    lines = list(ours.values()) + [pin for name, pin in theirs.items() if name not in ours]
    into.write_text("\n".join(lines) + "\n")
    return into


def _run(args: list[str], *, cwd: Path, env: dict[str, str], timeout: float
         ) -> subprocess.CompletedProcess[str]:  # fmt: skip
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)  # fmt: skip
    assert done.returncode == 0, f"{args}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def test_readme_example_runs_with_the_installed_wheel(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "OS_", "PIP_C"))}
    env["HOME"] = str(tmp_path / "home")
    env["PIP_CONSTRAINT"] = str(_constraints(tmp_path / "constraints.txt"))
    source = tmp_path / "source"
    shutil.copytree(REPO, source, ignore=_IGNORED)
    wheels = tmp_path / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels),
          str(source)], cwd=tmp_path, env=env, timeout=600)  # fmt: skip
    (wheel,) = wheels.glob("pocketstack-*.whl")
    target = tmp_path / "venv"
    venv.create(target, with_pip=True)
    python = target / "bin" / "python"
    _run([str(python), "-m", "pip", "install", "-q", str(wheel), "pytest", "openstacksdk"],
         cwd=tmp_path, env=env, timeout=900)  # fmt: skip

    work = tmp_path / "tool"
    work.mkdir()
    (work / "test_with_pocketstack.py").write_text(readme_example())
    where = _run([str(python), "-c", "import pocketstack.testing.pytest_plugin as p;"
                  " print(p.__file__)"], cwd=work, env=env, timeout=60)  # fmt: skip
    assert where.stdout.strip().startswith(str(target)), where.stdout
    done = subprocess.run(
        [str(python), "-m", "pytest", "-v", "-p", "no:cacheprovider", "test_with_pocketstack.py"],
        cwd=work, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    passed = re.findall(r"::(\w+) PASSED", done.stdout)
    assert passed == re.findall(r"^def (test_\w+)", readme_example(), flags=re.M)
