"""Outside programs (tesseract, LibreOffice) started so that none outlives what started it.

A batch worker that is killed (its file ran past ``--timeout``, the batch was stopped) cannot
clean up after itself, and ``subprocess.run`` leaves the program it started running until that
program ends or its own time limit runs out; LibreOffice's ``soffice`` even starts a second
process (``soffice.bin``) that a time limit on the first one does not reach. ``run`` therefore:

- starts the program in a process group of its own, so that a time limit kills the whole group
  (the program and whatever it started), and waits until they are gone before it raises;
- on Linux asks the kernel to kill the program when the process that started it dies
  (``PR_SET_PDEATHSIG``), set in the child before the program runs, and checks that the
  parent did not die before that;
- with ``tree=True`` (programs that start others, as LibreOffice does) puts a small keeper
  process in front of the program: the kernel tells the keeper when the parent dies, and the
  keeper kills everything in the group, removes ``leftovers`` (a temporary folder) and exits.
  A plain parent-death signal would reach the first process only: ``soffice.bin`` would be
  left to run on, re-parented to init.

``PR_SET_PDEATHSIG`` fires when the *thread* that started the child ends, not the process.
That is what we want here: ``run`` blocks the calling thread until the child is gone, so that
thread can only end by the whole process dying (or by ``run`` returning, when the child has
already been waited for). Do not hand the child to another thread.

Elsewhere than Linux the process group and the time limit still hold; only the kill on the
parent's death is missing.
"""
from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import time
from typing import Callable, Sequence

LINUX = sys.platform.startswith("linux")
POSIX = os.name == "posix"
PR_SET_PDEATHSIG = 1
GONE_WAIT = 2.0  # seconds to wait, after killing a group, for its processes to be gone

# The keeper (tree=True), run as ``python -I -S -c KEEPER parent leftovers -- program args...``.
# It holds the process group (the parent made it the group's leader), starts the program in
# that group, and kills every other member of the group when the program ends or when the
# parent dies (SIGTERM from the kernel: PR_SET_PDEATHSIG); only in the second case does it
# remove ``leftovers``, because otherwise the parent cleans up after itself.
KEEPER = r"""
import ctypes, os, signal, sys, time
parent, leftovers, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[4:]
me = os.getpid()

def members():
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == me:
            continue
        try:
            with open("/proc/%s/stat" % name, "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == me and fields[0] != b"Z":  # group id, and not a zombie
            out.append(int(name))
    return out

def end(code, orphaned):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        pids = members()
        if not pids:
            break
        for p in pids:
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:
            pass
        time.sleep(0.01)
    if orphaned and leftovers:
        import shutil
        shutil.rmtree(leftovers, ignore_errors=True)
    os._exit(code)

signal.signal(signal.SIGTERM, lambda *_: end(137, True))
ctypes.CDLL(None).prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
if os.getppid() != parent:
    end(137, True)
pid = os.fork()
if pid == 0:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        os.execvp(cmd[0], cmd)
    except OSError as e:
        os.write(2, ("cannot start %s: %s\n" % (cmd[0], e)).encode())
    os._exit(127)
status = os.waitpid(pid, 0)[1]
end(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status), False)
"""


def _dies_with_parent() -> Callable[[], None] | None:
    """The function the child runs between fork and exec (Linux): the kernel kills it when its
    parent thread dies, and it ends at once if the parent is already gone. Only a prepared
    foreign call and two system calls run there, none of which takes a lock."""
    if not LINUX:
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()
    kill = int(signal.SIGKILL)

    def child() -> None:
        prctl(PR_SET_PDEATHSIG, kill, 0, 0, 0)
        if os.getppid() != parent:
            os._exit(127)
    return child


def _group(pgid: int) -> list[int]:
    """The live (not zombie) processes of a process group, from /proc (Linux)."""
    out: list[int] = []
    try:
        names = os.listdir("/proc") if LINUX else []
    except OSError:
        names = []
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != b"Z":
            out.append(int(name))
    return out


def _kill_group(proc: subprocess.Popen) -> None:
    """Kill the child's whole group, reap the child, and wait (briefly) until every other
    member is gone too, so a caller that removes the child's files afterwards does not race it."""
    if POSIX:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        proc.kill()
    try:
        proc.communicate(timeout=GONE_WAIT)  # drain the pipes and reap
    except subprocess.TimeoutExpired:  # something outside the group holds the pipes open
        for f in (proc.stdin, proc.stdout, proc.stderr):
            if f:
                with contextlib.suppress(OSError):
                    f.close()
        proc.wait()
    deadline = time.monotonic() + GONE_WAIT
    while LINUX and _group(proc.pid) and time.monotonic() < deadline:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        time.sleep(0.01)


def run(args: Sequence[str], *, timeout: float, env: dict[str, str] | None = None, text: bool = False,
        tree: bool = False, leftovers: str | None = None) -> subprocess.CompletedProcess:
    """Run ``args`` to its end and return its exit code and captured output, as
    ``subprocess.run(args, capture_output=True, stdin=DEVNULL, timeout=..., env=..., text=...)``
    does, except that the program cannot outlive the calling process (see the module docstring).

    On the time limit the program's whole process group is killed and reaped, then
    ``subprocess.TimeoutExpired`` is raised, as ``subprocess.run`` raises it. ``tree``: the
    program starts others (LibreOffice); on Linux a keeper kills them all if this process dies,
    and removes ``leftovers`` (a folder) then. A missing program raises FileNotFoundError."""
    args = [str(a) for a in args]
    keeper = tree and LINUX
    if keeper and shutil.which(args[0], path=(env or os.environ).get("PATH")) is None:
        raise FileNotFoundError(2, "No such file or directory", args[0])
    cmd = ([sys.executable, "-I", "-S", "-c", KEEPER, str(os.getpid()), leftovers or "", "--", *args]
           if keeper else args)
    kw: dict = {"process_group": 0} if POSIX else {}
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env, text=text, preexec_fn=None if keeper else _dies_with_parent(), **kw)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as e:
        _kill_group(proc)
        raise subprocess.TimeoutExpired(args, timeout, e.output, e.stderr) from None
    except BaseException:  # interrupted (KeyboardInterrupt, SystemExit): nothing is left behind
        _kill_group(proc)
        raise
    return subprocess.CompletedProcess(args, proc.returncode, out, err)
