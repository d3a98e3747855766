"""Each kind of damage, on a sample PDF built by samples/build.py, and the repaired text."""
import pytest
import regex

from reportparse.read import pages as extract
from reportparse.read import glyphs
from reportparse import errors

from reportparse.understand import normalize
from reportparse.settings import Settings

from conftest import SAMPLES

DAMAGED = SAMPLES / "damaged" / "wenlv-2024-damaged.pdf"


def has_ocr() -> bool:
    """The default engine choice finds something to read scans with (RapidOCR or Tesseract)."""
    from reportparse.ocr import engines as ocr_engines
    return ocr_engines.choose(Settings()) is not None


@pytest.fixture(scope="module")
def damaged_text():
    ex = extract.extract(DAMAGED)
    paras, _ = normalize.normalize(ex)
    return "\n".join(p.text for p in paras)


@pytest.fixture(scope="module")
def damaged_raw():
    import pdfplumber
    with pdfplumber.open(DAMAGED) as pdf:
        return "\n".join(p.extract_text() or "" for p in pdf.pages)


def test_sample_really_is_damaged(damaged_raw):
    assert regex.search(r"[\u2F00-\u2FD5]", damaged_raw)          # Kangxi radicals
    assert "部部门门" in damaged_raw                                 # fake bold
    assert "内部资料" not in damaged_raw.replace("\n", "") and "存" in damaged_raw  # watermark chars leak in
    assert "— 1 —" in damaged_raw                                   # page number


def test_kangxi_radicals_mapped(damaged_text):
    assert not regex.search(r"[\u2F00-\u2FD5\u2E80-\u2EF3]", damaged_text)
    assert "统筹推进全区公共文化服务体系建设" in damaged_text
    assert "游客投诉处理平均时长不超过3天" in damaged_text            # ⾧ -> 长, not 長


def test_fake_bold_heading_restored(damaged_text):
    assert "一、部门概况" in damaged_text.split("\n")
    assert "（一）部门主要职责" in damaged_text.split("\n")


def test_letter_spaced_title_closed_up(damaged_text):
    head = "".join(damaged_text.split("\n")[:3])
    assert head == "2024年度佛山市顺德区文化广电旅游体育局部门整体支出绩效自评报告"


def test_watermark_characters_removed(damaged_text):
    assert "佛山市顺德区文化广电旅游体育局是区政府工作部门，负责贯彻落实文化" in damaged_text
    assert "保" not in regex.sub(r"保护|保持|保障", "", damaged_text)


def test_running_header_and_page_numbers_removed(damaged_text):
    assert "— 1 —" not in damaged_text and "— 2 —" not in damaged_text
    assert damaged_text.replace("\n", "").count("部门整体支出绩效自评报告") == 1


def test_number_split_across_lines_rejoined():
    from reportparse.model import Line
    h = normalize.heading_regex()
    lines = [Line(1, "3.农村人居环境整治。农村生活污水治理率达到60%以上，实际达到", 85, 470, 100, 114, 14),
             Line(1, "63.50%；农作物秸秆综合利用率不低于90%，实际为92.30%。", 85, 505, 126, 140, 14),
             Line(1, "全年支出8625.", 85, 505, 152, 166, 14), Line(1, "30万元。", 85, 200, 178, 192, 14)]
    paras = normalize.reflow(lines, h)
    assert len(paras) == 1
    assert "实际达到63.50%" in paras[0].text and "8625.30万元" in normalize.translate(paras[0].text)


def test_page_provenance_kept_across_page_break():
    from reportparse.model import Line
    h = normalize.heading_regex()
    lines = [Line(1, "环境信访案件办结率100%，实际为", 85, 505, 700, 714, 14), Line(2, "100%。", 85, 140, 80, 94, 14)]
    (para,) = normalize.reflow(lines, h)
    assert para.page_at(0) == 1 and para.page_at(para.text.index("100%。")) == 2


def test_translate_is_targeted_not_nfkc():
    assert normalize.translate("１２３４．５亿元，５．２％") == "1234.5亿元，5.2%"
    assert normalize.translate("⼯作⽅案") == "工作方案"
    assert normalize.translate("面积10㎡，①") == "面积10㎡，①"        # NFKC would give m2 and 1
    assert normalize.translate("（一）部门职能") == "（一）部门职能"     # Chinese punctuation kept


@pytest.mark.parametrize("text,is_number", [("— 6 —", True), ("第 6 页 共 9 页", True), ("- 12 -", True),
                                            ("6", True), ("1/7", True), ("6个项目", False), ("一、部门概况", False)])
def test_page_number_lines(text, is_number):
    assert bool(normalize.PAGE_NUMBER.match(text)) is is_number


@pytest.mark.parametrize("name,needle", [
    ("broken/empty.pdf", "空文件（0 字节）"),
    ("broken/html-saved-as.pdf", "不是 PDF 文件：该文件是一个 HTML 网页"),
    ("encrypted/user-password.pdf", "PDF 已加密.*--password"),
])
def test_bad_inputs_raise_actionable_errors(name, needle):
    from reportparse.read import formats  # an empty file or a web page is refused by its sniffing, before pages
    with pytest.raises(errors.ExtractError, match=needle):
        formats.extract(SAMPLES / name, Settings())


def test_owner_password_only_opens_normally():
    ex = extract.extract(SAMPLES / "encrypted" / "owner-password-only.pdf")
    assert ex.page_count == 2 and sum(len(p.lines) for p in ex.pages) > 20


def test_image_only_page_without_the_chosen_engine_is_noted_not_crashed(tmp_path):
    ex = extract.extract(SAMPLES / "scanned" / "wenlv-2024-scanned-p1.pdf",
                         Settings(ocr_engine="tesseract", tesseract=str(tmp_path / "none")))
    assert ex.ocr_pages == 0 and "apt-get install tesseract-ocr" in ex.errors[0]


@pytest.mark.ocr
@pytest.mark.skipif(not has_ocr(), reason="no OCR engine installed")
def test_image_only_page_is_ocred():
    ex = extract.extract(SAMPLES / "scanned" / "wenlv-2024-scanned-p1.pdf")
    assert ex.ocr_pages == 1
    paras, _ = normalize.normalize(ex)
    text = "".join(p.text for p in paras)
    assert "佛山市顺德区文化广电旅游体育局" in text and "5,820.36万元" in text


def test_settings_validate():
    with pytest.raises(ValueError, match="ocr_dpi"):
        Settings(ocr_dpi=5)
    with pytest.raises(ValueError, match="unknown settings"):
        Settings.resolve({"dpi": 300})
    assert Settings.resolve({"timeout": 5}).timeout == 5


def test_garbled_cid_text_layer_is_detected():
    ex = extract.extract(SAMPLES / "damaged" / "wenlv-2024-cid-garbled.pdf", Settings(ocr=False))
    assert ex.errors and all("文字层乱码" in e for e in ex.errors)
    assert not any(p.lines for p in ex.pages)  # never regex numbers out of (cid:N) junk


@pytest.mark.ocr
@pytest.mark.skipif(not has_ocr(), reason="no OCR engine installed")
def test_garbled_cid_text_layer_is_ocred():
    from reportparse import parse_pdf
    r = parse_pdf(SAMPLES / "damaged" / "wenlv-2024-cid-garbled.pdf")
    assert r.ocr_pages == 2 and r.status == "ok"
    assert r.document.budget_initial == 58203600.0 and r.document.fiscal_year == 2024


def test_truncated_file_is_rebuilt_and_marked_partial():
    from reportparse import parse_pdf
    r = parse_pdf(SAMPLES / "broken" / "truncated-tail.pdf", {"ocr": False})
    assert r.status == "partial" and "已重建交叉引用表" in r.error
    assert r.document.organization == "佛山市顺德区文化广电旅游体育局" and len(r.measures) == 8


def test_truncated_file_whose_pages_lost_their_content_fails():
    from reportparse import parse_pdf
    r = parse_pdf(SAMPLES / "broken" / "truncated.pdf", {"ocr": False})
    assert r.status == "failed" and "文件被截断" in r.error


def test_blank_line_gap_starts_a_paragraph_without_indent():
    from reportparse.model import Line
    h = normalize.heading_regex()
    lines = [Line(1, "第一段的文字写满了整行", 85, 505, 100, 114, 14), Line(1, "第一段结束。", 85, 505, 126, 140, 14),
             Line(1, "第二段的文字也写满了整行", 85, 505, 172, 186, 14), Line(1, "第二段结束。", 85, 300, 198, 212, 14)]
    assert [p.text for p in normalize.reflow(lines, h)] == ["第一段的文字写满了整行第一段结束。", "第二段的文字也写满了整行第二段结束。"]


def test_level_watermark_of_light_large_chars_is_dropped():
    body = [{"text": "字", "size": 14, "non_stroking_color": (0,)} for _ in range(50)]
    mark = [{"text": "密", "size": 60, "non_stroking_color": (0.8,)}, {"text": "大", "size": 60, "non_stroking_color": (0,)}]
    kept = glyphs.watermark_like(body + mark)
    assert len(kept) == 51 and kept[-1]["text"] == "大"  # a large black title char stays


@pytest.mark.ocr
@pytest.mark.skipif(not has_ocr(), reason="no OCR engine installed")
def test_scan_under_a_digital_header_line_is_ocred():
    from reportparse import parse_pdf
    r = parse_pdf(SAMPLES / "scanned" / "wenlv-2024-mixed-p1.pdf")
    assert r.ocr_pages == 1 and r.document.organization == "佛山市顺德区文化广电旅游体育局"


def test_scan_under_a_digital_header_line_is_not_taken_for_a_text_page():
    ex = extract.extract(SAMPLES / "scanned" / "wenlv-2024-mixed-p1.pdf", Settings(ocr=False))
    assert "扫描页上只有几行文字" in ex.errors[0]


def test_page_shown_turned_is_read_in_its_own_frame():
    """/Rotate 90 over upright content: pdfplumber reports every char as not upright; they
    are the page's text, not a watermark, and come back in reading order."""
    from reportparse import parse_pdf
    r = parse_pdf(SAMPLES / "damaged" / "wenlv-2024-turned.pdf", {"ocr": False})
    assert r.status == "ok" and r.document.organization == "佛山市顺德区文化广电旅游体育局"
    assert len(r.measures) == 8 and r.document.execution_rate == 98.08


def test_landscape_table_page_drawn_turned():
    from reportparse import parse_pdf
    r = parse_pdf(SAMPLES / "damaged" / "rotated-table-2023.pdf", {"ocr": False})
    assert [(m.indicator, m.target_value, m.actual_value) for m in r.measures][:2] == [
        ("生活垃圾无害化处理量", 360000.0, 372000.0), ("市政道路清扫保洁面积", 12000000.0, 12640000.0)]
    assert {c.check: c.status for c in r.checks}["score_sum"] == "pass"


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_turned_text_directions(rotation):
    chars = []
    for i in range(25):  # one line of text drawn along a page turned by `rotation`
        d = {90: (0, -1), 180: (-1, 0), 270: (0, 1)}[rotation]
        x0, top = (100 + 0 * i, 100 + 12 * i) if rotation == 90 else (500 - 12 * i, 300) if rotation == 180 else (100, 700 - 12 * i)
        box = {90: (x0, x0 + 12, top, top + 12), 180: (x0 - 12, x0, top, top + 12), 270: (x0, x0 + 12, top - 12, top)}[rotation]
        chars.append({"text": str(i % 10), "x0": box[0], "x1": box[1], "top": box[2], "bottom": box[3], "size": 12,
                      "matrix": (d[0], d[1], -d[1], d[0], 0, 0), "upright": False})
    chars, w, h = glyphs.turned_page_text(chars, 595, 842)
    (line,) = glyphs.build_lines(chars, 1)
    assert line.text == "0123456789012345678901234"
    assert all(0 <= c["top"] <= h and 0 <= c["x0"] <= w and c["size"] == 12 for c in chars)


def test_unruled_table_is_found_by_its_header_words():
    ex = extract.extract(SAMPLES / "damaged" / "unruled-table-2022.pdf", Settings(ocr=False))
    (table,) = ex.pages[0].tables
    assert table.rows[0] == ["指标类别", "指标名称", "年度目标值", "实际完成值", "完成情况"]
    assert table.rows[2] == ["产出指标", "法律援助案件", "≥600件", "588件", "未完成"]  # wrapped cell joined
    assert len(table.rows) == 6
    text = "".join(ln.text for ln in ex.pages[0].lines)
    assert "人民调解" not in text and "三、自评结论" in text  # the table left the prose, the prose stayed


def test_unruled_table_gives_measures_and_a_target_met_check():
    from reportparse import parse_pdf
    r = parse_pdf(SAMPLES / "damaged" / "unruled-table-2022.pdf", {"ocr": False})
    assert [(m.indicator, m.met) for m in r.measures][:2] == [("人民调解案件", True), ("法律援助案件", False)]
    assert "target_met" not in {c.check for c in r.checks}  # "除…外" claim is qualified


def test_vector_chart_page_skips_table_finding_and_says_so(tmp_path):
    from reportlab.pdfgen import canvas
    path = tmp_path / "chart.pdf"
    c = canvas.Canvas(str(path))
    for i in range(4000):  # a dense vector chart
        c.line(50 + (i % 100) * 5, 50 + (i // 100) * 5, 52 + (i % 100) * 5, 52 + (i // 100) * 5)
    c.drawString(50, 800, "Chart page with many vector lines and some text.")
    c.showPage()
    c.save()
    ex = extract.extract(path, Settings(ocr=False))
    assert ex.errors == [] and "超过了表格查找的上限" in ex.notes[0]  # a remark, nothing lost
    assert ex.pages[0].lines[0].text.startswith("Chart page")
    from reportparse import parse_pdf
    r = parse_pdf(path, {"ocr": False})
    assert r.status == "ok" and r.error is None and "跳过表格查找" in r.document.notes[0]


@pytest.mark.ocr
@pytest.mark.skipif(not has_ocr(), reason="no OCR engine installed")
def test_scanned_ruled_table_is_read_cell_by_cell(tmp_path):
    import sys
    sys.path.insert(0, str(SAMPLES))
    import build
    path = tmp_path / "scan.pdf"
    path.write_bytes(build.scan((SAMPLES / "jiaoyu-project-2024.pdf").read_bytes(), dpi=200, pages=1))
    ex = extract.extract(path)
    (table,) = ex.pages[0].tables
    assert len(table.rows) == 11 and all(len(r) == 8 for r in table.rows)  # the grid, not OCR'd lines
    assert table.rows[0][2:5] == ["年初预算数", "全年预算数", "全年执行数"]
    assert table.rows[-1][0] == "总分" and table.rows[-1][5:7] == ["100", "97.6"]


def test_ocr_number_repairs():
    from reportparse.understand import lookalikes as ocrfix
    assert ocrfix.fix_numbers("年初预算2.600.00万元") == "年初预算2,600.00万元"
    assert ocrfix.fix_numbers("增长1.5%，版本3.4.5") == "增长1.5%，版本3.4.5"


def test_a_scans_centred_title_is_its_own_paragraph():
    """OCR box heights cannot tell a title's type from the body's, so on a scan the title
    shows by its place: a centred line, then lines at the left margin, are two paragraphs
    (joined, the title would end in 项目名称…, and no title would be found)."""
    from reportparse.model import Line
    h = normalize.heading_regex()
    lines = [Line(1, "2021年度某某项目支出绩效自评报告", 160, 436, 100, 120, 20, ocr=True),
             Line(1, "项目名称：某某道路养护项目", 79, 290, 140, 154, 14, ocr=True),
             Line(1, "主管部门：某某区交通运输局", 79, 290, 166, 180, 14, ocr=True),
             Line(1, "本项目用于区内道路的日常养护和维修，覆盖主次干道十二条，全年", 107, 516, 192, 206, 14, ocr=True),
             Line(1, "养护里程一百二十公里，桥梁涵洞检查两次，路面修补面积达到计划", 79, 516, 218, 232, 14, ocr=True),
             Line(1, "的一点二倍，道路设施完好率保持在九成以上，群众投诉较上年减少", 79, 516, 244, 258, 14, ocr=True),
             Line(1, "三成。", 79, 122, 270, 284, 14, ocr=True)]
    paras = [p.text for p in normalize.reflow(lines, h)]
    assert paras[0] == "2021年度某某项目支出绩效自评报告"
    assert paras[1].startswith("项目名称") and "全年养护里程" in paras[-1] and paras[-1].endswith("三成。")
    # a text layer keeps its own reading (the type size tells there), and a body line that
    # merely ends short of the margin is no title
    text = [Line(ln.page, ln.text, ln.x0, ln.x1, ln.top, ln.bottom, 14) for ln in lines]
    assert normalize.reflow(text, h)[0].text.startswith("2021年度某某项目支出绩效自评报告项目名称")
