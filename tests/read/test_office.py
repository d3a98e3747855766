"""Word, Excel and web pages read natively (read/docx.py, read/xlsx.py, read/html.py, picked by
read/formats.py): the same Extracted as the PDF reader, so the same measures, amounts, items
and document fields as the PDF of the same content; hostile packages refused."""
import io
import socket
import zipfile
from pathlib import Path

import pytest

from conftest import SAMPLES
from reportparse import parse_pdf
from reportparse.errors import ExtractError, TooLarge
from reportparse.read import docx as wdocx
from reportparse.read import formats
from reportparse.read import xlsx as wxlsx
from reportparse.settings import Settings

OFFICE = SAMPLES / "office"
PAIRS = [("wenlv-2024.pdf", "wenlv-2024.docx"), ("seed-panyu-2023.pdf", "seed-panyu-2023.docx"),
         ("weijian-project-2023.pdf", "weijian-project-2023.docx"),
         ("jiaoyu-project-2024.pdf", "jiaoyu-project-2024.docx"),
         ("neighbours/yunshan-targets-2025.pdf", "yunshan-targets-2025.xlsx"),
         ("weijian-project-2023.pdf", "weijian-project-2023.html")]


def _content(r):
    d = r.document
    doc = (d.title, d.organization, d.fiscal_year, d.self_score, d.budget_initial, d.budget_adjusted, d.expenditure,
           d.execution_rate, d.doc_type, d.project, d.supervisor)
    measures = sorted((m.indicator, m.unit, m.target_op, m.target_value, m.target_value_max, m.actual_op,
                       m.actual_value, m.met, m.origin, m.level1, m.level2, m.weight, m.score, m.duplicate_of)
                      for m in r.measures)
    amounts = sorted((a.label, a.amount, a.unit_text, a.origin) for a in r.amounts)
    items = [(i.kind, i.ordinal, i.text) for i in r.items]
    sections = [(s.level, s.number, s.heading, s.kind) for s in r.sections]
    checks = sorted((c.check, c.status) for c in r.checks)
    return {"document": doc, "measures": measures, "amounts": amounts, "items": items, "sections": sections,
            "checks": checks}


@pytest.mark.parametrize("pdf,native", PAIRS, ids=[n for _, n in PAIRS])
def test_native_reading_gives_what_the_pdf_gives(pdf, native):
    a, b = parse_pdf(SAMPLES / pdf), parse_pdf(OFFICE / native)
    assert b.status == "ok" and b.format == Path(native).suffix[1:] and a.format == "pdf"
    want, got = _content(a), _content(b)
    assert want["amounts"] and (want["measures"] or pdf.endswith("targets-2025.pdf"))
    for part in want:
        assert got[part] == want[part], (native, part)


def test_word_outline_numbering_lives_in_numbering_xml_and_is_read_back():
    """wenlv-2024.docx's headings carry no 一、/（一） in their text: Word numbers them."""
    with zipfile.ZipFile(OFFICE / "wenlv-2024.docx") as z:
        xml = z.read("word/document.xml").decode()
    assert "<w:numPr>" in xml and "一、部门概况" not in xml
    numbers = [s.number for s in parse_pdf(OFFICE / "wenlv-2024.docx").sections]
    assert numbers[:3] == ["一、", "（一）", "（二）"] and "七、" in numbers


@pytest.mark.parametrize("n,fmt,want", [(1, "chineseCounting", "一"), (10, "chineseCounting", "十"),
                                        (12, "chineseCountingThousand", "十二"), (20, "chineseCounting", "二十"),
                                        (35, "chineseCounting", "三十五"), (3, "chineseLegalSimplified", "叁"),
                                        (2, "ideographTraditional", "乙"), (4, "decimalEnclosedCircle", "④"),
                                        (4, "upperRoman", "IV"), (28, "lowerLetter", "bb"), (7, "decimal", "7")])
def test_word_number_formats(n, fmt, want):
    assert wdocx.format_number(n, fmt) == want


def _docx(tmp_path: Path, body: str, numbering: str | None = None, name: str = "t.docx", extra=()) -> Path:
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    p = tmp_path / name
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", f"<w:document {ns}><w:body>{body}</w:body></w:document>")
        if numbering:
            z.writestr("word/numbering.xml", f"<w:numbering {ns}>{numbering}</w:numbering>")
        for n, data in extra:
            z.writestr(n, data)
    return p


def _p(text: str, num: tuple[int, int] | None = None) -> str:
    pr = f'<w:pPr><w:numPr><w:ilvl w:val="{num[1]}"/><w:numId w:val="{num[0]}"/></w:numPr></w:pPr>' if num else ""
    return f"<w:p>{pr}<w:r><w:t>{text}</w:t></w:r></w:p>"


NUMBERING = ('<w:abstractNum w:abstractNumId="3"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
             '<w:lvlText w:val="%1、"/></w:lvl><w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
             '<w:lvlText w:val="%2."/></w:lvl></w:abstractNum><w:num w:numId="5"><w:abstractNumId w:val="3"/></w:num>')


def test_word_numbering_counts_levels_and_restarts_deeper_ones(tmp_path):
    body = "".join([_p("甲部分", (5, 0)), _p("第一条", (5, 1)), _p("第二条", (5, 1)), _p("乙部分", (5, 0)),
                    _p("又一条", (5, 1)), _p("没有编号的段落")])
    ex = wdocx.extract(_docx(tmp_path, body, NUMBERING), Settings())
    assert [ln.text for ln in ex.pages[0].lines] == ["一、甲部分", "1.第一条", "2.第二条", "二、乙部分", "1.又一条",
                                                     "没有编号的段落"]
    assert [ln.paragraph for ln in ex.pages[0].lines] == [0, 1, 2, 3, 4, 5]


def test_word_merged_cells_leave_none_where_they_cover_and_page_breaks_count(tmp_path):
    def tc(text, pr=""):
        return f"<w:tc><w:tcPr>{pr}</w:tcPr>{_p(text)}</w:tc>"
    rows = [tc("一级指标") + tc("指标") + tc("值"),
            tc("产出", '<w:vMerge w:val="restart"/>') + tc("数量", '<w:gridSpan w:val="2"/>'),
            tc("", "<w:vMerge/>") + tc("质量") + tc("100%")]
    table = ("<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>"
             + "".join(f"<w:tr>{r}</w:tr>" for r in rows) + "</w:tbl>")
    body = _p("前言") + '<w:p><w:r><w:br w:type="page"/><w:t>第二页</w:t></w:r></w:p>' + table
    ex = wdocx.extract(_docx(tmp_path, body), Settings())
    assert ex.page_count == 2 and [ln.text for ln in ex.pages[1].lines] == ["第二页"]
    assert ex.pages[1].tables[0].rows == [["一级指标", "指标", "值"], ["产出", "数量", None], [None, "质量", "100%"]]


def test_hostile_word_packages_are_refused(tmp_path):
    bomb = ('<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
            '<w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>')
    p = tmp_path / "entities.docx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("word/document.xml", bomb)
    r = parse_pdf(p)
    assert r.status == "failed" and "word/document.xml 部件声明了 DTD 或实体" in r.error and r.format == "docx"
    big = _docx(tmp_path, _p("正文" * 10) + " " * (3 << 20), name="big.docx")  # 3 MB inflated from a few KB
    with pytest.raises(TooLarge, match="word/document.xml 部件解压后超过 1 MB 上限"):
        wdocx.extract(big, Settings(max_stream_bytes=1 << 20))
    many = tmp_path / "many.docx"
    with zipfile.ZipFile(many, "w") as z:
        z.writestr("word/document.xml", "<x/>")
        for i in range(5001):
            z.writestr(f"p/{i}", b"")
    with pytest.raises(TooLarge, match="有 5002 个部件，超过一份文档可有的 5000 个上限"):
        wdocx.extract(many, Settings())


def test_excel_cells_read_as_the_sheet_shows_them(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "自评表"
    ws["A1"] = "某某项目绩效自评表"
    ws.merge_cells("A1:D1")
    for r, row in enumerate([["一级指标", "三级指标", "年度指标值", "实际完成值"],
                             ["产出指标", "验收合格率", 0.95, 0.976], [None, "培训人次", 1200, 1315],
                             ["效益指标", "资金", 1234567.5, None]], start=2):
        for c, v in enumerate(row, start=1):
            ws.cell(r, c, v)
    ws["C3"].number_format = ws["D3"].number_format = "0.0%"
    ws["C5"].number_format = "#,##0.00"
    ws.merge_cells("A3:A4")
    other = wb.create_sheet("说明")
    other["A1"] = "第二张表的说明文字"
    hidden = wb.create_sheet("隐藏")
    hidden["A1"] = "不应读出"
    hidden.sheet_state = "hidden"
    p = tmp_path / "t.xlsx"
    wb.save(p)
    ex = wxlsx.extract(p, Settings())
    assert ex.page_count == 2 and [ln.text for ln in ex.pages[0].lines] == ["某某项目绩效自评表"]
    rows = ex.pages[0].tables[0].rows
    assert rows[1] == ["产出指标", "验收合格率", "95.0%", "97.6%"] and rows[2] == [None, "培训人次", "1200", "1315"]
    assert rows[3][2] == "1,234,567.50" and ex.pages[1].lines[0].text == "第二张表的说明文字"
    assert wxlsx.display(0.88, "0%") == "88%" and wxlsx.display(3.0, "General") == "3"


def test_web_page_article_found_and_furniture_left_out_without_network(monkeypatch):
    def no_network(*a, **k):
        raise AssertionError("the HTML reader opened a socket")
    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    ex = formats.extract(OFFICE / "weijian-project-2023.html", Settings())
    text = "\n".join(ln.text for p in ex.pages for ln in p.lines)
    assert ex.format == "html" and "项目概况" in text
    for furniture in ("首页", "当前位置", "索引号", "相关链接", "版权所有", "_hmt"):
        assert furniture not in text
    assert len(ex.pages[0].tables) == 1 and ex.pages[0].tables[0].rows[0][0] == "一级指标"
    assert ex.title_hint and ex.title_hint.startswith("2023年度") and "政务公开" not in ex.title_hint


def test_format_is_sniffed_from_content_not_the_name(tmp_path):
    fake_pdf = tmp_path / "report.pdf"
    fake_pdf.write_bytes((OFFICE / "wenlv-2024.docx").read_bytes())
    r = parse_pdf(fake_pdf)
    assert r.status == "ok" and r.format == "docx" and r.document.fiscal_year == 2024
    xls_html = tmp_path / "table.xls"
    xls_html.write_bytes((OFFICE / "weijian-project-2023.html").read_bytes())
    assert formats.sniff(xls_html) == "html"
    exe = tmp_path / "setup.pdf"
    exe.write_bytes(b"MZ\x90\x00" + b"\0" * 200)
    r = parse_pdf(exe)
    assert r.status == "failed" and r.error.startswith("不是 PDF 文件：") and "它是一个可执行程序" in r.error
    odd = tmp_path / "notes.docx"
    odd.write_bytes(b"\x00\x01plain bytes")
    with pytest.raises(ExtractError, match="^不是 reportparse 能读取的文件：它是内容无法识别的文件"):
        formats.sniff(odd)
    assert formats.sniff(SAMPLES / "wenlv-2024.pdf") == "pdf"


def test_without_libreoffice_a_doc_file_fails_saying_to_install_it(tmp_path, monkeypatch):
    from reportparse.read import convert
    monkeypatch.setattr(convert, "soffice", lambda: None)
    rtf = tmp_path / "old.doc"
    rtf.write_bytes(b"{\\rtf1\\ansi 2023\\'c4\\'ea report}")
    r = parse_pdf(rtf)
    assert r.status == "failed" and r.format == "rtf" and r.error.startswith("该文件（.doc）需要 LibreOffice 才能读取")
    assert "apt-get install libreoffice-writer" in r.error


@pytest.mark.slow
@pytest.mark.skipif(__import__("shutil").which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_doc_and_xls_are_converted_by_libreoffice_and_read_like_the_originals(tmp_path):
    import subprocess
    for src, to in (("weijian-project-2023.docx", "doc"), ("yunshan-targets-2025.xlsx", "xls")):
        subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
                        to, "--outdir", str(tmp_path), str(OFFICE / src)], check=True, capture_output=True, timeout=180)
        old = tmp_path / f"{Path(src).stem}.{to}"
        renamed = old.with_suffix(".wps" if to == "doc" else ".et")  # WPS names, same compound files
        old.rename(renamed)
        a, b = parse_pdf(OFFICE / src), parse_pdf(renamed)
        assert b.status == "ok" and b.format == to
        want, got = _content(a), _content(b)
        for part in ("document", "measures", "amounts", "items"):
            assert got[part] == want[part], (to, part)


def test_an_old_style_site_page_in_gbk_with_layout_tables(tmp_path):
    """Layout tables around the article, a metadata table and a title div above it, GB2312."""
    page = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
            "<title>某某县林业局2021年度部门整体支出绩效自评报告 - 某某县人民政府</title></head><body>"
            '<table><tr><td><a href="/">网站首页</a> | <a href="/zwgk">政务公开</a></td></tr></table>'
            '<table><tr><td><ul><li><a href="/1">机构概况</a></li><li><a href="/2">政策文件</a></li></ul></td><td>'
            "<table><tr><td>索引号：</td><td>000000/2022-00001</td></tr><tr><td>发布日期：</td><td>2022-03-01</td></tr></table>"
            '<div class="title">某某县林业局2021年度部门整体支出绩效自评报告</div><div id="zoom">'
            "<p>&nbsp;&nbsp;一、部门基本情况</p><p>2021年年初预算<span>800.00</span>万元，调整后预算820.00万元，"
            "实际支出810.00万元，预算执行率98.78%。</p><p>二、存在问题</p><p>（一）造林成活率偏低。<br>（二）管护力量不足。</p>"
            "</div></td></tr></table><table><tr><td>主办：某某县人民政府办公室　电话：0000-0000000</td></tr></table>"
            "</body></html>")
    p = tmp_path / "page.htm"
    p.write_bytes(page.encode("gb18030"))
    r = parse_pdf(p)
    d = r.document
    assert r.status == "ok" and r.format == "html" and d.title == "某某县林业局2021年度部门整体支出绩效自评报告"
    assert (d.fiscal_year, d.budget_initial, d.expenditure, d.execution_rate) == (2021, 8000000.0, 8100000.0, 98.78)
    assert [i.text for i in r.items] == ["造林成活率偏低。", "管护力量不足。"]
    assert not any("首页" in s.text or "索引号" in s.text or "主办" in s.text for s in r.sections)


def test_a_page_saved_as_a_web_archive_is_read_like_the_page(tmp_path):
    import base64
    page = (OFFICE / "weijian-project-2023.html").read_bytes()
    mht = (b"From: <Saved by Blink>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n"
           b'\ttype="text/html";\r\n\tboundary="----B"\r\n\r\n------B\r\nContent-Type: text/html; charset=utf-8\r\n'
           b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(page) +
           b"\r\n------B\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n------B--\r\n")
    p = tmp_path / "saved.mht"
    p.write_bytes(mht)
    a, b = parse_pdf(OFFICE / "weijian-project-2023.html"), parse_pdf(p)
    assert b.status == "ok" and b.format == "mht" and _content(b) == _content(a)


def test_a_password_protected_office_file_says_so(tmp_path):
    from reportparse.read.formats import OLE
    p = tmp_path / "locked.docx"
    p.write_bytes(OLE + b"\0" * 500 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 500)
    r = parse_pdf(p)
    assert r.status == "failed" and r.error.startswith("Office 文件已加密：") and r.format is None


def test_office_and_web_failures_say_what_happened_and_what_to_do_in_chinese(tmp_path, monkeypatch):
    from reportparse.messages import say
    from reportparse.read import convert
    cut = tmp_path / "cut.docx"
    cut.write_bytes(b"PK\x03\x04" + (OFFICE / "wenlv-2024.docx").read_bytes()[4:2000])  # a download cut short
    r = parse_pdf(cut)
    assert r.error.startswith("Office 文件已损坏（BadZipFile") and "请重新下载" in r.error
    other = tmp_path / "photos.docx"
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("a.txt", "x")
    assert parse_pdf(other).error.startswith("不是 reportparse 能读取的文件：它是一个 zip 压缩包，但不是 Word 或 Excel")
    thin = "<html><body><a href='/'>首页</a> 页面不存在</body></html>"
    (tmp_path / "index.html").write_text(thin, encoding="utf-8")
    (tmp_path / "report.pdf").write_text(thin, encoding="utf-8")
    assert parse_pdf(tmp_path / "index.html").error.startswith("网页中几乎没有文字（可能是错误页面或目录页）：请保存")
    assert parse_pdf(tmp_path / "report.pdf").error == say("html")  # worded as before the web reader existed
    mht = tmp_path / "saved.mht"
    mht.write_bytes(b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="B"\r\n\r\n--B\r\n'
                    b"Content-Type: image/png\r\n\r\nxx\r\n--B--\r\n")
    assert parse_pdf(mht).error.startswith("网页存档（.mht）中没有 HTML 页面")
    old = tmp_path / "old.doc"
    old.write_bytes(b"{\\rtf1\\ansi 2023 report}")
    monkeypatch.setattr(convert, "soffice", lambda: "false")  # LibreOffice that converts nothing: exit status 1
    assert parse_pdf(old).error == ("LibreOffice 无法把该文件（.doc）转换为 .docx（退出码 1）：文件已损坏，"
                                    "或不是其名称所示的格式")
    stuck = tmp_path / "soffice"
    stuck.write_text("#!/bin/sh\nexec sleep 30\n")
    stuck.chmod(0o755)
    monkeypatch.setattr(convert, "soffice", lambda: str(stuck))
    r = parse_pdf(old, Settings(time_limit=0.5))
    assert r.error.startswith("LibreOffice 没有在 0.5 秒内把该文件（.doc）转换为 .docx：请手动转换")


def test_an_overgrown_or_hidden_workbook_is_refused_in_chinese(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.title = "目标表"
    wb.active["A1"], wb.active["Z30000"] = "指标", "x"  # formatting run far down: 780 000 cells
    wb.save(tmp_path / "big.xlsx")
    with pytest.raises(TooLarge, match="^工作表“目标表”有 30000 行 26 列，超过一张报表工作表可有的 500000 个单元格上限$"):
        wxlsx.extract(tmp_path / "big.xlsx", Settings())
    hidden = tmp_path / "hidden.xlsx"
    with zipfile.ZipFile(tmp_path / "big.xlsx") as src, zipfile.ZipFile(hidden, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            dst.writestr(info, data.replace(b'state="visible"', b'state="hidden"') if info.filename ==
                         "xl/workbook.xml" else data)
    assert parse_pdf(hidden).error.startswith("Excel 工作簿中没有可见的工作表；请在 Excel 中取消隐藏")
    ex = parse_pdf(SAMPLES / "office" / "yunshan-targets-2025.xlsx")
    assert ex.document.notes == ["每张可见工作表读作一页：第1页“绩效目标表”"]


def test_word_numbering_inherited_from_a_heading_style_through_its_base(tmp_path):
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    styles = (f"<w:styles {ns}><w:docDefaults><w:rPrDefault><w:rPr><w:sz w:val=\"32\"/></w:rPr></w:rPrDefault>"
              "</w:docDefaults>"
              '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>'
              '<w:style w:type="paragraph" w:styleId="OutlineBase"><w:pPr><w:numPr><w:numId w:val="5"/></w:numPr>'
              "</w:pPr></w:style>"
              '<w:style w:type="paragraph" w:styleId="Heading2"><w:basedOn w:val="OutlineBase"/><w:pPr><w:numPr>'
              '<w:ilvl w:val="1"/></w:numPr></w:pPr></w:style>'
              + "".join(f'<w:style w:type="paragraph" w:styleId="Unused{i}"><w:rPr><w:b/></w:rPr></w:style>'
                        for i in range(50)) + "</w:styles>")

    def styled(text, sid):
        return f'<w:p><w:pPr><w:pStyle w:val="{sid}"/></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>'
    body = styled("总体情况", "OutlineBase") + styled("资金情况", "Heading2") + styled("正文一段。", "Normal")
    ex = wdocx.extract(_docx(tmp_path, body, NUMBERING, extra=[("word/styles.xml", styles)]), Settings())
    assert [ln.text for ln in ex.pages[0].lines] == ["一、总体情况", "1.资金情况", "正文一段。"]
    assert ex.pages[0].lines[2].size == 16


@pytest.mark.slow
@pytest.mark.skipif(__import__("shutil").which("soffice") is None, reason="LibreOffice (soffice) makes the .xls")
def test_xls_read_by_xlrd_shows_cells_as_the_xlsx_reader_does(tmp_path):
    """With xlrd installed an .xls is read without LibreOffice: same shown cells, same merges."""
    pytest.importorskip("xlrd")
    import subprocess
    openpyxl = pytest.importorskip("openpyxl")
    from reportparse.read import xls
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "某某项目绩效自评表"
    ws.merge_cells("A1:C1")
    for r, row in enumerate([["指标", "目标", "实际"], ["完成率", 0.9, 0.935], [None, 1500, 1620.5]], start=2):
        for c, v in enumerate(row, start=1):
            ws.cell(r, c, v)
    ws["B3"].number_format = ws["C3"].number_format = "0.0%"
    ws["C4"].number_format = "#,##0.00"
    ws.merge_cells("A3:A4")
    src = tmp_path / "t.xlsx"
    wb.save(src)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "xls",
                    "--outdir", str(tmp_path), str(src)], check=True, capture_output=True, timeout=180)
    a, b = wxlsx.extract(src, Settings()), xls.extract(tmp_path / "t.xls", Settings())
    assert b.pages[0].tables[0].rows == a.pages[0].tables[0].rows
    assert b.pages[0].tables[0].rows[1] == ["完成率", "90.0%", "93.5%"] and b.pages[0].tables[0].rows[2][2] == "1,620.50"
    assert [ln.text for ln in b.pages[0].lines] == ["某某项目绩效自评表"]
