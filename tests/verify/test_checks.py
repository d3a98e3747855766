"""Checks that need tables or hand-built inputs; the text-only ones are in specs/documents.json."""
from reportparse.verify import checks as check
from reportparse.verify import figures
from reportparse.understand import table_facts as tables
from reportparse.understand import table_layout
from reportparse.model import Document, Measure, Table


def _measure(source, target, actual, indicator="设备完好率"):
    return Measure(None, 1, indicator, "%", ">=", target, None, "=", actual, actual >= target, "q", source)


def test_restated_field_differs_between_text_and_table():
    doc = Document(expenditure=100.0, budget_adjusted=150.0,
                   evidence={"expenditure": (2, "全年实际支出100元"), "budget_adjusted": (2, "调整后预算150元")})
    got = check.restated(doc, {"expenditure": (120.0, 3, "合计 | 120"), "budget_adjusted": (150.0, 3, "合计 | 150")}, [])
    (c,) = [c for c in got if c.status == "fail"]
    assert "实际支出在正文中为100.00元（第2页）" in c.message and "在表格中为120.00元（第3页）" in c.message


def test_restated_field_equal_passes_and_table_only_field_is_not_compared():
    doc = Document(expenditure=100.0, budget_adjusted=200.0,
                   evidence={"expenditure": (2, "text"), "budget_adjusted": (3, "合计 | 200")})
    got = check.restated(doc, {"expenditure": (100.0, 3, "合计 | 100"), "budget_adjusted": (200.0, 3, "合计 | 200")}, [])
    assert [(c.check, c.status) for c in got] == [("restated", "pass")]


def test_restated_indicator_in_text_and_table():
    same = check.restated(Document(), {}, [_measure("text", 95, 98), _measure("table", 95, 98)])
    diff = check.restated(Document(), {}, [_measure("text", 95, 98), _measure("table", 95, 97)])
    assert [c.status for c in same] == ["pass"] and [c.status for c in diff] == ["fail"]


def _table(rows):
    return Table(1, rows)


def test_finance_table_rows_rate_checked():
    facts = tables.read([_table([
        ["项目", "年初预算（万元）", "调整后预算（万元）", "实际支出（万元）", "执行率"],
        ["基本支出", "100.00", "120.00", "114.00", "95.00%"],
        ["项目支出", "50.00", "80.00", "60.00", "80.00%"],
        ["合计", "150.00", "200.00", "174.00", "87.00%"],
    ])])
    got = check.item_rates([], {}, [], facts.rates)
    # the 合计 row is the document's total: its rate is checked once, as execution_rate
    assert [c.status for c in got] == ["pass", "fail"]
    assert "计算为75.00%" in got[1].message and facts.fields["expenditure"][0] == 1740000.0
    assert "按支出60.00万元÷预算80.00万元" in got[1].message  # table figures in the table's own unit
    assert facts.fields["execution_rate"][0] == 87.0


def test_score_column_against_total():
    rows = [["一级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
            ["产出", "培训人次", "≥100人次", "120人次", "50", "50"],
            [None, "满意度", "≥90%", "88%", "50", "45"],
            ["合计", None, None, None, "100", "96"]]
    facts = tables.read([_table(rows)])
    (c,) = check.score_total(facts.scores, facts.total_score)
    assert c.status == "fail" and "得分列合计为95分" in c.message and "合计行写明96分" in c.message
    assert [m.met for m in facts.measures] == [True, False]


def test_unit_mismatch_is_a_warning_not_a_measure():
    facts = tables.read([_table([["三级指标", "年度指标值", "实际完成值"], ["培训覆盖", "≥95%", "120人"]])])
    (m,) = facts.measures  # contract v2: every indicator row is a row; no pair is made of it
    assert m.target_value == 95.0 and m.actual_value is None and m.met is None and m.actual_text == "120人"
    (c,) = check.unit_mismatch(facts.unit_mismatches)
    assert c.status == "warn" and "目标以%计，实际以人计" in c.message


def test_table_continued_on_next_page_with_repeated_header():
    header = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值"]
    p1 = Table(1, [header, ["产出指标", "数量指标", "新建农田", "≥1.2万亩", "1.35万亩"], [None, None, "培训农民", "≥300人", "336人"]])
    p2 = Table(2, [header, [None, "质量指标", "抽检合格率", "≥98%", "99.6%"]])
    (lt,) = table_layout.stitch([p1, p2])
    assert len(lt.rows) == 3 and lt.rows[2][1][0] == "产出指标"  # merged first column filled from above
    facts = tables.read([p1, p2])
    assert [(m.indicator, m.page, m.target_value) for m in facts.measures] == [
        ("新建农田", 1, 12000.0), ("培训农民", 1, 300.0), ("抽检合格率", 2, 98.0)]


def test_within_follows_the_reports_rounding():
    assert figures.within(75.96537, 75.97, 2) and figures.within(75.96537, 75.96, 2)
    assert not figures.within(75.96537, 75.94, 2) and figures.within(66.666, 66.7, 1)


def test_standard_project_table_with_budget_block_and_indicator_block():
    """The Ministry of Finance 项目支出绩效自评表 layout: one table, two headers."""
    rows = [
        ["项目资金（万元）", None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
        [None, "年度资金总额", "100.00", "120.00", "110.00", "10", "91.67%", "9.2"],
        ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因"],
        ["产出指标", "数量指标", "培训人次", "≥500人次", "520人次", "50", "50", None],
        [None, "质量指标", "合格率", "≥95%", "93%", "40", "30", "考核偏严"],
        ["总分", None, None, None, None, "100", "89.2", None],
    ]
    facts = tables.read([Table(1, rows)])
    assert facts.fields["budget_initial"][0] == 1000000.0 and facts.fields["expenditure"][0] == 1100000.0
    assert facts.fields["execution_rate"][0] == 91.67
    assert [(m.indicator, m.met) for m in facts.measures] == [("培训人次", True), ("合格率", False)]
    # the total row's rate is the document's execution_rate, checked once under that id
    assert check.item_rates([], {}, [], facts.rates) == []
    (total,) = check.score_total(facts.scores, facts.total_score)
    assert total.status == "pass" and "89.2分" in total.message


def test_restated_skips_a_table_about_another_scope():
    doc = Document(expenditure=100.0, budget_adjusted=200.0, evidence={"expenditure": (2, "t"), "budget_adjusted": (2, "t")})
    other = {"expenditure": (40.0, 3, "合计 | 40"), "budget_adjusted": (50.0, 3, "合计 | 50")}
    assert check.restated(doc, other, []) == []
    partly = {"expenditure": (90.0, 3, "合计 | 90"), "budget_adjusted": (200.0, 3, "合计 | 200")}
    assert sorted(c.status for c in check.restated(doc, partly, [])) == ["fail", "pass"]


def test_subtotal_rows_are_not_counted_twice_in_the_score_sum():
    rows = [["一级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
            ["产出", "培训人次", "≥100人次", "120人次", "50", "50"],
            ["产出小计", None, None, None, "50", "50"],
            ["效益", "满意度", "≥90%", "95%", "50", "50"],
            ["合计", None, None, None, "100", "100"]]
    facts = tables.read([_table(rows)])
    (c,) = check.score_total(facts.scores, facts.total_score)
    assert c.status == "pass"


# --- the messages an auditor reads: Chinese, figures as written, no scientific notation ---

REPORT = """某某区农业农村局2024年度部门整体支出绩效自评报告
一、部门基本情况
二、预算执行情况
2024年年初预算3,200.00万元，调整后预算3,650.50万元，全年实际支出3,388.27万元，预算执行率92.82%。其中项目支出1,850.00万元，占实际支出的54.60%。
三、绩效目标完成情况
全面完成了年度绩效目标。新建高标准农田计划1.2万亩，实际完成1.35万亩；培训农民计划不少于500人，实际完成420人。
"""


def test_messages_are_chinese_with_figures_as_the_report_writes_them():
    from reportparse import parse_text
    got = {c.check: c for c in parse_text(REPORT).checks}
    rate = got["execution_rate"].message
    assert "预算执行率92.82%" in rate and "3,388.27万元" in rate and "3,650.50万元" in rate and "，一致" in rate
    assert "1,850.00万元" in got["share"].message and "54.60%" in got["share"].message
    missed = got["target_met"]
    assert missed.status == "fail" and "培训农民（目标≥500人，实际420人，第1页）" in missed.message
    assert "「全面完成了年度绩效目标。」" in missed.message  # the claim quoted whole
    for c in got.values():
        assert "e+" not in c.message and not any(w in c.message for w in ("stated", "target", "actual"))


def test_numbers_never_in_scientific_notation():
    assert figures.num(2e9) == "2,000,000,000" and figures.num(2136000000.0) == "2,136,000,000"
    assert figures.num(0.00001) == "0.00001" and figures.num(75.965, 2) == "75.97" and figures.num(1e16) == "10,000,000,000,000,000"
    assert figures.money(2.136e9) == "213,600.00万元" and figures.money(2.136e9, "亿元") == "21.36亿元"
    assert figures.money(950.0) == "950.00元"
    m = Measure(None, 3, "农业总产值", "CNY", ">=", 2e9, None, "=", 2.136e9, True, "q", "text")
    assert check._target(m) == "≥200,000.00万元" and check._actual(m) == "213,600.00万元"


def test_long_quotes_are_cut_at_a_clause_boundary_only():
    sent = "本年度共开展农业技术培训班十二期，" * 12 + "覆盖全区所有行政村。"
    q = figures.quote(sent)
    assert q.startswith("「本年度") and q.endswith("，……」") and len(q) < len(sent)
    assert figures.quote("短句不截断。") == "「短句不截断。」"


def test_a_malformed_number_is_shown_as_written_and_as_read():
    from reportparse import parse_text
    r = parse_text("二、预算执行情况\n全年实际支出69,420,92万元，预算执行率75.97%。")
    (c,) = [c for c in r.checks if c.check == "number_format"]
    assert "69,420,92万元不是每三位一组" in c.message and "读作69,420.92万元" in c.message
