"""The columns the archive audit needs, read where the Parquet parts lie.

One scan per table over the whole dataset (pyarrow's dataset reader, the store's schema, so
parts written before a column existed read it as null), restricted to committed documents by
a join on ``documents``; see README "Dependencies, and why" for pandas against DuckDB.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reportparse.store.dataset import check_output
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
    import pyarrow.dataset as ds
    folder = out / table
    schema = SCHEMAS[table]
    files = sorted(str(p) for p in folder.glob("year=*/part-*.parquet")) if folder.is_dir() else []
    if not files:
        return schema.empty_table().select(COLUMNS[table])
    return ds.dataset(files, schema=schema, format="parquet").to_table(columns=COLUMNS[table])


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
