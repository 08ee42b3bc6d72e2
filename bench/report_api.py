"""BENCHMARKS.md's sections 7 (server create) and 8 (list endpoints by table size), and their
lines in the targets table."""

from __future__ import annotations

from typing import Any

from bench.report_format import table
from bench.stats import fmt_seconds

# A page is flat when the largest table's costs at most this much more than the smallest's.
FLAT = 1.5
_BACKENDS = ("sqlite", "postgresql")
# Case 7's kinds of create (bench/cases_create.py); rows from before the kinds were all `auto`.
_KINDS = {
    "none": "`none`: compute only",
    "auto": "`auto`: a port on `private`",
    "port+group": "a port made before, a named group",
}
# The port list's endpoint in case 8, and its own line in the targets.
PORTS = "ports"


def _growth(backend: str, small: dict[str, Any], large: dict[str, Any]) -> float:
    """How much more a page costs at the largest table: by the worker's CPU on SQLite (the
    database's work is in the worker), by latency on PostgreSQL (where it is not)."""
    if backend == "sqlite":
        return float(large["server_cpu_s"] / small["server_cpu_s"])
    return float(large["latency_s"]["median"] / small["latency_s"]["median"])


def _ran(section: dict[str, Any], case: str) -> str:
    machine = section.get("machine", {})
    return (
        f"`python -m bench --only {case}` ({section.get('mode', '?')} mode, "
        f"{section.get('date', '?')}, git {machine.get('git_commit', '?')}"
        f"{' + local changes' if machine.get('git_dirty') else ''}; load average "
        f"{machine.get('load_average_at_start', '?')} at its start, "
        f"{machine.get('load_average_at_end', '?')} at its end)"
    )


def _ms(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def create(section: dict[str, Any]) -> list[str]:
    if not section.get("sequential") and not section.get("load"):
        return []
    lines = [
        "## 7. Server create (`POST /servers` to ACTIVE)",
        "",
        f"{_ran(section, 'create')}. The cloud's default fleet (two hosts), the fake driver's "
        "delay at 0, flavor m1.tiny, the newest microversion; three kinds of create: "
        "`networks: none` (compute alone), `networks: auto` (the network service makes the "
        "server a port on the shared `private` network, in the project's default security "
        "group: an address allocated, the port bound), and a port the project made beforehand "
        '(`networks: [{"port": id}]`, its create outside the timing) with a security group '
        'named (`security_groups: [{"name": "bench-create"}]`). The split and the load '
        "below are `auto` creates. The admin user "
        "with the member role in project demo1, whose quotas are real limits (its usage plus "
        "10,000 instances, 10,000 cores and 5,000 GiB of RAM, and the network service's port "
        "quota its ports plus 10,000: never unlimited, so each create "
        "counts the project's live servers under its lock). A create is the `POST` (202) and "
        "then `GET /servers/{id}` until ACTIVE; the second row of each database is after "
        "`pocketstack manage seed` put that many servers in the project (over the same two "
        "hosts). One worker, creates one after another on one connection; server CPU is the "
        "worker's user + system time per create (POST and GET), from /proc. There is no "
        "upstream Nova to run beside it here: these figures are absolute.",
        "",
    ]
    rows = [
        [
            s["backend"],
            f"{s['project_servers']:,}",
            _KINDS.get(s.get("networks", "auto"), s.get("networks", "?")),
            fmt_seconds(s["post_s"]["median"]),
            f"**{fmt_seconds(s['active_s']['median'])}**",
            fmt_seconds(s["active_s"]["q3"] - s["active_s"]["q1"]),
            str(s["active_s"]["n"]),
            f"**{fmt_seconds(s['server_cpu_s'])}**",
            f"{s['creates_per_s']:.0f}/s",
        ]
        for s in section.get("sequential", [])
    ]
    if rows:
        lines += [
            *table(
                [
                    "database",
                    "live servers in the project",
                    "networks",
                    "POST",
                    "to ACTIVE",
                    "IQR",
                    "n",
                    "server CPU per create",
                    "one at a time",
                ],
                rows,
            ),
            "",
        ]
    lines += _split(section.get("split", []))
    load = [
        [
            e["backend"],
            str(e["workers"]),
            str(e["connections"]),
            f"**{e['creates_per_s']:.0f}/s**",
            f"{e['active_p50_ms']:.0f} ms" if e.get("active_p50_ms") is not None else "—",
            f"{e['active_p99_ms']:.0f} ms" if e.get("active_p99_ms") is not None else "—",
            str(e["errors"]),
            fmt_seconds(e["server_cpu_per_create_s"]) if e.get("server_cpu_per_create_s") else "—",
            f"{e['duration_s']:.0f} s",
        ]
        for e in section.get("load", [])
    ]
    if load:
        lines += [
            "Creates per second under concurrent load (each connection creates one server after "
            "another to ACTIVE, all in the one project, whose quota lock makes its creates take "
            "turns; the load generator shares the machine's cores with the server):",
            "",
            *table(
                [
                    "database",
                    "workers",
                    "connections",
                    "creates/s",
                    "to ACTIVE p50",
                    "p99",
                    "errors",
                    "server CPU per create",
                    "for",
                ],
                load,
            ),
            "",
        ]
    return lines


def _split(runs: list[dict[str, Any]]) -> list[str]:
    if not runs:
        return []
    phases: list[str] = []
    for run in runs:
        for p in run["phases"]:
            if p["phase"] not in phases:
                phases.append(p["phase"])
    header = ["phase"] + [f"{r['backend']}, {r['project_servers']:,} servers" for r in runs]
    rows = []
    for phase in phases:
        row = [f"**{phase}**" if phase == "request" else phase]
        for run in runs:
            found = next((p for p in run["phases"] if p["phase"] == phase), None)
            row.append(
                "—" if found is None else f"{_ms(found['cpu_ms'])} ({_ms(found['wall_ms'])})"
            )
        rows.append(row)
    return [
        "Where a create's time goes (`bench/create_split.py`: the same cloud's WSGI app "
        "in-process, each phase's function wrapped with a timer; medians of "
        f"{runs[0].get('creates', '?')} creates, CPU ms of the request's thread (wall ms); on "
        "PostgreSQL the database's own work is in its server process, so only the wall time "
        "shows it). Lookups: flavor, image, key, zone, hosts, metadata and file limits; quota "
        "claim: the project's lock, its limits and the count of its live servers; placement: "
        "the candidate hosts and the sums of their servers' usage; insert: the server's rows, "
        "its port (`auto`: the network service's port, its address and its security group) "
        "and their flush; the rest: token check, routing, validation and the answer.",
        "",
        *table(header, rows),
        "",
    ]


def _pages_by(section: dict[str, Any]) -> dict[tuple[str, str, str], dict[int, dict[str, Any]]]:
    found: dict[tuple[str, str, str], dict[int, dict[str, Any]]] = {}
    for p in section.get("pages", []):
        found.setdefault((p["backend"], p["label"], p["page"]), {})[p["rows"]] = p
    return found


def pages(section: dict[str, Any]) -> list[str]:
    if not section.get("pages"):
        return []
    size = section.get("page_size", "?")
    lines = [
        "## 8. List endpoints by table size",
        "",
        f"{_ran(section, 'pages')}. For each size a fresh cloud with that many rows in every "
        "table read: compute hosts (`[[hosts]]` in pocketstack.toml, bulk-inserted before the "
        "first start), servers over 10 projects (`pocketstack manage seed`), and the admin's "
        "key pairs, public flavors and one server's instance actions (`bench/seed_tables.py`), "
        "and the admin project's ports (each with its address allocated on a real subnet and "
        "in a security group, as the network service writes a port), networks and security "
        "groups (each with the two egress rules a new group has; `bench/seed_network.py`), "
        "all executemany through the models' tables. One worker; the admin's token (admin "
        f"project), compute's newest microversion (the network service has none), pages of "
        f"{size}: the first, and one from the "
        "middle of the collection through its marker (for the usage report, whose order is "
        "project then server, the middle server of the middle project). The usage report "
        "asks for the last 30 days, with `detailed=1`. Each cell: median latency (server CPU "
        "per request). A page is "
        f"flat when the largest table's costs at most {FLAT}x the smallest's: by the worker's "
        "CPU on SQLite, whose queries run in the worker, and by latency on PostgreSQL, whose "
        "queries run in its own server process (the worker's CPU misses them).",
        "",
    ]
    by = _pages_by(section)
    for backend in _BACKENDS:
        keys = [k for k in by if k[0] == backend]
        if not keys:
            continue
        sizes = sorted({n for k in keys for n in by[k]})
        rows = []
        for key in keys:
            cells = by[key]
            row = [key[1], key[2]]
            for n in sizes:
                p = cells.get(n)
                row.append(
                    "—"
                    if p is None
                    else f"{fmt_seconds(p['latency_s']['median'])} "
                    f"({fmt_seconds(p['server_cpu_s'])})"
                )
            row += _ratios(backend, cells)
            rows.append(row)
        lines += [
            f"{backend}:",
            "",
            *table(
                [
                    "endpoint",
                    "page",
                    *[f"{n:,} rows" for n in sizes],
                    "largest / smallest, latency",
                    "server CPU",
                ],
                rows,
            ),
            "",
        ]
    seeding = section.get("seeding", [])
    if seeding:
        names = list(dict.fromkeys(k for s in seeding for k in s["seconds"]))
        rows = [
            [s["backend"], f"{s['rows']:,}", *[f"{s['seconds'].get(k, 0):.1f} s" for k in names]]
            for s in seeding
        ]
        lines += ["Seeding time:", "", *table(["database", "rows", *names], rows), ""]
        if "serve start" in names:
            lines += [
                "serve start: from `pocketstack serve` to its first answer, after the hosts "
                "(and each host's network agent, as an earlier start would have registered it) "
                "went in and before the rest: every start registers each host's agent again, "
                "one statement a host.",
                "",
            ]
        retired = [
            f"{s['backend']}, {s['rows']:,}" for s in seeding if not s.get("hosts_configured", True)
        ]
        if retired:
            lines += [
                f"Hosts not configured ({'; '.join(retired)} rows): `pocketstack serve` cannot "
                "start on PostgreSQL with more than 65,535 hosts in pocketstack.toml (a start-up "
                "query binds one parameter per configured host, past PostgreSQL's limit), so "
                "there the compute services are those a start-up leaves once their hosts are "
                "taken out of the configuration: disabled, and listed all the same.",
                "",
            ]
    return lines


def _ratios(backend: str, cells: dict[int, dict[str, Any]]) -> list[str]:
    if len(cells) < 2:
        return ["—", "—"]
    small, large = cells[min(cells)], cells[max(cells)]
    wall = large["latency_s"]["median"] / small["latency_s"]["median"]
    cpu = large["server_cpu_s"] / small["server_cpu_s"]
    mark = "" if _growth(backend, small, large) <= FLAT else " (not flat)"
    if backend == "sqlite":
        return [f"{wall:.2f}x", f"**{cpu:.2f}x**{mark}"]
    return [f"**{wall:.2f}x**{mark}", f"{cpu:.2f}x"]


def _worst(
    by: dict[tuple[str, str, str], dict[int, dict[str, Any]]],
    backend: str,
    labels: set[str] | None,
) -> tuple[float, str, int, int] | None:
    """The page that grows most from the smallest table to the largest, among `labels` (None:
    all): (its growth, "label (page)", smallest, largest)."""
    worst: tuple[float, str, int, int] | None = None
    for key, cells in by.items():
        if key[0] != backend or len(cells) < 2 or (labels is not None and key[1] not in labels):
            continue
        small, large = min(cells), max(cells)
        growth = _growth(backend, cells[small], cells[large])
        if worst is None or growth > worst[0]:
            worst = (growth, f"{key[1]} ({key[2]})", small, large)
    return worst


def targets(section: dict[str, Any]) -> list[list[str]]:
    """One line per database: the worst page's growth from the smallest to the largest table;
    then the port list's own (the worse of its two pages), issue 16's goal."""
    rows: list[list[str]] = []
    by = _pages_by(section)
    ports = {p["label"] for p in section.get("pages", []) if p["endpoint"] == PORTS}
    for labels in (None, ports):
        for backend in _BACKENDS:
            worst = _worst(by, backend, labels)
            if worst is None:
                continue
            growth, label, small, large = worst
            measure = "the server CPU" if backend == "sqlite" else "the latency"
            goal = (
                f"list endpoints' pages, {large:,} vs {small:,} rows ({backend}): the worst"
                if labels is None
                else f"port list page, {large:,} vs {small:,} ports ({backend}): the worse"
            )
            rows.append(
                [
                    goal,
                    f"{growth:.2f}x {measure}: {label}",
                    f"at most {FLAT}x",
                    "met" if growth <= FLAT else "NOT met",
                ]
            )
    return rows
