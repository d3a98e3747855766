"""Ingest many files: a pool of worker processes, each file under a time limit.

A worker parses and writes one document at a time, so results stream to disk; it reports
each page it finishes, and a worker that finishes no page within the time limit (a file
that hangs the parser) is killed and replaced and its file gets a ``failed`` row, while a
long scanned report that keeps making progress is never cut off; workers
are recycled after a number of files to bound memory. Files already in the output (same
content hash) are skipped; a path whose content changed has its old rows replaced.
"""
from __future__ import annotations

import contextlib
import hashlib
import multiprocessing as mp
import os
import sys
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait

import pyarrow.parquet as pq

from . import write
from .model import Report
from .pipeline import file_id, parse_pdf
from .settings import Settings


@dataclass
class Summary:
    files: int = 0
    skipped: int = 0
    parsed: int = 0
    pages: int = 0
    rows: dict[str, int] = field(default_factory=lambda: {t: 0 for t in write.TABLES})
    failures: list[tuple[str, str]] = field(default_factory=list)
    partial: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0


def collect(paths: list[str]) -> list[str]:
    """Files as given, and folders walked recursively for *.pdf in any case, sorted."""
    out: list[str] = []
    for p in paths:
        if os.path.isdir(p):
            found = [os.path.join(d, f) for d, _, fs in os.walk(p) for f in fs if f.lower().endswith(".pdf")]
            out.extend(sorted(found))
        elif os.path.exists(p):
            out.append(p)
        else:
            raise FileNotFoundError(f"no such file or folder: {p}")
    return out


def _summarize(report: Report) -> dict:
    counts = {k: len(v) for k, v in write.rows(report).items()}
    return {"status": report.status, "error": report.error, "pages": report.page_count or 0, "rows": counts}


def process_one(path: str, doc_id: str, settings: Settings, out: str, progress=None) -> dict:
    """Parse and write one file; any fault becomes that file's failed row, never a crash."""
    try:
        report = parse_pdf(path, settings, progress, doc_id)
    except Exception as e:  # a parser bug on one file must not cost the batch; the row says what broke
        report = Report(doc_id=doc_id, source=path, status="failed",
                        error=f"internal error while parsing ({type(e).__name__}: {e}); please report it with the file")
    write.write_report(report, out)
    return _summarize(report)


def _worker(conn: Connection, settings: Settings, out: str) -> None:
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        path, doc_id = task
        conn.send(process_one(path, doc_id, settings, out, lambda page: conn.send(("page", page))))


class _Slot:
    def __init__(self, ctx, settings: Settings, out: str):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child, settings, out), daemon=True)
        self.proc.start()
        child.close()
        self.task: tuple[str, str] | None = None  # (path, doc_id)
        self.started = 0.0
        self.done = 0

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join(5)
        self.conn.close()


def _existing_sources(out: str) -> dict[str, str]:
    res = {}
    for p in write.parts(out, "documents"):
        try:
            t = pq.read_table(p, columns=["doc_id", "source"]).to_pylist()
        except Exception:  # an unreadable part is swept and redone below; nothing is lost
            p.unlink()
            continue
        for r in t:
            res[r["source"]] = r["doc_id"]
    return res


class Progress:
    def __init__(self, total: int, stream=sys.stderr):
        self.total, self.stream, self.t0 = total, stream, time.time()
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.n = self.pages = 0

    def tick(self, path: str, info: dict) -> None:
        self.n += 1
        self.pages += info.get("pages", 0)
        dt = max(time.time() - self.t0, 1e-6)
        rate = self.n / dt
        eta = (self.total - self.n) / rate if rate else 0
        line = (f"[{self.n}/{self.total}] {self.n / dt:.2f} files/s {self.pages / dt:.1f} pages/s "
                f"ETA {eta:.0f}s")
        if self.tty:
            self.stream.write("\r" + line[:120].ljust(120))
            if self.n == self.total:
                self.stream.write("\n")
        else:
            self.stream.write(f"{line} {info['status']} {path}\n")
        self.stream.flush()


def ingest(paths: list[str], out: str = "outputs", settings: Settings | dict | None = None, jobs: int | None = None,
           force: bool = False, max_tasks: int = 50, progress: bool = True, scheduler: object | None = None) -> Summary:
    """Ingest files and folders into ``out``; see the module docstring for the guarantees.
    With ``scheduler`` (a Dask address or Client) the parses run on that cluster (``cluster.py``)."""
    settings = Settings.resolve(settings)
    if scheduler is not None:
        from . import cluster
        paths, out = cluster.prepare(paths, out)
    t0 = time.time()
    os.makedirs(out, exist_ok=True)
    write.sweep(out)
    files = collect(paths)
    summary = Summary(files=len(files))
    done = write.committed(out)
    sources = _existing_sources(out)
    todo, seen = [], set()
    unreadable = []
    for f in files:
        try:
            did = file_id(f)
        except OSError as e:  # vanished or not permitted: a row that says so, the batch goes on
            unreadable.append((f, e))
            continue
        old = sources.get(f)
        if old and old != did:
            write.remove_doc(old, out)  # same path, new content: replace its rows
            done.discard(old)
        if (did in done and not force) or did in seen:
            summary.skipped += 1
            continue
        seen.add(did)
        todo.append((f, did))
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
    prog = Progress(len(todo) + len(unreadable)) if progress else None

    def record(path: str, info: dict) -> None:
        summary.parsed += 1
        summary.pages += info["pages"]
        for k, v in info["rows"].items():
            summary.rows[k] += v
        if info["status"] == "failed":
            summary.failures.append((path, info["error"] or ""))
        elif info["status"] == "partial":
            summary.partial.append((path, info["error"] or ""))
        if prog:
            prog.tick(path, info)

    for f, e in unreadable:
        # no bytes, no content hash: the id is the hash of the path, marked as such
        report = Report(doc_id=hashlib.sha256(f"unreadable:{f}".encode()).hexdigest(), source=f, status="failed",
                        error=f"cannot read the file ({e.strerror or e}); check that it exists and is readable")
        write.write_report(report, out)
        record(f, _summarize(report))
    if todo and scheduler is not None:
        cluster.run(scheduler, todo, settings, out, record, lambda t, why: _died(*t, out, why), max_tasks)
    elif todo:
        ctx = mp.get_context("spawn")
        slots = [_Slot(ctx, settings, out) for _ in range(jobs)]
        queue = list(reversed(todo))
        try:
            while queue or any(s.task for s in slots):
                for i, s in enumerate(slots):
                    if s.task is None and queue:
                        if s.done >= max_tasks or not s.proc.is_alive():
                            s.kill(); slots[i] = s = _Slot(ctx, settings, out)
                        s.task, s.started = queue.pop(), time.time()
                        s.conn.send(s.task)
                busy = [s for s in slots if s.task]
                soonest = min(s.started + settings.timeout for s in busy)
                ready = wait([s.conn for s in busy], timeout=max(0.0, soonest - time.time()))
                now = time.time()
                for i, s in enumerate(slots):
                    if not s.task:
                        continue
                    if s.conn in ready:
                        try:
                            info = s.conn.recv()
                            if isinstance(info, tuple):  # a page done: the file is alive, its clock restarts
                                s.started = now
                                continue
                        except EOFError:  # the worker died (out of memory, segfault in a library)
                            info = _died(*s.task, out, "the parser process died while reading this file "
                                         f"(exit code {s.proc.exitcode}); it may be too large or malformed")
                            s.kill(); slots[i] = _Slot(ctx, settings, out)
                        else:
                            slots[i].done += 1
                        record(s.task[0], info)
                        slots[i].task = None
                    elif now >= s.started + settings.timeout:
                        info = _died(*s.task, out, f"timed out: no page finished within {settings.timeout:g} s (the "
                                     "file makes the PDF parser hang); raise --timeout or repair the file with qpdf")
                        record(s.task[0], info)
                        s.kill(); slots[i] = _Slot(ctx, settings, out)
        finally:
            for s in slots:
                if s.proc.is_alive():
                    with contextlib.suppress(BrokenPipeError, OSError):  # already gone: join/kill below
                        s.conn.send(None)
                    s.proc.join(2)
                    if s.proc.is_alive():
                        s.kill()
    write.sweep(out)
    write.ensure_empty_tables(out)
    summary.seconds = time.time() - t0
    return summary


def _died(path: str, doc_id: str, out: str, why: str) -> dict:
    write.remove_doc(doc_id, out)
    report = Report(doc_id=doc_id, source=path, status="failed", error=why)
    write.write_report(report, out)
    return _summarize(report)
