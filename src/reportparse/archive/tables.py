"""The columns the archive audit needs, read where the Parquet parts lie.

One pass per table over its part files (the store's schema, so parts written before a column
existed read it as null), restricted to committed documents by their doc_id; see README
"Dependencies, and why" for this reader against DuckDB and pyarrow's dataset scan.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reportparse.store.dataset import check_output
from reportparse.store.layout import parts as parts_of
from reportparse.store.schema import SCHEMAS

if TYPE_CHECKING:
    import pyarrow as pa

COLUMNS = {
    "documents": ["doc_id", "source", "status", "error", "title", "organization", "fiscal_year", "doc_type", "project",
                  "self_score", "budget_initial", "budget_adjusted", "expenditure", "execution_rate"],
    "measures": ["doc_id", "page", "indicator", "unit", "target_op", "target_value", "actual_op", "actual_value", "met",
                 "quote", "origin", "target_text", "actual_text", "score", "measure_id", "duplicate_of"],
    "amounts": ["doc_id", "page", "label", "value", "unit_text", "currency", "amount", "quote"],
    "items": ["doc_id", "kind", "ordinal", "text", "page"],
    "sections": ["doc_id", "section_id", "kind", "page_start", "text"],
}


@dataclass
class Tables:
    """Rows as dicts (None for null): the audit's work is per document and per pair of
    documents, where plain rows cost less than a DataFrame lookup per pair."""
    documents: list[dict]
    measures: list[dict]
    amounts: list[dict]
    items: list[dict]
    sections: list[dict]


def _scan(out: Path, table: str) -> "pa.Table":
    """Every part of one table, the audit's columns only, one file after another on one
    thread (see README "Dependencies, and why": cheaper than a dataset scan here, where the
    parts are many and small); a column an older part lacks reads as null."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    schema = SCHEMAS[table]
    want = pa.schema([schema.field(c) for c in COLUMNS[table]])
    parts = []
    for path in parts_of(out, table):
        t = pq.ParquetFile(path).read(columns=COLUMNS[table], use_threads=False)  # absent columns: left out
        if not t.num_rows:
            continue
        if t.schema.names != want.names:  # an older part
            t = pa.Table.from_arrays([t.column(c).cast(want.field(c).type) if c in t.schema.names
                                      else pa.nulls(t.num_rows, want.field(c).type) for c in want.names], schema=want)
        parts.append(t)
    return pa.concat_tables(parts, promote_options="permissive") if parts else want.empty_table()


def read(out: str | Path) -> Tables:
    """The audit's columns of every table; rows of documents that were never committed (a
    killed run's orphans) are left out."""
    import pyarrow as pa
    import pyarrow.compute as pc
    p = check_output(out)
    docs = _scan(p, "documents")
    keep = pa.array(sorted(set(docs.column("doc_id").to_pylist())))
    seen: set[str] = set()
    doc_rows = [r for r in docs.to_pylist() if not (r["doc_id"] in seen or seen.add(r["doc_id"]))]
    rest = {}
    for name in ("measures", "amounts", "items", "sections"):
        t = _scan(p, name)
        rest[name] = t.filter(pc.is_in(t.column("doc_id"), value_set=keep)).to_pylist()
    return Tables(doc_rows, **rest)
