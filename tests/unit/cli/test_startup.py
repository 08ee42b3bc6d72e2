"""Start-up cost is a feature: what `--help` and a warm command must never import.

The rules these lists enforce, and why, are in docs/startup.md; the figures in BENCHMARKS.md.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from pocketstack.cli.main import main
from pocketstack.client.transport.wsgi import WSGITransport
from tests.fixtures.server import LiveCloud, pocketstack_command
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
# What a warm `pocketstack list` against an http:// cloud does not need (docs/startup.md).
WARM_LIST_AVOIDS = (
    *HEAVY,
    "argparse",
    "gettext",
    "locale",
    "re",
    "enum",
    "json",
    "functools",
    "collections",
    "dataclasses",
    "inspect",
    "pathlib",
    "typing",
    "urllib.parse",
    "ipaddress",
    "hashlib",
    "shutil",
    "datetime",
    "socket",
    "threading",
    "encodings.idna",
    "pocketstack.client.debug",
    "pocketstack.client.auth.discovery",
)
PROBE = (
    "import sys\n"
    "from pocketstack.cli.main import main\n"
    "try:\n    code = main(sys.argv[1:])\nexcept SystemExit as exc:\n    code = exc.code\n"
    "print('MODULES', ' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def _probe(argv: list[str], env: dict[str, str]) -> tuple[int, set[str], str, str]:
    """(exit code, modules imported, stdout, stderr without the MODULES line)."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    lines = result.stderr.splitlines()
    line = next(x for x in lines if x.startswith("MODULES "))
    rest = "\n".join(x for x in lines if not x.startswith("MODULES "))
    return result.returncode, set(line.split()[1:]), result.stdout, rest


def _modules(argv: list[str], env: dict[str, str]) -> tuple[int, set[str], str]:
    code, modules, out, _ = _probe(argv, env)
    return code, modules, out


def _heavy(modules: set[str], heavy: tuple[str, ...] = HEAVY) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in heavy))


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


def test_warm_list_sends_one_request_without_the_heavy_modules(
    live_cloud: LiveCloud, tmp_path: Path
) -> None:
    env = {**live_cloud.client_env(), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    # The cold run authenticates and caches the token and the compute version document.
    cold = subprocess.run(
        [*pocketstack_command(), "list", "--all-tenants"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert cold.returncode == 0, cold.stderr
    code, modules, printed, timings = _probe(["list", "--all-tenants", "--timings"], env)
    assert code == 0, timings
    assert printed == cold.stdout
    assert "Total (1 request)" in timings
    assert "/servers/detail?all_tenants=1" in timings
    assert _heavy(modules, WARM_LIST_AVOIDS) == []
    assert "pocketstack.client.transport.http" in modules  # it did go over the network
