"""Where parts live: the part-file layout both the writer and the readers use."""
from __future__ import annotations

from pathlib import Path

EMPTY = "part-empty.parquet"


def part_path(out: str | Path, table: str, doc_id: str, year: int | None) -> Path:
    return Path(out) / table / f"year={year or 0}" / f"part-{doc_id}.parquet"


def doc_of(p: Path) -> str:
    return p.name[5:-8]


def parts(out: str | Path, table: str) -> list[Path]:
    d = Path(out) / table
    return sorted(d.glob("year=*/part-*.parquet")) if d.is_dir() else []


LOCK = ".reportparse.lock"


def committed(out: str | Path) -> set[str]:
    return {doc_of(p) for p in parts(out, "documents")} - {"empty"}
