"""The archive audit on samples/archive/ (issue 22, "Done when"): the PDFs that samples/build.py
writes, ingested as a user would (OCR off), give every planted finding and nothing else.

The archive (all invented): 枫桥区园林绿化局 (unit A: 2023 自评报告 and 部门决算, 2024 自评报告 and
自评表), 枫桥区水务局 (unit B, same district: 2024 自评报告), 柳塘区园林绿化局 (unit C, another
district, a similar name: 2024 自评报告).

Planted (kind, unit, year, other year):
- figure_mismatch, A 2024: 实际支出 1,234.50万元 in the report, 全年执行数 11,982,000.00元 in the 自评表;
- item_repeated, A 2024/2023: problem 1 restated with one word changed (一再 → 多次);
- target_below_last_actual, A 2024/2023: 新增绿道长度 target 12公里, actual 12.5公里 the year before;
- target_kept_exceeded, A 2024/2023: 绿化养护巡查次数 ≥200次 both years, done 340 and 360;
- score_high_unmet, A 2024: 93分 beside an execution rate of 76.20 %;
- text_copied, A 2024 and B 2024: the 绩效管理情况 paragraph word for word.

Near-misses that must not fire: 年初预算/调整后预算 of A 2024 written 1,580.00万元 in the report and
15,800,000.00元 in the 自评表, A 2023's figures in 万元 in the report and 元 in the 决算; the stock
problem 预算执行进度偏慢 in both years of A and the stock sentence 资金使用规范，未发现违规违纪问题
in three units; raised targets (苗木补植数量 5500 > 5200, 市民满意度 94 % > 93.2 %); a 100 % target
kept (古树名木挂牌保护率); a new indicator with a similar name (新增步道长度 ≥5公里, below A's 2023
绿道 actual); C's 新增绿道长度 target of 8公里 (below A's 2023 actual, but another unit); A 2023's
execution rate of 70.38 % beside a score of 86 (not high); B's 91 and C's 95 with every target met
and rates of 95 % and 97 %.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SAMPLES
from reportparse.archive.report import audit, text

pytestmark = pytest.mark.slow  # it ingests

ARCHIVE = SAMPLES / "archive"
A, B, C = "枫桥区园林绿化局", "枫桥区水务局", "柳塘区园林绿化局"

PLANTED = {
    ("figure_mismatch", A, 2024, 2024),
    ("item_repeated", A, 2024, 2023),
    ("target_below_last_actual", A, 2024, 2023),
    ("target_kept_exceeded", A, 2024, 2023),
    ("score_high_unmet", A, 2024, None),
    ("text_copied", A, 2024, 2024),
}


@pytest.fixture(scope="module")
def archive_out(tmp_path_factory) -> Path:
    from reportparse.run.batch import ingest
    if not ARCHIVE.is_dir():
        pytest.fail(f"{ARCHIVE} is missing: run python samples/build.py")
    out = tmp_path_factory.mktemp("archive_out")
    ingest([str(ARCHIVE)], str(out), {"ocr": False}, jobs=1, progress=False)
    return out


@pytest.fixture(scope="module")
def result(archive_out):
    return audit(archive_out, write=False)


def _name(source: str) -> str:
    return Path(source).name


def test_the_parser_reads_what_was_planted(archive_out):
    """The findings below rest on these fields; a parser change that loses one fails here first,
    with the field named."""
    import reportparse
    docs = {_name(r.source): r for r in reportparse.load(archive_out)["documents"].itertuples()}
    want = {
        "fengqiao-garden-2023.pdf": (A, 2023, "dept_report", 86.0, 14_500_000, 10_627_000),
        "fengqiao-garden-2023-accounts.pdf": (A, 2023, "final_accounts", None, 14_500_000, 10_627_000),
        "fengqiao-garden-2024.pdf": (A, 2024, "dept_report", 93.0, 15_800_000, 12_345_000),
        "fengqiao-garden-2024-table.pdf": (A, 2024, "self_eval_table", 93.0, 15_800_000, 11_982_000),
        "fengqiao-water-2024.pdf": (B, 2024, "dept_report", 91.0, 23_600_000, 23_560_000),
        "liutang-garden-2024.pdf": (C, 2024, "dept_report", 95.0, 9_800_000, 9_797_000),
    }
    assert sorted(docs) == sorted(want)
    for name, (org, year, kind, score, initial, spent) in want.items():
        d = docs[name]
        got_score = None if d.self_score != d.self_score else d.self_score  # NaN: no score
        assert (d.status, d.organization, d.fiscal_year, d.doc_type, got_score) == ("ok", org, year, kind, score), name
        assert (d.budget_initial, d.expenditure) == (initial, spent), name


def test_every_planted_finding_and_nothing_else(result):
    got = {(f["kind"], f["org_key"], f["fiscal_year"], f["other_year"]) for f in result.findings}
    assert got == PLANTED
    assert len(result.findings) == len(PLANTED)  # one finding per planted case, none twice
    assert result.unplaced == []
    assert result.summary["units"] == 3 and result.summary["placed"] == 6


def test_units_of_another_district_stay_apart(result):
    assert sorted(u["org_key"] for u in result.units) == sorted([A, B, C])
    assert not [f for f in result.findings if C in f["org_key"] or C in (f["org_names"] or "")]
    assert next(u for u in result.units if u["org_key"] == A)["names"] == [A]  # C's name is not one of A's


def test_each_message_names_both_documents_pages_and_figures_as_written(result, archive_out):
    import reportparse
    src = {r.doc_id: _name(r.source) for r in reportparse.load(archive_out)["documents"].itertuples()}
    by = {f["kind"]: f for f in result.findings}

    f = by["figure_mismatch"]
    assert f["subject"] == "实际支出"
    assert (src[f["doc_id"]], src[f["other_doc_id"]]) == ("fengqiao-garden-2024.pdf", "fengqiao-garden-2024-table.pdf")
    assert (f["value_text"], f["other_value_text"]) == ("1,234.5万元", "11,982,000元")
    assert "第1页写1,234.5万元" in f["message"] and "绩效自评表" in f["message"] and "11,982,000元" in f["message"]

    f = by["item_repeated"]
    assert "一再推迟" in f["other_quote"] and "多次推迟" in f["quote"] and f["similarity"] >= 0.6
    assert (src[f["doc_id"]], src[f["other_doc_id"]]) == ("fengqiao-garden-2024.pdf", "fengqiao-garden-2023.pdf")

    f = by["target_below_last_actual"]
    assert f["subject"] == "新增绿道长度" and (f["value"], f["other_value"]) == (12.0, 12.5)
    assert src[f["other_doc_id"]] == "fengqiao-garden-2023.pdf"

    f = by["target_kept_exceeded"]
    assert f["subject"] == "绿化养护巡查次数" and f["value_text"] == "≥200次" and "340" in f["message"] and "360" in f["message"]

    f = by["score_high_unmet"]
    assert (f["value"], f["other_value"]) == (93.0, 76.2) and "预算执行率76.20%" in f["message"]
    assert "中位数92.00分" in f["message"]  # A's 93 and B's 91: the district's median

    f = by["text_copied"]
    assert {src[d] for d in f["doc_ids"].split("\n")} == {"fengqiao-garden-2024.pdf", "fengqiao-water-2024.pdf"}
    assert f["quote"].startswith("本单位严格落实预算绩效管理要求")

    for f in result.findings:
        if f["kind"] != "score_high_unmet":
            assert f["page"] is not None and f["other_page"] is not None, f["kind"]
        assert f["message"].count("《") >= 1, f["kind"]


def test_the_printed_report_lists_each_kind_once(result):
    out = text(result)
    for kind, *_ in PLANTED:
        assert f"（{kind}）：1 项" in out
    assert "未能归位的文件 0 份" in out and "柳塘区" not in out.split("汇总")[0]


def test_the_readme_examples_are_what_the_audit_prints_on_the_sample_archive(result):
    from conftest import ROOT
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    printed = text(result)
    assert printed.strip() in readme, "README's sample-archive audit block is out of date: paste `reportparse audit` output"
