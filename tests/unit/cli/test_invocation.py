"""The command the hints print is one the user can type where they are."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pocketstack.cli.invocation import typed_command


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A clone after the Quickstart: .venv/bin/pocketstack, an executable script."""
    script = tmp_path / "clone" / ".venv" / "bin" / "pocketstack"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    return tmp_path / "clone"


def test_not_on_path_it_is_the_path_as_typed(checkout: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    hint = typed_command(argv0=".venv/bin/pocketstack", search_path=str(empty), cwd=str(checkout))
    assert hint == ".venv/bin/pocketstack"


def test_an_absolute_argv0_under_the_directory_is_made_relative(
    checkout: Path, tmp_path: Path
) -> None:
    script = str(checkout / ".venv" / "bin" / "pocketstack")
    hint = typed_command(argv0=script, search_path=str(tmp_path), cwd=str(checkout))
    assert hint == ".venv/bin/pocketstack"
    # From elsewhere, the absolute path (a `../..` path is no easier to type).
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert typed_command(argv0=script, search_path=str(tmp_path), cwd=str(elsewhere)) == script


def test_on_path_it_is_the_bare_name(checkout: Path) -> None:
    bin_dir = str(checkout / ".venv" / "bin")
    hint = typed_command(argv0=".venv/bin/pocketstack", search_path=bin_dir, cwd=str(checkout))
    assert hint == "pocketstack"


def test_another_pocketstack_on_path_is_not_taken_for_this_one(
    checkout: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other-bin"
    other.mkdir()
    (other / "pocketstack").write_text("#!/bin/sh\n")
    (other / "pocketstack").chmod(0o755)
    hint = typed_command(argv0=".venv/bin/pocketstack", search_path=str(other), cwd=str(checkout))
    assert hint == ".venv/bin/pocketstack"


def test_a_script_in_the_current_directory_gets_dot_slash(checkout: Path, tmp_path: Path) -> None:
    here = checkout / ".venv" / "bin"
    hint = typed_command(argv0=str(here / "pocketstack"), search_path=str(tmp_path), cwd=str(here))
    assert hint == "./pocketstack"


def test_a_path_with_spaces_is_quoted(tmp_path: Path) -> None:
    spaced = tmp_path / "my clone" / "bin"
    spaced.mkdir(parents=True)
    (spaced / "pocketstack").write_text("#!/bin/sh\n")
    hint = typed_command(
        argv0="my clone/bin/pocketstack", search_path=os.devnull, cwd=str(tmp_path)
    )
    assert hint == "'my clone/bin/pocketstack'"


def test_run_as_a_module_it_is_python_dash_m(tmp_path: Path) -> None:
    main_py = "/somewhere/site-packages/pocketstack/__main__.py"
    python = str(tmp_path / ".venv" / "bin" / "python")
    hint = typed_command(argv0=main_py, cwd=str(tmp_path), executable=python)
    assert hint == ".venv/bin/python -m pocketstack"
