"""Case 9: image data through the image service, against `cp` of the same file on the same disk.

One `pocketstack serve` worker on loopback; the admin's token. For each size: `cp` of a file of
that size beside the cloud's data directory (the copy the disk and the kernel allow), a read of
it (`dd` to /dev/null), then rounds of an upload (`POST /image/v2/images`, then
`PUT .../file` sent from the file in chunks: the front door spools it, the image service writes
the image's file from the spool, hashing it on the way) and a download (`GET .../file`, read in
chunks and dropped). Each transfer's wall time, the worker's CPU time for it (from /proc), and
the worker's resident memory before it and at its peak during it: the same whatever the size,
if the data only ever streams through. A first round, not counted, downloads with the bytes
hashed and compared with the file's.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from bench import loadgen
from bench.case_output import say
from bench.cloud import Cloud, CloudSpec, running_cloud
from bench.context import Context
from bench.image_transfer import PeakRss, Transfer, download, hash_file, make_file, upload
from bench.procs import BenchError, run_once
from bench.stats import summarize

MIB = 1 << 20
QUICK_SIZES = (64 * MIB,)
FULL_SIZES = (64 * MIB, 1024 * MIB)
ROUNDS = 3


def case_image(ctx: Context) -> dict[str, Any]:
    section: dict[str, Any] = {
        "title": "Image data",
        "workers": 1,
        "chunk_bytes": MIB,
        "sizes": [],
        "errors": [],
    }
    spec = CloudSpec(data_dir=ctx.workdir / "image-data", workers=1)
    files = ctx.workdir / "image-files"
    files.mkdir(parents=True, exist_ok=True)
    try:
        with running_cloud(
            pocketstack=ctx.pocketstack, spec=spec, env=ctx.base_env(), workers=1
        ) as cloud:
            env = cloud.openrc()
            token = loadgen.issue_token(
                cloud.port, user=env["OS_USERNAME"], password=env["OS_PASSWORD"], project="admin"
            )
            for size in QUICK_SIZES if ctx.quick else FULL_SIZES:
                try:
                    section["sizes"].append(_one_size(cloud, token, files, size))
                except BenchError as exc:
                    section["errors"].append(f"{size // MIB} MiB: {exc}")
                    say(f"  {size // MIB} MiB: FAILED: {str(exc).splitlines()[0]}")
                ctx.save()
            section["left_behind"] = _left_behind(spec.data_dir)
    finally:
        shutil.rmtree(spec.data_dir, ignore_errors=True)
        shutil.rmtree(files, ignore_errors=True)
    if section["left_behind"]:
        section["errors"].append(f"files left behind: {section['left_behind']}")
    return section


class _Api:
    """The JSON calls around the data: create, show, delete an image."""

    def __init__(self, cloud: Cloud, token: str) -> None:
        self.port = cloud.port
        self.token = token

    def call(self, method: str, path: str, body: Any, expect: int) -> Any:
        client = loadgen.Client(self.port)
        try:
            status, _, payload = client.request(
                method, path, headers={"X-Auth-Token": self.token}, body=body
            )
        finally:
            client.close()
        if status != expect:
            raise BenchError(f"{method} {path}: {status} {payload[:300]!r}")
        return json.loads(payload) if payload else None

    def create(self, name: str) -> str:
        body = {"name": name, "disk_format": "raw", "container_format": "bare"}
        made: dict[str, Any] = self.call("POST", "/image/v2/images", body, 201)
        return str(made["id"])

    def check_active(self, image_id: str, size: int, md5: str) -> None:
        shown = self.call("GET", f"/image/v2/images/{image_id}", None, 200)
        found = (shown["status"], shown["size"], shown["checksum"])
        if found != ("active", size, md5):
            raise BenchError(f"image {image_id} after upload: {found}, not active/{size}/{md5}")

    def delete(self, image_id: str) -> None:
        self.call("DELETE", f"/image/v2/images/{image_id}", None, 204)


def _one_size(cloud: Cloud, token: str, files: Path, size: int) -> dict[str, Any]:
    label = f"{size // MIB} MiB"
    source = files / f"source-{size}"
    md5 = make_file(source, size)
    copy = files / f"copy-{size}"
    try:
        cp = _command(["cp", str(source), str(copy)], after=lambda: copy.unlink())
        read = _command(["dd", f"if={source}", "of=/dev/null", "bs=1M", "status=none"])
        hashed = [hash_file(source) for _ in range(ROUNDS)]
        api = _Api(cloud, token)
        # Not counted: the first transfer of a size, and the one whose bytes are compared.
        image = api.create(f"bench-data-{label}-check")
        upload(cloud.port, token, image, source)
        api.check_active(image, size, md5)
        download(cloud.port, token, image, expect_md5=md5, hash_it=True)
        api.delete(image)
        ups: list[dict[str, Any]] = []
        downs: list[dict[str, Any]] = []
        for index in range(ROUNDS):
            image = api.create(f"bench-data-{label}-{index}")
            ups.append(_timed(cloud, partial(upload, cloud.port, token, image, source)))
            api.check_active(image, size, md5)
            fetch = partial(download, cloud.port, token, image, expect_md5=md5, hash_it=False)
            downs.append(_timed(cloud, fetch))
            api.delete(image)
    finally:
        for path in (source, copy):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
    row: dict[str, Any] = {
        "size_bytes": size,
        "cp": cp,
        "read": read,
        "hash": {
            "wall_s": summarize([wall for wall, _ in hashed]).to_json(),
            "cpu_s": summarize([cpu for _, cpu in hashed]).to_json(),
        },
        "upload": _summary(ups),
        "download": _summary(downs),
    }
    for name in ("cp", "read", "hash", "upload", "download"):
        found = row[name]
        say(
            f"  {label:>9s} {name:9s} {_mib_s(size, found['wall_s']['median']):7.0f} MiB/s"
            f"  server CPU {found.get('server_cpu_s', {}).get('median', 0):6.2f} s"
            f"  worker RSS {found.get('rss_before_kb', 0) / 1024:5.0f} ->"
            f" {found.get('peak_rss_kb', 0) / 1024:5.0f} MiB"
        )
    return row


def _mib_s(size: int, seconds: float) -> float:
    return size / MIB / seconds


def _command(argv: list[str], *, after: Callable[[], None] | None = None) -> dict[str, Any]:
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(ROUNDS):
        done = run_once(argv, timeout_s=600)
        if done.returncode != 0:
            raise BenchError(f"{' '.join(argv)}: exit {done.returncode}: {done.stderr[-500:]}")
        walls.append(done.wall_s)
        cpus.append(done.cpu_s)
        if after is not None:
            after()
    return {"wall_s": summarize(walls).to_json(), "cpu_s": summarize(cpus).to_json()}


def _timed(cloud: Cloud, transfer: Callable[[], Transfer]) -> dict[str, Any]:
    with PeakRss(cloud.process.pid) as rss:
        before = cloud.server_cpu_s()
        done = transfer()
        # The worker accounts its CPU time as it goes; nothing of the transfer is left after
        # its answer (the upload's is sent once the file is in place).
        cpu = cloud.server_cpu_s() - before
    return {
        "wall_s": done.wall_s,
        "server_cpu_s": cpu,
        "client_cpu_s": done.client_cpu_s,
        "rss_before_kb": rss.before_kb,
        "peak_rss_kb": rss.peak_kb,
        "hwm_reset": rss.hwm_reset,
    }


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "wall_s": summarize([r["wall_s"] for r in runs]).to_json(),
        "server_cpu_s": summarize([r["server_cpu_s"] for r in runs]).to_json(),
        "client_cpu_s": summarize([r["client_cpu_s"] for r in runs]).to_json(),
        "rss_before_kb": max(r["rss_before_kb"] for r in runs),
        "peak_rss_kb": max(r["peak_rss_kb"] for r in runs),
        "hwm_reset": all(r["hwm_reset"] for r in runs),
    }


def _left_behind(data_dir: Path) -> list[str]:
    """Spooled or partly written files still there once every transfer is done: none should."""
    found = []
    for folder in (data_dir / "spool", data_dir / "images"):
        if folder.is_dir():
            found += [
                str(path.relative_to(data_dir))
                for path in folder.iterdir()
                if path.is_file() and (folder.name == "spool" or path.name.startswith(".part"))
            ]
    return sorted(found)
