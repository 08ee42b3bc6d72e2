"""BENCHMARKS.md's section 6: a bystander's latency while abusive clients run."""

from __future__ import annotations

from typing import Any

from bench.report_format import ms, table
from bench.stats import fmt_seconds

_RUN_NAMES = {"current": "this tree", "before": "before (gunicorn sync workers)"}


def abuse(section: dict[str, Any]) -> list[str]:
    if not section or ("current" not in section and "before" not in section):
        return []
    lines = [
        "## 6. Abusive clients",
        "",
        f"`python -m bench --only abuse` ({section.get('mode', '?')} mode, "
        f"{section.get('date', '?')}; `--abuse-before EXECUTABLE` adds an older pocketstack). "
        "A bystander sends requests one after another on one keep-alive connection, first on "
        "an idle cloud (2 workers), then while abusive clients run; p50 and p99 are of its "
        'requests, "unanswered" counts those that got no answer within 30 s.',
        "",
    ]
    if "load_average_at_start" in section:
        lines += [
            f"Load average (1, 5, 15 min): {section['load_average_at_start']} at the start of "
            f"this case, {section.get('load_average_at_end', '?')} at its end.",
            "",
        ]
    slow_rows = []
    flood_rows = []
    notes = []
    for name in ("current", "before"):
        run = section.get(name, {})
        slow = run.get("slow")
        if slow:
            idle = slow["idle"].get("token validation", {})
            during = slow["during"].get("token validation", {})
            slow_rows.append(
                [
                    _RUN_NAMES[name],
                    ms(idle.get("p50_s")),
                    ms(idle.get("p99_s")),
                    f"**{ms(during.get('p50_s'))}**",
                    f"**{ms(during.get('p99_s'))}**",
                    f"{during.get('n', 0)} / {during.get('unanswered', 0)}",
                    str(slow.get("reopened_after_drop", "?")),
                ]
            )
        flood = run.get("flood")
        if flood:
            for label, during in flood["during"].items():
                idle = flood["idle"].get(label, {})
                ratio = (
                    f"{during['p99_s'] / idle['p99_s']:.1f}x"
                    if during.get("p99_s") and idle.get("p99_s")
                    else "—"
                )
                flood_rows.append(
                    [
                        _RUN_NAMES[name],
                        label,
                        ms(idle.get("p50_s")),
                        ms(idle.get("p99_s")),
                        f"**{ms(during.get('p50_s'))}**",
                        f"**{ms(during.get('p99_s'))}**",
                        ratio,
                        f"{during.get('n', 0)} / {during.get('unanswered', 0)}",
                    ]
                )
            answers = ", ".join(f"{k}: {v}" for k, v in flood["flood_statuses"].items())
            login = flood["legit_login"]
            notes.append(
                f"- {_RUN_NAMES[name]}: the flood's answers by status ({answers}; 0 = none); a "
                f"login from a clean address during the flood: status {login['status']} in "
                f"{fmt_seconds(login['seconds'])}."
            )
    if slow_rows:
        seconds = section.get("current", section.get("before", {})).get("slow", {}).get("seconds")
        lines += [
            f"**(a) 100 slow connections** held for {seconds:.0f} s: each sends the start of a "
            "request head and then a byte a second; one the server drops is opened again at "
            "once. The bystander validates a token (`GET /v3/auth/tokens`).",
            "",
            *table(
                [
                    "server",
                    "idle p50",
                    "idle p99",
                    "slow p50",
                    "slow p99",
                    "answered / unanswered",
                    "slow connections reopened",
                ],
                slow_rows,
            ),
            "",
        ]
    if flood_rows:
        lines += [
            "**(b) a login flood**: 16 clients, each from its own loopback address, post wrong "
            "passwords for made-up users (bcrypt at 12 rounds, Keystone's default) one after "
            "another, ignoring Retry-After. The bystander alternates a token validation and "
            "`GET /compute/v2.1/servers` (50 servers).",
            "",
            *table(
                [
                    "server",
                    "request",
                    "idle p50",
                    "idle p99",
                    "flood p50",
                    "flood p99",
                    "p99 flood / idle",
                    "answered / unanswered",
                ],
                flood_rows,
            ),
            "",
            *notes,
            "",
        ]
    if "before" not in section:
        lines += [
            "Before (gunicorn's sync workers, from the issue that asked for this): 2 half-sent "
            "requests held for 15 to 20 s left every other client unanswered for the whole "
            "hold; 16 clients posting wrong passwords at bcrypt 12 took an authenticated "
            "`GET /servers` from 2 ms to a 2.45 s median.",
            "",
        ]
    return lines
