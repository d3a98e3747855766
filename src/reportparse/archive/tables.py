"""The columns the archive audit needs, read where the Parquet parts lie.

One scan per table over the whole dataset (pyarrow's dataset reader, the store's schema, so
parts written before a column existed read it as null), restricted to committed documents by
a join on ``documents``; see README "Dependencies, and why" for pandas against DuckDB.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportparse.store.dataset import check_output
from reportparse.store.schema import SCHEMAS

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
    documents: "pd.DataFrame"
    measures: "pd.DataFrame"
    amounts: "pd.DataFrame"
    items: "pd.DataFrame"
    sections: "pd.DataFrame"


def _scan(out: Path, table: str) -> "pd.DataFrame":
    import pandas as pd
    import pyarrow.dataset as ds
    folder = out / table
    schema = SCHEMAS[table]
    files = sorted(str(p) for p in folder.glob("year=*/part-*.parquet")) if folder.is_dir() else []
    if not files:
        return schema.empty_table().select(COLUMNS[table]).to_pandas()
    t = ds.dataset(files, schema=schema, format="parquet").to_table(columns=COLUMNS[table])
    return t.to_pandas(types_mapper={__import__("pyarrow").int64(): pd.Int64Dtype(),
                                     __import__("pyarrow").bool_(): pd.BooleanDtype()}.get)


def read(out: str | Path) -> Tables:
    """The audit's columns of every table; rows of documents that were never committed (a
    killed run's orphans) are left out."""
    p = check_output(out)
    docs = _scan(p, "documents").drop_duplicates("doc_id").reset_index(drop=True)
    keep = set(docs.doc_id)
    rest = {}
    for name in ("measures", "amounts", "items", "sections"):
        df = _scan(p, name)
        rest[name] = df[df.doc_id.isin(keep)].reset_index(drop=True)
    return Tables(docs, **rest)
