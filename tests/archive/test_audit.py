"""The archive audit on a small invented archive: every planted finding is reported where it
was planted and nowhere else (near-misses: the same figure in another unit, a rounding, a
similar name of another unit, a legitimately repeated short phrase, a real improvement, a
different indicator with a similar name, a year with no predecessor)."""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from conftest import ROOT
from reportparse.archive import orgkey, similar
from reportparse.archive.report import audit, text
from reportparse.model import Amount, Document, Item, Measure, Paragraph, Report, Section
from reportparse.store.dataset import NotOutputError
from reportparse.store.schema import ARCHIVE_COLUMNS
from reportparse.store.write import ensure_empty_tables, write_report

A = "松岭市青禾区园林局"   # unit A, written several ways
B = "白溪区园林局"         # another district's unit of the same kind: never joined to A
C = "白溪区人民政府办公室"  # written 白溪区政府办公室 in its 决算; one year only

TEMPLATE = "{org}坚持以人民为中心的发展思想，紧紧围绕年度重点任务，统筹安排各项资金{n}万元，扎实推进绿化提升和园容整治工作，群众获得感明显增强。"
P_GREEN = "部分绿化养护项目招标时间较晚，合同签订后施工期偏短，导致年度养护任务推迟到第四季度集中完成"
P_GREEN_2 = "部分绿化养护项目招标时间偏晚，合同签订后施工期较短，导致年度养护任务推迟至第四季度集中完成"
P_GREEN_3 = "部分绿化养护项目招标时间偏晚，合同签订后施工期较短，年度养护任务仍推迟至第四季度集中完成"
P_SEED = "苗木采购价格波动较大，预算测算依据不够充分，个别品种采购量与实际补植需求存在差距"
P_FIXED = "绿化养护项目已在一季度完成招标，全年养护任务按季度均衡推进，未再出现年底集中突击的情况"
SHORT = "预算执行率偏低"  # a stock phrase every year: too short to be copying


def _id(*parts) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


def _money(page: int, label: str, wan: float, unit: str = "万元") -> Amount:
    value = wan if unit == "万元" else wan * 10_000
    return Amount(0, page, label, value, unit, "CNY", wan * 10_000, f"{label}{value}{unit}")


def _m(i: int, name: str, unit: str, op: str, target: float, actual: float, page: int = 6, origin: str = "table") -> Measure:
    met = actual >= target if op in (">=", ">", "=") else actual <= target
    return Measure(1, page, name, unit, op, target, None, "=", actual, met, f"{name}目标{target}{unit}，完成{actual}{unit}",
                   origin=origin, measure_id=i, target_text=f"{'≥' if op == '>=' else ''}{target:g}{unit}",
                   actual_text=f"{actual:g}{unit}")


def _doc(kind: str, org: str | None, year: int | None, *, budget=None, spent=None, score=None, rate=None,
         measures=(), items=(), paras=(), amounts=(), status="ok", tag="", title: str | None = None) -> Report:
    kind_title = {"dept_report": "部门整体支出绩效自评报告", "self_eval_table": "部门整体支出绩效自评表",
             "final_accounts": "部门决算", "budget": "部门预算"}[kind]
    doc = Document(title=title or f"{org or ''}{year or ''}年度{kind_title}", organization=org, fiscal_year=year, doc_type=kind,
                   budget_initial=budget, budget_adjusted=budget, expenditure=spent, self_score=score,
                   execution_rate=rate)
    r = Report(doc_id=_id(kind, org, year, tag), source=f"archive/{org}-{year}-{kind}{tag}.pdf", page_count=8,
               document=doc, status=status, error="文件已损坏，无法打开" if status == "failed" else None)
    if status == "failed":
        r.document = Document()
        return r
    r.amounts = list(amounts)
    r.measures = list(measures)
    r.items = [Item(2, k, n, t, 7) for n, (k, t) in enumerate(items, 1)]
    r.sections = [Section(0, None, 1, "一、", "基本情况", "overview", 2, 3,
                          [Paragraph(p, [(0, 2)]) for p in paras]),
                  Section(1, None, 1, "二、", "绩效目标完成情况", "targets", 6, 6),
                  Section(2, None, 1, "三、", "存在的问题", "problems", 7, 7)]
    return r


def build(out: Path) -> None:
    docs = []
    # --- unit A, three years ---
    docs += [
        _doc("dept_report", A, 2022, budget=1000e4, spent=950e4, score=95.5, rate=95.0,
             amounts=[_money(3, "年初预算", 1000), _money(3, "实际支出", 950)],
             items=[("problem", P_GREEN), ("problem", SHORT)],
             paras=[TEMPLATE.format(org=A, n=1000)]),
        _doc("self_eval_table", A, 2022, budget=1000e4, spent=950e4, score=92.0,  # score differs: planted
             amounts=[_money(2, "年初预算", 1000), _money(2, "全年执行数", 950.01)],  # ±1 in the last digit: fine
             measures=[_m(0, "苗木补植数量", "株", ">=", 4000, 5000), _m(1, "园林执法巡查次数", "次", ">=", 100, 180),
                       _m(2, "新增步道长度", "公里", ">=", 20, 40), _m(3, "公园开放率", "%", ">=", 100, 100)]),
        _doc("final_accounts", A, 2022, budget=1000e4, spent=950e4,
             amounts=[_money(4, "年初预算", 1000, "元"), _money(4, "支出决算", 950, "元")]),  # same figure in 元
        _doc("budget", A, 2022, budget=1000e4, amounts=[_money(2, "年初预算", 1000)]),
        _doc("dept_report", "青禾区园林局（盖章）", 2023, budget=1200e4, spent=1234.56e4, score=96.0, rate=97.5,
             amounts=[_money(3, "年初预算", 1200), _money(3, "实际支出", 1234.56)],
             measures=[_m(0, "绿地养护总面积", "公顷", ">=", 100, 120, page=5, origin="text")],
             items=[("problem", P_GREEN_2), ("problem", SHORT)]),
        _doc("self_eval_table", "[310105]青禾区园林局", 2023, budget=1200e4, spent=1234.56e4, score=96.0,
             amounts=[_money(2, "年初预算", 1200), _money(2, "全年执行数", 1234.56)],
             measures=[_m(0, "苗木补植数量", "株", ">=", 4800, 5200),          # below last year's 5000: planted
                       _m(1, "园林执法巡查次数", "次", ">=", 100, 200),          # kept, far exceeded: planted
                       _m(2, "新增绿道长度", "公里", ">=", 30, 32),              # similar name, another indicator
                       _m(3, "公园开放率", "%", ">=", 100, 100),               # 100 % cannot be raised
                       _m(4, "绿地养护面积", "公顷", ">=", 100, 125),            # the report says 120: planted
                       _m(5, "古树名木挂牌率", "%", ">=", 95, 90)]),            # unmet beside 96 points: planted
        _doc("final_accounts", A, 2023, budget=1200e4, spent=1240e4,           # 1,240.00 vs 1,234.56: planted
             amounts=[_money(4, "年初预算", 1200), _money(4, "支出决算", 1240)]),
        _doc("budget", A, 2023, budget=1200e4, amounts=[_money(2, "年初预算", 1200)]),
        _doc("dept_report", "ＡＢ" if False else A, 2024, budget=1300e4, spent=1280e4, score=88.0, rate=98.5,
             amounts=[_money(3, "年初预算", 1300), _money(3, "实际支出", 1280)],
             items=[("problem", P_GREEN_3), ("problem", SHORT), ("improvement", P_FIXED), ("problem", P_SEED)]),
        _doc("self_eval_table", A, 2024, budget=1300e4, spent=1280e4, score=88.0,
             amounts=[_money(2, "年初预算", 1300), _money(2, "全年执行数", 1280)],
             measures=[_m(0, "苗木补植数量", "株", ">=", 6000, 6100),          # raised above 5200: a real improvement
                       _m(1, "园林执法巡查次数", "次", ">=", 220, 230)]),
        _doc("budget", A, 2024, budget=1350e4, amounts=[_money(2, "年初预算", 1350)]),  # 1,350 vs 1,300: planted
    ]
    # --- unit B: one year, a filled-in copy of A's paragraph, all targets met ---
    docs += [
        _doc("dept_report", B, 2023, budget=800e4, spent=760e4, score=92.0, rate=95.0,
             amounts=[_money(3, "年初预算", 800), _money(3, "实际支出", 760)],
             measures=[_m(0, "苗木补植数量", "株", ">=", 3000, 3100, origin="text")],
             items=[("problem", P_GREEN)],  # A's problem of 2022, but another unit and no predecessor
             paras=[TEMPLATE.format(org=B, n=760), "特此报告。"]),
        _doc("final_accounts", B, 2023, budget=800e4, spent=760e4, amounts=[_money(4, "支出决算", 760)]),
    ]
    # --- unit C: written two ways, one year only ---
    docs += [
        _doc("dept_report", C, 2023, budget=300e4, spent=290e4, score=91.0, rate=96.7,
             amounts=[_money(3, "实际支出", 290)], items=[("problem", P_SEED)], paras=["特此报告。"]),
        _doc("final_accounts", "白溪区政府办公室", 2023, spent=290e4, amounts=[_money(2, "支出决算", 290)]),
        # a project's table whose 项目名称 was not read: any project of C, so compared with nothing
        _doc("self_eval_table", C, 2023, spent=50e4, score=99.0, amounts=[_money(2, "全年执行数", 50)], tag="-proj",
             title="白溪区人民政府办公室2023年度项目支出绩效自评表"),
    ]
    # --- documents the audit cannot place ---
    docs += [_doc("dept_report", None, 2023, score=90.0, tag="-noorg"),
             _doc("final_accounts", "白溪区水务局", None, spent=100e4, tag="-noyear"),
             _doc("dept_report", None, None, status="failed", tag="-broken")]
    for r in docs:
        write_report(r, out)
    ensure_empty_tables(out)


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("archive") / "out"
    build(out)
    return out


@pytest.fixture(scope="module")
def result(archive):
    return audit(archive)


def _found(result) -> set[tuple]:
    return {(f["kind"], f["org_key"], f["fiscal_year"], f["subject"]) for f in result.findings}


EXPECTED = {
    ("figure_mismatch", A, 2022, "自评得分"),
    ("figure_mismatch", A, 2023, "实际支出"),
    ("figure_mismatch", A, 2023, "绿地养护总面积"),
    ("figure_mismatch", A, 2024, "年初预算"),
    ("item_repeated", A, 2023, "问题"),
    ("item_repeated", A, 2024, "问题"),
    ("target_below_last_actual", A, 2023, "苗木补植数量"),
    ("target_kept_exceeded", A, 2023, "园林执法巡查次数"),
    ("score_high_unmet", A, 2023, "自评得分"),
    ("text_copied", A, 2022, "1段"),
}


def test_every_planted_finding_and_nothing_else(result):
    assert _found(result) == EXPECTED, text(result)


def test_units_are_joined_by_rule_and_kept_apart_across_districts(result):
    units = {u["org_key"]: u for u in result.units}
    assert set(units[A]["names"]) == {A, "青禾区园林局（盖章）", "[310105]青禾区园林局"}
    assert units[A]["rule"] == "normalized+prefix"
    assert set(units["白溪区政府办公室"]["names"]) == {C, "白溪区政府办公室"}
    assert units["白溪区政府办公室"]["rule"] == "normalized"
    assert B in units and units[B]["names"] == [B]  # 园林局 of another district: its own unit
    assert all(f["org_rule"] == "normalized+prefix" for f in result.findings if f["org_key"] == A)


def test_messages_name_both_documents_pages_and_figures_as_written(result):
    f = next(f for f in result.findings if f["kind"] == "figure_mismatch" and f["subject"] == "实际支出")
    assert "第3页写1,234.56万元" in f["message"] and "第4页写1,240万元" in f["message"]
    assert "自评报告《" in f["message"] and "部门决算《" in f["message"]
    assert (f["page"], f["other_page"]) == (3, 4) and f["doc_ids"].split("\n") == [f["doc_id"], f["other_doc_id"]]
    low = next(f for f in result.findings if f["kind"] == "target_below_last_actual")
    assert "≥4800株" in low["message"] and "5000株" in low["message"] and "2022年度" in low["message"]
    assert low["other_year"] == 2022 and low["quote"] and low["other_quote"]
    rep = [f for f in result.findings if f["kind"] == "item_repeated"]
    assert all(f["quote"] and f["other_quote"] and f["similarity"] >= similar.ITEM_SIMILAR for f in rep)
    assert any("已连续3年出现" in f["message"] for f in rep if f["fiscal_year"] == 2024)
    copied = next(f for f in result.findings if f["kind"] == "text_copied")
    assert {copied["org_key"], result.findings[copied["finding_id"]]["org_key"]} == {A}
    assert B in copied["message"] and A in copied["message"]
    high = next(f for f in result.findings if f["kind"] == "score_high_unmet")
    assert "古树名木挂牌率" in high["message"] and "96分" in high["message"]


def test_fails_first_and_unplaced_documents_are_listed(result):
    sev = [f["severity"] for f in result.findings]
    assert sev == sorted(sev, key=["fail", "warn"].index) and sev[0] == "fail"
    reasons = {Path(d["source"]).name: d["reason"] for d in result.unplaced}
    assert len(reasons) == 3 and result.summary["unplaced"] == 3
    assert "单位名称" in reasons["None-2023-dept_report-noorg.pdf"]
    assert "年度" in reasons["白溪区水务局-None-final_accounts-noyear.pdf"]
    assert reasons["None-None-dept_report-broken.pdf"].startswith("解析失败")
    report = text(result)
    assert report.index("【不一致】") < report.index("【需复核】") < report.index("未能归位的文件")


def test_findings_dataset_is_written_with_descriptions(archive, result):
    df = pd.read_parquet(archive / "findings")
    assert len(df) == len(result.findings) and set(df.kind) == {k for k, *_ in EXPECTED}
    f = next((archive / "findings").glob("year=*/part-audit.parquet"))
    schema = pq.read_schema(f)
    for name, _, zh, en in ARCHIVE_COLUMNS["findings"]:
        assert schema.field(name).metadata[b"description_zh"].decode() == zh
    assert df.doc_id.isin(pd.read_parquet(archive / "documents").doc_id).all()
    frame = result.frame()
    assert list(frame.columns) == [c for c, *_ in ARCHIVE_COLUMNS["findings"]] and str(frame.other_year.dtype) == "Int64"


def test_a_second_audit_replaces_the_first(tmp_path):
    out = tmp_path / "out"
    build(out)
    audit(out)
    stale = out / "findings" / "year=1999" / "part-audit.parquet"
    stale.parent.mkdir()
    stale.write_bytes((out / "findings" / "year=2023" / "part-audit.parquet").read_bytes())
    audit(out)
    assert not stale.exists()


def test_org_key_rules():
    keys = orgkey.decide(["广州市番禺区财政局", "番禺区财政局（公章）", "海珠区财政局", "财政局", "ＸＹ区统计局", "XY区统计局",
                          "长岭县人民政府", "白云区城市管理局"])
    assert keys.key("番禺区财政局（公章）") == "广州市番禺区财政局" and keys.rule("番禺区财政局（公章）") == "normalized+prefix"
    assert keys.key("财政局") == "财政局"  # two districts' 财政局 in the archive: ambiguous, kept apart
    assert keys.key("海珠区财政局") == "海珠区财政局"
    assert keys.key("ＸＹ区统计局") == "XY区统计局" and keys.rule("ＸＹ区统计局") == "normalized"
    assert keys.key("长岭县人民政府") == "长岭县政府"
    assert orgkey.district("广州市番禺区财政局") == "广州市番禺区" and orgkey.district("白云区城市管理局") == "白云区"


def test_aliases_join_names_no_rule_can(tmp_path):
    f = tmp_path / "aliases.csv"
    f.write_text("name,org_key\n青禾区绿化管理处,松岭市青禾区园林局\n", encoding="utf-8")
    keys = orgkey.decide([A, "青禾区绿化管理处"], orgkey.read_aliases(f))
    assert keys.key("青禾区绿化管理处") == A and keys.rule("青禾区绿化管理处") == "alias"
    (tmp_path / "bad.csv").write_text("just one column\n", encoding="utf-8")
    with pytest.raises(orgkey.AliasError, match="第1行"):
        orgkey.read_aliases(tmp_path / "bad.csv")


def test_similarity_measures_separate_copies_from_near_misses():
    sh = similar.shingles
    assert similar.jaccard(sh(P_GREEN), sh(P_GREEN_2)) >= similar.ITEM_SIMILAR
    assert similar.jaccard(sh(P_GREEN), sh(P_FIXED)) < 0.3 and similar.jaccard(sh(P_GREEN), sh(P_SEED)) < 0.3
    assert similar.indicator_similarity("苗木补植数量", "苗木补植数") >= similar.INDICATOR_SIMILAR
    assert similar.indicator_similarity("绿地养护面积", "绿地养护总面积") >= similar.INDICATOR_SIMILAR
    assert similar.indicator_similarity("新增绿道长度", "新增步道长度") < similar.INDICATOR_SIMILAR
    assert similar.skeleton(TEMPLATE.format(org=A, n=1), [A]) == similar.skeleton(TEMPLATE.format(org=B, n=2), [B])


def test_not_an_output_folder(tmp_path):
    with pytest.raises(NotOutputError):
        audit(tmp_path / "missing")


def _cli(*args, check=True):
    import os
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    r = subprocess.run([sys.executable, "-m", "reportparse", "audit", *args], capture_output=True, text=True, env=env)
    if check:
        assert r.returncode in (0, 1), r.stderr
    return r


def test_cli_formats_exit_codes_and_errors(archive, tmp_path):
    r = _cli(str(archive), "--no-write")
    assert r.returncode == 0 and r.stdout.startswith("档案核查") and "【不一致】" in r.stdout
    assert _cli(str(archive), "--fail-on", "fail", "--no-write").returncode == 1
    j = json.loads(_cli(str(archive), "--format", "json", "--no-write").stdout)
    assert {(f["kind"], f["org_key"], f["fiscal_year"], f["subject"]) for f in j["findings"]} == EXPECTED
    assert j["summary"]["unplaced"] == 3
    rows = _cli(str(archive), "--format", "csv", "--no-write").stdout.splitlines()
    assert rows[0].startswith("finding_id,kind,severity") and sum(",unplaced,warn," in r for r in rows) == 3
    bad = _cli(str(tmp_path / "nothing"), check=False)
    assert bad.returncode == 2 and bad.stderr.startswith("reportparse: ") and len(bad.stderr.splitlines()) == 1
    aliases = tmp_path / "a.csv"
    aliases.write_text("白溪区园林局,松岭市青禾区园林局\n", encoding="utf-8")
    r = _cli(str(archive), "--aliases", str(aliases), "--no-write")
    assert "按别名表" in r.stdout and "白溪区园林局" in r.stdout
    missing = _cli(str(archive), "--aliases", str(tmp_path / "none.csv"), check=False)
    assert missing.returncode == 2 and "别名文件" in missing.stderr


@pytest.mark.parametrize("edit,message", [
    (lambda d: d["admin_prefix"]["counterexamples"].append("青禾区"), "counterexample '青禾区' matches"),
    (lambda d: d["replace"][0].update(bogus=1), "unknown keys"),
    (lambda d: d["drop"][0]["examples"].append("青禾区园林局"), "does not match"),
])
def test_the_org_name_patterns_are_validated(tmp_path, monkeypatch, edit, message):
    import shutil

    from reportparse import patterns
    dst = tmp_path / "patterns"
    shutil.copytree(patterns.patterns_dir(), dst)
    data = json.loads((dst / "archive.json").read_text(encoding="utf-8"))
    edit(data)
    (dst / "archive.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("REPORTPARSE_PATTERNS", str(dst))
    patterns.archive_words.cache_clear()
    try:
        with pytest.raises(patterns.PatternError, match=message):
            patterns.archive_words()
    finally:
        monkeypatch.delenv("REPORTPARSE_PATTERNS")
        patterns.archive_words.cache_clear()


def test_audit_csv_keeps_document_text_as_text(tmp_path):
    """A problem item copied from year to year that reads like a formula stays text in the CSV
    an analyst opens in a spreadsheet (the same escaping as export --csv and check --csv)."""
    import csv
    import io

    from reportparse.store.write import write_report
    hostile = '=HYPERLINK("http://example.invalid","点击查看")，资金拨付进度偏慢，部分子项目未按计划完工，需要加强调度'
    out = tmp_path / "out"
    for year in (2022, 2023):
        write_report(_doc("dept_report", "江北区档案馆", year, items=[("problem", hostile)], tag="csv"), out)
    result = audit(out, write=False)
    assert any(f["kind"] == "item_repeated" for f in result.findings)
    from reportparse.archive import report
    rows = list(csv.reader(io.StringIO(report.as_csv(result))))
    cells = [c for row in rows[1:] for c in row]
    assert any("HYPERLINK" in c for c in cells)
    assert all(c.startswith("'") for c in cells if c.lstrip("'").startswith(("=", "+", "-", "@")))
