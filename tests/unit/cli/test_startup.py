"""Start-up cost is a feature: what `--help` and a warm command must never import."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from pocketstack.cli.main import main
from pocketstack.client.transport.wsgi import WSGITransport
from tests.unit.cli.conftest import V3_ENV

HEAVY = (
    "yaml",
    "pocketstack.cloud",
    "falcon",
    "sqlalchemy",
    "urllib3",
    "requests",
    "httpx",
    "cryptography",
    "logging",
    "email",
    "http.client",
    "ssl",
)
PROBE = (
    "import sys\n"
    "from pocketstack.cli.main import main\n"
    "try:\n    code = main(sys.argv[1:])\nexcept SystemExit as exc:\n    code = exc.code\n"
    "print('MODULES', ' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def _modules(argv: list[str], env: dict[str, str]) -> tuple[int, set[str], str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    line = next(x for x in result.stderr.splitlines() if x.startswith("MODULES "))
    return result.returncode, set(line.split()[1:]), result.stdout


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "NOVA_"))}
    return {**env, **extra}


def test_help_imports_nothing_heavy() -> None:
    code, modules, out = _modules(["token", "issue", "--help"], _clean_env())
    assert code == 0
    assert "--os-auth-url" in out
    assert _heavy(modules) == []
    assert "pocketstack.client.session" not in modules


def test_warm_catalog_list_imports_nothing_heavy(cloud_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cache_home = tmp_path / "xdg"
    # Cold run in-process fills the cache the subprocess will find.
    out = io.StringIO()
    assert (
        main(
            ["catalog", "list"],
            environ=V3_ENV,
            stdout=out,
            stderr=io.StringIO(),
            transport=WSGITransport(cloud_app),
            cache_dir=cache_home / "pocketstack" / "auth",
        )
        == 0
    )
    env = _clean_env(XDG_CACHE_HOME=str(cache_home), **V3_ENV)
    code, modules, printed = _modules(["catalog", "list"], env)
    # cloud.test does not resolve: success proves no request was sent.
    assert code == 0
    assert printed == out.getvalue()
    assert _heavy(modules) == []
