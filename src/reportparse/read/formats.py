"""Which reader a file goes to, decided by its content, not its name: government sites serve a
.docx as .pdf, an HTML page as .xls, an RTF file as .doc. Each reader gives the same
``Extracted``, so everything after reading is shared.

In: a path. Out: ``Extracted`` with its ``format`` set, or ``ExtractError`` whose message says
what the file is and what to do (``format`` set on the error too, where the kind is known).
"""
from __future__ import annotations

import os
import zipfile
from pathlib import Path
from typing import Callable

from reportparse.errors import ExtractError
from reportparse.messages import cause, say
from reportparse.model import Extracted
from reportparse.settings import Settings

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound file of .doc, .xls, .wps, .et
# extensions a batch picks up in a folder (files named on the command line are read whatever their name)
EXTENSIONS = (".pdf", ".docx", ".xlsx", ".xlsm", ".doc", ".xls", ".wps", ".et", ".html", ".htm", ".shtml", ".mht",
              ".mhtml", ".rtf", ".odt", ".ods")


def sniff(path: str | Path) -> str:
    """The file's format from its first bytes (and a zip's part names): pdf, docx, xlsx, odt,
    ods, doc, xls, rtf, html, mht; ``ExtractError`` for an empty file or one that is none of them."""
    p = Path(path)
    if p.stat().st_size == 0:
        raise ExtractError(say("empty"))
    with open(p, "rb") as f:
        head = f.read(4096)
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(p)
    if head.startswith(OLE):
        return _ole_kind(p)
    if head.lstrip().startswith(b"{\\rtf"):
        return "rtf"
    text = head.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n").lower()
    if text.startswith((b"mime-version:", b"from:", b"content-type: multipart/related")) and b"multipart/related" in text:
        return "mht"
    if text.startswith((b"<!doctype html", b"<html", b"<?xml")) and b"<html" in text or \
            any(tag in text for tag in (b"<html", b"<body", b"<table", b"<meta ", b"<head")):
        return "html"
    ext = p.suffix.lower()
    what = say("what_program" if head.startswith(b"MZ") or head.startswith(b"\x7fELF") else
               "what_image" if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")) else
               "what_archive" if head.startswith((b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b")) else
               "what_unknown")
    raise ExtractError(say("not_pdf" if ext == ".pdf" else "not_a_document", what=what, head=repr(head[:16])))


def _zip_kind(p: Path) -> str:
    try:
        with zipfile.ZipFile(p) as zf:
            names = set(zf.namelist()[:5000])
            if "mimetype" in names:  # only its first bytes: a mimetype member can be a zip bomb too
                with zf.open("mimetype") as f:
                    mimetype = f.read(100)
            else:
                mimetype = b""
    except (zipfile.BadZipFile, OSError, KeyError) as e:
        raise ExtractError(say("zip_damaged", what=say("office_file"), cause=cause(e))) from e
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if b"opendocument.text" in mimetype:
        return "odt"
    if b"opendocument.spreadsheet" in mimetype:
        return "ods"
    raise ExtractError(say("zip_not_office"))


def _ole_kind(p: Path) -> str:
    """A compound file: Word's/WPS's streams are named WordDocument, Excel's/ET's Workbook or Book
    (the names are UTF-16 in the directory, which sits anywhere in the file: the extension decides
    only when neither name is found)."""
    with open(p, "rb") as f:
        data = f.read(64 << 20)
    if "EncryptedPackage".encode("utf-16-le") in data:  # a password-protected .docx/.xlsx wraps its package so
        raise ExtractError(say("office_encrypted", what=say("office_file")))
    word = "WordDocument".encode("utf-16-le") in data
    book = "Workbook".encode("utf-16-le") in data or "Book\x00".encode("utf-16-le") in data
    if word and not book:
        return "doc"
    if book and not word:
        return "xls"
    return "xls" if p.suffix.lower() in (".xls", ".et") else "doc"


def extract(path: str | Path, settings: Settings, progress: Callable[[int], None] | None = None) -> Extracted:
    """Read any supported file: the reader is chosen by ``sniff``."""
    fmt = sniff(path)
    try:
        ex = _read(path, fmt, settings, progress)
    except ExtractError as e:
        e.format = fmt
        raise
    ex.format = fmt
    return ex


def _read(path: str | Path, fmt: str, settings: Settings, progress: Callable[[int], None] | None) -> Extracted:
    if fmt == "pdf":
        from reportparse.read import pages
        return pages.extract(path, settings, progress)
    if fmt == "docx":
        from reportparse.read import docx
        return docx.extract(path, settings, progress)
    if fmt == "xlsx":
        from reportparse.read import xlsx
        return xlsx.extract(path, settings, progress)
    if fmt in ("html", "mht"):
        from reportparse.read import html
        return html.extract(path, settings, progress, pdf_named=Path(path).suffix.lower() == ".pdf", mht=fmt == "mht")
    if fmt == "xls":
        from reportparse.read import xls
        if xls.available():  # xlrd reads the compound file itself; LibreOffice otherwise
            return xls.extract(path, settings, progress)
    from reportparse.read import convert  # doc, xls, wps, et, rtf, odt, ods: LibreOffice makes them docx/xlsx
    target = "xlsx" if fmt in ("xls", "ods") else "docx"
    with convert.converted(path, target, settings) as out:
        return _read(out, target, settings, progress)


def picked(name: str) -> bool:
    """A file a batch reads when it walks a folder."""
    return os.path.splitext(name)[1].lower() in EXTENSIONS
