"""Ingest many files: a pool of worker processes, each file under a time and a memory limit.

A worker parses and writes one document at a time, so results stream to disk; it reports
each page it finishes, and a worker that finishes no page within the time limit (counted
from the moment the worker is ready, not from its start-up) is killed and replaced and its
file gets a ``failed`` row, while a long scanned report that keeps making progress is never
cut off. Workers are recycled after a number of files, run under an address-space limit, die
with their parent (PR_SET_PDEATHSIG and a watchdog on a lifeline pipe) and never commit a row
once it is gone, so a killed batch leaves only what a rerun would have written.

A failure is permanent (not a PDF, encrypted, empty, too large, not a regular file: kept) or
transient (timeout, worker killed, out of memory, internal error, unreadable: the next run
parses the file again and says so; ``retry_failed`` redoes every failed file). Files already
in the output (same content hash) are skipped; the same content under several paths is
parsed once and its row lists every path; a path whose content changed has its old rows
replaced. Only regular files are opened, and the parent never reads anything that can block.
"""
from __future__ import annotations

import errno
import hashlib
import logging
import os
import sys
import time
from dataclasses import dataclass, field

from reportparse.messages import say
from reportparse.model import Report
from reportparse.run.executor import Executor
from reportparse.run.failures import PERMANENT, TRANSIENT, CannotRun, is_transient
from reportparse.run.files import NotRegular, clean_message, collect, display, file_hash
from reportparse.run.onefile import hung_or_died_row, summarize
from reportparse.settings import Settings
from reportparse.store import write

log = logging.getLogger(__name__)


@dataclass
class Summary:
    files: int = 0
    skipped: int = 0
    parsed: int = 0
    retried: int = 0
    pages: int = 0
    rows: dict[str, int] = field(default_factory=lambda: {t: 0 for t in write.TABLES})
    failures: list[tuple[str, str]] = field(default_factory=list)
    partial: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0


# ---------------------------------------------------------------- names and paths


# ---------------------------------------------------------------- one file, in a worker


# ---------------------------------------------------------------- progress

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
            self.stream.write(f"{line} {info['status']} {display(path)}\n")
        self.stream.flush()


# ---------------------------------------------------------------- the batch


def _row_paths(row: dict) -> list[bytes]:
    if row.get("path_bytes"):
        return row["path_bytes"].split(b"\0")
    return [os.fsencode(row["source"])] if row.get("source") else []


def _paths_extra(raw: list[bytes]) -> dict:
    """The documents columns for a list of paths: readable lines (display escapes any
    newline in a name) and the exact bytes, NUL-separated (no path holds a NUL)."""
    return {"paths": "\n".join(display(b) for b in raw), "path_bytes": b"\0".join(raw)}


_OUTPUT_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOTDIR, errno.EEXIST,
                  errno.EFBIG, errno.EIO, errno.ENAMETOOLONG, errno.EISDIR}


def ingest(paths: list[str], out: str = "outputs", settings: Settings | dict | None = None, jobs: int | None = None,
           force: bool = False, max_tasks: int = 50, progress: bool = True, retry_failed: bool = False,
           lock_wait: float = 5.0, scheduler: object | None = None) -> Summary:
    """Ingest files and folders into ``out``; see the module docstring for the guarantees.
    Raises FileNotFoundError for a missing input path and CannotRun when the batch cannot
    run (nothing to read, ``out`` locked by another run or not writable, disk full).
    With ``scheduler`` (a Dask address or Client) the parses run on that cluster (``cluster.py``)."""
    settings = Settings.resolve(settings)
    if scheduler is not None:
        from reportparse.run import cluster
        paths, out = cluster.prepare(paths, out)
    t0 = time.time()
    files = collect(paths)
    if not files:
        raise CannotRun(say("no_pdfs", paths="、".join(display(p) for p in paths)))
    try:
        os.makedirs(out, exist_ok=True)
        with write.lock(out, lock_wait):
            summary = _run(files, out, settings, jobs, force, max_tasks, progress, retry_failed, scheduler)
    except write.Locked as e:
        raise CannotRun(str(e)) from None
    except OSError as e:
        if e.errno in _OUTPUT_ERRORS:
            raise CannotRun(say("cannot_write", out=display(out), why=e.strerror or e)) from None
        raise CannotRun(say("batch_stopped", why=clean_message(e.strerror or str(e)))) from None
    summary.seconds = time.time() - t0
    return summary


def _executor(scheduler: object | None, settings: Settings, out: str, jobs: int, max_tasks: int) -> Executor:
    """The executor for this run, imported only now: the batch's parent never loads Dask (or the
    pool's worker code) unless it uses it."""
    if scheduler is not None:
        from reportparse.run.cluster import DaskCluster
        return DaskCluster(scheduler, settings, out, max_tasks)
    from reportparse.run.pool import LocalPool
    return LocalPool(settings, out, jobs, max_tasks)


def _run(files: list[str], out: str, settings: Settings, jobs: int | None, force: bool, max_tasks: int,
         progress: bool, retry_failed: bool, scheduler: object | None = None) -> Summary:
    write.sweep(out)
    summary = Summary(files=len(files))
    known = write.documents(out)
    by_path = {b: did for did, row in known.items() for b in _row_paths(row)}
    groups: dict[str, list[str]] = {}   # doc_id -> this run's paths with that content
    unreadable: list[tuple[str, str, str, str]] = []  # (path, id, error, failure)
    for f in files:
        try:
            did = file_hash(f)
        except (NotRegular, OSError) as e:
            why = (str(e) if isinstance(e, NotRegular) else
                   say("path_too_long") if e.errno == errno.ENAMETOOLONG else
                   say("cannot_read_file", why=e.strerror or e))
            did = hashlib.sha256(b"unreadable:" + os.fsencode(f)).hexdigest()  # no bytes: the path's hash
            unreadable.append((f, did, why, PERMANENT if isinstance(e, NotRegular) else TRANSIENT))
        groups.setdefault(did, []).append(f)
    # a path now holding other content leaves its old document; one left with no path goes
    for did, fs in groups.items():
        for f in fs:
            old = by_path.get(os.fsencode(f))
            if old and old != did and old in known:
                rest = [b for b in _row_paths(known[old]) if b != os.fsencode(f)]
                if rest:
                    write.set_extra(out, old, **_paths_extra(rest))
                    known[old]["path_bytes"] = b"\0".join(rest)
                else:
                    write.remove_doc(old, out)
                    del known[old]
    todo: list[tuple[str, str, dict]] = []
    special = {did: (why, failure) for _, did, why, failure in unreadable}
    for did, fs in groups.items():
        row = known.get(did)
        old_paths = _row_paths(row) if row else []
        mine = [os.fsencode(f) for f in fs]
        redo = row is None or force or (row["status"] == "failed" and (retry_failed or is_transient(row)))
        log.debug("%s: %s", display(fs[0]), "new" if row is None else "forced" if force else
                  f"failed before ({'transient' if is_transient(row) else 'permanent'}), parsed again" if redo
                  else f"already in the output ({row['status']}), skipped")
        if not redo:
            summary.skipped += len(fs)
            if set(mine) - set(old_paths):  # a copy under a new name: the row records it
                write.set_extra(out, did, **_paths_extra(old_paths + [b for b in mine if b not in old_paths]))
            continue
        raw = mine + [b for b in old_paths if b not in mine]  # the path parsed is the source, first
        if row is not None and row["status"] == "failed":
            summary.retried += 1
        summary.skipped += len(fs) - 1  # the same content under other paths is parsed once
        extra = {**_paths_extra(raw), "attempts": (row.get("attempts") or 1) + 1 if row else 1}
        todo.append((fs[0], did, extra))
    todo_special = [t for t in todo if t[1] in special]
    todo = [t for t in todo if t[1] not in special]
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
    prog = Progress(len(todo) + len(todo_special)) if progress else None

    def record(path: str, info: dict) -> None:
        summary.parsed += 1
        summary.pages += info["pages"]
        for k, v in info["rows"].items():
            summary.rows[k] += v
        if info["status"] == "failed":
            summary.failures.append((display(path), info["error"] or ""))
        elif info["status"] == "partial":
            summary.partial.append((display(path), info["error"] or ""))
        if prog:
            prog.tick(path, info)

    for f, did, extra in todo_special:
        why, failure = special[did]
        report = Report(doc_id=did, source=display(f), status="failed", error=why)
        record(f, summarize(report, write.write_report(report, out, {**extra, "failure": failure}), failure))
    if todo:
        _executor(scheduler, settings, out, jobs, max_tasks).run(todo, record, lambda t, why: hung_or_died_row(t, out, why))
    write.sweep(out)
    write.ensure_empty_tables(out)
    return summary


