"""Sheets fed the wrong way round: upside down or sideways, a scanned page reads as it would
upright, and the document says what was turned."""
from __future__ import annotations

import io
import sys
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from reportparse import parse_pdf
from reportparse.ocr import engines as ocr_engines

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
needs_rapidocr = pytest.mark.skipif(not ocr_engines.rapidocr_importable(), reason="rapidocr-onnxruntime not installed")


def _key(m):
    return (m.indicator, m.unit, m.target_op, m.target_value, m.target_value_max, m.actual_op, m.actual_value, m.met)


@pytest.fixture(scope="module")
def scanned_page():
    sys.path.insert(0, str(SAMPLES))
    import build
    data = build.scan((SAMPLES / "jiaoyu-project-2024.pdf").read_bytes(), dpi=200, pages=1, turn=0.7, noise=10, jpeg=60)
    return pdfium.PdfDocument(data)[0].render(scale=200 / 72).to_pil().convert("L")


@needs_rapidocr
@pytest.mark.ocr
@pytest.mark.parametrize("fed", [180, 90, 270])
def test_a_page_fed_the_wrong_way_reads_as_upright(tmp_path, scanned_page, fed):
    """The 自评表 page turned a half or a quarter turn (counter-clockwise ``fed`` degrees) gives
    the same table rows as the digital original, and a note names the turn undone."""
    path = tmp_path / f"fed-{fed}.pdf"
    buf = io.BytesIO()
    scanned_page.rotate(fed, expand=True).save(buf, format="PDF", resolution=200)
    path.write_bytes(buf.getvalue())
    digital = sorted(map(_key, [m for m in parse_pdf(SAMPLES / "jiaoyu-project-2024.pdf", {"ocr": False}).measures
                                if m.origin == "table"]), key=str)
    report = parse_pdf(path, {"ocr_engine": "rapidocr"})
    got = sorted(map(_key, [m for m in report.measures if m.origin == "table"]), key=str)
    assert len(digital) >= 5 and got == digital
    assert any(f"需顺时针转 {fed}°" in n for n in report.document.notes), report.document.notes


@needs_rapidocr
@pytest.mark.ocr
def test_an_upright_page_is_not_turned(tmp_path, scanned_page):
    path = tmp_path / "upright.pdf"
    buf = io.BytesIO()
    scanned_page.save(buf, format="PDF", resolution=200)
    path.write_bytes(buf.getvalue())
    report = parse_pdf(path, {"ocr_engine": "rapidocr"})
    assert not any("方向不正" in n for n in report.document.notes)
    assert any(m.origin == "table" for m in report.measures)
