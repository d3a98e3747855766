"""Build the Word, Excel and web-page samples in samples/office/ from the same text sources as
the PDFs (samples/src/), so a test can hold the native readers to the PDF reader's results.

    python samples/build_office.py     # needs python-docx and openpyxl

Made the way offices make them: headings as Word paragraphs (wenlv-2024's numbered by Word's
automatic outline numbering, so 一、 and （一） live in numbering.xml, not in the text), the
category columns of a 自评表 merged down (vMerge) where the source leaves them blank, a title
row merged across a sheet, and a web page with the site's navigation, a metadata table and a
footer around the article.
"""
from __future__ import annotations

import argparse
import html
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from build import parse  # noqa: E402  (the same markup the PDF samples are built from)

DOCX = {"wenlv-2024.docx": ("wenlv-2024.txt", True), "seed-panyu-2023.docx": ("seed-panyu-2023.txt", False),
        "weijian-project-2023.docx": ("weijian-project-2023.txt", False),
        "jiaoyu-project-2024.docx": ("jiaoyu-project-2024.txt", False)}
XLSX = {"yunshan-targets-2025.xlsx": "yunshan-targets-2025.txt"}
HTML = {"weijian-project-2023.html": "weijian-project-2023.txt"}

LEVEL1 = re.compile(r"^[一二三四五六七八九十]+、")
LEVEL2 = re.compile(r"^（[一二三四五六七八九十]+）")


def _outline_numbering(document) -> str:
    """A numbering definition 一、 / （一） added to the document's numbering part; its numId."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    numbering = document.part.numbering_part.element
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90"><w:multiLevelType w:val="multilevel"/>'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/>'
        '<w:suff w:val="nothing"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/>'
        '<w:suff w:val="nothing"/></w:lvl></w:abstractNum>')
    num = parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>')
    first_num = numbering.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}num")
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    numbering.append(num)
    return "90"


def _number(paragraph, num_id: str, level: int) -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'))


def _merge_blank_categories(table, rows: list[list[str]]) -> None:
    """Blank cells of the first two columns merged into the category cell above (vMerge)."""
    for col in range(min(2, len(rows[0]))):
        for s in range(1, len(rows)):
            if not rows[s][col]:
                continue
            end = s
            while end + 1 < len(rows) and not rows[end + 1][col] and not rows[end + 1][0].startswith("合计"):
                end += 1
            if end > s:
                table.cell(s, col).merge(table.cell(end, col))
                table.cell(s, col).text = rows[s][col]


def build_docx(src: Path, auto_numbering: bool) -> "object":
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt
    document = Document()
    document.core_properties.title = ""
    num_id = _outline_numbering(document) if auto_numbering else None
    for kind, val in parse(src):
        if kind == "title":
            p = document.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = p.add_run(val)
            run.font.size, run.font.bold = Pt(20), True
        elif kind == "head":
            p = document.add_paragraph()
            text = val
            if num_id and LEVEL1.match(val):
                text = LEVEL1.sub("", val)
                _number(p, num_id, 0)
            elif num_id and LEVEL2.match(val):
                text = LEVEL2.sub("", val)
                _number(p, num_id, 1)
            p.add_run(text).font.bold = True
        elif kind in ("left", "body"):
            p = document.add_paragraph(val)
            if kind == "body":
                p.paragraph_format.first_line_indent = Pt(28)
        elif kind == "table":
            table = document.add_table(rows=len(val), cols=len(val[0]))
            table.style = "Table Grid"
            for r, row in enumerate(val):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
            _merge_blank_categories(table, val)
    return document


def build_xlsx(src: Path):
    """The 绩效目标表 as a sheet: a merged title row, one-cell rows for the project's fields,
    the grid with its category columns merged down."""
    import openpyxl
    from openpyxl.styles import Alignment
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "绩效目标表"
    blocks = parse(src)
    width = max(len(v[0]) for k, v in blocks if k == "table")
    r = 1
    for kind, val in blocks:
        if kind in ("title", "left", "head", "body"):
            ws.cell(r, 1, val)
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
            if kind == "title":
                ws.cell(r, 1).alignment = Alignment(horizontal="center")
            r += 1
        elif kind == "table":
            top = r
            for row in val:
                for c, cell in enumerate(row, start=1):
                    if cell:
                        ws.cell(r, c, cell)
                r += 1
            for col in (1, 2):
                start = None
                for rr in range(top, r + 1):
                    blank = rr < r and ws.cell(rr, col).value is None
                    if not blank:
                        if start is not None and rr - 1 > start:
                            ws.merge_cells(start_row=start, start_column=col, end_row=rr - 1, end_column=col)
                        start = rr
    notes = wb.create_sheet("填表说明")
    notes.sheet_state = "hidden"  # a hidden sheet is not printed, so not read
    notes.cell(1, 1, "本表由项目单位填报，主管部门审核。")
    return wb


def build_html(src: Path) -> str:
    """A saved article page: site navigation, a 发布时间/来源 metadata table, the article with its
    table, related links and the site footer."""
    blocks = parse(src)
    title = next(v for k, v in blocks if k == "title")
    body = []
    for kind, val in blocks:
        if kind == "title":
            body.append(f'<h1 class="article-title">{html.escape(val)}</h1>')
        elif kind == "head":
            body.append(f"<p><strong>{html.escape(val)}</strong></p>")
        elif kind in ("left", "body"):
            body.append(f'<p style="text-indent:2em">{html.escape(val)}</p>')
        elif kind == "table":
            rows, covered = [], set()
            for i, row in enumerate(val):
                cells = []
                for j, cell in enumerate(row):
                    if (i, j) in covered:
                        continue  # under the rowspan of the category above
                    span = 1
                    if j < 2 and cell and i > 0:
                        while i + span < len(val) and not val[i + span][j] and not val[i + span][0].startswith("合计"):
                            covered.add((i + span, j))
                            span += 1
                    attr = f' rowspan="{span}"' if span > 1 else ""
                    tag = "th" if i == 0 else "td"
                    cells.append(f"<{tag}{attr}>{html.escape(cell)}</{tag}>")
                rows.append("<tr>" + "".join(cells) + "</tr>")
            body.append('<table border="1" cellspacing="0">' + "".join(rows) + "</table>")
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(title)}_政务公开_示例区人民政府</title>
<script>var _hmt = _hmt || [];</script><style>.nav li {{ display: inline }}</style></head>
<body>
<div class="header"><img src="logo.png" alt="示例区人民政府门户网站"><ul class="nav">
<li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/bsfw/">办事服务</a></li>
<li><a href="/hdjl/">互动交流</a></li></ul></div>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; 财政预决算</div>
<table class="xxgk-meta"><tr><td>索引号：</td><td>11440100MB2C00000X/2024-00123</td><td>发布机构：</td>
<td>示例区卫生健康局</td></tr><tr><td>发布日期：</td><td>2024-05-20</td><td>浏览次数：</td><td>1024</td></tr></table>
<div class="article"><div class="TRS_Editor">
{chr(10).join(body)}
</div></div>
<div class="related"><h3>相关链接</h3><ul><li><a href="/a.html">关于做好2024年度预算公开工作的通知</a></li>
<li><a href="/b.html">2023年度部门决算公开</a></li></ul></div>
<div class="footer"><p>主办单位：示例区人民政府办公室 | 网站标识码：4401000000 | 备案号：粤ICP备00000000号</p>
<p>版权所有 © 示例区人民政府</p></div>
</body></html>
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(HERE / "office"), help="folder to write into (default: samples/office/)")
    out = Path(ap.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    for name, (src, auto) in DOCX.items():
        doc = build_docx(HERE / "src" / src, auto)
        doc.core_properties.author = "reportparse samples"
        doc.save(out / name)
    for name, src in XLSX.items():
        build_xlsx(HERE / "src" / src).save(out / name)
    for name, src in HTML.items():
        (out / name).write_text(build_html(HERE / "src" / src), encoding="utf-8")
    print(f"office samples written to {out}")


if __name__ == "__main__":
    main()
