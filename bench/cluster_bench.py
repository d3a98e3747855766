"""Throughput on a Dask cluster: pages/s of ``ingest --scheduler`` against the number of workers.

    python bench/cluster_bench.py [--workers 1 2] [--copies 6] [--long-pages 30] [--repeat 2]
    python bench/cluster_bench.py --compare FOLDER [--no-ocr] [--kill-after 3]

Starts a ``distributed.LocalCluster`` of N single-threaded worker processes on loopback for
each N, warms its parse children with one small ingest, then ingests copies of the text
samples of samples/ plus a generated long report (OCR off) into a fresh folder and prints
files/s and pages/s (best of ``--repeat``), next to the local pool (``--jobs N``) on the same
files in the same run: only the ratios compare across machines. A cluster start-up is not
counted, nor its parse children's (one import of the parser each); on a real cluster they
are paid once, not per ingest. The local pool's start-up is counted.

``--compare FOLDER`` checks instead that the cluster writes what the local pool writes, the
way a user runs it: ``reportparse ingest FOLDER --jobs 2``, then a ``dask scheduler`` and two
``dask worker`` processes on loopback and ``ingest --scheduler`` twice, once clean and once
with one worker SIGKILLed ``--kill-after`` seconds after the first task started; the three outputs' tables
must be equal (every column, ``source`` included).
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
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
    from reportparse.run.batch import ingest
    best, s = float("inf"), None
    for k in range(repeat):
        out = tmp / f"out-{time.monotonic_ns()}"
        t = time.perf_counter()
        s = ingest([str(src)], str(out), {"ocr": False}, progress=False, **kw)
        best = min(best, time.perf_counter() - t)
    return best, s.parsed, s.pages


def compare(folder: str, ocr: bool, kill_after: float) -> None:
    """The local pool's tables against the cluster's, clean and with a worker killed."""
    import pandas as pd
    from distributed import Client
    from reportparse import load
    from reportparse.store import write
    bindir = Path(sys.executable).parent
    flags = ["--quiet"] + ([] if ocr else ["--no-ocr"])

    def ingest(out: Path, *extra: str) -> subprocess.Popen:
        return subprocess.Popen([str(bindir / "reportparse"), "ingest", folder, "--out", str(out), *flags, *extra],
                                stdout=subprocess.PIPE, text=True)

    def done(p: subprocess.Popen, what: str, t0: float) -> None:
        out, _ = p.communicate()
        if p.returncode not in (0, 1):  # 1: it ran and some files failed (a corpus with broken files)
            raise SystemExit(f"{what}: exit {p.returncode}")
        print(f"{what:28}: {out.splitlines()[0]} (wall {time.time() - t0:.1f} s)", flush=True)

    with tempfile.TemporaryDirectory() as tmp_:
        tmp = Path(tmp_)
        t0 = time.time()
        done(ingest(tmp / "local", "--jobs", "2"), "--jobs 2", t0)
        addr = "tcp://127.0.0.1:8799"
        procs = [subprocess.Popen([str(bindir / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "8799",
                                   "--no-dashboard"], stderr=subprocess.DEVNULL)]
        try:
            procs += [subprocess.Popen([str(bindir / "dask"), "worker", addr, "--nthreads", "1", "--no-dashboard"],
                                       stderr=subprocess.DEVNULL) for _ in range(2)]
            with Client(addr, timeout="60s", set_as_default=False) as client:
                client.wait_for_workers(2, timeout=60)
                t0 = time.time()
                done(ingest(tmp / "dist", "--scheduler", addr), "--scheduler, 2 workers", t0)
                t0 = time.time()
                p = ingest(tmp / "kill", "--scheduler", addr)
                while not any(client.processing().values()):  # the client hashes first: wait for its tasks
                    time.sleep(0.05)
                time.sleep(kill_after)
                busy = {w: len(k) for w, k in client.processing().items()}
                victim = max(busy, key=busy.get)
                pid = client.run(os.getpid, workers=[victim])[victim]
                os.kill(pid, signal.SIGKILL)
                print(f"SIGKILLed worker {victim} (pid {pid}) {kill_after:g} s after the first task started; "
                      f"tasks held then: {busy}", flush=True)
                done(p, "--scheduler, one killed", t0)
        finally:
            for q in reversed(procs):
                q.terminate()
                q.wait()

        def tables(out: Path) -> dict:
            return {k: v.sort_values(list(v.columns)).reset_index(drop=True) for k, v in load(out).items()}
        local = tables(tmp / "local")
        for other in ("dist", "kill"):
            theirs = tables(tmp / other)
            for name in write.TABLES:
                pd.testing.assert_frame_equal(local[name], theirs[name], check_like=True)
            print(f"{other}: the same tables as --jobs 2 ({', '.join(f'{n} {len(theirs[n])}' for n in write.TABLES)})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--copies", type=int, default=6, help="copies of each text sample")
    ap.add_argument("--long-pages", type=int, default=30, help="pages of each generated long report")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--compare", metavar="FOLDER", help="check the cluster's tables against --jobs 2's on FOLDER")
    ap.add_argument("--no-ocr", action="store_true", help="with --compare: OCR off")
    ap.add_argument("--kill-after", type=float, default=3.0, help="with --compare: seconds before the SIGKILL")
    a = ap.parse_args()
    if a.compare:
        return compare(a.compare, not a.no_ocr, a.kill_after)
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
