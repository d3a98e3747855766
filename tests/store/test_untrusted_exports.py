"""Document text stays text in every export a spreadsheet opens (README, "What it promises"):
a report whose title, items and messages read like formulas gives workbook cells typed as
strings and CSV cells prefixed with ``'``, while numbers stay numbers. Everything is built
here; nothing is fetched or executed."""
from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from reportparse import cells, load, parse_text
from reportparse.model import Check
from reportparse.store import export, write
from reportparse.verify import report as audit

# what an attacker writes into a report: a link of their choosing, a DDE command line, and
# arithmetic that a spreadsheet evaluates; the last two lead with a tab and a carriage return
HOSTILE = ['=HYPERLINK("http://example.invalid","点击查看")', "@SUM(1+1)*cmd|' /C calc'!A0", "+1+1",
           "-2+3", "\t=1+2", "\r=3+4"]
SOURCE = "=cmd|' /C calc'!A0.pdf"  # a file name is document-chosen text too
MID_CR = "加强预算管理\r=HYPERLINK(\"http://example.invalid\")"
TITLE = '=HYPERLINK("http://example.invalid","点击查看")某县某局2024年度部门整体支出绩效自评报告'


def _hostile_report():
    lines = ["某县某局2024年度部门整体支出绩效自评报告", "一、部门基本情况", "本局负责全县某项示例工作。", "二、存在的问题"]
    lines += [f"（{i + 1}）{h.strip()}项目资金拨付进度偏慢。" for i, h in enumerate(HOSTILE)]
    lines += ["三、改进措施"] + [f"{i + 1}.{h.strip()}加强预算管理。" for i, h in enumerate(HOSTILE)]
    r = parse_text("\n".join(lines), source=SOURCE)
    problems = [it for it in r.items if it.kind == "problem"]
    assert len(problems) == len(HOSTILE)
    for it, h in zip(problems, HOSTILE):  # parse_text strips each line; put the tab and CR back
        it.text = h + "项目资金拨付进度偏慢。"
    improvements = [it for it in r.items if it.kind == "improvement"]
    improvements[0].text = MID_CR  # Excel starts a row at an unquoted CR: the rest would be a fresh cell
    r.document.title = TITLE
    r.document.organization = "-某县某局"
    r.document.budget_initial = -5.0  # a negative number must stay a number
    r.status, r.error = "partial", "@SUM(1+1)*cmd|' /C calc'!A0 第2页无法读取"
    r.checks.append(Check("score_sum", "fail", 1, HOSTILE[0] + "：得分合计与总分不符", -5.0, 3.0))
    return r


@pytest.fixture
def hostile_out(tmp_path):
    out = tmp_path / "out"
    write.write_report(_hostile_report(), out)
    return out


def _formula_like(v) -> bool:
    """A CSV field a spreadsheet would evaluate: it starts with a formula character and is
    not just a number (a negative amount in a numeric column stays a number)."""
    if not (isinstance(v, str) and v.startswith(("=", "+", "-", "@", "\t", "\r"))):
        return False
    try:
        float(v)
    except ValueError:
        return True
    return False


def test_the_escape_prefixes_only_formula_text_and_reads_back():
    for h in HOSTILE + ["-5%", "'=1", "''+2"]:
        assert cells.csv_cell(h) == "'" + h and cells.unescape(cells.csv_cell(h)) == h
    for safe in ["点击查看", "'quoted", "5%", "", " =1"]:
        assert cells.csv_cell(safe) == safe and cells.unescape(safe) == safe
    for number in (-5, -2.5, 0, None):
        assert cells.csv_cell(number) is number


def test_xlsx_types_every_document_string_as_text(hostile_out, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    path = export.to_xlsx(load(hostile_out), tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(path)
    seen = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows(min_row=2):
            for c in row:
                assert c.data_type != "f", f"{ws.title}!{c.coordinate} is a formula: {c.value!r}"
                if isinstance(c.value, str):
                    assert c.data_type == "s"
                    seen.add(c.value)
    for h in HOSTILE:  # the literal text, unprefixed (XML reads a carriage return back as a line feed)
        assert (h + "项目资金拨付进度偏慢。").replace("\r", "\n") in seen, h
    assert TITLE in seen and "-某县某局" in seen and SOURCE in seen
    docs = wb["documents"]
    header = [c.value for c in docs[1]]
    budget = docs.cell(2, header.index("年初预算（元）") + 1)
    assert budget.value == -5 and budget.data_type == "n"
    assert docs.cell(2, header.index("年初预算（万元）") + 1).value == -0.0005


def test_csv_prefixes_every_formula_cell_and_keeps_numbers(hostile_out, tmp_path):
    files = export.to_csv(load(hostile_out), tmp_path / "csv")
    found = set()
    for f in files:
        rows = list(csv.reader(io.StringIO(f.read_bytes().decode("utf-8-sig"), newline="")))
        for row in rows[1:]:
            for v in row:
                assert not _formula_like(v), f"{f.name}: {v!r} would be evaluated"
                found.add(v)
    for h in HOSTILE:
        assert "'" + h + "项目资金拨付进度偏慢。" in found
    assert "'" + TITLE in found and "'-某县某局" in found and MID_CR in found
    docs = pd.read_csv(tmp_path / "csv" / "documents.csv", encoding="utf-8-sig")
    assert docs.budget_initial.tolist() == [-5.0] and docs.budget_initial_wan.tolist() == [-0.0005]
    assert cells.unescape(docs.title[0]) == TITLE


def test_check_csv_prefixes_names_and_messages(hostile_out):
    text = audit.as_csv(audit.build(load(hostile_out)))
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == audit.CSV_COLUMNS and len(rows) > 1
    for row in rows[1:]:
        for v in row:
            assert not _formula_like(v), v
    assert all(r[0] == "'" + SOURCE and r[1] == "'-某县某局" for r in rows[1:])
    by_check = {r[4]: r for r in rows[1:]}
    assert by_check["parse"][7] == "'@SUM(1+1)*cmd|' /C calc'!A0 第2页无法读取"
    assert by_check["score_sum"][7] == "'" + HOSTILE[0] + "：得分合计与总分不符"
    assert by_check["score_sum"][8:10] == ["-5", "3"]  # numbers, not text
