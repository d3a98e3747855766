"""Reading an output folder back: every table as a DataFrame, with the links that need the
whole output (documents.duplicate_of) and the de-duplicated view analysts count with.

A folder that is not reportparse output is an error, never six empty tables: a typo in a
path must not look like "no findings".
"""
from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from reportparse.messages import say
from reportparse.store.layout import doc_of, committed, parts
from reportparse.store.schema import SCHEMAS
from reportparse.understand import dedupe as _dedupe


class NotOutputError(ValueError):
    """The folder holds no reportparse output; the message says what to run."""


def check_output(out: str | Path) -> Path:
    """The folder as a Path, or NotOutputError saying why it is not reportparse output."""
    p = Path(out)
    if not p.exists():
        raise NotOutputError(say("no_such_folder", out=out))
    if not p.is_dir():
        raise NotOutputError(say("is_a_file", out=out))
    if not (p / "documents").is_dir():
        raise NotOutputError(say("not_output", out=out))
    return p


def _read(path: Path, schema: pa.Schema) -> pa.Table:
    """One part file in the current schema; columns an older version did not write are null."""
    t = pq.read_table(path)
    cols = [t.column(f.name).cast(f.type) if f.name in t.column_names else pa.nulls(len(t), f.type) for f in schema]
    return pa.Table.from_arrays(cols, schema=schema)


def read_table(out: str | Path, name: str, docs: set[str] | None = None) -> pa.Table:
    """One table as Arrow, restricted to ``docs`` (default: the committed documents)."""
    done = committed(out) if docs is None else docs
    schema = SCHEMAS[name]
    files = [p for p in parts(out, name) if doc_of(p) in done]
    return pa.concat_tables([_read(f, schema) for f in files]) if files else schema.empty_table()


def link_documents(docs: "pd.DataFrame") -> "pd.Series":
    """doc_id of the first file of the same report (near fingerprint, same or unknown year):
    complete files first, then those with fewer OCR pages (the digital original), then by path."""
    import pandas as pd
    order = docs.assign(_ok=docs.status != "ok", _ocr=docs.ocr_pages.fillna(0), _src=docs.source.astype(str)
                        ).sort_values(["_ok", "_ocr", "_src"])
    firsts: list[tuple[str, str, object]] = []  # (doc_id, fingerprint, fiscal_year) of first files
    dup: dict[str, str] = {}
    for _, d in order.iterrows():
        fp = d.fingerprint if isinstance(d.fingerprint, str) else None
        if fp is None or d.status == "failed":
            continue
        for doc_id, ffp, year in firsts:
            if _dedupe.same_report(fp, ffp) and (pd.isna(year) or pd.isna(d.fiscal_year) or year == d.fiscal_year):
                dup[d.doc_id] = doc_id
                break
        else:
            firsts.append((d.doc_id, fp, d.fiscal_year))
    return pd.Series([dup.get(i) for i in docs.doc_id], index=docs.index, dtype="string")


def load(out: str | Path, dedupe: bool = False) -> dict:
    """Every table as a pandas DataFrame (nullable Int64 / boolean), committed documents only.
    ``dedupe=True`` drops documents that duplicate another file (with all their rows) and
    measures that restate an earlier pair of their document."""
    import pandas as pd
    check_output(out)
    done = committed(out)
    mapper = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}.get
    res = {name: read_table(out, name, done).to_pandas(types_mapper=mapper) for name in SCHEMAS}
    res["documents"]["duplicate_of"] = link_documents(res["documents"])  # schema.LOAD_COLUMNS
    if dedupe:
        keep = set(res["documents"].doc_id[res["documents"].duplicate_of.isna()])
        res = {name: df[df.doc_id.isin(keep)].reset_index(drop=True) for name, df in res.items()}
        m = res["measures"]
        res["measures"] = m[m.duplicate_of.isna()].reset_index(drop=True)
    return res
