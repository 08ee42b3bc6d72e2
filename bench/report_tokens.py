"""BENCHMARKS.md's token kinds in case 4: an application credential, a group's role and a
trust beside the admin's password token, each at the bcrypt rounds it was measured at."""

from __future__ import annotations

from typing import Any

from bench.report_format import iqr, table
from bench.stats import fmt_seconds

ADMIN_PASSWORD = "password token, the admin (role granted directly) — the row above"


def token_kinds(section: dict[str, Any]) -> list[str]:
    kinds: list[dict[str, Any]] = section.get("token_kinds", [])
    if not kinds:
        return []
    tokens: dict[str, Any] = section.get("tokens", {})
    rows = []
    for rounds in sorted({k["rounds"] for k in kinds}):
        base = tokens.get(str(rounds))
        if base is not None:
            rows.append(_row(rounds, ADMIN_PASSWORD, base, base))
        rows += [_row(rounds, k["name"], k, base) for k in kinds if k["rounds"] == rounds]
    return [
        *_ran(section.get("token_run")),
        "Other kinds of token beside the admin's password token, on the same cloud (SQLite, "
        "one gunicorn worker, the same bcrypt rounds), timed the same way (sequential "
        "`POST /v3/auth/tokens` on one connection, one warm-up, the same count, median; "
        "server CPU per token). Users, group, grants, application credential and trust are "
        "made through the identity API before timing; each token is checked to carry the "
        "member role on the admin project. Every kind costs exactly one bcrypt check at the "
        "same rounds: an application credential's secret is stored as a bcrypt hash like a "
        "password, and a trust's trustee logs in with its password, so the rows compare like "
        "with like and the bcrypt check alone above applies to each. At 12 rounds the check "
        "is nearly all of a token's cost, and the column beyond it is the difference of two "
        "figures measured apart (the check in its own process): a few milliseconds either "
        "way, negative ones included, are within that noise.",
        "",
        *table(
            [
                "bcrypt rounds",
                "token",
                "median",
                "IQR",
                "n",
                "server CPU",
                "server CPU beyond bcrypt CPU",
                "median / admin's password token",
                "server CPU / admin's",
            ],
            rows,
        ),
        "",
    ]


def _row(rounds: int, name: str, kind: dict[str, Any], base: dict[str, Any] | None) -> list[str]:
    latency, cpu = kind["latency_s"], kind["server_cpu_s"]
    bcrypt_cpu = base.get("bcrypt_check_cpu_s") if base else None
    return [
        str(rounds),
        name,
        f"**{fmt_seconds(latency['median'])}**",
        iqr(latency),
        str(latency["n"]),
        fmt_seconds(cpu),
        fmt_seconds(cpu - bcrypt_cpu) if bcrypt_cpu is not None else "—",
        _ratio(latency["median"], base["latency_s"]["median"] if base else None),
        _ratio(cpu, base.get("server_cpu_s") if base else None),
    ]


def _ratio(value: float, base: float | None) -> str:
    # Two decimals: these ratios sit near 1, where fmt_ratio's one would hide a 5% step.
    return f"{value / base:.2f}x" if base else "—"


def _ran(run: dict[str, Any] | None) -> list[str]:
    """The token part's own run when `--only tokens --merge` refreshed it alone: its date
    and load average differ from the header's."""
    if not run:
        return []
    return [
        f"The token part (this table, the password token above and the Keystone side by side "
        f"below) was refreshed alone by `python -m bench --only tokens --merge` "
        f"({run.get('mode', '?')} mode, {run.get('date', '?')}, git "
        f"{run.get('git_commit', '?')}{' + local changes' if run.get('git_dirty') else ''}; "
        f"load average (1, 5, 15 min) {run.get('load_average_at_start', '?')} at its start, "
        f"{run.get('load_average_at_end', '?')} at its end, on "
        f"{run.get('cores', '?')} cores shared with other work).",
        "",
    ]
