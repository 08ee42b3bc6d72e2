"""BENCHMARKS.md's client sections: start-up (1), `list` (2, 3) and memory (5)."""

from __future__ import annotations

from typing import Any

from bench.report_format import mib, plot, ratio_lines, table, wall_cells
from bench.stats import fmt_seconds


def startup(section: dict[str, Any]) -> list[str]:
    if not section.get("measurements"):
        return []
    rows = [
        [
            f"`{m['name']}`",
            *wall_cells(m["wall_s"]),
            fmt_seconds(m["cpu_s_median"]),
            mib(m["maxrss_kb"]),
        ]
        for m in section["measurements"]
    ]
    return [
        "## 1. Client start-up",
        "",
        "Nothing sent over the network; `python` is the interpreter pocketstack runs on.",
        "",
        *table(["command", "median", "IQR", "range", "runs", "CPU", "peak RSS"], rows),
        "",
        *ratio_lines(section),
    ]


def list_small(section: dict[str, Any], plots: set[str], prefix: str) -> list[str]:
    if not section.get("measurements"):
        return []
    rows = [
        [
            f"`{m['name']}`",
            *wall_cells(m["wall_s"]),
            fmt_seconds(m["cpu_s_median"]),
            str(m.get("requests", "?")),
            str(m.get("rows", "?")),
        ]
        for m in section["measurements"]
    ]
    lines = [
        "## 2. `list`, 50 servers",
        "",
        f"The same cloud (bcrypt 4 rounds, SQLite, 2 workers); servers listed from the "
        f"{section.get('scope', 'admin project')}; v3 auth URL (`pocketstack openrc`). "
        "Warm = pocketstack's cached token; cold = `--no-cache`. "
        "Requests counted from the server's access log.",
        "",
        *table(["command", "median", "IQR", "range", "runs", "CPU", "requests", "rows"], rows),
        "",
        *ratio_lines(section),
        *plot("startup_list.png", plots, prefix, "start-up and list"),
        "<details><summary>The requests each tool sent</summary>",
        "",
    ]
    names = {m["key"]: m["name"] for m in section["measurements"]}
    for key, requests in section.get("requests", {}).items():
        label = names.get(key.removesuffix("_v2"), key)
        if key.endswith("_v2"):
            label += " (v2.0 auth URL, the seed's flow)"
        noun = "request" if len(requests) == 1 else "requests"
        lines.append(f"- `{label}` — {len(requests)} {noun}:")
        lines += [f"  - `{r}`" for r in requests]
    return [*lines, "", "</details>", ""]


def list_all(section: dict[str, Any], plots: set[str], prefix: str) -> list[str]:
    if not section.get("measurements") and not section.get("by_size"):
        return []
    rows = [
        [
            f"`{m['name']}`",
            *wall_cells(m["wall_s"]),
            fmt_seconds(m["cpu_s_median"]),
            mib(m["maxrss_kb"]),
            str(m.get("requests", "?")),
            str(m.get("rows", "?")),
        ]
        for m in section.get("measurements", [])
    ]
    lines = [
        f"## 3. {section.get('title', 'All servers')}",
        "",
        *table(
            ["command", "median", "IQR", "range", "runs", "CPU", "peak RSS", "requests", "rows"],
            rows,
        ),
        "",
        *ratio_lines(section),
    ]
    by_size = section.get("by_size", {})
    if by_size:
        sizes = sorted(by_size, key=int)
        keys: dict[str, str] = {}
        for size in sizes:
            for key, point in by_size[size].items():
                keys.setdefault(key, point["label"])
        rows = []
        for key, label in keys.items():
            cells = [f"`{label}`"]
            for size in sizes:
                point = by_size[size].get(key)
                cells.append(fmt_seconds(point["wall_s"]["median"]) if point else "—")
            rows.append(cells)
        lines += [
            "Median wall time by number of servers:",
            "",
            *table(["command", *[f"{int(s):,}" for s in sizes]], rows),
            "",
        ]
    lines += plot("list_latency.png", plots, prefix, "list latency vs number of servers")
    return lines


def memory(section: dict[str, Any]) -> list[str]:
    if not section.get("measurements"):
        return []
    rows = [
        [
            f"`{m['name']}`",
            f"{m['servers']:,}",
            f"**{mib(m['maxrss_kb'])}**",
            fmt_seconds(m["wall_s"]["median"]),
            str(m["wall_s"]["n"]),
            f"{m['rows']:,}",
        ]
        for m in section["measurements"]
    ]
    return [
        "## 5. Memory: peak RSS of a full listing",
        "",
        "Peak resident set size of the client process (`wait4` rusage).",
        "",
        *table(["command", "servers", "peak RSS", "wall", "runs", "rows"], rows),
        "",
    ]
