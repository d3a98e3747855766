"""OCR engines, their choice and fallbacks, page geometry of OCR'd lines, and scanned tables.

The tests that run an engine build their own scans (samples/build.py's ``scan``) and skip
cleanly when the engine is not installed.
"""
import io
import sys

import pytest

from reportparse import parse_pdf

from reportparse.read import pages as extract

from reportparse.ocr import page as ocr

from reportparse.ocr import engines as ocr_engines
from reportparse.ocr.engines import CPU, CUDA, TextBox
from reportparse.ocr.grid import Grid
from reportparse.settings import Settings

from conftest import SAMPLES, has_tesseract

needs_rapidocr = pytest.mark.skipif(not ocr_engines.rapidocr_importable(), reason="rapidocr-onnxruntime not installed")


def _build():
    sys.path.insert(0, str(SAMPLES))
    import build
    return build


# --- choosing an engine -------------------------------------------------------------------

def test_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="ocr_engine"):
        Settings(ocr_engine="paddle")


def test_auto_falls_back_to_tesseract_without_rapidocr(monkeypatch, tmp_path):
    monkeypatch.setattr(ocr_engines, "rapidocr_importable", lambda: False)
    fake = tmp_path / "tesseract"
    fake.write_text("")
    assert ocr_engines.choose(Settings(tesseract=str(fake))) == "tesseract"
    assert ocr_engines.choose(Settings(tesseract=str(tmp_path / "none"))) is None
    assert ocr_engines.choose(Settings(ocr_engine="rapidocr", tesseract=str(fake))) is None


def test_no_engine_is_noted_with_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(ocr_engines, "rapidocr_importable", lambda: False)
    ex = extract.extract(SAMPLES / "scanned" / "wenlv-2024-scanned-p1.pdf", Settings(tesseract=str(tmp_path / "none")))
    assert ex.ocr_pages == 0
    assert "pip install rapidocr-onnxruntime" in ex.errors[0] and "tesseract-ocr-chi-sim" in ex.errors[0]


@needs_rapidocr
def test_auto_prefers_rapidocr():
    assert ocr_engines.choose(Settings()) == "rapidocr"
    assert ocr_engines.choose(Settings(ocr_engine="tesseract")) in ("tesseract", None)


# --- the GPU path: explicit, and CPU whenever CUDA is not there ---------------------------

@pytest.mark.parametrize("gpu, available, expected", [
    (False, [CUDA, CPU], [CPU]),          # off by default even where a GPU exists
    (True, [CUDA, CPU], [CUDA, CPU]),     # asked for and present: CUDA first, CPU behind it
    (True, [CPU], [CPU]),                 # asked for, onnxruntime without CUDA: CPU
    (True, ["AzureExecutionProvider", CPU], [CPU]),
])
def test_provider_selection(gpu, available, expected):
    assert ocr_engines.providers(gpu, available) == expected


@needs_rapidocr
def test_gpu_setting_without_cuda_runs_on_cpu():
    import onnxruntime
    if CUDA in onnxruntime.get_available_providers():
        pytest.skip("this machine has CUDA; the fallback is what is tested here")
    engine = ocr_engines.get(Settings(ocr_gpu=True))
    assert engine.providers == [CPU] and engine.session_providers() == [CPU]


# --- boxes -> lines and cells, without an engine ---------------------------------------------

def test_boxes_on_one_line_merge_and_cjk_spaces_close():
    boxes = [TextBox("实际完成值", 300, 102, 420, 130), TextBox("2024年 全年", 100, 100, 250, 128),
             TextBox("第二行", 100, 160, 180, 188)]
    lines = ocr_engines.merge_lines(boxes)
    assert [ln.text for ln in lines] == ["2024年全年实际完成值", "第二行"]
    assert (lines[0].x0, lines[0].top, lines[0].x1, lines[0].bottom) == (100, 100, 420, 130)


def test_lines_are_scaled_to_pdf_points():
    (line,) = ocr.to_lines([TextBox("绩效自评", 200, 400, 600, 450)], 3, 72 / 200)
    assert line.page == 3 and line.ocr
    assert (line.x0, line.top, line.x1, line.bottom) == pytest.approx((72.0, 144.0, 216.0, 162.0))


class _CellReader:
    """Stands in for an engine's single-cell read and records which cells were read again."""
    whole_page = True

    def __init__(self):
        self.read = []

    def cell(self, image):
        self.read.append(image.size)
        return "重读"


def test_cells_filled_from_page_boxes_and_a_straddling_box_rereads_its_cell():
    from PIL import Image
    image = Image.new("L", (400, 200), 255)
    # two rows of three cells; the middle cell of the first row spans two columns
    grid = Grid(0, 200, 0, 400, [[(0, 0, 100, 100), (100, 0, 300, 100), None],
                                 [(0, 100, 100, 200), (100, 100, 200, 200), (200, 100, 300, 200)]])
    boxes = [TextBox("指标", 10, 20, 90, 40), TextBox("≥90%", 110, 20, 200, 40), TextBox("第二行", 110, 50, 200, 70),
             TextBox("95", 10, 120, 60, 140), TextBox("跨格文字", 150, 120, 250, 140),  # runs over a rule
             TextBox("表外正文", 20, 300, 200, 330)]
    reader = _CellReader()
    (table,), rest = ocr.tables_from_boxes(boxes, [grid], image, 1, 200, reader)
    assert table.rows == [["指标", "≥90%第二行", None], ["95", "重读", "重读"]]
    assert len(reader.read) == 2 and [b.text for b in rest] == ["表外正文"]
    assert table.ocr and table.bottom == pytest.approx(72.0)


# --- real engines on built scans -------------------------------------------------------------

def _digital_and_scan(tmp_path, text_lines):
    """A one-page digital PDF with the given lines, and its 200 dpi image-only copy."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas
    build = _build()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for x, y, size, text in text_lines:
        c.setFont(build.FONT, size)
        c.drawString(x, A4[1] - y, text)
    c.save()
    digital = tmp_path / "digital.pdf"
    digital.write_bytes(buf.getvalue())
    scanned = tmp_path / "scanned.pdf"
    scanned.write_bytes(build.scan(buf.getvalue(), dpi=200))
    return digital, scanned


ENGINES = [pytest.param("rapidocr", marks=needs_rapidocr),
           pytest.param("tesseract", marks=[pytest.mark.ocr, pytest.mark.skipif(not has_tesseract(), reason="no tesseract")])]


@pytest.mark.parametrize("engine", ENGINES)
def test_ocr_lines_carry_page_coordinates(tmp_path, engine):
    import pdfplumber
    lines = [(90, 120, 16, "项目支出绩效自评报告"), (90, 300, 12, "年度预算执行率达到98.5%以上"),
             (300, 600, 12, "满意度不低于90%")]
    digital, scanned = _digital_and_scan(tmp_path, lines)
    with pdfplumber.open(digital) as pdf:
        words = pdf.pages[0].extract_words(keep_blank_chars=True)
    ex = extract.extract(scanned, Settings(ocr_engine=engine))
    got = ex.pages[0].lines
    assert ex.ocr_pages == 1 and len(got) == 3
    for ln, w in zip(got, words):
        # the text layer's place within a few points (OCR boxes pad the glyphs, unevenly)
        assert abs(ln.x0 - w["x0"]) < 4 and abs(ln.x1 - w["x1"]) < 6
        assert abs((ln.top + ln.bottom) / 2 - (w["top"] + w["bottom"]) / 2) < 4
        assert ln.top < w["top"] + 4 and ln.bottom > w["bottom"] - 4  # font box vs ink


@needs_rapidocr
def test_scanned_ruled_self_evaluation_table_reads_every_row_with_its_sign_and_unit(tmp_path):
    """The 自评表 page of a project report, scanned at 200 dpi: every row of the digital
    original comes back with the same sign, figures, unit and verdict."""
    build = _build()
    source = SAMPLES / "jiaoyu-project-2024.pdf"
    path = tmp_path / "scan.pdf"
    path.write_bytes(build.scan(source.read_bytes(), dpi=200))
    digital = [m for m in parse_pdf(source, {"ocr": False}).measures if m.origin == "table"]
    scanned = [m for m in parse_pdf(path, {"ocr_engine": "rapidocr"}).measures if m.origin == "table"]
    assert len(digital) >= 5 and {">=", "<="} <= {m.target_op for m in digital}  # the sample has both signs
    key = lambda m: (m.unit, m.target_op, m.target_value, m.target_value_max, m.actual_op, m.actual_value, m.met)
    assert sorted(map(key, scanned), key=str) == sorted(map(key, digital), key=str)


# --- document-level consensus ------------------------------------------------------------------

def _doc(texts_by_page, ocr_pages, tables=()):
    """Extracted pages (OCR'd where listed) with one paragraph per text."""
    from reportparse.model import Extracted, Page, Paragraph
    pages = [Page(n, 595, 842, ocr=n in ocr_pages) for n in sorted({n for n, _ in texts_by_page} | {t.page for t in tables})]
    paras = [Paragraph(text, [(0, n)]) for n, text in texts_by_page]
    return Extracted(pages, len(pages)), paras, list(tables)


ORG = "临江市青禾区农业农村局"


def test_a_name_misread_once_is_corrected_from_its_other_occurrences():
    from reportparse.understand import majority as ocrconsensus
    ex, paras, tables = _doc([(1, f"2023年度{ORG}部门整体支出绩效自评报告"), (2, f"{ORG}是区政府工作部门。"),
                              (3, "临江市青未区农业农村局深入落实各项政策。"), (4, f"{ORG}（盖章）")], {1, 2, 3, 4})
    assert ocrconsensus.correct(ex, paras, tables) == 1
    assert paras[2].text == f"{ORG}深入落实各项政策。"
    assert paras[0].text == f"2023年度{ORG}部门整体支出绩效自评报告"  # the majority is left alone


def test_consensus_touches_ocr_pages_only_and_needs_a_majority():
    from reportparse.understand import majority as ocrconsensus
    # the odd reading is on a text-layer page: what the PDF says is kept
    ex, paras, tables = _doc([(1, f"{ORG}报告"), (2, f"{ORG}职责"), (3, "临江市青未区农业农村局政策")], {1, 2})
    assert ocrconsensus.correct(ex, paras, tables) == 0 and paras[2].text == "临江市青未区农业农村局政策"
    # one against one settles nothing
    ex, paras, tables = _doc([(1, f"{ORG}报告"), (2, "临江市青未区农业农村局政策")], {1, 2})
    assert ocrconsensus.correct(ex, paras, tables) == 0


def test_consensus_leaves_real_words_and_numerals():
    from reportparse.understand import majority as ocrconsensus
    texts = [(1, "项目完成率达到百分之九十"), (2, "项目完成率达到百分之八十"), (3, "项目完成值达到预期水平"),
             (4, "第一中学教学楼改造"), (5, "第一中学教学楼完工"), (6, "第二中学教学楼改造"),
             (7, "临江市东区管理局报告"), (8, "临江市东区管理局职责"), (9, "临江市西区管理局职责")]
    ex, paras, tables = _doc(texts, set(range(1, 10)))
    # 完成值 is no name; 二 is a numeral; 西区 is a word of its own
    assert ocrconsensus.correct(ex, paras, tables) == 0
    assert [p.text for p in paras] == [t for _, t in texts]


def test_a_misread_name_in_an_ocr_table_cell_is_corrected():
    from reportparse.understand import majority as ocrconsensus
    from reportparse.model import Table
    table = Table(3, [["主管部门", "临江市青未区农业农村局"], ["项目名称", "高标准农田建设"]], ocr=True)
    ex, paras, tables = _doc([(1, f"{ORG}报告"), (2, f"{ORG}职责")], {1, 2}, [table])
    assert ocrconsensus.correct(ex, paras, tables) == 1 and table.rows[0][1] == ORG


def test_a_figure_repeated_elsewhere_settles_a_misread_digit():
    from reportparse.understand import majority as ocrconsensus
    texts = [(1, "全年支出执行金额1,368.00万元，占比50%"), (2, "其中支出执行金额1,368.00万元用于维修"),
             (3, "全年支出执行金额1,388.00万元。"), (4, "调整预算执行金额2,000.00万元")]
    ex, paras, tables = _doc(texts, {1, 2, 3, 4})
    assert ocrconsensus.correct(ex, paras, tables) == 1
    assert paras[2].text == "全年支出执行金额1,368.00万元。" and paras[3].text.endswith("2,000.00万元")


def test_a_figure_from_the_text_layer_wins_over_one_ocr_reading():
    from reportparse.understand import majority as ocrconsensus
    ex, paras, tables = _doc([(1, "年初预算金额2,600.00万元"), (2, "年初预算金额2,800.00万元")], {2})
    assert ocrconsensus.correct(ex, paras, tables) == 1 and paras[1].text == "年初预算金额2,600.00万元"
    ex, paras, tables = _doc([(1, "年初预算金额2,600.00万元"), (2, "年初预算金额2,800.00万元")], {1, 2})
    assert ocrconsensus.correct(ex, paras, tables) == 0  # two OCR readings, one each: undecided


def test_ocr_confusion_file_is_checked_on_load(tmp_path, monkeypatch):
    import json
    from reportparse.understand import lookalikes as ocrfix
    from reportparse.patterns import PatternError, patterns_dir
    import shutil

    from reportparse import patterns
    shutil.copytree(patterns_dir(), tmp_path, dirs_exist_ok=True)  # the folder as it is, but for one file
    data = json.loads((patterns_dir() / "ocr_confusions.json").read_text(encoding="utf-8"))
    data["counterexamples"].append("部內主要职责")  # the file itself turns this into 部门
    (tmp_path / "ocr_confusions.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("REPORTPARSE_PATTERNS", str(tmp_path))
    patterns.ocr_confusions.cache_clear()
    ocrfix._table.cache_clear()
    try:
        with pytest.raises(PatternError, match="counterexample"):
            ocrfix.fix("文本")
    finally:
        monkeypatch.undo()
        patterns.ocr_confusions.cache_clear()
        ocrfix._table.cache_clear()
    assert ocrfix.fix("推进文化丶旅游") == "推进文化、旅游"
