"""Ingest on a Dask distributed cluster: the batch's per-document tasks, run by Dask workers.

Everything that decides *what* to parse stays in ``batch.ingest`` and runs in the client:
walking the inputs, hashing each file, skipping what the output already holds, replacing a
changed path's rows, the orphan sweep, the progress line. Only the parse-and-write of one
document is a Dask task, and it writes with the same commit protocol (``write.write_report``:
parts first, ``documents`` last, each part to a temp name then renamed). So a task is
idempotent: when a worker is lost mid-file, Dask runs the task again elsewhere and the second
run simply replaces the first's orphan parts; a file that kills workers over and over
(``distributed.scheduler.allowed-failures``, 3 by default) comes back as ``KilledWorker`` and
gets a ``failed`` row, written by the client, instead of taking one worker after another down.

Inside a task the parse runs in a child process that the worker keeps and reuses (started
with ``subprocess``, because Dask worker processes are daemons and may not fork
``multiprocessing`` children): the task waits for the child's per-page reports and kills it
when no page finishes within ``settings.timeout`` -- the same limit as the local pool. The
child's address space is capped at ``settings.memory_limit_mb`` as a local worker's is (with
none, at its share of the worker's memory limit: ``dask worker --memory-limit`` over
``--nthreads``, at least 2 GiB), a limit Dask itself does not enforce on a worker's children.
The child leaves when its worker goes (it watches its parent), so a killed worker never
commits late.

Input files and the output folder must be at the same absolute paths on the client and every
worker: a shared file system (NFS, CephFS, Lustre, ...). Object stores (``s3://``) are refused:
the commit protocol relies on an atomic rename, which they do not have.

A Dask scheduler runs whatever its clients send (pickled code), so a scheduler on a plain
``tcp://`` address that other machines can reach is a remote shell for anyone on that network.
The client therefore connects to a plain address only on loopback (``127.0.0.0/8``, ``::1``,
``localhost``); any other cluster is reached over ``tls://`` with certificates (``Scheduler``:
a CA file and this client's certificate and key, or Dask's own ``distributed.comm.tls``
configuration), which the scheduler checks both ways; ``insecure=True``
(``--insecure-cluster``) is the explicit opt-out for a network the user trusts.
"""
from __future__ import annotations

import atexit
import ipaddress
import os
import resource
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from reportparse import __version__
from reportparse.messages import SEP, cause, say
from reportparse.run import failures, onefile
from reportparse.run.executor import Died, Record, Task
from reportparse.settings import Settings
from reportparse.store import write

MIN_ADDRESS_SPACE = 2 << 30  # below this, pdfium and numpy cannot even load
WAIT_FOR_WORKERS = 60.0      # seconds the client waits for a first worker before it gives up


class ClusterError(failures.CannotRun):
    """The cluster cannot run this ingest (unreachable, no workers, cannot see the files)."""


def prepare(paths: list[str], out: str) -> tuple[list[str], str]:
    """Absolute paths, because workers on other machines do not share the client's working
    folder; refuse an object-store output, which has no atomic rename for the commit."""
    if "://" in out:
        raise ClusterError(say("cluster_out", out=out))
    return [os.path.abspath(p) for p in paths], os.path.abspath(out)


# ---------------------------------------------------------------- worker side


def _child_main() -> None:
    """Entry of the parse child: tasks in, page reports and summaries out, over one socket."""
    conn = Connection(int(sys.argv[1]))
    limit = int(sys.argv[2])
    onefile.worker_setup()
    if limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    parent = os.getppid()

    def watch() -> None:  # the worker is gone (SIGKILL, machine lost): stop before committing anything
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(3)

    threading.Thread(target=watch, daemon=True).start()

    def send(msg: Any) -> None:
        try:
            conn.send(msg)
        except OSError:  # the task's end of the socket is closed: nobody will read this result
            os._exit(3)

    send(("ready", os.getpid()))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        (path, doc_id, *rest), settings, out = task
        try:
            info = onefile.process_one(path, doc_id, settings, out, lambda page: send(("page", page)), *rest,
                                     may_commit=lambda: os.getppid() == parent)
        except write.ParentGone:  # the worker went between the last page and the commit
            os._exit(3)
        send(info)


class _Child:
    def __init__(self, memory_limit: int):
        a, b = socket.socketpair()
        cmd = [sys.executable, "-c", "from reportparse.run.cluster import _child_main; _child_main()",
               str(b.fileno()), str(memory_limit)]
        # Dask's nanny gives its workers MALLOC_TRIM_THRESHOLD_=65536, so that freed memory goes
        # back to the OS at once; OCR allocates and frees large buffers per page, and under it a
        # scanned page took 2.8 times as long (12 pages: 174 s against 62 s). The child's memory
        # is bounded by its own address-space cap, not by the nanny: glibc's default for it.
        env = {k: v for k, v in os.environ.items() if k != "MALLOC_TRIM_THRESHOLD_"}
        self.proc = subprocess.Popen(cmd, pass_fds=[b.fileno()], stdin=subprocess.DEVNULL, env=env)
        b.close()
        self.conn = Connection(a.detach())
        self.done, self.limit = 0, memory_limit

    def ready(self, timeout: float) -> bool:
        try:
            return self.conn.poll(timeout) and self.conn.recv()[0] == "ready"
        except (EOFError, OSError):
            return False

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()
        self.conn.close()


_idle: list[_Child] = []
_lock = threading.Lock()


@atexit.register
def _kill_idle() -> None:
    with _lock:
        while _idle:
            _idle.pop().kill()


def _memory_limit(settings: Settings) -> int:
    """The child's address-space cap: ``--memory-limit`` as for a local worker; with none, the
    worker's memory limit shared among its threads, at least MIN_ADDRESS_SPACE (0: no cap)."""
    if settings.memory_limit_mb:
        return settings.memory_limit_mb << 20
    try:
        from distributed import get_worker
        w = get_worker()
        limit = int(w.memory_manager.memory_limit or 0) // max(1, w.state.nthreads)
    except (ImportError, ValueError, AttributeError):  # not inside a worker (a direct call): no cap
        return 0
    return max(limit, MIN_ADDRESS_SPACE) if limit else 0


def _checkout(settings: Settings) -> _Child:
    limit = _memory_limit(settings)
    with _lock:
        for child in [c for c in _idle if c.limit == limit]:
            _idle.remove(child)
            if child.proc.poll() is None:
                return child
            child.kill()  # died while idle (killed from outside): start a fresh one
    for _ in range(2):  # a second try: one start can be killed from outside, as any process can
        child = _Child(limit)
        if child.ready(max(settings.timeout, 60.0)):
            return child
        child.kill()
    raise RuntimeError(say("cluster_child_start"))


def _task(task: tuple, settings: Settings, out: str, max_tasks: int = 50) -> dict:
    """One document (``task`` is batch's ``(path, doc_id, ...)``), parsed and written in this
    worker's child under the per-page time limit. A child that hangs or dies gives
    ``{"died": why}``: the client writes that failed row, as it does for a lost task."""
    child = _checkout(settings)
    child.conn.send((task, settings, out))
    deadline = time.time() + settings.timeout
    try:
        while True:
            if not child.conn.poll(max(0.0, deadline - time.time())):
                child.kill()
                return {"died": say("timed_out", seconds=f"{settings.timeout:g}")}
            msg = child.conn.recv()
            if isinstance(msg, tuple):  # a page done: the file is alive, its clock restarts
                deadline = time.time() + settings.timeout
                continue
            break
    except (EOFError, OSError):  # the child died: out of its memory cap, or a crash in a library
        code = child.proc.wait()
        child.kill()
        return {"died": say("child_died", code=code)}
    child.done += 1
    if child.done >= max_tasks:  # recycled, as in the local pool, to bound what a long run accumulates
        child.kill()
    else:
        with _lock:
            _idle.append(child)
    return msg


def _check_worker(out: str, path: str | None, version: str) -> str | None:
    """Run on each worker before submitting: what would make every task there fail."""
    if version != __version__:
        return say("cluster_version", version=__version__, client=version)
    if not (os.path.isdir(out) and os.access(out, os.W_OK)):
        return say("cluster_cannot_write", out=out)
    if path is not None and not os.access(path, os.R_OK):
        return say("cluster_cannot_read", path=path)
    return None


# ---------------------------------------------------------------- client side

PLAIN = {"tcp", "ws", "ucx"}  # schemes without encryption or authentication
ENCRYPTED = {"tls", "wss"}
LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


@dataclass(frozen=True)
class Scheduler:
    """Where the cluster is and how to reach it safely: ``address`` (``tls://HOST:PORT``, or a
    plain ``tcp://`` one on loopback), the CA that signed the cluster's certificates and this
    client's certificate and key (PEM files; without them Dask's ``distributed.comm.tls``
    configuration applies), and ``insecure``: connect to a plain address off loopback anyway."""
    address: str
    tls_ca_file: str | None = None
    tls_cert: str | None = None
    tls_key: str | None = None
    insecure: bool = False

    def __post_init__(self) -> None:
        scheme, host = _scheme_host(self.address)
        tls = any((self.tls_ca_file, self.tls_cert, self.tls_key))
        if tls and scheme not in ENCRYPTED:
            raise ClusterError(say("cluster_tls_scheme", address=self.address))
        if tls and not (self.tls_ca_file and self.tls_cert):
            raise ClusterError(say("cluster_tls_incomplete"))
        for name in ("tls_ca_file", "tls_cert", "tls_key"):
            path = getattr(self, name)
            if path and not os.access(path, os.R_OK):
                raise ClusterError(say("cluster_tls_unreadable", option=name.replace("_", "-"), path=path))
        if scheme in ENCRYPTED or scheme == "inproc" or _is_loopback(host) or self.insecure:
            return
        if scheme in PLAIN:
            raise ClusterError(say("cluster_plain_remote", address=self.address, scheme=scheme))
        raise ClusterError(say("cluster_unknown_scheme", address=self.address, scheme=scheme))

    def security(self):
        """A ``distributed.Security`` for these files, or None (Dask's configuration applies)."""
        if not self.tls_ca_file:
            return None
        from distributed.security import Security
        return Security(tls_ca_file=self.tls_ca_file, tls_client_cert=self.tls_cert, tls_client_key=self.tls_key,
                        require_encryption=True)


def _scheme_host(address: str) -> tuple[str, str]:
    """``("tcp", "10.0.0.5")`` for ``tcp://10.0.0.5:8786``; an address without a scheme is
    Dask's default protocol, tcp; IPv6 hosts come without their brackets."""
    scheme, sep, rest = address.partition("://")
    if not sep:
        scheme, rest = "tcp", address
    hostport = rest.split("/", 1)[0]
    if hostport.startswith("["):
        host = hostport[1:].split("]", 1)[0]
    else:
        host = hostport.rsplit(":", 1)[0] if hostport.count(":") == 1 else hostport
    return scheme.lower(), host


def _is_loopback(host: str) -> bool:
    """Only what certainly stays on this machine: a loopback IP, or the name localhost. Other
    names are not resolved (a resolver may answer anything, and asking sends traffic)."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _client(scheduler: Any):
    try:
        from distributed import Client
    except ImportError as e:
        raise ClusterError(say("cluster_needs_dask")) from e
    if isinstance(scheduler, Client):  # made by the caller, who chose its security
        return scheduler, False
    if not isinstance(scheduler, Scheduler):
        scheduler = Scheduler(str(scheduler))
    try:
        return Client(scheduler.address, timeout="20s", set_as_default=False, security=scheduler.security()), True
    except (OSError, TimeoutError) as e:
        raise ClusterError(say("cluster_unreachable", scheduler=scheduler.address, cause=cause(e))) from e


@dataclass
class DaskCluster:
    """The parses run on the Dask cluster at ``scheduler`` (an address, a ``Scheduler``, or a
    ``distributed.Client``)."""
    scheduler: Any
    settings: Settings
    out: str
    max_tasks: int = 50

    def run(self, todo: list[Task], record: Record, died: Died) -> None:
        run(self.scheduler, todo, self.settings, self.out, record, died, self.max_tasks)


def run(scheduler: Any, todo: list[Task], settings: Settings, out: str, record: Record, died: Died,
        max_tasks: int = 50) -> None:
    """Parse ``todo`` on the cluster at ``scheduler`` (an address such as ``tls://host:8786``,
    a ``Scheduler`` with its certificates, or a ``distributed.Client``), calling ``record(path, info)`` as each file finishes.
    A todo item is batch's task tuple, ``(path, doc_id, ...)``; what follows the id goes to
    ``onefile.process_one`` as is. ``died(task, why)`` writes the failed row of a task that
    hung, whose parse died, or that Dask gave up on, and returns its summary: batch's own
    rule for such rows, so the cluster and the local pool write the same ones."""
    from distributed import as_completed
    from distributed.scheduler import KilledWorker
    client, own = _client(scheduler)
    try:
        try:
            client.wait_for_workers(1, timeout=WAIT_FOR_WORKERS)
        except TimeoutError as e:
            raise ClusterError(say("cluster_no_workers", seconds=f"{WAIT_FOR_WORKERS:g}",
                                   address=client.scheduler.address)) from e
        problems = {w: p for w, p in client.run(_check_worker, out, todo[0][0], __version__).items() if p}
        if problems:
            raise ClusterError(SEP.join(say("cluster_worker", worker=w, problem=p) for w, p in sorted(problems.items())))
        run_id = uuid.uuid4().hex[:8]
        futures = client.map(_task, todo, settings=settings, out=out, max_tasks=max_tasks, pure=False,
                             key=[f"reportparse-{run_id}-{t[1][:16]}-{i}" for i, t in enumerate(todo)])
        task_of = {f.key: t for f, t in zip(futures, todo)}
        for fut in as_completed(futures, loop=client.loop):
            task = task_of[fut.key]
            if fut.status == "finished":
                info = fut.result()
                if "died" in info:
                    info = died(task, info["died"])
            else:
                err = fut.exception()
                if isinstance(err, KilledWorker):
                    why = say("cluster_gave_up", n=err.allowed_failures + 1, allowed=err.allowed_failures)
                else:
                    why = say("cluster_task_failed", cause=cause(err))
                info = died(task, why)
            fut.release()
            record(task[0], info)
    finally:
        if own:
            client.close()
