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

import contextlib
import ctypes
import errno
import gc
import hashlib
import multiprocessing as mp
import os
import resource
import signal
import stat
import sys
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait

from reportparse.store import write
from reportparse.model import Report
from reportparse.settings import Settings


class CannotRun(Exception):
    """The batch could not run at all (no input, output not writable or locked, disk full);
    the message is one line a person can act on."""


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

_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0x20), *range(0x7f, 0xa0)]}


def display(path: str | bytes) -> str:
    """A path as valid, printable text: UTF-8 names as they are, a component that is not
    UTF-8 decoded as GBK when it is valid GBK (Windows archives of Chinese reports) and
    with its bytes as \\xNN otherwise, control characters as \\xNN. Never raises."""
    raw = path if isinstance(path, bytes) else os.fsencode(path)
    parts = []
    for comp in raw.split(b"/"):
        try:
            text = comp.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = comp.decode("gbk")
            except UnicodeDecodeError:
                text = comp.decode("utf-8", "backslashreplace")
        parts.append(text)
    return "/".join(parts).translate(_CONTROL)


def clean_message(text: str | None) -> str | None:
    """Error text safe to store and print: lone surrogates (from undecodable names in an
    exception message) and control characters escaped."""
    if text is None:
        return None
    return text.encode("utf-8", "backslashreplace").decode("utf-8").translate(_CONTROL)


def _norm(p: str) -> str:
    return os.path.abspath(os.path.normpath(p))


def collect(paths: list[str]) -> list[str]:
    """Files as given, and folders walked recursively for *.pdf in any case (a folder named
    .pdf or a FIFO too: they get a failed row), as absolute normalised paths, each once,
    sorted. A folder that cannot be listed is returned as an entry, so it gets a row too;
    a path that does not exist raises FileNotFoundError."""
    out: set[str] = set()
    for p in paths:
        try:
            st = os.stat(p)
        except FileNotFoundError:
            if os.path.lexists(p):  # a dangling link: a row that says so
                out.add(_norm(p))
                continue
            raise FileNotFoundError(f"no such file or folder: {display(p)}") from None
        except OSError:  # too long, not permitted: a failed row that says why
            out.add(_norm(p))
            continue
        if not stat.S_ISDIR(st.st_mode):
            out.add(_norm(p))
            continue

        def unlistable(e: OSError) -> None:
            out.add(_norm(e.filename if isinstance(e.filename, str) else p))
        for d, dirs, files in os.walk(p, onerror=unlistable):
            out.update(_norm(os.path.join(d, f)) for f in [*files, *dirs] if f.lower().endswith(".pdf"))
    return sorted(out, key=os.fsencode)


_KINDS = [(stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")]


class NotRegular(Exception):
    """The path is not a regular file; never opened for reading."""


def file_hash(path: str) -> str:
    """sha256 of a regular file. Never blocks: the type is checked with stat before the
    open, the open is O_NONBLOCK and the type checked again on the descriptor (a file
    swapped for a FIFO in between)."""
    def check(st: os.stat_result) -> None:
        if not stat.S_ISREG(st.st_mode):
            kind = next((k for test, k in _KINDS if test(st.st_mode)), "not a regular file")
            raise NotRegular(f"not a regular file: the path is {kind}; only PDF files are read")
    check(os.stat(path))
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    try:
        check(os.fstat(fd))
        h = hashlib.sha256()
        while chunk := os.read(fd, 1 << 20):
            h.update(chunk)
        return h.hexdigest()
    finally:
        os.close(fd)


# ---------------------------------------------------------------- one file, in a worker

TRANSIENT, PERMANENT = "transient", "permanent"


def _summarize(report: Report, counts: dict[str, int], failure: str | None = None) -> dict:
    return {"status": report.status, "error": report.error, "pages": report.page_count or 0, "rows": counts,
            "failure": failure}


def process_one(path: str, doc_id: str, settings: Settings, out: str, progress=None, extra: dict | None = None,
                may_commit=None) -> dict:
    """Parse and write one file; any fault becomes that file's failed row, never a crash.
    A parser refusal is a permanent failure; running out of memory or a parser bug is
    transient (the next run tries again)."""
    from reportparse.run.pipeline import parse_pdf  # here, not at the top: the batch's parent never parses
    failure = None
    try:
        report = parse_pdf(path, settings, progress, doc_id)
        if report.status == "failed":
            failure = PERMANENT
    except MemoryError:
        report = Report(doc_id=doc_id, source=path, status="failed",
                        error=f"out of memory: the file needs more than the {settings.memory_limit_mb} MB memory "
                              "limit; raise --memory-limit (the next run tries again)")
        failure = TRANSIENT
    except Exception as e:  # a parser bug on one file must not cost the batch; the row says what broke
        report = Report(doc_id=doc_id, source=path, status="failed",
                        error=f"internal error while parsing ({type(e).__name__}: {e}); please report it with the file")
        failure = TRANSIENT
    report.source = display(path)
    report.error = clean_message(report.error)
    extra = {**(extra or {}), "failure": failure}
    return _summarize(report, write.write_report(report, out, extra, may_commit), failure)


def _die_with_parent(parent: int, lifeline: Connection) -> None:
    """The worker ends when the batch does: the kernel kills it when its parent dies
    (PR_SET_PDEATHSIG, Linux), and a watchdog thread exits when the lifeline pipe from the
    parent closes (any platform, and the case where the parent died before prctl ran)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)

    def watch() -> None:
        with contextlib.suppress(EOFError, OSError):
            while True:
                lifeline.recv()
        os._exit(1)
    threading.Thread(target=watch, daemon=True).start()


def _no_pandas_in_pyarrow() -> None:
    """pyarrow imports pandas (0.2 s, more than parsing a short report) the first time it
    converts a Python list, only to ask whether the list is a pandas object. A worker
    never gives it one: its one try fails here, so pyarrow skips that question in this
    process (an explicit ``to_pandas`` would still import pandas: pyarrow tries again
    then). Only for the batch's own worker processes, never in a caller's."""
    import pyarrow as pa

    from reportparse._imports import refused
    with refused("pandas"):
        pa.array([0])


def worker_setup() -> None:
    """What a parse process does once, before its memory limit and before it says it is
    ready (the local pool's workers and the cluster's parse children): the parser's and the
    writer's imports, so they are not on the first file's clock or its memory; pyarrow kept
    from importing pandas; and the garbage collector tuned. The imported modules' objects live
    as long as the process: out of the collector's scans. A page makes tens of thousands of
    short-lived dicts that reference counting frees; the collector, which only looks for
    cycles, runs every 50 000 allocations instead of 700 (3 % of a worker's time)."""
    if "pandas" not in sys.modules:
        _no_pandas_in_pyarrow()
    from reportparse.run import pipeline# noqa: F401
    write.prepare()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def _worker(conn: Connection, lifeline: Connection, parent: int, settings: Settings, out: str) -> None:
    _die_with_parent(parent, lifeline)
    worker_setup()
    if settings.memory_limit_mb:
        limit = settings.memory_limit_mb << 20
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    alive = lambda: os.getppid() == parent  # noqa: E731

    def page_done(page: int) -> None:
        try:
            conn.send(("page", page))
        except OSError:
            raise write.ParentGone("the batch is gone") from None
    conn.send(("ready",))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        path, doc_id, extra = task
        try:
            info = process_one(path, doc_id, settings, out, page_done, extra, alive)
        except write.ParentGone:
            return
        except OSError as e:  # the output cannot be written (disk full, read-only): the batch must stop
            conn.send(("write_error", f"cannot write to {display(out)}: {e.strerror or e}"))
            return
        conn.send(("done", info))


class _Slot:
    def __init__(self, ctx, settings: Settings, out: str):
        self.conn, child = ctx.Pipe()
        life_r, self.life = ctx.Pipe(duplex=False)
        self.proc = ctx.Process(target=_worker, args=(child, life_r, os.getpid(), settings, out), daemon=True)
        self.proc.start()
        child.close()
        life_r.close()
        self.born = time.time()
        self.ready = False
        self.task: tuple[str, str, dict] | None = None
        self.started = 0.0
        self.done = 0

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()
        self.life.close()

    def why_dead(self) -> str:
        self.proc.join(2)
        code = self.proc.exitcode
        if code is None:
            return "it stopped answering"
        if code < 0:
            name = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
            hint = " (the kernel's out-of-memory killer?)" if -code == signal.SIGKILL else ""
            return f"it was killed by signal {name}{hint}"
        return f"it exited with code {code}"


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

_LEGACY_TRANSIENT = ("timed out", "internal error", "process died", "cannot read the file")


def _is_transient(row: dict) -> bool:
    if row.get("failure"):
        return row["failure"] == TRANSIENT
    return any(s in (row.get("error") or "") for s in _LEGACY_TRANSIENT)  # rows from before the column


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
        raise CannotRun(f"no PDF files found in {', '.join(display(p) for p in paths)}")
    try:
        os.makedirs(out, exist_ok=True)
        with write.lock(out, lock_wait):
            summary = _run(files, out, settings, jobs, force, max_tasks, progress, retry_failed, scheduler)
    except write.Locked as e:
        raise CannotRun(str(e)) from None
    except OSError as e:
        if e.errno in _OUTPUT_ERRORS:
            raise CannotRun(f"cannot write to {display(out)}: {e.strerror or e}") from None
        raise CannotRun(f"the batch stopped: {clean_message(e.strerror or str(e))}") from None
    summary.seconds = time.time() - t0
    return summary


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
                   "the path is longer than the system allows; move the file to a shorter path"
                   if e.errno == errno.ENAMETOOLONG else
                   f"cannot read the file ({e.strerror or e}); check that it exists and is readable")
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
        redo = row is None or force or (row["status"] == "failed" and (retry_failed or _is_transient(row)))
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
        record(f, _summarize(report, write.write_report(report, out, {**extra, "failure": failure}), failure))
    if todo and scheduler is not None:
        from reportparse.run import cluster
        cluster.run(scheduler, todo, settings, out, record, lambda t, why: _died(t, out, why), max_tasks)
    elif todo:
        _pool(todo, out, settings, jobs, max_tasks, record)
    write.sweep(out)
    write.ensure_empty_tables(out)
    return summary


def _died(task: tuple[str, str, dict], out: str, why: str) -> dict:
    """The failed row of a task whose worker hung or died: transient, the next run retries."""
    path, did, extra = task
    report = Report(doc_id=did, source=display(path), status="failed", error=why)
    return _summarize(report, write.write_report(report, out, {**extra, "failure": TRANSIENT}), TRANSIENT)


START_LIMIT = 120.0  # seconds a new worker may take to import and say it is ready


def _pool(todo: list[tuple[str, str, dict]], out: str, settings: Settings, jobs: int, max_tasks: int,
          record) -> None:
    ctx = mp.get_context("spawn")
    slots = [_Slot(ctx, settings, out) for _ in range(jobs)]
    queue = list(reversed(todo))
    failed_starts = 0

    def died(s: _Slot, why: str) -> None:
        record(s.task[0], _died(s.task, out, why))
        s.task = None

    try:
        while queue or any(s.task for s in slots):
            for i, s in enumerate(slots):
                if s.task is None and queue and s.ready:
                    if s.done >= max_tasks or not s.proc.is_alive():
                        s.kill(); slots[i] = s = _Slot(ctx, settings, out)
                        continue  # the new worker gets a task once it is ready
                    s.task, s.started = queue.pop(), time.time()
                    try:
                        s.conn.send(s.task)
                    except OSError:  # it died between saying ready and now: the task goes back
                        queue.append(s.task)
                        s.task = None
                        s.kill(); slots[i] = _Slot(ctx, settings, out)
            live = [s for s in slots if s.task or not s.ready]
            deadlines = [s.started + settings.timeout if s.task else s.born + START_LIMIT for s in live]
            ready = wait([s.conn for s in live], timeout=max(0.0, min(deadlines) - time.time()) if deadlines else 1.0)
            now = time.time()
            for i, s in enumerate(slots):
                if s.conn in ready:
                    try:
                        msg = s.conn.recv()
                    except (EOFError, OSError):  # the worker died: out of memory, a crash in a library
                        why = s.why_dead()
                        if s.task:
                            limit = (f"over its {settings.memory_limit_mb} MB --memory-limit"
                                     if settings.memory_limit_mb else "out of memory")
                            died(s, f"the parser process died while reading this file ({why}); it may have run "
                                    f"{limit} or hit a bug on a malformed file (the next run tries again)")
                        elif not s.ready:  # died while starting: three in a row and the batch cannot run
                            failed_starts += 1
                            if failed_starts >= 3:
                                raise CannotRun(f"worker processes cannot start ({why}); is --memory-limit too low?")
                        s.kill(); slots[i] = _Slot(ctx, settings, out)
                        continue
                    kind = msg[0]
                    if kind == "ready":
                        s.ready, failed_starts = True, 0
                    elif kind == "page":  # a page done: the file is alive, its clock restarts
                        s.started = now
                    elif kind == "write_error":
                        raise CannotRun(msg[1])
                    elif kind == "done":
                        s.done += 1
                        record(s.task[0], msg[1])
                        s.task = None
                elif s.task and now >= s.started + settings.timeout:
                    died(s, f"timed out: no page finished within {settings.timeout:g} s (the file makes the PDF "
                            "parser hang); the next run tries again; raise --timeout or repair the file with qpdf")
                    s.kill(); slots[i] = _Slot(ctx, settings, out)
                elif not s.ready and not s.task and now >= s.born + START_LIMIT:
                    s.kill(); slots[i] = _Slot(ctx, settings, out)
                    failed_starts += 1
                    if failed_starts >= 3:
                        raise CannotRun(f"worker processes do not start within {START_LIMIT:g} s")
    finally:
        for s in slots:
            if s.proc.is_alive():
                with contextlib.suppress(OSError):  # already gone: join/kill below
                    s.conn.send(None)
                s.proc.join(2)
                if s.proc.is_alive():
                    s.kill()
