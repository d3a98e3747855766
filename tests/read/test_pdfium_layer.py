"""The PDFium layer gives what pdfplumber gives: the same chars (keys, boxes, matrices,
colours), the same lines, rects, curves, edges and table cells, and pdfplumber's own
reading wherever PDFium's could differ. Built on PDFs made here, with every kind of text
and drawing the cleaning looks at, and on the samples."""
from __future__ import annotations

import collections
from pathlib import Path

import pdfplumber
import pytest

from reportparse.read import pages as extract
from reportparse.read import glyphs

from reportparse.understand import names as indicators

from reportparse.read import pdfium as pdfium_layer
from reportparse.read import ruled
from reportparse.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"


@pytest.fixture(scope="module")
def mixed_pdf(tmp_path_factory) -> Path:
    """Page 1: CJK and Latin text in several fonts and sizes, a letter-spaced title, a
    fake-bold line drawn twice 0.3 pt apart, a light 35-degree watermark, a ruled table of
    lines, rectangles, a closed path, a curve and a form XObject. Page 2: shown with
    /Rotate 90."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path_factory.mktemp("pdfium") / "mixed.pdf"
    c = canvas.Canvas(str(path))
    t = c.beginText(90, 780)
    t.setFont("STSong-Light", 16)
    t.setCharSpace(8)
    t.textOut("年度绩效自评报告")
    t.setCharSpace(0)
    c.drawText(t)
    c.setFont("STSong-Light", 12)
    for dx in (0, 0.3):  # fake bold: the same line overprinted
        c.drawString(90 + dx, 750, "一、部门基本情况")
    c.setFont("STSong-Light", 10.5)
    c.drawString(90, 730, "全年预算执行率为98.5%，完成年度目标。")
    c.setFont("Helvetica", 9)
    c.drawString(90, 715, "Project 2024: budget 1,250.00 (yuan)")
    c.setFont("Helvetica-Bold", 11)
    c.drawString(300, 715, "Total")
    c.saveState()  # a light diagonal watermark
    c.translate(150, 400)
    c.rotate(35)
    c.setFillGray(0.6)
    c.setFont("STSong-Light", 48)
    c.drawString(0, 0, "内部资料")
    c.restoreState()
    x0, x1, ys = 90, 490, [650, 630, 610, 590]
    for y in ys:
        c.line(x0, y, x1, y)
    for x in (x0, 250, 370, x1):
        c.line(x, ys[0], x, ys[-1])
    c.setFont("STSong-Light", 10)
    for r, y in enumerate(ys[:-1]):
        c.drawString(95, y - 14, ["指标", "完成率", "满意度"][r])
        c.drawString(255, y - 14, ["目标值", "≥95%", "≥90%"][r])
        c.drawString(375, y - 14, ["实际值", "98%", "92%"][r])
    c.rect(90, 500, 200, 60)  # a rectangle
    c.rect(300, 500, 100, 40, fill=1, stroke=0)
    p = c.beginPath()  # a closed path that is not a rectangle
    p.moveTo(420, 500)
    p.lineTo(480, 500)
    p.lineTo(450, 550)
    p.close()
    c.drawPath(p)
    c.bezier(90, 450, 150, 480, 250, 420, 300, 450)
    c.circle(400, 430, 20)
    c.beginForm("grid")
    c.line(90, 380, 490, 380)
    c.line(90, 360, 490, 360)
    c.endForm()
    c.saveState()
    c.translate(0, -20)
    c.doForm("grid")
    c.restoreState()
    c.showPage()
    c.setPageRotation(90)
    c.setFont("STSong-Light", 12)
    c.drawString(90, 700, "这一页以旋转九十度显示。")
    c.line(90, 690, 300, 690)
    c.showPage()
    c.save()
    return path


def _key(c: dict) -> tuple:
    return (c["text"], round(c["top"], 1), round(c["bottom"], 1), c["upright"],
            tuple(round(v, 3) for v in c["matrix"][:4]))


def test_chars_are_pdfplumbers_but_for_overprinted_twins(mixed_pdf):
    with pdfplumber.open(mixed_pdf) as pdf:
        doc = pdfium_layer.open_document(mixed_pdf)
        page = pdf.pages[0]
        ours = pdfium_layer.page_chars(page, doc)
        theirs = page.chars
        assert set(ours[0]) >= {"text", "x0", "x1", "top", "bottom", "size", "matrix", "upright", "fontname",
                                "non_stroking_color", "object_type", "doctop", "adv", "width", "height"}
        unmatched = list(theirs)
        for c in ours:  # each of ours is one of theirs, same box to 0.05 pt and same matrix
            hit = next((t for t in unmatched if _key(t) == _key(c) and abs(t["x0"] - c["x0"]) < 0.05
                        and abs(t["x1"] - c["x1"]) < 0.05 and abs(t["size"] - c["size"]) < 0.01), None)
            assert hit is not None, c
            assert hit["fontname"] == c["fontname"]
            unmatched.remove(hit)
        for t in unmatched:  # what PDFium left out are overprinted copies of what it kept
            assert any(c["text"] == t["text"] and abs(c["x0"] - t["x0"]) <= 1 and abs(c["top"] - t["top"]) <= 1
                       for c in ours), t
        doc.close()
    skewed = [c for c in ours if abs(c["matrix"][1]) > 0.1]
    assert [c["text"] for c in skewed] == list("内部资料") and all(c["upright"] for c in skewed)
    assert skewed[0]["non_stroking_color"] == pytest.approx((0.6, 0.6, 0.6), abs=0.01)  # light: the watermark test
    assert not any(c["text"].isspace() and c["text"] != " " for c in ours)  # no made-up line breaks


def test_lines_and_cleaning_agree_with_pdfplumber(mixed_pdf):
    """What the cleaning builds from the chars (twins merged, watermark dropped, letter
    spacing closed up) is the same whichever library read them."""
    with pdfplumber.open(mixed_pdf) as pdf:
        doc = pdfium_layer.open_document(mixed_pdf)
        page = pdf.pages[0]
        ours = glyphs.build_lines([c for c in pdfium_layer.page_chars(page, doc) if glyphs.is_upright(c)], 1)
        theirs = glyphs.build_lines([c for c in page.chars if glyphs.is_upright(c)], 1)
        doc.close()
    assert [ln.text for ln in ours] == [ln.text for ln in theirs]
    assert "年度绩效自评报告" in [ln.text for ln in ours] and "一、部门基本情况" in [ln.text for ln in ours]
    for a, b in zip(ours, theirs):
        assert (a.x0, a.x1, a.top, a.bottom, a.size) == pytest.approx((b.x0, b.x1, b.top, b.bottom, b.size), abs=0.05)


def _boxes(objs: list[dict]) -> collections.Counter:
    return collections.Counter((o.get("orientation"), round(o["x0"], 2), round(o["x1"], 2), round(o["top"], 2),
                                round(o["bottom"], 2)) for o in objs)


def test_drawings_edges_and_tables_are_pdfplumbers(mixed_pdf):
    with pdfplumber.open(mixed_pdf) as pdf:
        doc = pdfium_layer.open_document(mixed_pdf)
        plumber = pdf.pages[0]
        ours = pdfium_layer.Page(plumber, doc)
        for kind in ("lines", "rects", "curves", "edges"):
            assert _boxes(getattr(ours, kind)) == _boxes(getattr(plumber, kind)), kind
        assert len(ours.lines) == 10 and len(ours.rects) == 2 and len(ours.curves) >= 3  # form lines, circle, triangle
        cells = lambda page: [[tuple(round(v, 2) for v in c) if c else None for r in t.rows for c in r.cells]
                              for t in page.find_tables()]
        assert cells(ours) == cells(plumber) and len(cells(ours)) >= 1
        assert ours.engine == "pdfium" and ours.images == []
        doc.close()


def test_rotated_page_is_read_by_pdfplumber(mixed_pdf):
    with pdfplumber.open(mixed_pdf) as pdf:
        doc = pdfium_layer.open_document(mixed_pdf)
        page = pdfium_layer.Page(pdf.pages[1], doc)
        assert page.chars == pdf.pages[1].chars and page.engine == "pdfplumber" and "rotated" in page.fallback
        assert _boxes(page.lines) == _boxes(pdf.pages[1].lines)
        with pytest.raises(pdfium_layer.Unsupported):
            pdfium_layer.page_chars(pdf.pages[1], doc)
        doc.close()


def test_font_pdfminer_cannot_map_keeps_cid_placeholders():
    """PDFium decodes this font, pdfminer reads (cid:N): the page is read by pdfplumber so
    the garbled-text-layer test still sends it to OCR."""
    path = SAMPLES / "damaged" / "wenlv-2024-cid-garbled.pdf"
    with pdfplumber.open(path) as pdf:
        doc = pdfium_layer.open_document(path)
        page = pdfium_layer.Page(pdf.pages[0], doc)
        assert page.engine == "pdfium"
        assert "(cid:" in "".join(c["text"] for c in page.chars) and page.engine == "pdfplumber"
        doc.close()
    ex = extract.extract(path, Settings(ocr=False))
    assert "文字层乱码" in (ex.pages[0].note or "")


@pytest.mark.parametrize("name", ["wenlv-2024.pdf", "weijian-project-2023.pdf", "jiaoyu-project-2024.pdf",
                                  "damaged/wenlv-2024-damaged.pdf", "damaged/unruled-table-2022.pdf",
                                  "damaged/rotated-table-2023.pdf"])
def test_engines_extract_the_same(name):
    fast = extract.extract(SAMPLES / name, Settings(ocr=False))
    slow = extract.extract(SAMPLES / name, Settings(ocr=False, engine="pdfplumber"))
    assert len(fast.pages) == len(slow.pages) and fast.errors == slow.errors
    for a, b in zip(fast.pages, slow.pages):
        assert [ln.text for ln in a.lines] == [ln.text for ln in b.lines]
        assert [(t.rows, round(t.top, 2)) for t in a.tables] == [(t.rows, round(t.top, 2)) for t in b.tables]
        for la, lb in zip(a.lines, b.lines):
            assert abs(la.x0 - lb.x0) < 0.5 and abs(la.top - lb.top) < 0.05


def test_file_pdfium_cannot_open_is_left_to_pdfplumber(tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4\nnot really a pdf")
    assert pdfium_layer.open_document(bad) is None
    pages = ["p1", "p2"]
    assert list(pdfium_layer.wrap(pages, None)) == pages


def test_engine_setting_is_validated():
    assert Settings.resolve({"engine": "pdfplumber"}).engine == "pdfplumber"
    assert Settings().engine == "pdfium"
    with pytest.raises(ValueError, match="engine"):
        Settings(engine="mupdf")


def test_disk_dictionary_cuts_as_jieba_does(tmp_path, monkeypatch):
    import jieba

    monkeypatch.setenv("REPORTPARSE_CACHE", str(tmp_path))
    ours = indicators._tokenizer()
    assert isinstance(ours.FREQ, indicators.DiskFreq) and list(tmp_path.glob("jieba-freq-*.sqlite"))
    theirs = jieba.Tokenizer()
    userdict = str(indicators.patterns_dir() / "domain_dict.txt")
    ours.load_userdict(userdict)
    theirs.load_userdict(userdict)
    assert ours.total == theirs.total
    texts = [str(e) for e in indicators.examples()]
    texts += [line for p in sorted((SAMPLES / "src").glob("*.txt")) for line in p.read_text("utf-8").splitlines()[:40]]
    assert len(texts) > 50
    for text in texts:
        assert list(ours.cut(text, HMM=False)) == list(theirs.cut(text, HMM=False)), text
    assert ours.FREQ.get("完成率", 0) == theirs.FREQ.get("完成率", 0) and "完成率" in ours.FREQ
    assert ours.FREQ.get("没有这个词吗", 0) == 0 and "没有这个词吗" not in ours.FREQ


def test_unwritable_cache_falls_back_to_jiebas_own_table(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("REPORTPARSE_CACHE", str(blocker / "cache"))
    tok = indicators._tokenizer()
    assert not isinstance(tok.FREQ, indicators.DiskFreq)
    assert "完成率" in "/".join(tok.cut("年度新增就业人数完成率", HMM=False)).split("/")


def _grid_edges(xs, ys, skip_v=(), skip_h=()):
    """Ruling lines of a grid as pdfplumber edges; skip_v/skip_h drop segments (merged cells)."""
    edges = []
    for i, x in enumerate(xs):
        for j in range(len(ys) - 1):
            if (i, j) not in skip_v:
                edges.append({"x0": x, "x1": x, "top": ys[j], "bottom": ys[j + 1], "width": 0,
                              "height": ys[j + 1] - ys[j], "orientation": "v", "object_type": "line"})
    for j, y in enumerate(ys):
        for i in range(len(xs) - 1):
            if (i, j) not in skip_h:
                edges.append({"x0": xs[i], "x1": xs[i + 1], "top": y, "bottom": y, "width": xs[i + 1] - xs[i],
                              "height": 0, "orientation": "h", "object_type": "line"})
    return edges


def test_cells_from_intersections_are_pdfplumbers():
    """The table finder's cells (ruled._cells) equal pdfplumber's
    intersections_to_cells, in order: on every ruled page of the samples and on grids with
    merged cells and gaps in their rulings."""
    from pdfplumber.table import TableFinder, TableSettings, edges_to_intersections, intersections_to_cells
    compared = 0
    for f in sorted(SAMPLES.rglob("*.pdf")):
        try:
            pdf = pdfplumber.open(f)
        except Exception:
            continue  # the broken and encrypted samples
        with pdf:
            for page in pdf.pages:
                try:
                    finder = TableFinder(page, TableSettings.resolve(None))
                except Exception:
                    continue
                if finder.intersections:
                    assert ruled._cells(finder.intersections) == finder.cells, (f.name, page.page_number)
                    compared += 1
    assert compared >= 5
    xs, ys = [50, 120, 200, 260, 400], [100, 120, 140, 175, 190, 230]
    for skip_v, skip_h in [((), ()), ({(1, 0), (2, 3)}, ()), ((), {(0, 2), (3, 4)}), ({(2, 1)}, {(1, 1), (3, 3)}),
                           ({(0, 4), (4, 0)}, {(2, 0)})]:
        inter = edges_to_intersections(_grid_edges(xs, ys, skip_v, skip_h), 3, 3)
        assert ruled._cells(inter) == intersections_to_cells(inter), (skip_v, skip_h)
