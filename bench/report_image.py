"""BENCHMARKS.md's section 9 (image data up and down, beside `cp`) and its headline line."""

from __future__ import annotations

from typing import Any

from bench import report_api
from bench.report_format import table
from bench.stats import fmt_ratio, fmt_seconds

MIB = 1 << 20
# Peak memory is flat when the largest image's transfer raises the worker's peak by at most
# this much more than the smallest image's does (KiB): allocator noise, not the data.
FLAT_KB = 16 * 1024


def _size(size: int) -> str:
    return f"{size // (1024 * MIB)} GiB" if size >= 1024 * MIB else f"{size // MIB} MiB"


def _rate(size: int, wall: dict[str, Any]) -> str:
    mib = size / MIB
    return f"**{mib / wall['median']:.0f}** ({mib / wall['max']:.0f} to {mib / wall['min']:.0f})"


def _rss(found: dict[str, Any]) -> str:
    if "peak_rss_kb" not in found:
        return "—"
    before, peak = found["rss_before_kb"] / 1024, found["peak_rss_kb"] / 1024
    return f"{before:.0f} → **{peak:.0f}** MiB (+{peak - before:.1f})"


def image(section: dict[str, Any]) -> list[str]:
    sizes = section.get("sizes", [])
    if not sizes:
        return []
    lines = [
        "## 9. Image data (upload and download)",
        "",
        f"{report_api._ran(section, 'image')}. One `pocketstack serve` worker on loopback, the "
        "admin's token; the bench's own client (`bench/image_transfer.py`, http.client): the "
        "upload is `POST /image/v2/images` then `PUT .../file` sent from the file in 1 MiB "
        "chunks with its Content-Length (the front door spools it to `<data_dir>/spool`, then "
        "the image service writes `<data_dir>/images/<id>` from the spool, computing its MD5 "
        "and sha512 on the way: the data is written twice); the download is `GET .../file`, "
        "read 1 MiB at a time into one buffer and dropped. Beside them, on the same disk (the "
        "scratch directory that holds the data directory), `cp` of the same file (ext4: an "
        "in-kernel copy) and a read of it (`dd` to /dev/null). Nothing is synced to the disk: "
        "the machine has RAM to spare, so every file stays in the page cache and these are "
        "memory and CPU speeds, the disk's own speed out of the picture for the server and `cp`"
        f" alike. {section['sizes'][0]['upload']['wall_s']['n']} rounds of each transfer per "
        "size, after one not counted whose download is hashed and compared with the file; MiB/s"
        " is the median (the slowest to the fastest). Server CPU: the worker's user + system "
        "time during the transfer, from /proc (the median). Worker RSS: its resident memory "
        "before the transfer and its peak during it (the kernel's high-water mark, reset first,"
        " and samples every 10 ms; the largest of the rounds).",
        "",
        "**The machine is shared and was loaded** (2 cores, other sessions' work running; "
        "load averages above): the client, the server and `cp` all compete for those "
        "2 cores, so the throughputs are lower and noisier than on an idle machine; the CPU "
        "seconds and the memory are the steadier figures.",
        "",
    ]
    rows = []
    for entry in sizes:
        size = entry["size_bytes"]
        for key, label in (
            ("cp", "`cp` of the file"),
            ("read", "read of the file (`dd`)"),
            ("hash", "MD5 + sha512 of the file (hashlib, in the bench)"),
            ("upload", "**upload** (`PUT .../file`)"),
            ("download", "**download** (`GET .../file`)"),
        ):
            found = entry.get(key)
            if found is None:
                continue
            server = found.get("server_cpu_s")
            rows.append(
                [
                    _size(size),
                    label,
                    _rate(size, found["wall_s"]),
                    fmt_seconds(found["wall_s"]["median"]),
                    fmt_seconds(server["median"]) if server else "—",
                    fmt_seconds(found["cpu_s"]["median"])
                    if "cpu_s" in found
                    else fmt_seconds(found["client_cpu_s"]["median"]),
                    _rss(found),
                ]
            )
    lines += [
        *table(
            [
                "size",
                "",
                "MiB/s",
                "time",
                "server CPU",
                "own CPU (`cp`, `dd`, hashlib; the bench's client)",
                "worker RSS before → peak",
            ],
            rows,
        ),
        "",
    ]
    lines += _versus_cp(sizes)
    lines += _flatness(sizes)
    if section.get("left_behind"):
        lines += [f"Files left behind in the data directory: {section['left_behind']}.", ""]
    return lines


def _versus_cp(sizes: list[dict[str, Any]]) -> list[str]:
    out = []
    for entry in sizes:
        cp = entry["cp"]["wall_s"]["median"]
        up = entry["upload"]["wall_s"]["median"] / cp
        down = entry["download"]["wall_s"]["median"] / cp
        line = (
            f"- {_size(entry['size_bytes'])}: an upload takes **{fmt_ratio(up)}** `cp`'s time, "
            f"a download **{fmt_ratio(down)}**"
        )
        hashed = entry.get("hash")
        if hashed:
            # What Glance's checksums alone cost, out of the upload's server CPU.
            line += (
                f"; of the upload's {fmt_seconds(entry['upload']['server_cpu_s']['median'])} of "
                f"server CPU, MD5 + sha512 alone take about "
                f"{fmt_seconds(hashed['cpu_s']['median'])} (the hashlib row)"
            )
        out.append(line)
    return [*out, ""]


def _flatness(sizes: list[dict[str, Any]]) -> list[str]:
    if len(sizes) < 2:
        return [
            "Only one size in this run (`--quick`): the full run adds 1 GiB, to compare the "
            "worker's peak memory with.",
            "",
        ]
    small, large = sizes[0], sizes[-1]
    out = []
    for key in ("upload", "download"):
        grow = [e[key]["peak_rss_kb"] - e[key]["rss_before_kb"] for e in (small, large)]
        flat = grow[1] <= grow[0] + FLAT_KB
        out.append(
            f"- {key}: the worker's peak rises {grow[0] / 1024:.1f} MiB over its resident "
            f"memory for {_size(small['size_bytes'])}, {grow[1] / 1024:.1f} MiB for "
            f"{_size(large['size_bytes'])} ({large['size_bytes'] // small['size_bytes']}x the "
            f"data): **{'flat' if flat else 'NOT flat'}** (flat: at most "
            f"{FLAT_KB // 1024} MiB more)"
        )
    return ["Memory against the image's size:", "", *out, ""]


def headline(section: dict[str, Any]) -> list[str]:
    """The largest size's upload and download time against `cp`'s."""
    sizes = section.get("sizes", [])
    if not sizes:
        return []
    entry = sizes[-1]
    cp = entry["cp"]["wall_s"]["median"]
    up = entry["upload"]["wall_s"]["median"] / cp
    down = entry["download"]["wall_s"]["median"] / cp
    return [
        f"- image data, {_size(entry['size_bytes'])} upload / `cp` of the file: "
        f"**{fmt_ratio(up)}**; download / `cp`: **{fmt_ratio(down)}**"
    ]
