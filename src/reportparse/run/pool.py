"""The local executor: a pool of spawned worker processes, each file under a time and a memory
limit, a hung or dead worker replaced and its file given a failed row.
"""
from __future__ import annotations

import contextlib
import ctypes
import multiprocessing as mp
import os
import resource
import shutil
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait

from reportparse.messages import say
from reportparse.run.executor import Died, Record, Task
from reportparse.run.failures import CannotRun
from reportparse.run.files import display
from reportparse.run.onefile import process_one, worker_setup
from reportparse.settings import Settings
from reportparse.store import write


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


def _worker(conn: Connection, lifeline: Connection, parent: int, settings: Settings, out: str, tmp: str) -> None:
    _die_with_parent(parent, lifeline)
    # this worker's temporary files (the page images tesseract reads, LibreOffice's copies) go in
    # a folder of its own, which the pool removes when the worker ends, killed or not
    os.environ["TMPDIR"] = tempfile.tempdir = tmp
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
            conn.send(("write_error", say("cannot_write", out=display(out), why=e.strerror or e)))
            return
        conn.send(("done", info))


class _Slot:
    def __init__(self, ctx, settings: Settings, out: str):
        self.conn, child = ctx.Pipe()
        life_r, self.life = ctx.Pipe(duplex=False)
        self.tmp = tempfile.mkdtemp(prefix="reportparse-worker-")
        self.proc = ctx.Process(target=_worker, args=(child, life_r, os.getpid(), settings, out, self.tmp), daemon=True)
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
        self.tidy()

    def tidy(self) -> None:
        """Remove the worker's temporary folder: a worker killed mid-file cannot remove its own
        (tesseract's page image, a copy of the document), so the page would stay in /tmp."""
        if not self.proc.is_alive():
            shutil.rmtree(self.tmp, ignore_errors=True)

    def why_dead(self) -> str:
        self.proc.join(2)
        code = self.proc.exitcode
        if code is None:
            return say("stopped_answering")
        if code < 0:
            name = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
            return say("killed_oom" if -code == signal.SIGKILL else "killed", signal=name)
        return say("exit_code", code=code)


START_LIMIT = 120.0  # seconds a new worker may take to import and say it is ready


@dataclass
class LocalPool:
    """``jobs`` worker processes on this machine, each recycled after ``max_tasks`` files."""
    settings: Settings
    out: str
    jobs: int
    max_tasks: int = 50

    def run(self, todo: list[Task], record: Record, died: Died) -> None:
        _pool(todo, self.out, self.settings, self.jobs, self.max_tasks, record, died)


def _pool(todo: list[Task], out: str, settings: Settings, jobs: int, max_tasks: int, record: Record,
          died_row: Died) -> None:
    ctx = mp.get_context("spawn")
    slots = [_Slot(ctx, settings, out) for _ in range(jobs)]
    queue = list(reversed(todo))
    failed_starts = 0

    def died(s: _Slot, why: str) -> None:
        record(s.task[0], died_row(s.task, why))
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
                            limit = (say("memory_limit", mb=settings.memory_limit_mb)
                                     if settings.memory_limit_mb else say("memory"))
                            died(s, say("worker_died", why=why, limit=limit))
                        elif not s.ready:  # died while starting: three in a row and the batch cannot run
                            failed_starts += 1
                            if failed_starts >= 3:
                                raise CannotRun(say("workers_cannot_start", why=why))
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
                    died(s, say("timed_out", seconds=f"{settings.timeout:g}"))
                    s.kill(); slots[i] = _Slot(ctx, settings, out)
                elif not s.ready and not s.task and now >= s.born + START_LIMIT:
                    s.kill(); slots[i] = _Slot(ctx, settings, out)
                    failed_starts += 1
                    if failed_starts >= 3:
                        raise CannotRun(say("workers_start_slow", seconds=f"{START_LIMIT:g}"))
    finally:
        for s in slots:
            if s.proc.is_alive():
                with contextlib.suppress(OSError):  # already gone: join/kill below
                    s.conn.send(None)
                s.proc.join(2)
                if s.proc.is_alive():
                    s.kill()
            s.tidy()
