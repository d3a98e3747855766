"""Which files a batch reads and how they are named: folders walked, paths made printable,
content hashed without ever blocking on a FIFO or a device.
"""
from __future__ import annotations

import hashlib
import os
import stat

from reportparse.messages import say
from reportparse.read.formats import picked

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
    """Files as given, and folders walked recursively for the extensions a reader handles
    (read/formats.py: .pdf, .docx, .xlsx, .doc, .xls, .wps, .et, .html, ... in any case; a folder
    named .pdf or a FIFO too: they get a failed row), as absolute normalised paths, each once,
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
            raise FileNotFoundError(say("no_such_path", path=display(p))) from None
        except OSError:  # too long, not permitted: a failed row that says why
            out.add(_norm(p))
            continue
        if not stat.S_ISDIR(st.st_mode):
            out.add(_norm(p))
            continue

        def unlistable(e: OSError) -> None:
            out.add(_norm(e.filename if isinstance(e.filename, str) else p))
        for d, dirs, files in os.walk(p, onerror=unlistable):
            out.update(_norm(os.path.join(d, f)) for f in [*files, *dirs] if picked(f))
    return sorted(out, key=os.fsencode)


_KINDS = [(stat.S_ISDIR, "kind_folder"), (stat.S_ISFIFO, "kind_fifo"), (stat.S_ISSOCK, "kind_socket"),
          (stat.S_ISCHR, "kind_char"), (stat.S_ISBLK, "kind_block")]


class NotRegular(Exception):
    """The path is not a regular file; never opened for reading."""


def file_hash(path: str) -> str:
    """sha256 of a regular file. Never blocks: the type is checked with stat before the
    open, the open is O_NONBLOCK and the type checked again on the descriptor (a file
    swapped for a FIFO in between)."""
    def check(st: os.stat_result) -> None:
        if not stat.S_ISREG(st.st_mode):
            kind = next((k for test, k in _KINDS if test(st.st_mode)), "kind_other")
            raise NotRegular(say("not_regular", kind=say(kind)))
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
