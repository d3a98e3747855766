"""Rewrite the golden files from the current output of samples/ (then review the diff!).

    python tests/golden/regen.py
"""
import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def plain(v):
    import pandas as pd
    if v is None or (not isinstance(v, (list, str)) and pd.isna(v)):
        return None
    return v.item() if hasattr(v, "item") else v


def snapshot(out: Path) -> dict[str, dict]:
    import reportparse
    t = reportparse.load(out)
    res = {}
    for _, d in t["documents"].iterrows():
        i = d.doc_id
        name = key(d.source)
        def rows(table, cols, i=i):
            df = t[table][t[table].doc_id == i]
            return [[plain(v) for v in r] for r in df[cols].itertuples(index=False)]
        doc = {k: plain(d[k]) for k in ["status", "organization", "fiscal_year", "page_count", "ocr_pages", "self_score",
                         "budget_initial", "budget_adjusted", "expenditure", "execution_rate",
                         "doc_type", "project", "supervisor", "notes"]}
        doc["error_starts"] = d.error[:24] if isinstance(d.error, str) else None
        res[name] = {
            "document": doc,
            "sections": rows("sections", ["level", "number", "heading", "kind", "page_start", "page_end"]),
            "measures": rows("measures", ["indicator", "unit", "target_op", "target_value", "target_value_max",
                                          "actual_op", "actual_value", "met", "page", "origin"]),
            "amounts": rows("amounts", ["label", "unit_text", "currency", "amount", "page", "origin"]),
            "items": rows("items", ["kind", "ordinal", "text"]),
            "checks": rows("checks", ["check", "status", "page"]),
        }
    return res


def key(source: str) -> str:
    p = Path(source)
    return f"{p.parent.name}/{p.name}" if p.parent.name != "samples" else p.name


if __name__ == "__main__":
    from reportparse.run.batch import ingest
    with tempfile.TemporaryDirectory() as tmp:
        ingest([str(HERE.parent.parent / "samples")], tmp, {"ocr": False}, jobs=2, progress=False)
        snap = snapshot(Path(tmp))
    for name, data in snap.items():
        if "scanned/" in name:
            continue  # OCR output varies with the tesseract build; tested by content instead
        f = HERE / (name.replace("/", "__").removesuffix(".pdf") + ".json")
        f.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print("wrote", f.name)
