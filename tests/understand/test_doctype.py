"""Document types and the covers of neighbouring documents (issue 9, part B).

The samples are built by samples/build.py from samples/src/ (invented content); tests that
need a PDF of their own build it here with reportlab.
"""
from pathlib import Path

import pytest

from reportparse import parse_pdf, parse_text

from reportparse.understand import doctype

from reportparse.understand import numbers

from reportparse.understand import fields as recognize
from reportparse.understand import prose
from reportparse.model import Paragraph, Table

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
NEIGHBOURS = SAMPLES / "neighbours"


@pytest.fixture(scope="module")
def parsed():
    return {p.name: parse_pdf(p, {"ocr": False}) for p in sorted(NEIGHBOURS.glob("*.pdf"))}


def test_final_accounts_cover_type_year_and_budget_fields(parsed):
    r = parsed["yunshan-final-accounts-2024.pdf"]
    d = r.document
    assert (r.status, d.doc_type) == ("ok", "final_accounts")
    assert d.organization == "上海市云杉区财政局"  # its own cover line, above 2024年度部门决算
    assert d.fiscal_year == 2024 and d.title.endswith("2024年度部门决算")
    assert (d.budget_initial, d.budget_adjusted, d.expenditure) == (68000000.0, 71200000.0, 70332000.0)
    assert any(a.amount == 186000.0 for a in r.amounts)  # 三公 18.60万元
    assert any(a.origin == "table" and a.amount == 70332000.0 for a in r.amounts)  # 合计 决算数, 万元 header
    assert r.measures == []


def test_budget_gets_the_year_of_its_title(parsed):
    r = parsed["yunshan-budget-2025.pdf"]
    d = r.document
    assert (d.doc_type, d.organization, d.fiscal_year) == ("budget", "上海市云杉区绿化和市容管理局", 2025)
    assert d.budget_initial == 123600000.0
    assert r.amounts and all(a.amount > 0 for a in r.amounts)  # the header's （万元） is no amount of 0
    assert r.measures == []


def test_target_table_gives_no_pair_and_reads_its_header(parsed):
    r = parsed["yunshan-targets-2025.pdf"]
    d = r.document
    assert (d.doc_type, d.fiscal_year) == ("target_table", 2025)
    assert d.organization == "上海市云杉区绿化养护所"  # the 实施单位, not the 主管部门
    assert (d.project, d.supervisor) == ("老旧小区绿化提升工程", "上海市云杉区绿化和市容管理局")
    assert r.measures == []


@pytest.mark.parametrize("name", ["yunshan-final-accounts-2024.pdf", "yunshan-budget-2025.pdf"])
def test_prose_of_budget_kinds_would_pair_without_the_type_rule(parsed, name):
    """The samples carry sentences that look like target/actual pairs (预算目标…实际支出…,
    last year's 计划…实际…); it is the type that keeps them out, not luck."""
    r = parsed[name]
    found = []
    for s in r.sections:
        for sent in prose.sentences(s, s.paragraphs):
            found += prose.measures_in(sent, numbers.find(sent.text))
    assert found, "the sample no longer tests the rule"
    assert r.measures == []


def test_every_sample_report_has_its_type():
    want = {"seed-panyu-2023.pdf": "dept_report", "wenlv-2024.pdf": "dept_report",
            "jiaoyu-project-2024.pdf": "project_report", "weijian-project-2023.pdf": "project_report",
            "damaged/unruled-table-2022.pdf": "dept_report", "damaged/rotated-table-2023.pdf": "dept_report"}
    for name, kind in want.items():
        assert parse_pdf(SAMPLES / name, {"ocr": False}).document.doc_type == kind, name


def test_project_and_supervisor_of_project_reports():
    d = parse_pdf(SAMPLES / "jiaoyu-project-2024.pdf", {"ocr": False}).document
    assert (d.project, d.supervisor) == ("中小学校舍维修改造项目", "珠海市香洲区教育局")
    d = parse_pdf(SAMPLES / "weijian-project-2023.pdf", {"ocr": False}).document
    assert d.project == "基层医疗卫生服务能力提升项目"  # from the title, once the unit is taken off


@pytest.mark.parametrize("title,kind", [
    ("2024年市级部门整体预算绩效目标表", "target_table"),
    ("2023年度部门整体支出绩效自评表", "self_eval_table"),
    ("某区教育局2023年度部门决算", "final_accounts"),
    ("某区教育局2025年部门预算", "budget"),
    ("2023年度某区教育局部门整体支出绩效自评报告", "dept_report"),
    ("2023年度某区教育局校舍改造项目支出绩效自评报告", "project_report"),
    ("2023年度部门预算执行情况分析", None),
])
def test_titles_name_their_kind(title, kind):
    assert doctype.from_text(title) == kind


def _para(text):
    return Paragraph(text, [(0, 1)])


def test_tables_decide_when_the_title_does_not():
    targets_only = Table(1, [["一级指标", "三级指标", "年度指标值"], ["产出指标", "培训人数", "≥300人"]])
    both = Table(1, [["三级指标", "年度指标值", "实际完成值"], ["培训人数", "≥300人", "320人"]])
    assert doctype.classify([], [_para("附件")], [], [targets_only]) == "target_table"
    assert doctype.classify([], [_para("附件")], [], [both]) == "self_eval_table"
    long_prose = [_para("本单位全年开展各项工作，" * 60)]
    assert doctype.classify([], long_prose, [], [both]) == "other"  # a report around its table
    assert doctype.classify([], [], [], []) == "other"


def test_cover_org_on_its_own_line_and_budget_year():
    r = parse_text("某省某市某区财政局\n2024年部门预算\n第一部分 部门概况\n一、主要职能\n负责全区财政收支管理。")
    d = r.document
    assert (d.doc_type, d.organization, d.fiscal_year) == ("budget", "某省某市某区财政局", 2024)


def test_documents_notes_column_is_written(tmp_path):
    """A chart page: the table search is skipped, the document stays ok and says so in notes."""
    from reportlab.pdfgen import canvas
    import reportparse
    from reportparse.run.batch import ingest
    pdf = tmp_path / "in" / "chart.pdf"
    pdf.parent.mkdir()
    c = canvas.Canvas(str(pdf))
    for i in range(4000):
        c.line(50 + (i % 100) * 5, 50 + (i // 100) * 5, 52 + (i % 100) * 5, 52 + (i // 100) * 5)
    c.drawString(50, 800, "Chart page with many vector lines and some text.")
    c.showPage()
    c.save()
    ingest([str(pdf.parent)], str(tmp_path / "out"), {"ocr": False}, jobs=1, progress=False)
    row = reportparse.load(tmp_path / "out")["documents"].iloc[0]
    assert row.status == "ok" and "跳过表格查找" in row.notes
