"""The committed locks cover what is installed: a dependency added to pyproject.toml without
refreshing constraints.txt would install whatever release is newest, unpinned, in CI."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)$")


def _pins(path: Path) -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = PIN.match(line)
        assert match, f"{path.name}: not an exact pin: {line!r}"
        pins[canonicalize_name(match[1])] = match[2]
    return pins


def _project() -> dict[str, object]:
    with (REPO / "pyproject.toml").open("rb") as handle:
        return tomllib.load(handle)


def _build_requires() -> list[str]:
    build = _project()["build-system"]
    assert isinstance(build, dict)
    return list(build["requires"])


def _requirements() -> list[Requirement]:
    """pyproject.toml's dependencies, every extra's, then the build backend's."""
    project = _project()["project"]
    assert isinstance(project, dict)
    listed = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        listed += extra
    return [Requirement(text) for text in [*listed, *_build_requires()]]


def test_every_direct_requirement_is_pinned_within_its_range() -> None:
    pins = _pins(REPO / "constraints.txt")
    for requirement in _requirements():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} is not in constraints.txt: bash .ci/refresh-locks main"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"constraints.txt pins {name}=={pins[name]}, outside pyproject.toml's {requirement}"
        )


def test_the_running_environment_was_installed_from_the_lock() -> None:
    pins = _pins(REPO / "constraints.txt")
    installed = {
        canonicalize_name(dist.metadata["Name"]): dist.version
        for dist in importlib.metadata.distributions()
    }
    if installed.get("pocketstack") is None:
        pytest.skip("pocketstack is not installed in this interpreter")
    # What the lock names and this environment holds must agree. The build backend's pins are
    # for pip's isolated build environment, not for this one (a venv comes with its own).
    build = {canonicalize_name(Requirement(text).name) for text in _build_requires()}
    differ = {
        name: (pins[name], version)
        for name, version in installed.items()
        if name in pins and name not in build | {"wheel"} and version != pins[name]
    }
    assert not differ, f"installed versions differ from constraints.txt (lock, installed): {differ}"


@pytest.mark.parametrize("name", ["interop", "keystone"])
def test_pinned_venvs_pin_every_top_level_package(name: str) -> None:
    fixtures = REPO / "tests" / "fixtures"
    pins = _pins(fixtures / f"{name}-requirements.txt")
    for line in (fixtures / f"{name}-requirements.in").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            assert canonicalize_name(line.strip()) in pins, f"{line} is not pinned"
