"""Checks that need tables or hand-built inputs; the text-only ones are in specs/documents.json."""
from reportparse import check, tables
from reportparse.model import Document, Measure, Table


def _measure(source, target, actual, indicator="设备完好率"):
    return Measure(None, 1, indicator, "%", ">=", target, None, "=", actual, actual >= target, "q", source)


def test_restated_field_differs_between_text_and_table():
    doc = Document(expenditure=100.0, budget_adjusted=150.0,
                   evidence={"expenditure": (2, "全年实际支出100元"), "budget_adjusted": (2, "调整后预算150元")})
    got = check.restated(doc, {"expenditure": (120.0, 3, "合计 | 120"), "budget_adjusted": (150.0, 3, "合计 | 150")}, [])
    (c,) = [c for c in got if c.status == "fail"]
    assert "100.00 in the text (p.2)" in c.message and "120.00 in the table (p.3)" in c.message


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
    assert "75.00%" in got[1].message and facts.fields["expenditure"][0] == 1740000.0
    assert facts.fields["execution_rate"][0] == 87.0


def test_score_column_against_total():
    rows = [["一级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
            ["产出", "培训人次", "≥100人次", "120人次", "50", "50"],
            [None, "满意度", "≥90%", "88%", "50", "45"],
            ["合计", None, None, None, "100", "96"]]
    facts = tables.read([_table(rows)])
    (c,) = check.score_total(facts.scores, facts.total_score)
    assert c.status == "fail" and "sums to 95" in c.message
    assert [m.met for m in facts.measures] == [True, False]


def test_unit_mismatch_is_a_warning_not_a_measure():
    facts = tables.read([_table([["三级指标", "年度指标值", "实际完成值"], ["培训覆盖", "≥95%", "120人"]])])
    (m,) = facts.measures  # contract v2: every indicator row is a row; no pair is made of it
    assert m.target_value == 95.0 and m.actual_value is None and m.met is None and m.actual_text == "120人"
    (c,) = check.unit_mismatch(facts.unit_mismatches)
    assert c.status == "warn" and "target in % but actual in 人" in c.message


def test_table_continued_on_next_page_with_repeated_header():
    header = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值"]
    p1 = Table(1, [header, ["产出指标", "数量指标", "新建农田", "≥1.2万亩", "1.35万亩"], [None, None, "培训农民", "≥300人", "336人"]])
    p2 = Table(2, [header, [None, "质量指标", "抽检合格率", "≥98%", "99.6%"]])
    (lt,) = tables.stitch([p1, p2])
    assert len(lt.rows) == 3 and lt.rows[2][1][0] == "产出指标"  # merged first column filled from above
    facts = tables.read([p1, p2])
    assert [(m.indicator, m.page, m.target_value) for m in facts.measures] == [
        ("新建农田", 1, 12000.0), ("培训农民", 1, 300.0), ("抽检合格率", 2, 98.0)]


def test_within_follows_the_reports_rounding():
    assert check.within(75.96537, 75.97, 2) and check.within(75.96537, 75.96, 2)
    assert not check.within(75.96537, 75.94, 2) and check.within(66.666, 66.7, 1)


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
    assert total.status == "pass" and "89.2" in total.message


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
