"""Reports -> one Parquet dataset per table, with explicit schemas.

Each document's rows go to one part file per table it has rows in, ``OUT/<table>/
year=<fiscal_year>/part-<doc_id>.parquet`` (hive style; ``year=0`` when the year is unknown;
always a documents part, no part for a table the document has no rows in), written to a
temp name and renamed, documents last: a document is in the output once its documents part
exists, and a killed run leaves at most orphan parts that the next run removes. A document
is written after its parts in every partition are removed, so a doc_id has one documents row
whatever partition its new year puts it in. One writer per output folder: ``lock`` (flock on
``OUT/.reportparse.lock``) is held by the batch for its whole run, sweep included.

The partition key is ``year``, not ``fiscal_year``: pyarrow refuses a hive key that repeats
a column of the files, and documents.fiscal_year must stay a typed int64 column.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from reportparse import __version__
from reportparse.messages import SEP, say
from reportparse.model import Report, columns_of
from reportparse.store import schema as _schema
from reportparse.store.layout import EMPTY, LOCK, doc_of, committed, part_path, parts
from reportparse.store.schema import TABLES

if TYPE_CHECKING:
    import pyarrow as pa


def prepare() -> None:
    """Import pyarrow and build the Arrow schemas now (a batch worker, before its memory limit)."""
    _arrow()
    if not _schema.SCHEMAS:  # built on first use
        raise RuntimeError("reportparse.store.schema defines no tables")


def _arrow():
    """pyarrow and pyarrow.parquet, imported where a part is read or written: the batch's
    parent reaches them only when the output already holds parts (0.2 s with numpy)."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    return pa, pq


def _box(obj) -> dict:
    b = obj.box
    return dict(zip(("x0", "top", "x1", "bottom"), b)) if b else dict(x0=None, top=None, x1=None, bottom=None)


def _values(obj) -> dict:
    """The fields of an output dataclass that are columns (model.columns_of)."""
    return {name: getattr(obj, name) for name in columns_of(type(obj))}


# columns of each table that no field of its dataclass holds: built here from the Report
DERIVED = {
    "documents": ("source", "status", "error", "page_count", "ocr_pages", "format", "parser_version", "fingerprint",
                  "checks_failed"),
    "sections": ("text",),
    "measures": ("x0", "top", "x1", "bottom"),
    "amounts": ("x0", "top", "x1", "bottom"),
    "items": ("x0", "top", "x1", "bottom"),
    "checks": ("x0", "top", "x1", "bottom"),
}
DOC_EXTRA = ("paths", "path_bytes", "failure", "attempts")  # documents columns the batch fills, not the parser


def rows(report: Report, extra: dict | None = None) -> dict[str, list[dict]]:
    """The report as rows per table; ``extra`` fills the batch's documents columns (DOC_EXTRA)."""
    from reportparse.understand.dedupe import (
        fingerprint,  # numpy: for the worker that writes a parsed report, not the batch
    )
    d, doc = report.doc_id, report.document
    extra = extra or {}
    unknown = set(extra) - set(DOC_EXTRA)
    if unknown:
        raise ValueError(f"unknown documents columns: {sorted(unknown)}")
    out: dict[str, list[dict]] = {t: [] for t in TABLES}
    out["documents"].append(dict(
        doc_id=d, source=report.source, status=report.status, error=report.error, page_count=report.page_count,
        ocr_pages=report.ocr_pages, format=report.format, **_values(doc), parser_version=__version__, fingerprint=fingerprint(report),
        checks_failed=None if report.status == "failed" else sum(c.status == "fail" for c in report.checks),
        **{k: extra.get(k) for k in DOC_EXTRA}) | {"notes": SEP.join(doc.notes) or None})
    out["sections"] = [dict(doc_id=d, **_values(s), text=s.text) for s in report.sections]
    out["measures"] = [dict(doc_id=d, **_values(m), **_box(m)) | ({} if m.measure_id >= 0 else {"measure_id": i})
                       for i, m in enumerate(report.measures)]
    out["amounts"] = [dict(doc_id=d, **_values(a), **_box(a)) for a in report.amounts]
    out["items"] = [dict(doc_id=d, **_values(it), **_box(it)) for it in report.items]
    out["checks"] = [dict(doc_id=d, **_values(c), **_box(c)) for c in report.checks]
    return out


def _atomic(table: "pa.Table", path: Path) -> None:
    _, pq = _arrow()
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        f = open(tmp, "wb")
    except FileNotFoundError:  # a new table or year folder (asking first cost a syscall per part)
        path.parent.mkdir(parents=True, exist_ok=True)
        f = open(tmp, "wb")
    with f:  # one open for writing and fsync (a path costs pyarrow a filesystem lookup)
        pq.write_table(table, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class ParentGone(BaseException):
    """The batch that asked for this write is gone: nothing may be committed for it. A
    BaseException so that no ``except Exception`` turns it into a failed row."""


def write_report(report: Report, out: str | Path, extra: dict | None = None,
                 may_commit: Callable[[], bool] | None = None) -> dict[str, int]:
    """All tables of one document; the documents part last, as its commit mark. Earlier
    parts of the doc_id, in any partition, go first: one documents row per doc_id, always.
    ``may_commit`` is asked just before the commit; False raises ParentGone. Returns the
    rows written per table (the batch's summary, without building the rows twice)."""
    data = rows(report, extra)
    pa, _ = _arrow()
    remove_doc(report.doc_id, out)
    for name in TABLES[1:] + TABLES[:1]:
        if name == "documents" and may_commit is not None and not may_commit():
            raise ParentGone("the batch that started this parse is gone; not committing")
        if data[name] or name == "documents":  # no part for a table without rows: a file per empty
            _atomic(pa.Table.from_pylist(data[name], schema=_schema.SCHEMAS[name]),  # table cost more than a page
                    part_path(out, name, report.doc_id, report.document.fiscal_year))
    return {name: len(data[name]) for name in TABLES}


def documents(out: str | Path) -> dict[str, dict]:
    """Committed documents rows by doc_id (the columns the batch needs to decide what to
    redo), with ``part`` the file holding each. Parts written before a column existed read
    it as null."""
    want = ["doc_id", "source", "status", "error", *DOC_EXTRA]
    res: dict[str, dict] = {}
    for p in parts(out, "documents"):
        if p.name == EMPTY:
            continue
        try:  # ParquetFile, not read_table: that imports pyarrow.dataset (0.2 s) in the batch's parent
            f = _arrow()[1].ParquetFile(p)
            t = f.read(columns=[c for c in want if c in f.schema_arrow.names])
        except Exception:  # an unreadable part is removed, so the document is redone; nothing is lost
            p.unlink()
            continue
        for r in t.to_pylist():
            res[r["doc_id"]] = {**{c: None for c in want}, **r, "part": p}
    return res


def set_extra(out: str | Path, doc_id: str, **extra) -> None:
    """Rewrite one committed documents row's batch columns (a new path for known content)."""
    for p in (Path(out) / "documents").glob(f"year=*/part-{doc_id}.parquet"):
        pa, pq = _arrow()
        t = pq.read_table(p, schema=_schema.SCHEMAS["documents"]).to_pylist()
        for r in t:
            r.update(extra)
        _atomic(pa.Table.from_pylist(t, schema=_schema.SCHEMAS["documents"]), p)


class Locked(Exception):
    """Another run holds the output folder."""


@contextlib.contextmanager
def lock(out: str | Path, wait: float = 5.0) -> Iterator[None]:
    """Hold OUT's writer lock (flock, released by the kernel however the holder dies); wait
    up to ``wait`` seconds for another run, then raise Locked naming its pid."""
    path = Path(out) / LOCK
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as e:
                if e.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
                    raise Locked(say("locked", pid=holder, out=out)) from None
                time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)


def remove_doc(doc_id: str, out: str | Path) -> None:
    """Documents part first, so a half-removed document is an orphan, never a partial one."""
    for name in TABLES:
        for p in (Path(out) / name).glob(f"year=*/part-{doc_id}.parquet"):
            with contextlib.suppress(FileNotFoundError):
                p.unlink()


def sweep(out: str | Path) -> int:
    """Remove parts of documents that were never committed and stale temp files."""
    done, n = committed(out), 0
    for name in TABLES:
        d = Path(out) / name
        if not d.is_dir():
            continue
        for p in d.glob("year=*/.*.tmp"):
            p.unlink(); n += 1
        if name == "documents":
            continue
        for p in parts(out, name):
            if doc_of(p) not in done and p.name != EMPTY:
                p.unlink(); n += 1
    return n


def ensure_empty_tables(out: str | Path) -> None:
    """An empty table still has one (empty) part so readers see its columns."""
    for name in TABLES:
        found = parts(out, name)
        empty = part_path(out, name, "empty", None)
        if not found:
            _atomic(_arrow()[0].Table.from_pylist([], schema=_schema.SCHEMAS[name]), empty)
        elif empty.exists() and len(found) > 1:
            empty.unlink()

