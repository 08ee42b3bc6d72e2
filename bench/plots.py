"""The PNG plots of BENCHMARKS.md, drawn from a results file; runs in bench/.venv (matplotlib).

Usage: bench/.venv/bin/python bench/plots.py RESULTS.json OUTPUT_DIR — prints the files written.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

COLORS = {
    "ps": "#1f77b4",
    "nova": "#d62728",
    "osc": "#ff7f0e",
    "osc_n": "#bcbd22",
    "sdk": "#2ca02c",
}


def _color(key: str) -> str | None:
    for prefix in ("osc_all_n", "osc_server_list", "osc", "nova", "sdk", "ps", "floor"):
        if key.startswith(prefix):
            return {
                "osc_all_n": COLORS["osc_n"],
                "osc_server_list": COLORS["osc"],
                "osc": COLORS["osc"],
                "nova": COLORS["nova"],
                "sdk": COLORS["sdk"],
                "ps": COLORS["ps"],
                "floor": "#7f7f7f",
            }[prefix]
    return None


def list_latency(results: dict[str, Any], out: Path) -> Path | None:
    by_size = results["cases"].get("list_all", {}).get("by_size", {})
    if not by_size:
        return None
    series: dict[str, tuple[str, list[tuple[int, float]]]] = {}
    for size, points in by_size.items():
        for key, point in points.items():
            label, values = series.setdefault(key, (point["label"], []))
            values.append((int(point.get("shown", size)), point["wall_s"]["median"]))
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for key, (label, values) in series.items():
        values.sort()
        ax.plot(
            [v[0] for v in values],
            [v[1] for v in values],
            marker="o",
            label=label,
            color=_color(key),
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("servers listed")
    ax.set_ylabel("wall time, median (s)")
    ax.set_title("Listing every server: wall time vs number of servers")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path = out / "list_latency.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def page_latency(results: dict[str, Any], out: Path) -> Path | None:
    pages = results["cases"].get("server", {}).get("pages", [])
    if not pages:
        return None
    kinds = sorted({entry["page"] for entry in pages})
    palette = plt.get_cmap("tab10")
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), sharex=True)
    for metric, ax, title in (
        ("latency", axes[0], "latency, median (ms)"),
        ("cpu", axes[1], "server CPU per request (ms)"),
    ):
        series: dict[tuple[str, str], list[tuple[int, float]]] = {}
        for entry in pages:
            if metric == "latency":
                value = entry["latency_s"]["median"] * 1000
            elif "server_cpu_s" in entry:
                value = entry["server_cpu_s"] * 1000
            else:
                continue
            series.setdefault((entry["backend"], entry["page"]), []).append(
                (entry["servers"], value)
            )
        for (backend, kind), values in sorted(series.items()):
            values.sort()
            ax.plot(
                [v[0] for v in values],
                [v[1] for v in values],
                "--" if backend == "postgresql" else "-",
                marker="s" if backend == "postgresql" else "o",
                color=palette(kinds.index(kind) % 10),
                label=f"{backend}: {kind}",
            )
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("servers in the database")
        ax.set_ylabel(title)
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_title("GET /servers/detail and token validation")
    axes[1].set_title("the same, server CPU (not inflated by other load)")
    axes[1].legend(fontsize=7, loc="best")
    fig.tight_layout()
    path = out / "page_latency.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def startup(results: dict[str, Any], out: Path) -> Path | None:
    measurements = results["cases"].get("startup", {}).get("measurements", [])
    small = results["cases"].get("list_small", {}).get("measurements", [])
    rows = [(m["name"], m["wall_s"]["median"] * 1000, m["key"]) for m in measurements + small]
    if not rows:
        return None
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(rows) + 1.2))
    names = [r[0] for r in rows]
    values = [r[1] for r in rows]
    ax.barh(names, values, color=[_color(r[2]) or "#7f7f7f" for r in rows])
    for i, value in enumerate(values):
        ax.text(value, i, f" {value:.0f} ms", va="center", fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("wall time, median (ms)")
    ax.set_title("Start-up and `list` of 50 servers")
    ax.set_xlim(0, max(values) * 1.18)
    fig.tight_layout()
    path = out / "startup_list.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def load(results: dict[str, Any], out: Path) -> Path | None:
    entries = results["cases"].get("server", {}).get("load", [])
    if not entries:
        return None
    series: dict[str, list[tuple[int, float]]] = {}
    for entry in entries:
        label = f"{entry['backend']}: {entry['target']}"
        series.setdefault(label, []).append((entry["workers"], entry["rps"]))
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for label, values in sorted(series.items()):
        values.sort()
        ax.plot([v[0] for v in values], [v[1] for v in values], marker="o", label=label)
    ax.set_xlabel("gunicorn workers")
    ax.set_ylabel("requests/s")
    ax.set_yscale("log")
    ax.set_xticks(sorted({e["workers"] for e in entries}))
    ax.set_title("Throughput under concurrent load (loopback)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path = out / "load_rps.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main() -> None:
    results = json.loads(Path(sys.argv[1]).read_text())
    out = Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    for draw in (list_latency, page_latency, startup, load):
        path = draw(results, out)
        if path is not None:
            print(path.name)


if __name__ == "__main__":
    main()
