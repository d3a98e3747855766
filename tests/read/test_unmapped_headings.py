"""Headings set in a font without a ToUnicode map (issue 9, part B): the body reads fine,
the headings come out as (cid:N) or as Latin look-alikes. With OCR they are read from their
own region of the page; without it they are left out and the document is partial.

The sample is samples/damaged/wenlv-2024-unmapped-headings.pdf, built by samples/build.py
(unmapped_headings) from the same text as samples/wenlv-2024.pdf.
"""
from pathlib import Path

import pytest

from conftest import has_tesseract
from reportparse import parse_pdf
from reportparse.read import pages as extract

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
SAMPLE = SAMPLES / "damaged" / "wenlv-2024-unmapped-headings.pdf"


def _outline(report):
    return [(s.level, s.number, s.heading, s.kind) for s in report.sections]


def test_the_sample_really_has_unmapped_headings_and_a_good_body():
    import pdfplumber
    with pdfplumber.open(SAMPLE) as pdf:
        chars = pdf.pages[0].chars
    fonts = extract.unmapped_fonts(chars)
    assert fonts and any("(cid:" in c["text"] for c in chars)
    assert sum(c["fontname"] not in fonts for c in chars) > 0.8 * len(chars)  # most of the page reads


def test_without_ocr_the_headings_are_left_out_and_the_document_is_partial():
    r = parse_pdf(SAMPLE, {"ocr": False})
    assert r.status == "partial" and "字体没有 Unicode 映射" in r.error and "这些行未读取" in r.error
    text = " ".join(s.heading + s.text for s in r.sections)
    assert "(cid:" not in text and "ƒ" not in text
    assert len(r.sections) < len(parse_pdf(SAMPLES / "wenlv-2024.pdf", {"ocr": False}).sections)


@pytest.mark.ocr
@pytest.mark.skipif(not has_tesseract(), reason="tesseract not installed")
def test_with_ocr_the_outline_is_the_clean_reports():
    r = parse_pdf(SAMPLE)
    clean = parse_pdf(SAMPLES / "wenlv-2024.pdf", {"ocr": False})
    assert r.status == "ok" and r.ocr_pages == 0  # the body kept its text layer
    assert _outline(r) == _outline(clean)
    assert any("已用 OCR 读取" in n for n in r.document.notes)
    assert [(m.indicator, m.actual_value) for m in r.measures] == [(m.indicator, m.actual_value) for m in clean.measures]


def _chars(font, texts):
    return [{"text": t, "fontname": font} for t in texts]


def test_which_fonts_count_as_unmapped():
    heading = _chars("H", ["(cid:1)", "(cid:2)", "ƒ", "„", "†"])            # no map: garbage and look-alikes
    digits = _chars("TNR", list("2023") + ["(cid:7)"] + list("1234567890") * 3)  # one stray symbol, no Han
    body = _chars("SONG", list("部门整体支出") + ["(cid:9)"])                 # maps Han: readable
    fonts = extract.unmapped_fonts(heading + digits + body)
    assert fonts == {"H"}


def test_a_failing_ocr_loses_the_lines_not_the_page():
    r = parse_pdf(SAMPLE, {"tesseract": "/bin/false", "ocr_engine": "tesseract"})  # exits 1: "tesseract failed"
    assert r.status == "partial" and "对这些行的 OCR 失败（RuntimeError: tesseract 运行失败" in r.error
    assert r.page_count == 2 and r.measures  # the body of both pages is still read
