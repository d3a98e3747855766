"""Shapes met by a held-out probe (invented documents in wordings other provinces and unit
kinds use; the text-only ones are spec cases 'held-out shape: …' in specs/documents.json):
自评表 header blocks read through the whole pipeline, a score that is another year's, and
titles in the 关于…的报告 form."""
import pytest

from reportparse import parse_text
from reportparse.model import Paragraph, Report, Table
from reportparse.run import pipeline
from reportparse.understand import fields
from reportparse.understand.normalize import translate

INDICATORS = [["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
              ["产出指标", "数量指标", "保障学生人数", "≥1200人", "1260人", "20", "20", ""]]


def _analyze(lines: list[str], rows: list[list[str]]) -> Report:
    rep = Report(doc_id="probe", source="probe")
    pipeline.analyze(rep, [Paragraph(translate(t), [(0, 1)]) for t in lines], [Table(1, rows)], None)
    return rep


@pytest.mark.parametrize("lines,rows,want", [
    (["2023年度项目支出绩效自评表"],
     [["项目名称", "城乡义务教育公用经费保障", "", "", "", "", "", ""],
      ["主管部门", "松柏县教育局", "", "实施单位", "松柏县第二中学", "", "", ""],
      ["项目资金（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
      ["", "年度资金总额", "120", "130", "126.1", "10", "97%", "9.7"],
      ["", "其中：当年财政拨款", "120", "130", "126.1", "—", "—", "—"],
      *INDICATORS, ["总分", "", "", "", "", "100", "95.7", ""]],
     dict(fiscal_year=2023, doc_type="self_eval_table", project="城乡义务教育公用经费保障", budget_initial=1200000.0,
          budget_adjusted=1300000.0, expenditure=1261000.0, execution_rate=97.0, self_score=95.7)),
    (["部门整体支出绩效自评表", "（2023年度）"],
     [["部门（单位）名称", "松柏县青云镇人民政府", "", "", "", "", "", ""],
      ["年度预算申请（元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
      ["", "年度资金总额", "15,000,000.00", "16,200,000.00", "15,900,000.00", "10", "98.15%", "9.8"],
      *INDICATORS, ["总分", "", "", "", "", "100", "93", ""]],
     dict(organization="松柏县青云镇人民政府", fiscal_year=2023, budget_initial=15000000.0, budget_adjusted=16200000.0,
          expenditure=15900000.0, execution_rate=98.15, self_score=93.0)),
    (["松柏县民政局2024年度困难群众救助补助资金项目支出绩效自评表"],
     [["项目名称", "困难群众救助补助资金", "", "", ""],
      ["资金情况（万元）", "资金来源", "预算数", "执行数", "执行率"],
      ["", "合计", "560", "548.8", "98%"],
      *INDICATORS, ["总分", "", "", "", "", "100", "96", ""]],
     dict(organization="松柏县民政局", fiscal_year=2024, budget_adjusted=5600000.0, expenditure=5488000.0,
          execution_rate=98.0, self_score=96.0)),
], ids=["project-table-wan", "dept-table-yuan", "预算数-执行数-合计"])
def test_self_eval_table_header_blocks(lines, rows, want):
    d = _analyze(lines, rows).document
    for k, v in want.items():
        assert getattr(d, k) == (pytest.approx(v) if isinstance(v, float) else v), k


@pytest.mark.parametrize("text,year,other", [
    ("2022年度绩效评价得分85分", 2023, True),
    ("2023年度绩效评价得分85分", 2023, False),
    ("二〇二二年度绩效评价得分85分", 2023, True),
    ("截至2023年底，资金全部拨付；经自评，得分90分", 2023, False),  # the year is in an earlier clause
    ("2022年度绩效评价得分85分", None, False),  # no year of its own: nothing to compare
])
def test_a_score_of_another_year(text, year, other):
    at = text.index("得分") - 2
    assert fields._other_years_score(text, at, year) is other


def test_last_years_score_is_not_this_reports_but_this_years_is_read_after_it():
    r = parse_text("2023年度某县林业局部门整体支出绩效自评报告\n一、上年评价\n2022年度绩效评价得分85分。\n"
                   "二、自评结论\n2023年度绩效评价得分91分。")
    assert r.document.self_score == 91.0


@pytest.mark.parametrize("title,org", [
    ("关于青山区市场监督管理局2023年度部门整体支出绩效自评情况的报告", "青山区市场监督管理局"),
    ("关于2023年度青山区档案馆部门整体支出绩效自评的报告", "青山区档案馆"),
])
def test_a_title_in_the_关于_form_names_the_unit_without_关于(title, org):
    assert parse_text(title + "\n一、基本情况\n负责档案管理。").document.organization == org


@pytest.mark.parametrize("text,rate", [
    ("执行率：97.78%", 97.78),  # the label stands before the colon, nothing between it and the number
    ("预算执行率: 96%", 96.0),
    ("项目支出执行率：80%", None),  # a line item's rate, excluded as before
])
def test_a_percent_right_after_a_colon_takes_the_label_before_it(text, rate):
    r = parse_text("某县某局2023年度部门整体支出绩效自评报告\n一、预算执行情况\n年初预算：100万元；实际支出：90万元；" + text)
    assert r.document.execution_rate == rate
