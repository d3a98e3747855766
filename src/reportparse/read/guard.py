"""Hostile-file guards: what a PDF may cost (inflated streams, content size, time) and how a damaged one is opened.

A file is refused or repaired here before any character is read: encrypted, truncated (its
xref rebuilt), a deflate bomb, a content stream over its cap, a parse past its time limit.
(An empty file or one that is not a PDF never gets here: read/formats.py sniffs every file
first and sends only a PDF to read/pages.py.)
"""
from __future__ import annotations

import contextlib
import logging
import io
import signal
import threading
import time
import zlib
from pathlib import Path
from typing import Iterator

import pdfminer.pdftypes
import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfminer.pdftypes import PDFStream, resolve1

from reportparse.errors import ExtractError, TimeLimit, TooLarge
from reportparse.messages import cause as _cause, say
from reportparse.read import repair
from reportparse.settings import Settings


class _CappedZlib:
    """Stands in for the zlib module inside pdfminer.pdftypes: the same calls, but one stream
    may inflate to at most ``limit`` bytes (a 2 MB deflate bomb inflates to GBs)."""
    error = zlib.error
    limit = 64 << 20

    def _over(self) -> TooLarge:
        return TooLarge(say("stream_cap", mb=self.limit >> 20))

    def decompress(self, data: bytes, *args) -> bytes:
        d = zlib.decompressobj()
        out = d.decompress(data, self.limit + 1)
        if len(out) > self.limit or d.unconsumed_tail:
            raise self._over()
        if not d.eof:
            raise zlib.error("Error -5 while decompressing data: incomplete or truncated stream")
        return out

    def decompressobj(self, *args, **kwargs) -> "_CappedInflater":
        return _CappedInflater(self, zlib.decompressobj(*args, **kwargs))


class _CappedInflater:
    def __init__(self, owner: _CappedZlib, d) -> None:
        self.owner, self.d, self.total = owner, d, 0

    def decompress(self, data: bytes, *args) -> bytes:
        out = self.d.decompress(data)
        self.total += len(out)
        if self.total > self.owner.limit:
            raise self.owner._over()
        return out

    def __getattr__(self, name: str):
        return getattr(self.d, name)


STREAM_CAP = _CappedZlib()
# pdfminer inflates streams through the zlib module it imported: every stream of every file
# reportparse opens goes through the cap (Settings.max_stream_bytes, set per parse)
pdfminer.pdftypes.zlib = STREAM_CAP  # type: ignore[attr-defined]


def content_guard(page, settings: Settings) -> None:
    """Refuse a page whose content streams are over max_content_bytes before pdfminer turns
    every glyph into objects (a 50 MB stream became 7.5 GB of them)."""
    contents = getattr(page.page_obj, "contents", None) or []
    size = 0
    for s in contents:
        s = resolve1(s)
        if isinstance(s, PDFStream):
            size += len(s.get_data() or b"")
    if size > settings.max_content_bytes:
        raise TooLarge(say("content_cap", mb=size >> 20, cap=settings.max_content_bytes >> 20))


def open_pdf(path: str | Path, settings: Settings) -> tuple["pdfplumber.PDF", int, list[str]]:
    """Open the PDF and read its page tree; a truncated file gets its xref rebuilt."""
    errors: list[str] = []
    try:
        pdf = pdfplumber.open(path, password=settings.password)
        try:
            return pdf, len(pdf.pages), errors
        except Exception:
            pdf.close()
            raise
    except PDFPasswordIncorrect as e:
        raise ExtractError(ENCRYPTED) from e
    except Exception as e:
        cause = e.__cause__ or (e.args[0] if e.args and isinstance(e.args[0], Exception) else e)
        if isinstance(cause, PDFPasswordIncorrect) or "password" in str(cause).lower():
            raise ExtractError(ENCRYPTED) from e
        raw = Path(path).read_bytes()
        rebuilt = repair.rebuild(raw)
        if rebuilt is None:
            raise ExtractError(say("damaged_lost", cause=_cause(cause))) from e
        data, found = rebuilt
        try:
            pdf = pdfplumber.open(io.BytesIO(data))
            n = len(pdf.pages)
        except Exception as e2:
            raise ExtractError(say("damaged_unrebuilt", cause=_cause(cause), rebuild=_cause(e2))) from e
        how = say("xref_damaged") if raw.rstrip().endswith(b"%%EOF") else say("truncated")
        errors.append(say("damaged_rebuilt", how=how, found=found, cause=_cause(cause)))
        return pdf, n, errors


ENCRYPTED = say("encrypted")


@contextlib.contextmanager
def time_limit(seconds: float | None) -> Iterator[float | None]:
    """A limit on a whole parse for library callers: SIGALRM interrupts a stuck parser in the
    main thread; elsewhere (no signals there) the deadline is checked after each page.
    Yields the deadline (time.monotonic()) or None."""
    if not seconds:
        yield None
        return
    deadline = time.monotonic() + seconds
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield deadline
        return

    def expired(signum, frame):
        raise TimeLimit(say("time_limit", seconds=f"{seconds:g}"))
    old = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield deadline
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@contextlib.contextmanager
def pdfminer_quiet() -> Iterator[None]:
    """pdfminer logs every odd operator of a damaged file at WARNING; the page notes say what
    matters. Raised to ERROR for the parse only: a program that imports reportparse keeps the
    log levels it set."""
    log = logging.getLogger("pdfminer")
    old = log.level
    if old < logging.ERROR:
        log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(old)
