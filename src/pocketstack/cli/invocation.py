"""The `pocketstack` command as the user can type it again, for the hints commands print.

After the Quickstart the script is `.venv/bin/pocketstack`, not on PATH: a hint that says
`pocketstack openrc` would answer "command not found". Only error and hint paths import this.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys

NAME = "pocketstack"


def _same_file(first: str, second: str) -> bool:
    try:
        return os.path.samefile(first, second)
    except OSError:
        return False


def _as_typed(path: str, cwd: str) -> str:
    """`path` as one can type it in `cwd`: relative when it lies under cwd, else absolute."""
    if os.path.isabs(path):
        relative = os.path.relpath(path, cwd)
        if relative.startswith(os.pardir + os.sep) or relative == os.pardir:
            return path
        path = relative
    # A bare name would be looked up on PATH, which is not where this one is.
    return path if os.sep in path else os.curdir + os.sep + path


def typed_command(
    *,
    argv0: str | None = None,
    search_path: str | None = None,
    cwd: str | None = None,
    executable: str | None = None,
) -> str:
    """`pocketstack` if PATH finds this same script, else its path (relative to the current
    directory when under it), else `<python> -m pocketstack` when run as a module.

    The arguments default to this process's own (sys.argv[0], $PATH, the working directory,
    sys.executable); tests pass their own."""
    script = sys.argv[0] if argv0 is None else argv0
    here = os.getcwd() if cwd is None else cwd
    name = os.path.basename(script)
    if name != NAME:
        # `python -m pocketstack` (argv[0] is its __main__.py) or an embedding: no script.
        python = sys.executable if executable is None else executable
        return shlex.join([_as_typed(python, here) if os.sep in python else python, "-m", NAME])
    found = shutil.which(NAME, path=search_path)
    if found is not None and _same_file(found, os.path.join(here, script)):
        return NAME
    return shlex.quote(_as_typed(script, here))
