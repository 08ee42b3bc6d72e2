"""What a case hands back and prints: its measurements as JSON, its ratios, its progress."""

from __future__ import annotations

from typing import Any

from bench.procs import Timing
from bench.stats import fmt_seconds


def measurement(key: str, label: str, timing: Timing, **extra: Any) -> dict[str, Any]:
    return {
        "key": key,
        "name": label,
        "wall_s": timing.wall.to_json(),
        "cpu_s_median": timing.cpu.median,
        "maxrss_kb": timing.maxrss_kb,
        **extra,
    }


def ratio(
    section: dict[str, Any], *, label: str, slow_key: str, fast_key: str
) -> dict[str, Any] | None:
    found = {m["key"]: m for m in section["measurements"]}
    if slow_key not in found or fast_key not in found:
        return None
    value = found[slow_key]["wall_s"]["median"] / found[fast_key]["wall_s"]["median"]
    entry = {"name": label, "slow": slow_key, "fast": fast_key, "value": value}
    fast_cpu = found[fast_key].get("cpu_s_median")
    if fast_cpu:
        # The client process's own CPU time: what a busy machine inflates least.
        entry["cpu_value"] = found[slow_key]["cpu_s_median"] / fast_cpu
    section["ratios"].append(entry)
    return entry


def say(text: str) -> None:
    print(text, flush=True)


def print_timing(label: str, timing: Timing) -> None:
    wall = timing.wall
    say(
        f"  {label:58s} {fmt_seconds(wall.median):>9s}  "
        f"(IQR {fmt_seconds(wall.iqr)}, min {fmt_seconds(wall.minimum)}, n={len(wall.samples)})"
    )
