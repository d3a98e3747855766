"""Throughput on a Dask cluster: pages/s of ``ingest --scheduler`` against the number of workers.

    python bench/cluster_bench.py [--workers 1 2] [--copies 6] [--long-pages 30] [--repeat 2]

Starts a ``distributed.LocalCluster`` of N single-threaded worker processes on loopback for
each N, warms its parse children with one small ingest, then ingests copies of the text
samples of samples/ plus a generated long report (OCR off) into a fresh folder and prints
files/s and pages/s (best of ``--repeat``), next to the local pool (``--jobs N``) on the same
files in the same run: only the ratios compare across machines. A cluster start-up is not
counted, nor its parse children's (one import of the parser each); on a real cluster they
are paid once, not per ingest. The local pool's start-up is counted.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "samples"))

from bench import TEXT_PDFS, long_report  # noqa: E402


def corpus(d: Path, copies: int, long_pages: int) -> Path:
    """``copies`` of each text sample, each with its own hash, and ``copies // 3`` long reports."""
    d.mkdir(parents=True, exist_ok=True)
    for i in range(copies):
        for p in TEXT_PDFS:
            data = p.read_bytes().replace(b"reportparse samples", f"reportparse copy {i:02d}".encode()[:19], 1)
            (d / f"{i:02d}-{p.name}").write_bytes(data)
    for i in range(max(1, copies // 3)):
        long = long_report(long_pages, d / f"long-{i}.pdf")
        long.write_bytes(long.read_bytes().replace(b"reportparse samples", f"reportparse long {i:02d}".encode()[:19], 1))
    return d


def timed(src: Path, tmp: Path, repeat: int, **kw) -> tuple[float, int, int]:
    """Best wall time of ``repeat`` ingests into fresh folders; (seconds, files, pages)."""
    from reportparse.batch import ingest
    best, s = float("inf"), None
    for k in range(repeat):
        out = tmp / f"out-{time.monotonic_ns()}"
        t = time.perf_counter()
        s = ingest([str(src)], str(out), {"ocr": False}, progress=False, **kw)
        best = min(best, time.perf_counter() - t)
    return best, s.parsed, s.pages


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--copies", type=int, default=6, help="copies of each text sample")
    ap.add_argument("--long-pages", type=int, default=30, help="pages of each generated long report")
    ap.add_argument("--repeat", type=int, default=2)
    a = ap.parse_args()
    from distributed import Client, LocalCluster
    with tempfile.TemporaryDirectory() as tmp_:
        tmp = Path(tmp_)
        src = corpus(tmp / "in", a.copies, a.long_pages)
        warm = tmp / "warm"
        warm.mkdir()
        for p in TEXT_PDFS:  # distinct files, so that every worker gets one to start its parse child
            (warm / p.name).write_bytes(p.read_bytes())
        print(f"{os.cpu_count()} cores; OCR off")
        for n in a.workers:
            secs, files, pages = timed(src, tmp, a.repeat, jobs=n)
            print(f"local pool --jobs {n}    : {files} files {pages} pages in {secs:5.1f} s, "
                  f"{files / secs:5.2f} files/s {pages / secs:6.1f} pages/s")
            with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                              dashboard_address=None, silence_logs=logging.ERROR) as c, \
                    Client(c, set_as_default=False) as client:
                timed(warm, tmp, 1, scheduler=client)  # not counted: starts each worker's parse child
                secs, files, pages = timed(src, tmp, a.repeat, scheduler=client)
            print(f"dask, {n} worker(s)      : {files} files {pages} pages in {secs:5.1f} s, "
                  f"{files / secs:5.2f} files/s {pages / secs:6.1f} pages/s")


if __name__ == "__main__":
    main()
