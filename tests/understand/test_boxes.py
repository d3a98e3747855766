"""Figures' boxes (boxes.py): each measure, amount, item and check points at its figure."""
import importlib.util
from pathlib import Path

import pdfplumber
import pytest
from conftest import has_tesseract

from reportparse import parse_pdf

from reportparse.understand import locate as boxes
from reportparse.model import Line, Page

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"


def _bench():
    spec = importlib.util.spec_from_file_location("box_accuracy", ROOT / "bench" / "box_accuracy.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _pdf(path: Path, lines: list[tuple[float, float, str]], size: float = 12) -> Path:
    """A one-page PDF with each text drawn at (x, top) in PDF points from the top-left."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path), pagesize=(595, 842))
    c.setFont("STSong-Light", size)
    for x, top, text in lines:
        c.drawString(x, 842 - top - size, text)
    c.showPage()
    c.save()
    return path


def _crop(path: Path, box) -> str:
    with pdfplumber.open(path) as pdf:
        return pdf.pages[0].crop(box).extract_text() or ""


def test_same_number_twice_gets_the_box_of_its_own_sentence(tmp_path):
    path = _pdf(tmp_path / "twice.pdf", [
        (72, 100, "一、部门概况"),
        (72, 130, "本年度日常运转经费支出120.50万元，较上年有所下降。"),
        (72, 160, "二、项目情况"),
        (72, 190, "专项业务经费年初预算120.50万元，全部用于设备购置。"),
    ])
    r = parse_pdf(path, {"ocr": False})
    found = {a.context[-4:]: a.box for a in r.amounts if a.amount == 1205000}
    assert len(found) == 2 and all(found.values())
    (first, second) = sorted(found.values(), key=lambda b: b[1])
    assert first[1] < 150 < second[1]  # each on its own line, not both on the first occurrence
    for b in (first, second):
        assert "120.50" in _crop(path, b)
        assert b[2] - b[0] < 60  # the number, not the sentence


def test_measure_box_covers_target_and_actual(tmp_path):
    path = _pdf(tmp_path / "measure.pdf", [
        (72, 100, "一、绩效目标完成情况"),
        (72, 130, "群众满意度目标不低于90%，实际完成96.5%。"),
    ])
    r = parse_pdf(path, {"ocr": False})
    (m,) = [m for m in r.measures if m.actual_value == 96.5]
    text = _crop(path, m.box)
    assert "90" in text and "96.5" in text


def test_unfound_figure_keeps_no_box():
    page = Page(1, 595, 842, lines=[Line(1, "没有数字的一行", 72, 200, 100, 112, 12)])
    idx = boxes.index_page(page)  # no glyphs: the line is spread over its box (an OCR'd page)
    assert idx.text == "没有数字的一行" and boxes.find(idx, "123") is None
    hit = boxes.find(idx, "数字")
    assert hit is not None and 72 < hit[1][0] < hit[1][2] < 200


def test_cells_on_one_line_are_kept_apart():
    glyphs = [[(ch, 100 + 8 * i, 100, 106 + 8 * i, 112) for i, ch in enumerate("5860.00")]
              + [(ch, 200 + 8 * i, 100, 206 + 8 * i, 112) for i, ch in enumerate("96.84%")]]
    idx = boxes.index_page(Page(1, 595, 842, glyphs=[boxes._line(g) for g in glyphs]))
    assert idx.text == "5860.00 96.84%"
    assert boxes.find(idx, "0096") is None  # no number runs across the column gap


def test_samples_boxes_meet_the_acceptance_thresholds(samples_out):
    res = _bench().measure(samples_out)
    assert res["amounts_text_pages"] >= 50
    assert res["amounts_crop_ok"] >= 0.95, res["misses"]
    assert res["amounts_boxed"] >= 0.95 and res["measures_boxed"] >= 0.95
    assert res["items_boxed"] >= 0.9 and res["checks_boxed"] >= 0.75


def test_boxes_are_written(samples_out):
    import reportparse
    t = reportparse.load(samples_out)
    m = t["measures"].dropna(subset=["x0"])
    assert len(m) and ((m.x0 < m.x1) & (m.top < m.bottom)).all()
    assert t["items"].page.notna().mean() > 0.9  # found on its section's pages


def test_ocr_page_lines_spread_over_their_box():
    page = Page(1, 595, 842, ocr=True, lines=[Line(1, "支出1,234.5万元", 100, 280, 200, 214, 14, ocr=True)])
    hit = boxes.find(boxes.index_page(page), "1,234.5")
    assert hit is not None
    x0, top, x1, bottom = hit[1]
    assert 100 < x0 < x1 < 280 and (top, bottom) == (200, 214)


@pytest.mark.ocr
@pytest.mark.skipif(not has_tesseract(), reason="tesseract not installed")
def test_scanned_table_figures_get_their_cells_boxes(tmp_path):
    import sys
    sys.path.insert(0, str(SAMPLES))
    import build
    path = tmp_path / "scan.pdf"
    path.write_bytes(build.scan((SAMPLES / "jiaoyu-project-2024.pdf").read_bytes(), dpi=200, pages=1))
    r = parse_pdf(path)
    (table,) = [t for t in r.tables if t.ocr]
    rows = [m for m in r.measures if m.origin == "table"]
    assert rows and all(m.box for m in rows)
    for m in rows:  # inside the scanned grid, one row high
        assert table.top - 2 <= m.box[1] < m.box[3] <= table.bottom + 2
        assert m.box[3] - m.box[1] < 0.25 * (table.bottom - table.top)


def test_check_without_a_number_points_at_the_row_it_quotes():
    from reportparse.model import Check
    row = [(ch, 100 + 10 * i, 300, 108 + 10 * i, 312) for i, ch in enumerate("受益人数")] \
        + [(ch, 300 + 10 * i, 300, 308 + 10 * i, 312) for i, ch in enumerate("≥500人")]
    other = [(ch, 100 + 10 * i, 100, 108 + 10 * i, 112) for i, ch in enumerate("受益人数说明")]
    loc = boxes.Locator([Page(1, 595, 842, glyphs=[boxes._line(other), boxes._line(row)])])
    c = Check("unit_mismatch", "warn", 1, "受益人数：目标以人计，实际以%计", cells=("受益人数", "≥500人", "95%"))
    box = boxes.check_box(loc, c, [])
    assert box is not None and box[1] == 300  # the row with the quoted cells, not the first 受益人数


def test_measure_pairs_the_goal_stated_after_its_figure(tmp_path):
    path = _pdf(tmp_path / "after.pdf", [
        (72, 100, "一、绩效目标完成情况"),
        (72, 130, "上年设备完好率为85.5%，"),
        (72, 145, "本年设备完好率仍为85.5%，未达到90%的年度目标。"),
    ])
    r = parse_pdf(path, {"ocr": False})
    (m,) = [m for m in r.measures if m.actual_value == 85.5]
    assert m.target_value == 90
    text = _crop(path, m.box)
    assert "85.5" in text and "90" in text
    assert m.box[1] > 140  # the 85.5 that the goal judges, beside it, not last year's above
