"""Hostile-file guards: what a PDF may cost (inflated streams, content size, time) and how a damaged one is opened.

A file is refused or repaired here before any character is read: not a PDF, empty, encrypted,
truncated (its xref rebuilt), a deflate bomb, a content stream over its cap, a parse past its
time limit.
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
from reportparse.read import repair
from reportparse.settings import Settings


class _CappedZlib:
    """Stands in for the zlib module inside pdfminer.pdftypes: the same calls, but one stream
    may inflate to at most ``limit`` bytes (a 2 MB deflate bomb inflates to GBs)."""
    error = zlib.error
    limit = 64 << 20

    def _over(self) -> TooLarge:
        return TooLarge(f"a compressed stream inflates past {self.limit >> 20} MB (the max_stream_bytes cap): "
                        "a decompression bomb or an oversized object")

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
        raise TooLarge(f"its content streams are {size >> 20} MB, over the {settings.max_content_bytes >> 20} MB "
                       "cap (max_content_bytes)")


def sniff(path: str | Path) -> None:
    """Refuse files that are not PDFs before pdfminer spends time on them."""
    p = Path(path)
    size = p.stat().st_size
    if size == 0:
        raise ExtractError("empty file (0 bytes): the download or copy failed; fetch the file again")
    with open(p, "rb") as f:
        head = f.read(1024)
    if b"%PDF-" not in head:
        low = head.lstrip().lower()
        if low.startswith((b"<!doctype html", b"<html")) or b"<html" in low:
            raise ExtractError("not a PDF: the file is an HTML page (probably an error page saved "
                               "as .pdf); download the real report again")
        raise ExtractError(f"not a PDF: the file does not start with %PDF- (starts with {head[:16]!r}); "
                           "check that it is the right file")


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
        damaged = f"damaged PDF ({type(cause).__name__}: {cause})"
        raw = Path(path).read_bytes()
        rebuilt = repair.rebuild(raw)
        if rebuilt is None:
            raise ExtractError(f"{damaged}; the file is truncated or corrupt and no page survived: download it "
                               "again or repair it with `qpdf` or Ghostscript") from e
        data, found = rebuilt
        try:
            pdf = pdfplumber.open(io.BytesIO(data))
            n = len(pdf.pages)
        except Exception as e2:
            raise ExtractError(f"{damaged}; rebuilding its cross-reference table failed too ({e2}): download "
                               "it again") from e
        how = ("its cross-reference table is damaged" if raw.rstrip().endswith(b"%%EOF") else "the file is truncated")
        errors.append(f"{damaged}: {how}; its cross-reference table was rebuilt and {found} "
                      "page(s) recovered, those whose content was cut off are empty; download it again for the rest")
        return pdf, n, errors


ENCRYPTED = ("encrypted PDF: it needs a password to open; ask the publisher for an unprotected copy or pass "
             "the password (--password)")


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
        raise TimeLimit(f"timed out: the parse took longer than its time limit ({seconds:g} s)")
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
