"""The pieces BENCHMARKS.md's sections share: Markdown tables and how a figure is written."""

from __future__ import annotations

from typing import Any

from bench.stats import fmt_ratio, fmt_seconds


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def wall_cells(wall: dict[str, Any]) -> list[str]:
    return [
        f"**{fmt_seconds(wall['median'])}**",
        fmt_seconds(wall["q3"] - wall["q1"]),
        f"{fmt_seconds(wall['min'])} to {fmt_seconds(wall['max'])}",
        str(wall["n"]),
    ]


def mib(kb: float) -> str:
    return f"{kb / 1024:.0f} MiB"


def by_key(section: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["key"]: m for m in section.get("measurements", [])}


def median_of(section: dict[str, Any], key: str) -> float | None:
    found = by_key(section).get(key)
    return found["wall_s"]["median"] if found and "wall_s" in found else None


def ratio_lines(section: dict[str, Any]) -> list[str]:
    lines = [
        f"- {e['name']}: **{fmt_ratio(e['value'])}**{cpu_note(e)}"
        for e in section.get("ratios", [])
    ]
    return [*lines, ""] if lines else []


def cpu_note(entry: dict[str, Any]) -> str:
    value = entry.get("cpu_value")
    return f" (client CPU time: {fmt_ratio(value)})" if value else ""


def plot(name: str, plots: set[str], prefix: str, alt: str) -> list[str]:
    return [f"![{alt}]({prefix}/{name})", ""] if name in plots else []


def iqr(latency: dict[str, Any]) -> str:
    return fmt_seconds(latency["q3"] - latency["q1"])


def ms(value: float | None) -> str:
    return "—" if value is None else fmt_seconds(value)


def one_line(text: Any, limit: int = 300) -> str:
    """A multi-line reason (pip's or Keystone's output) squeezed into a sentence."""
    flat = " ".join(str(text).split()) or "?"
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
