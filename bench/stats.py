"""Summaries of repeated measurements: median and spread, kept with their raw samples."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any


def _quantile(sorted_values: list[float], q: float) -> float:
    if len(sorted_values) == 1:
        return sorted_values[0]
    pos = q * (len(sorted_values) - 1)
    low = int(pos)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (pos - low)


@dataclass(frozen=True, kw_only=True)
class Summary:
    """Seconds (or whatever unit the samples carry); spread = interquartile range."""

    samples: tuple[float, ...]
    median: float
    minimum: float
    maximum: float
    q1: float
    q3: float
    stdev: float

    @property
    def iqr(self) -> float:
        return self.q3 - self.q1

    def to_json(self) -> dict[str, Any]:
        return {
            "median": self.median,
            "min": self.minimum,
            "max": self.maximum,
            "q1": self.q1,
            "q3": self.q3,
            "stdev": self.stdev,
            "n": len(self.samples),
            "samples": list(self.samples),
        }


def summarize(samples: list[float]) -> Summary:
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    return Summary(
        samples=tuple(samples),
        median=statistics.median(ordered),
        minimum=ordered[0],
        maximum=ordered[-1],
        q1=_quantile(ordered, 0.25),
        q3=_quantile(ordered, 0.75),
        stdev=statistics.stdev(ordered) if len(ordered) > 1 else 0.0,
    )


@dataclass(kw_only=True)
class Measurement:
    """One named figure of a case: a wall-time summary plus whatever else was seen."""

    name: str
    wall: Summary | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        if self.wall is not None:
            out["wall_s"] = self.wall.to_json()
        out.update(self.extra)
        return out


def fmt_seconds(value: float) -> str:
    if value < 0:
        return "-" + fmt_seconds(-value)
    if value >= 10:
        return f"{value:.1f} s"
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 0.01:
        return f"{value * 1000:.0f} ms"
    if value >= 0.001:
        return f"{value * 1000:.1f} ms"
    return f"{value * 1e6:.0f} µs"


def fmt_ratio(value: float) -> str:
    return f"{value:.1f}x" if value < 100 else f"{value:.0f}x"
