"""Image data moved over plain HTTP for case 9: an upload sent from a file in chunks, a download
read in chunks, never the whole image in the bench's memory; and the peak resident memory of
the server's processes while one of them runs.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import resource
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench.procs import BenchError, children

CHUNK = 1 << 20
# How often the sampler reads the workers' resident memory (the kernel's high-water mark,
# reset before each transfer, catches what falls between two samples).
SAMPLE_S = 0.01


@dataclass(frozen=True, kw_only=True)
class Transfer:
    """One upload or download: its bytes, wall time and the bench's (the client's) CPU time."""

    size: int
    wall_s: float
    client_cpu_s: float
    md5: str | None  # of the bytes downloaded, when asked to hash them


def _own_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def make_file(path: Path, size: int) -> str:
    """A file of `size` bytes that no block of which repeats another; its MD5."""
    md5 = hashlib.md5(usedforsecurity=False)
    seed = os.urandom(CHUNK)
    written = 0
    with path.open("wb") as out:
        while written < size:
            # A counter in front of one random block: cheap, and every block differs.
            block = (written.to_bytes(8, "big") + seed)[: min(CHUNK, size - written)]
            md5.update(block)
            out.write(block)
            written += len(block)
    return md5.hexdigest()


def hash_file(path: Path) -> tuple[float, float]:
    """MD5 and sha512 of the file, as the image service computes them on an upload, in this
    process: (wall seconds, CPU seconds)."""
    md5 = hashlib.md5(usedforsecurity=False)
    sha = hashlib.sha512()
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    cpu = _own_cpu_s()
    started = time.perf_counter()
    with path.open("rb") as data:
        while count := data.readinto(view):
            md5.update(view[:count])
            sha.update(view[:count])
    return time.perf_counter() - started, _own_cpu_s() - cpu


def upload(port: int, token: str, image_id: str, source: Path) -> Transfer:
    """`PUT /image/v2/images/{id}/file` with `source` sent chunk by chunk (Content-Length)."""
    size = source.stat().st_size
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    cpu = _own_cpu_s()
    started = time.perf_counter()
    try:
        conn.putrequest("PUT", f"/image/v2/images/{image_id}/file")
        conn.putheader("X-Auth-Token", token)
        conn.putheader("Content-Type", "application/octet-stream")
        conn.putheader("Content-Length", str(size))
        conn.endheaders()
        with source.open("rb") as data:
            while chunk := data.read(CHUNK):
                conn.send(chunk)
        resp = conn.getresponse()
        answer = resp.read()
    finally:
        conn.close()
    wall = time.perf_counter() - started
    if resp.status != 204:
        raise BenchError(f"PUT .../{image_id}/file: {resp.status} {answer[:300]!r}")
    return Transfer(size=size, wall_s=wall, client_cpu_s=_own_cpu_s() - cpu, md5=None)


def download(port: int, token: str, image_id: str, *, expect_md5: str, hash_it: bool) -> Transfer:
    """`GET /image/v2/images/{id}/file` read chunk by chunk into one reused buffer; its bytes
    hashed when `hash_it` (which costs the client's CPU, on the cores the server uses too)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    md5 = hashlib.md5(usedforsecurity=False) if hash_it else None
    size = 0
    cpu = _own_cpu_s()
    started = time.perf_counter()
    try:
        conn.request("GET", f"/image/v2/images/{image_id}/file", headers={"X-Auth-Token": token})
        resp = conn.getresponse()
        if resp.status != 200:
            raise BenchError(f"GET .../{image_id}/file: {resp.status} {resp.read()[:300]!r}")
        while count := resp.readinto(view):
            size += count
            if md5 is not None:
                md5.update(view[:count])
        header_md5 = resp.getheader("Content-MD5")
    finally:
        conn.close()
    wall = time.perf_counter() - started
    if header_md5 != expect_md5:
        raise BenchError(f"GET .../{image_id}/file: Content-MD5 {header_md5}, not {expect_md5}")
    got = md5.hexdigest() if md5 is not None else None
    if got is not None and got != expect_md5:
        raise BenchError(f"GET .../{image_id}/file: the bytes' MD5 is {got}, not {expect_md5}")
    return Transfer(size=size, wall_s=wall, client_cpu_s=_own_cpu_s() - cpu, md5=got)


def _status_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return 0
    return 0


class PeakRss:
    """The server's workers' peak resident memory while the block runs, KiB: the largest of
    the kernel's high-water mark (VmHWM, reset first through /proc/<pid>/clear_refs) and of
    samples of VmRSS, for the busiest worker; and its resident memory just before."""

    def __init__(self, master: int) -> None:
        self.master = master
        self.before_kb = 0
        self.peak_kb = 0
        self.hwm_reset = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _workers(self) -> list[int]:
        return children(self.master)

    def _sample(self) -> None:
        while not self._stop.wait(SAMPLE_S):
            for pid in self._workers():
                self.peak_kb = max(self.peak_kb, _status_kb(pid, "VmRSS:"))

    def __enter__(self) -> PeakRss:
        workers = self._workers()
        self.before_kb = max((_status_kb(pid, "VmRSS:") for pid in workers), default=0)
        reset = True
        for pid in workers:
            try:
                # "5": reset the peak resident set size to the current one (Linux 4.0+).
                Path(f"/proc/{pid}/clear_refs").write_text("5")
            except OSError:
                reset = False
        self.hwm_reset = reset and bool(workers)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        if self.hwm_reset:
            for pid in self._workers():
                self.peak_kb = max(self.peak_kb, _status_kb(pid, "VmHWM:"))
