"""自评表 tables read by column role: header roles, row measures, header block, funds block.

The template-family samples (samples/templates/, built by samples/build.py from invented
content) are parsed whole; the spec file tests/specs/table_roles.json holds many small
header and row cases.
"""
import json
import shutil
from pathlib import Path

import pytest

from reportparse import parse_pdf, patterns

from reportparse.verify import checks as check

from reportparse.understand import fields as recognize

from reportparse.understand import roles

from reportparse.understand import table_facts as tables
from reportparse.understand import table_layout
from reportparse.model import Document, Table

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "samples" / "templates"
SPEC = json.loads((Path(__file__).parent / "specs" / "table_roles.json").read_text(encoding="utf-8"))


# --- spec cases ---------------------------------------------------------------------------

@pytest.mark.parametrize("case", SPEC["headers"], ids=lambda c: "|".join(c["header"])[:40])
def test_header_roles(case):
    cols = roles.columns(case["header"])
    for role, want in case["expect"].items():
        got = cols.pairs if role == "pairs" else getattr(cols, role)
        assert got == want, role


@pytest.mark.parametrize("case", SPEC["rows"], ids=lambda c: "|".join(c["row"])[:40])
def test_row_measures(case):
    facts = tables.read([Table(1, [case["header"], case["row"]])])
    if case["expect"] is None:
        assert facts.measures == []
        return
    (m,) = facts.measures
    unit, t_op, t, t_max, a_op, a, met = case["expect"]
    assert (m.unit, m.target_op, m.actual_op, m.met) == (unit, t_op, a_op, met)
    assert m.target_value == (pytest.approx(t) if t is not None else None)
    assert m.target_value_max == (pytest.approx(t_max) if t_max is not None else None)
    assert m.actual_value == (pytest.approx(a) if a is not None else None)
    assert m.origin == "table"


# --- template-family samples --------------------------------------------------------------

@pytest.fixture(scope="module")
def parsed():
    return {p.stem: parse_pdf(p) for p in sorted(TEMPLATES.glob("*.pdf"))}


def _by_name(report):
    return {m.indicator: m for m in report.measures}


def test_all_four_families_are_built(parsed):
    assert set(parsed) == {"cq-style-2022", "mof-style-2024", "sc-style-2024", "word-repeat-2023"}
    assert all(r.status == "ok" for r in parsed.values())


def test_chongqing_sign_and_unit_columns_without_score(parsed):
    r = parsed["cq-style-2022"]
    d = r.document
    assert (d.organization, d.supervisor, d.project, d.fiscal_year) == (
        "松湾区公共交通服务中心", "松湾区交通运输局", "城区公共自行车系统运维经费", 2022)
    # only 全年预算数 (A): it is the adjusted budget; no 得分 column, so no self score
    assert (d.budget_initial, d.budget_adjusted, d.expenditure, d.self_score) == (None, 3184000.0, 3056000.0, None)
    assert d.execution_rate == 96.0  # from the 预算执行率 indicator row, as printed
    ms = _by_name(r)
    cost = ms["站点运维外包费用"]
    assert (cost.unit, cost.target_op, cost.target_value, cost.actual_value, cost.met) == ("CNY", "<=", 2450000.0, 2387000.0, True)
    bikes = ms["投放运营车辆"]
    assert (bikes.unit, bikes.target_op, bikes.target_value, bikes.actual_value, bikes.met) == ("辆", ">=", 3200.0, 3050.0, False)
    assert (ms["车辆完好率"].actual_value, ms["车辆完好率"].actual_text) == (96.8, "96.8%")
    qual = ms["绿色出行氛围"]
    assert (qual.target_value, qual.actual_value, qual.met, qual.target_text, qual.actual_text) == (
        None, None, None, "明显增强", "明显增强")
    assert ms["新增自行车租赁站点"].level2 == "数量指标" and ms["新增自行车租赁站点"].weight == 15.0
    assert all(m.score is None for m in r.measures)
    assert len(r.measures) == 8  # the 合计 row is no row
    assert [c.status for c in r.checks if c.check == "execution_rate"] == ["pass"]


def test_mof_standard_funds_block_placeholders_and_wrong_rate(parsed):
    r = parsed["mof-style-2024"]
    d = r.document
    assert (d.organization, d.supervisor, d.project, d.fiscal_year) == (
        "临泉县图书馆", "临泉县文化和旅游局", "社区图书馆阅读推广补助资金", 2024)  # （盖章） label read
    assert (d.budget_initial, d.budget_adjusted, d.expenditure, d.execution_rate, d.self_score) == (
        1500000.0, 1800000.0, 1710000.0, 97.5, 94.75)
    ms = _by_name(r)
    assert len(r.measures) == 8  # 指标2：, …… and 指标1：/ rows are not rows
    assert not any("指标" in m.indicator[:3] for m in r.measures)
    rng = ms["活动参与率"]
    assert (rng.target_op, rng.target_value, rng.target_value_max, rng.actual_value, rng.met) == ("range", 80.0, 90.0, 86.0, True)
    in_name = ms["图书采购到馆及时率"]  # target written inside the name, its cell empty
    assert (in_name.unit, in_name.target_value, in_name.actual_value, in_name.target_text) == ("%", 100.0, 100.0, "100%")
    glued = ms["服务读者人次"]
    assert (glued.unit, glued.target_op, glued.target_value, glued.actual_value) == ("人次", ">=", 35000.0, 38600.0)
    missed = ms["新增办证读者"]
    assert (missed.target_value, missed.actual_value, missed.met, missed.weight, missed.score) == (2000.0, 1860.0, False, 15.0, 12.0)
    assert (missed.level1, missed.level2) == ("效益指标", "社会效益指标")
    qual = ms["全民阅读氛围"]
    assert (qual.actual_value, qual.actual_text, qual.score) == (None, "较有效", 13.0)
    status = {c.check: c.status for c in r.checks}
    # 171 / 180 = 95.00%, stated 97.5%: caught once, as the document's execution_rate
    assert status["execution_rate"] == "fail" and "item_rate" not in status
    assert status["score_sum"] == "pass"


def test_sichuan_unit_column_budget_code_and_empty_rate(parsed):
    r = parsed["sc-style-2024"]
    d = r.document
    assert d.project == "2024年乡镇污水处理设施运维资金"  # the budget code prefix kept out
    assert (d.organization, d.supervisor) == ("枫林县市政设施维护所", "枫林县住房和城乡建设局")
    assert (d.budget_initial, d.budget_adjusted, d.expenditure) == (2600000.0, 2846000.0, 2793500.0)
    assert d.execution_rate is None  # its cell is empty
    assert d.self_score == 91.8
    ms = _by_name(r)
    assert (ms["新建污水收集管网"].unit, ms["新建污水收集管网"].target_value) == ("公里", 6.5)
    assert (ms["单站年均运维费用"].unit, ms["单站年均运维费用"].target_value, ms["单站年均运维费用"].actual_value) == (
        "CNY", 158000.0, 152000.0)
    assert (ms["故障抢修响应时间"].target_op, ms["故障抢修响应时间"].met) == ("<=", True)
    blank = ms["设施巡检覆盖率"]  # actual left blank: still a row, values and met null
    assert (blank.target_value, blank.actual_value, blank.met, blank.actual_text) == (100.0, None, None, None)
    assert ms["出水水质达标率"].met is False
    assert not any(a.amount == 0 for a in r.amounts)  # 0.00 cells are no figures
    assert 246000.0 in [a.amount for a in r.amounts]  # money written in a 原因 cell
    assert [(i.kind, i.ordinal, i.text) for i in r.items] == [
        ("problem", 1, "部分站点设备运行超过十年，故障率偏高"), ("problem", 2, "个别站点进水浓度偏低，处理负荷不足。"),
        ("improvement", 1, "分批更换老旧曝气设备"), ("improvement", 2, "推进雨污分流改造，提高进水浓度。")]
    assert not any("设备老化" in i.text for i in r.items)  # a row's 未完成原因 is no item


def test_word_export_header_repeated_on_next_page(parsed):
    r = parsed["word-repeat-2023"]
    d = r.document
    assert (d.organization, d.fiscal_year, d.execution_rate, d.self_score) == ("河湾市水利局", 2023, 98.03, 98.3)
    assert (d.budget_initial, d.budget_adjusted, d.expenditure) == (42100000.0, 43885000.0, 43021700.0)
    assert len(r.measures) == 12  # one table: the repeated header is no row
    ms = _by_name(r)
    cont = ms["灌区新增恢复灌溉面积"]  # first row of page 2, its merged category cells emptied
    assert (cont.page, cont.level1, cont.level2) == (2, "效益指标", "社会效益指标")
    assert (cont.unit, cont.target_value, cont.actual_value) == ("亩", 15000.0, 16200.0)
    wrapped = ms["河道清淤疏浚"]  # unit wrapped onto its own line inside the cell
    assert (wrapped.unit, wrapped.target_value, wrapped.actual_value) == ("公里", 85.0, 91.4)
    assert ms["部门“三公”经费"].target_value == 226000.0
    assert {c.check: c.status for c in r.checks}["score_sum"] == "pass"


# --- stitching, header block and funds block on small tables -------------------------------

def test_repeated_header_with_emptied_merged_cell_is_one_table():
    header = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值"]
    p1 = Table(1, [header, ["产出指标", "数量指标", "巡河", "≥200次", "230次"]])
    p2 = Table(2, [header, ["", "", "清漂", "≥50吨", "61吨"], [None, "质量指标", "达标率", "≥90%", "92%"]])
    (lt,) = table_layout.stitch([p1, p2])
    assert [r[0] for _, r in lt.rows] == ["产出指标"] * 3
    facts = tables.read([p1, p2])
    assert [(m.indicator, m.page, m.level1, m.level2) for m in facts.measures] == [
        ("巡河", 1, "产出指标", "数量指标"), ("清漂", 2, "产出指标", "数量指标"), ("达标率", 2, "产出指标", "质量指标")]


def test_header_block_fields():
    facts = tables.read([Table(1, [
        ["项目名称", "440300Z0012345678-示范路段提升工程", None, "主管部门", "某市城市管理局"],
        ["项目实施单位（盖章）", None, "某市道路管理中心（盖章）", None, None],
    ])])
    assert facts.fields["project"][0] == "示范路段提升工程"
    assert facts.fields["organization"][0] == "某市道路管理中心"
    assert facts.fields["supervisor"][0] == "某市城市管理局"


def test_funds_block_picks_the_columns_with_figures():
    facts = tables.read([Table(1, [
        ["资金情况", "年度预算数（万元）", "年初预算", "调整后预算数", "预算执行数", "预算执行率"],
        [None, "合计", "80.00", "96.00", "90.24", "94%"],
    ])])
    f = {k: v[0] for k, v in facts.fields.items()}
    assert f == {"budget_initial": 800000.0, "budget_adjusted": 960000.0, "expenditure": 902400.0, "execution_rate": 94.0}


def test_only_full_year_budget_is_the_adjusted_one_and_empty_rate_stays_null():
    facts = tables.read([Table(1, [
        ["项目资金（元）", "全年预算数", "全年执行数", "执行率"],
        ["总额", "500000", "420000", ""],
    ])])
    assert facts.fields["budget_adjusted"][0] == 500000.0 and facts.fields["expenditure"][0] == 420000.0
    assert "execution_rate" not in facts.fields and "budget_initial" not in facts.fields


def test_table_fields_fill_only_what_prose_left_empty():
    doc = Document(organization="散文里的单位", fiscal_year=2021)
    recognize.fill_from_tables(doc, {"organization": ("表里的单位", 1, "q"), "fiscal_year": (2022, 1, "q"),
                                     "execution_rate": (91.0, 1, "预算执行率 | 91%")}, None)
    assert (doc.organization, doc.fiscal_year, doc.execution_rate) == ("散文里的单位", 2021, 91.0)
    assert doc.raw["execution_rate"] == "91"  # decimals as printed: the check rounds to them
    doc.expenditure, doc.budget_adjusted = 91.4, 100.0
    assert check.execution_rate(doc)[0].status == "pass"


def test_unit_label_cell_makes_the_figures_below_money():
    facts = tables.read([Table(1, [
        ["收入来源", "预算金额（万元）"], ["财政拨款", "1,250.50"], ["其他资金", "0"],
    ])])
    assert [(a.amount, a.unit_text) for a in facts.amounts] == [(12505000.0, "万元")]


def test_qualitative_and_target_only_tables_give_no_pairs():
    facts = tables.read([Table(1, [["三级指标", "指标值"], ["服务覆盖率", "≥95%"]])])
    assert facts.measures == []


# --- the role vocabulary is validated on load ----------------------------------------------

@pytest.mark.parametrize("edit,message", [
    (lambda d: d["roles"]["unit"].update(bogus=1), "unknown keys"),
    (lambda d: d["roles"]["sign"]["examples"].append("指标名称"), "does not match"),
    (lambda d: d["cells"].pop("seal"), "missing keys"),
    (lambda d: d["roles"]["target"].update(pattern="(unclosed"), "does not compile"),
])
def test_table_roles_file_is_validated(tmp_path, monkeypatch, edit, message):
    dst = tmp_path / "patterns"
    shutil.copytree(patterns.patterns_dir(), dst)
    data = json.loads((dst / "table_roles.json").read_text(encoding="utf-8"))
    edit(data)
    (dst / "table_roles.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("REPORTPARSE_PATTERNS", str(dst))
    patterns.table_roles.cache_clear()
    try:
        with pytest.raises(patterns.PatternError, match=message):
            patterns.table_roles()
    finally:
        monkeypatch.delenv("REPORTPARSE_PATTERNS")
        patterns.table_roles.cache_clear()


def test_table_items_only_for_kinds_the_prose_lacks():
    from reportparse.model import Item
    prose = [Item(3, "problem", 1, "文中的问题")]
    table = tables.table_items([Table(1, [["存在问题", "1.甲；2.乙"], ["改进措施", "加强管理"]])])
    assert [(i.kind, i.text) for i in table] == [("problem", "甲"), ("problem", "乙"), ("improvement", "加强管理")]
    assert [(i.kind, i.text) for i in tables.merge_items(prose, table)] == [("problem", "文中的问题"), ("improvement", "加强管理")]


def test_year_from_a_title_row_inside_the_table():
    facts = tables.read([Table(1, [
        ["2021年度项目支出绩效自评表", None, None, None],
        ["项目名称", "老旧小区加装电梯补助", "实施单位", "某区住房保障中心"],
        ["三级指标", "年度指标值", "实际完成值", "得分"],
        ["加装电梯", "≥30台", "34台", "20"],
    ])])
    assert facts.fields["fiscal_year"][0] == 2021 and facts.fields["organization"][0] == "某区住房保障中心"
    (m,) = facts.measures
    assert (m.unit, m.target_value, m.actual_value, m.score) == ("台", 30.0, 34.0, 20.0)


def test_bare_budget_column_and_codes_around_names():
    facts = tables.read([Table(1, [
        ["主管部门及代码", "[204001]某县教育局", "实施单位", "某县第二中学（204017）"],
        ["项目资金", "预算数（万元）", "执行数（万元）", "执行率"],
        ["合计", "64.00", "60.80", "95%"],
    ])])
    f = {k: v[0] for k, v in facts.fields.items()}
    assert (f["supervisor"], f["organization"]) == ("某县教育局", "某县第二中学")
    assert (f["budget_adjusted"], f["expenditure"], f["execution_rate"]) == (640000.0, 608000.0, 95.0)


def test_header_on_two_rows():
    facts = tables.read([Table(1, [
        ["绩效指标", None, None, "年度指标值", "实际完成值", "得分"],
        ["一级指标", "二级指标", "三级指标", None, None, None],
        ["产出指标", "数量指标", "培训农技人员", "≥400人次", "452人次", "10"],
        [None, "质量指标", "考核合格率", "≥90%", "95%", "10"],
    ])])
    assert [(m.indicator, m.level1, m.level2, m.target_value, m.actual_value) for m in facts.measures] == [
        ("培训农技人员", "产出指标", "数量指标", 400.0, 452.0), ("考核合格率", "产出指标", "质量指标", 90.0, 95.0)]


def test_a_list_of_units_is_no_header_block():
    facts = tables.read([Table(1, [["单位名称", "人数", "经费（万元）"], ["第一中学", "86", "320.5"]])])
    assert "organization" not in facts.fields
    assert [a.amount for a in facts.amounts] == [3205000.0]


def test_funds_total_row_score_is_no_self_score():
    facts = tables.read([Table(1, [
        ["项目资金（万元）", "年初预算数", "全年预算数", "全年执行数", "执行率", "分值", "得分"],
        ["合计", "50", "60", "57", "95%", "10", "9.5"],
    ])])
    assert facts.total_score is None and facts.fields["execution_rate"][0] == 95.0
    assert [s[1] for s in facts.scores] == [9.5]  # the budget row's score counts toward 总分


def test_rate_as_a_labelled_cell():
    facts = tables.read([Table(1, [
        ["项目名称", "乡村道路亮化工程", "预算执行率", "88.6%"],
        ["三级指标", "年度指标值", "实际完成值", "得分"],
        ["安装路灯", "≥500盏", "520盏", "30"],
    ])])
    assert facts.fields["execution_rate"][0] == 88.6 and facts.fields["project"][0] == "乡村道路亮化工程"


def test_rate_indicator_row_with_blank_actual_gives_no_rate():
    facts = tables.read([Table(1, [["三级指标", "年度指标值", "实际完成值"], ["预算执行率", "≥90%", ""]])])
    assert "execution_rate" not in facts.fields
