"""Golden tests: ingest samples/ and compare with reviewable files in tests/golden/.

Regenerate with ``python tests/golden/regen.py`` after an intended change and review the
diff like code.
"""
import json
from pathlib import Path

import pytest

from golden.regen import key, snapshot

GOLDEN = Path(__file__).parent / "golden"
FILES = sorted(GOLDEN.glob("*.json"))


@pytest.fixture(scope="module")
def snap(samples_out):
    return snapshot(samples_out)


def _approx(x):
    if isinstance(x, float):
        return pytest.approx(x, rel=1e-9)
    if isinstance(x, list):
        return [_approx(v) for v in x]
    if isinstance(x, dict):
        return {k: _approx(v) for k, v in x.items()}
    return x


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_sample_matches_golden(snap, path):
    stem = path.stem.replace("__", "/")
    name = stem if Path(stem).suffix else stem + ".pdf"  # office/wenlv-2024.docx keeps its own suffix
    want = json.loads(path.read_text(encoding="utf-8"))
    got = snap[name]
    for table in ("document", "sections", "measures", "amounts", "items", "checks"):
        assert got[table] == _approx(want[table]), f"{name}: {table} differs from golden"


def test_seed_report_acceptance(snap):
    """The figures the project started from (issue 2), asserted here in words."""
    s = snap["seed-panyu-2023.pdf"]
    d = s["document"]
    assert d["organization"] == "广州市番禺区科技工业商务和信息化局"
    assert (d["fiscal_year"], d["self_score"], d["execution_rate"]) == (2023, 97.46, 75.97)
    assert (d["budget_initial"], d["budget_adjusted"]) == (1036839300.0, 913847200.0)
    assert {"functions", "targets", "finance", "problems", "improvements"} <= {r[3] for r in s["sections"]}
    kinds = [i[0] for i in s["items"]]
    assert kinds.count("problem") == 3 and kinds.count("improvement") == 4
    pair = [m for m in s["measures"] if m[0] == "通过认定高新技术企业"]
    assert pair and pair[0][1:8] == ["家", "=", 600.0, None, "=", 737.0, True]


def test_every_sample_has_a_documents_row(samples_out):
    import reportparse
    from conftest import SAMPLES
    docs = reportparse.load(samples_out)["documents"]
    from reportparse.read.formats import picked
    pdfs = sorted(key(str(p)) for p in SAMPLES.rglob("*") if p.is_file() and picked(p.name))
    assert sorted(key(s) for s in docs.source) == pdfs
    failed = docs[docs.status == "failed"]
    twins = len(list((SAMPLES / "scanned").glob("*-scan.pdf")))  # scanned twins (build.TWINS), no text either
    assert twins >= 18
    # 4 broken, 3 unreadable without OCR, and the twins
    assert len(failed) == 7 + twins and failed.error.str.len().min() > 20
    assert (docs.status != "failed").sum() == len(docs) - 7 - twins
    assert docs[docs.source.str.endswith("truncated-tail.pdf")].status.tolist() == ["partial"]


def test_scanned_sample_without_ocr_fails_and_says_why(samples_out):
    import reportparse
    docs = reportparse.load(samples_out)["documents"]
    row = docs[docs.source.str.endswith("wenlv-2024-scanned-p1.pdf")].iloc[0]
    assert row.status == "failed" and row.ocr_pages == 0 and "OCR 已关闭" in row.error
