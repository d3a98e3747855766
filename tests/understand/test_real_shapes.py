"""Shapes of real published documents (issue 20), each on invented text: the title grammar,
the unit-name grammar, years, budget/spending pairs, a table of contents that ends where the
body repeats a heading, and 自评表 cells real offices leave behind."""
import pytest

from reportparse import parse_text, patterns
from reportparse.model import Line, Paragraph, Table
from reportparse.understand import doctype
from reportparse.understand import fields
from reportparse.understand import table_facts
from reportparse.understand.normalize import skip_toc

# title -> (unit, project, doc_type)
TITLES = [
    ("青石县卫生健康局2023年度基层医疗服务能力提升项目支出绩效自评报告", "青石县卫生健康局", "基层医疗服务能力提升项目", "project_report"),
    ("青石县农业农村局2023项目绩效自评报告", "青石县农业农村局", None, "project_report"),
    ("2023年青石县白沙镇人民政府整体支出绩效自评报告", "青石县白沙镇人民政府", None, "dept_report"),
    ("青石县就业创业专项资金绩效自评价报告", None, None, "project_report"),
    ("青石县东关街道办事处2022年整体和项目支出绩效自评总结报告", "青石县东关街道办事处", None, "dept_report"),
    ("江北省农业生产发展资金2023年度绩效自评报告", None, None, "project_report"),
    ("青石县财政局关于2023年度农村综合改革转移支付资金绩效自评的报告", "青石县财政局", "农村综合改革转移支付资金", "project_report"),
    ("青石县水利局转移支付2023年度绩效自评报告", "青石县水利局", None, "project_report"),
    ("青石县应急管理局（省级防汛抗旱补助资金—第二批）转移支付2023年度绩效自评报告", "青石县应急管理局",
     "省级防汛抗旱补助资金—第二批", "project_report"),
    ("青石县第三人民医院基层卫生服务项目县级补助资金2024年度绩效自评报告", "青石县第三人民医院", "基层卫生服务项目县级补助资金",
     "project_report"),
    ("2022年青石县水利局农村人居环境整治提升资金项目绩效自评总结报告", "青石县水利局", "农村人居环境整治提升资金项目",
     "project_report"),
    ("青石县社会保障局就业补助资金绩效自评报告", "青石县社会保障局", "就业补助资金", "project_report"),
    ("青石县融媒体中心2023年度设备购置项目绩效自评报告", "青石县融媒体中心", "设备购置项目", "project_report"),
    ("青石县第一中学2023年度部门整体支出绩效自评报告", "青石县第一中学", None, "dept_report"),
    ("青石县白沙乡卫生院2023年度部门整体支出绩效自评报告", "青石县白沙乡卫生院", None, "dept_report"),
    ("青石县2024年度转移支付耕地地力保护补贴资金绩效评价自评报告", None, None, "project_report"),
    ("青石县林业局2023年度绩效自评报告", "青石县林业局", None, "dept_report"),
    # a unit word inside a longer unit name does not end it
    ("青石县人力资源和社会保障局2023年度部门整体支出绩效自评报告", "青石县人力资源和社会保障局", None, "dept_report"),
    ("青石县人民政府办公室2023年度部门整体支出绩效自评报告", "青石县人民政府办公室", None, "dept_report"),
    ("青石县公安局交通警察大队2023年度部门整体支出绩效自评报告", "青石县公安局交通警察大队", None, "dept_report"),
    ("青石县教育局部门整体支出绩效自评报告", "青石县教育局", None, "dept_report"),
    ("青石县疾病预防控制中心2023年度重大公共卫生服务项目绩效自评报告", "青石县疾病预防控制中心", "重大公共卫生服务项目",
     "project_report"),
    ("青石县2023年度部门整体支出绩效自评报告", None, None, "dept_report"),  # a place is no unit
]


@pytest.mark.parametrize("title,org,project,kind", TITLES, ids=[t[0][:24] for t in TITLES])
def test_title_grammar(title, org, project, kind):
    parts = fields.title_parts(title)
    assert (parts.org, parts.project) == (org, project)
    assert doctype.from_text(title) == kind


def test_project_never_swallows_unit_or_year():
    for title, *_ in TITLES:
        p = fields.title_parts(title).project
        assert p is None or not any(w in p for w in ("局", "年度", "2023", "整体")), (title, p)


def _paras(*texts):
    return [Paragraph(t, [(0, 1)]) for t in texts]


@pytest.mark.parametrize("texts,want", [
    (("（一）青石县第二实验小学2023年度共实施3个项目，我校高度重视。",), "青石县第二实验小学"),
    (("我处严格执行预算。", "江北市文物保护管理处负责烈士纪念设施的日常管理。"), "江北市文物保护管理处"),
    (("区财政局：", "我局高度重视。"), None),  # the addressee is not the unit
    (("根据《江北市财政局关于开展绩效自评的通知》，我局开展自评。",), None),  # a cited title is not the unit
    (("我市经济平稳。", "江北市财政局负责预算编制。"), None),  # 我市 is a place
])
def test_self_reference_points_back_to_a_named_unit(texts, want):
    assert fields._self_reference_org(_paras(*texts)) == want


@pytest.mark.parametrize("titles,texts,want", [
    (["青石县农业农村局2023项目绩效自评报告"], (), 2023),
    ([], ("2022年部门决算收入和支出情况如下。",), 2022),
    ([], ("根据《关于开展2024年度绩效自评工作的通知》要求，", "2023年项目资金共计40万元。"), 2023),
    ([], ("截至2023年12月31日，资金已拨付。",), None),
    ([], ("（青财预〔2023〕15号）",), None),
])
def test_year_from_title_or_text(titles, texts, want):
    assert fields._year(titles, _paras(*texts)) == want


def test_budget_pair_only_when_the_document_states_one():
    one = parse_text("某项目绩效自评报告\n一、资金情况\n此项资金预算数75万元，全年执行数72万元，执行率96%。").document
    assert (one.budget_adjusted, one.expenditure, one.execution_rate) == (750000.0, 720000.0, 96.0)
    two = parse_text("项目支出绩效自评总报告\n一、资金情况\n（一）甲项目资金共计35万元，实际支付35万元，支付率100%。\n"
                     "（二）乙项目资金共计20万元，实际支付18万元，支付率90%。").document
    assert (two.budget_adjusted, two.expenditure) == (None, None)
    # a rate that does not follow from the two figures makes no pair
    off = parse_text("某项目绩效自评报告\n一、资金情况\n项目资金50万元，已使用30万元，使用率90%。").document
    assert off.budget_adjusted is None


def test_vocabularies_are_composed_not_copied():
    """Every pattern that names a unit word takes it from vocabulary.json's one list."""
    vocab = patterns.vocabulary()
    assert "街道办事处" in vocab["unit_word"] and "卫生院" in vocab["unit_word"]
    org = patterns.load().org
    for name in ("unit_end", "label", "subject", "cover", "title_org"):
        assert vocab["unit_word"] in org[name].pattern, name
    with pytest.raises(patterns.PatternError, match="unknown vocabulary"):
        patterns.compose("<<no_such_word>>")


def _line(page, text):
    return Line(page, text, 0, 100, 0, 10, 12)


def test_table_of_contents_ends_where_the_body_repeats_a_heading():
    heading = patterns.heading()
    lines = [_line(1, "目录"), _line(1, "一、基本情况"), _line(1, "二、绩效目标完成情况"), _line(1, "三、存在问题"),
             _line(2, "一、基本情况"), _line(2, "（一）资金情况。"), _line(2, "本年度预算100万元。")]
    kept = [ln.text for ln in skip_toc(lines, heading)]
    assert kept == ["一、基本情况", "（一）资金情况。", "本年度预算100万元。"]
    with_leaders = [_line(1, "目录"), _line(1, "一、基本情况……1"), _line(1, "二、问题……3"), _line(2, "（一）资金情况。")]
    assert [ln.text for ln in skip_toc(with_leaders, heading)] == ["（一）资金情况。"]


def test_instruction_text_in_item_cells_is_no_item():
    t = Table(1, [["存在问题", "（说明项目实施中存在的主要问题及原因）"], ["改进措施", "请根据存在问题提出改进措施，不超过200字"]])
    assert table_facts.table_items([t]) == []
    real = Table(1, [["存在问题", "1.资金拨付偏慢；2.宣传不足。"]])
    assert [i.text for i in table_facts.table_items([real])] == ["资金拨付偏慢", "宣传不足。"]


@pytest.mark.parametrize("row,unit,target,actual", [
    (["新修机耕道路", "≥800米", "850"], "米", 800.0, 850.0),
    (["新修机耕道路", "≥800", "850米"], "米", 800.0, 850.0),
    (["农资补贴发放", "≥500公斤", "520"], "公斤", 500.0, 520.0),
])
def test_unit_written_on_one_side_only(row, unit, target, actual):
    (m,) = table_facts.read([Table(1, [["三级指标", "年度指标值", "实际完成值"], row])]).measures
    assert (m.unit, m.target_value, m.actual_value) == (unit, target, actual)


def test_instruction_text_in_a_prose_problems_section_is_no_item():
    r = parse_text("某项目绩效自评报告\n一、存在的问题\n（说明项目实施中存在的主要问题及原因）\n资金拨付偏慢。\n宣传不足。")
    assert [(i.ordinal, i.text) for i in r.items if i.kind == "problem"] == [(1, "资金拨付偏慢。"), (2, "宣传不足。")]


def test_a_unit_word_inside_a_project_name_is_no_unit():
    """推进智慧医院信息平台建设项目: with no place name ahead of it, 医院 is part of the project."""
    assert fields.title_parts("推进智慧医院信息平台建设项目绩效自评报告").org is None


def test_funds_block_unit_in_a_header_cell_and_an_empty_spending_cell():
    """资金情况（万元）: every figure under it is in 万元; 预算数 with an empty 执行数 gives a
    budget and no spending."""
    rows = [["项目名称", "乡村道路养护补助", "", "", ""],
            ["资金情况（万元）", "资金来源", "预算数", "执行数", "执行率"],
            ["", "年度资金总额", "120", "", ""],
            ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值"],
            ["产出指标", "数量指标", "养护里程", "≥30公里", "32公里"]]
    f = table_facts.read([Table(1, rows)]).fields
    assert f["budget_adjusted"][0] == 1200000.0 and "expenditure" not in f
    assert f["project"][0] == "乡村道路养护补助"


def test_funds_rows_with_全年预算数_全年执行数_and_a_score_column():
    rows = [["预算执行情况(万元)", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
            ["年度资金总额", "80", "90", "81", "10", "90%", "9"]]
    f = table_facts.read([Table(1, rows)]).fields
    assert {k: v[0] for k, v in f.items()} == {"budget_initial": 800000.0, "budget_adjusted": 900000.0,
                                               "expenditure": 810000.0, "execution_rate": 90.0}


def test_office_fund_report_sample():
    """samples/offices/fund-report-2023.pdf: a fund report as an office writes it (invented text)."""
    from pathlib import Path

    from reportparse import parse_pdf
    r = parse_pdf(Path(__file__).resolve().parents[2] / "samples" / "offices" / "fund-report-2023.pdf", {"ocr": False})
    d = r.document
    assert (d.organization, d.fiscal_year, d.doc_type, d.project) == (
        "白鹭市青山区农业农村局", 2023, "project_report", "高标准农田建设补助资金")
    assert (d.budget_adjusted, d.expenditure, d.execution_rate) == (8600000.0, 8385000.0, 97.5)
    table = [m for m in r.measures if m.origin == "table"]
    # the 自评表 goes on over the page without its header: the rows there are still read
    assert len(table) == 9 and {m.page for m in table} == {2, 3}
    road = next(m for m in table if "机耕道路" in m.indicator)
    assert (road.unit, road.target_value, road.actual_value) == ("米", 800.0, 850.0)
    assert all("说明" not in i.text for i in r.items)  # the 存在问题 cell holds the template's instruction
    assert {c.check: c.status for c in r.checks}["score_sum"] == "pass"
