"""BENCHMARKS.md's server side (4), with the genuine Keystone beside it, and the WSGI note."""

from __future__ import annotations

from typing import Any

from bench import report_tokens
from bench.report_format import iqr, mib, one_line, plot, table
from bench.stats import fmt_ratio, fmt_seconds


def server_side(section: dict[str, Any], plots: set[str], prefix: str) -> list[str]:
    if not section.get("pages") and not section.get("tokens"):
        return []
    lines = [
        "## 4. Server side",
        "",
        "One gunicorn worker for latencies (sequential requests on one keep-alive connection, "
        "the admin user's token scoped to the seeded project, default microversion); each "
        "database size is a fresh database filled by one `pocketstack manage seed`. Server CPU "
        "is the worker's user + system time per request (from /proc), which other load on "
        "the machine does not inflate.",
        "",
    ]
    if section.get("seeding"):
        rows = [
            [
                s["backend"],
                f"{s['added']:,}",
                f"{s['total']:,}",
                f"{s['seconds']:.1f} s",
                f"{s['added'] / s['seconds']:,.0f}/s" if s["seconds"] else "—",
            ]
            for s in section["seeding"]
        ]
        lines += [
            "Seeding:",
            "",
            *table(["database", "servers added", "total", "time", "rate"], rows),
            "",
        ]
    if section.get("pages"):
        rows = [
            [
                p["backend"],
                f"{p['servers']:,}",
                p["page"],
                f"**{fmt_seconds(p['latency_s']['median'])}**",
                fmt_seconds(p["latency_s"]["q3"] - p["latency_s"]["q1"]),
                str(p["latency_s"]["n"]),
                fmt_seconds(p["server_cpu_s"]) if "server_cpu_s" in p else "—",
                f"{p['body_bytes'] / 1024:.0f} KiB" if "body_bytes" in p else "—",
            ]
            for p in section["pages"]
        ]
        lines += [
            "Request latency by database size:",
            "",
            *table(
                ["database", "servers", "request", "median", "IQR", "n", "server CPU", "body"],
                rows,
            ),
            "",
            *plot("page_latency.png", plots, prefix, "page latency vs database size"),
        ]
    if section.get("load"):
        rows = [
            [
                e["backend"],
                str(e["workers"]),
                e["target"],
                f"**{e['rps']:,.0f}**",
                f"{e['latency_p50_ms']:.1f} ms" if e.get("latency_p50_ms") is not None else "—",
                f"{e['latency_p99_ms']:.1f} ms" if e.get("latency_p99_ms") is not None else "—",
                str(e["errors"]),
                f"{e['duration_s']:.0f} s, {e['connections']} conn., {e['tool']}",
            ]
            for e in section["load"]
        ]
        lines += [
            "Requests per second under concurrent load (loopback; the load generator shares "
            "the machine's cores with the server):",
            "",
            *table(
                ["database", "workers", "request", "req/s", "p50", "p99", "errors", "load"], rows
            ),
            "",
            *plot("load_rps.png", plots, prefix, "requests per second vs workers"),
        ]
    if section.get("tokens"):
        rows = []
        for rounds, t in sorted(section["tokens"].items(), key=lambda kv: int(kv[0])):
            rows.append(
                [
                    rounds,
                    f"**{fmt_seconds(t['latency_s']['median'])}**",
                    fmt_seconds(t["latency_s"]["q3"] - t["latency_s"]["q1"]),
                    str(t["latency_s"]["n"]),
                    fmt_seconds(t["bcrypt_check_s"]),
                    fmt_seconds(t["beyond_bcrypt_s"]),
                    fmt_seconds(t["server_cpu_s"]) if "server_cpu_s" in t else "—",
                    fmt_seconds(t["server_cpu_beyond_bcrypt_s"])
                    if "server_cpu_beyond_bcrypt_s" in t
                    else "—",
                ]
            )
        lines += [
            "Password token (`POST /v3/auth/tokens`, project scope, one worker), and the bcrypt "
            "check alone (`bcrypt.checkpw`, same interpreter):",
            "",
            *table(
                [
                    "bcrypt rounds",
                    "median",
                    "IQR",
                    "n",
                    "bcrypt check alone",
                    "beyond bcrypt",
                    "server CPU",
                    "server CPU beyond bcrypt CPU",
                ],
                rows,
            ),
            "",
        ]
    lines += report_tokens.token_kinds(section)
    lines += _keystone(section.get("keystone", {}))
    if section.get("rss"):
        rows = [
            [
                r["backend"],
                f"{r['servers']:,}",
                str(r["workers"]),
                r["after"],
                mib(r["master_kb"]),
                mib(r["worker_max_kb"]),
                mib(r["total_kb"]),
            ]
            for r in section["rss"]
        ]
        lines += [
            "Server RSS (gunicorn master + workers):",
            "",
            *table(
                [
                    "database",
                    "servers",
                    "workers",
                    "measured after",
                    "master",
                    "largest worker",
                    "total",
                ],
                rows,
            ),
            "",
        ]
    return lines


def keystone_rows(server: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = server.get("keystone", {}).get("comparison", [])
    return rows


def _keystone(keystone: dict[str, Any]) -> list[str]:
    if not keystone:
        return []
    if "skipped" in keystone:
        reason = one_line(keystone["skipped"])
        return [f"Genuine Keystone side by side: not measured in this run ({reason}).", ""]
    rows = []
    for row in keystone_rows({"keystone": keystone}):
        ks, ps = row["keystone"], row["pocketstack"]
        rows.append(
            [
                row["name"],
                f"**{fmt_seconds(ks['latency_s']['median'])}**",
                iqr(ks["latency_s"]),
                fmt_seconds(ks["server_cpu_s"]),
                f"**{fmt_seconds(ps['latency_s']['median'])}**",
                iqr(ps["latency_s"]),
                fmt_seconds(ps["server_cpu_s"]),
                str(ks["latency_s"]["n"]),
                f"**{fmt_ratio(row['latency_ratio'])}**" if row.get("latency_ratio") else "—",
                fmt_ratio(row["server_cpu_ratio"]) if row.get("server_cpu_ratio") else "—",
            ]
        )
    if not rows:
        return []
    return [
        f"Genuine Keystone {keystone.get('version', '?')} side by side, in this run: "
        f"{keystone.get('setup', '?')}; gunicorn {keystone.get('gunicorn', '?')}. Beside it "
        f"pocketstack: {keystone.get('pocketstack_setup', '?')}. Both ran at once and were "
        f"asked in turns ({keystone.get('blocks', '?')} blocks each, so that a drift of the "
        "machine's speed falls on both), by the same client, with the same requests and counts "
        "as above: the admin's token validating itself, a password token scoped to the admin "
        "project, and the other kinds of token above (their users, group, grants, application "
        "credential and trust made on each side through the same identity API calls; an "
        "application credential's secret is checked by bcrypt at the same 4 rounds as a "
        "password on both sides). Each side's caches were filled by a few validations first.",
        "",
        *table(
            [
                "request",
                "Keystone median",
                "IQR",
                "server CPU",
                "pocketstack median",
                "IQR",
                "server CPU",
                "n each",
                "Keystone / pocketstack",
                "by server CPU",
            ],
            rows,
        ),
        "",
    ]


def wsgi(section: dict[str, Any]) -> list[str]:
    if not section.get("frameworks"):
        return []
    rows = [
        [f["framework"], f"{f['us_per_request']:.1f} µs", f"{f['import_ms']:.0f} ms"]
        for f in section["frameworks"]
    ]
    return [
        "## WSGI framework overhead (why falcon)",
        "",
        "`bench/wsgi_overhead.py`: the same tiny JSON route driven in-process through each "
        "framework's WSGI callable.",
        "",
        *table(["framework", "per request", "import, over bare python"], rows),
        "",
    ]
