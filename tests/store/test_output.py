"""Analyst-grade output: the files explain themselves, read back typed in plain pandas,
duplicates are linked, exports open in Excel, and the package works outside the repository."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from conftest import ROOT, SAMPLES, has_tesseract
from reportparse.understand import dedupe
from reportparse.store import export
from reportparse.store import schema
from reportparse.store.dataset import NotOutputError, load
from reportparse.model import Measure


# --- self-describing data ---

def test_every_column_keeps_its_description_through_write_and_read(samples_out):
    for table, cols in schema.COLUMNS.items():
        f = next((samples_out / table).glob("year=*/part-*.parquet"))
        got = pq.read_schema(f)
        for name, _, zh, en in cols:
            meta = got.field(name).metadata
            assert meta[b"description_zh"].decode() == zh and meta[b"description_en"].decode() == en, (table, name)
            assert zh in meta[b"description"].decode() and en in meta[b"description"].decode()


def test_plain_pandas_reads_nullable_ints_and_bools_as_nullable(samples_out):
    docs = pd.read_parquet(samples_out / "documents")
    assert str(docs.fiscal_year.dtype) == "Int64" and str(docs.checks_failed.dtype) == "Int64"
    assert docs.fiscal_year.isna().any()  # failed files: null, not NaN in a float column
    m = pd.read_parquet(samples_out / "measures")
    assert str(m.met.dtype) == "boolean" and str(m.measure_id.dtype) == "Int64"


def test_data_dictionary_file_is_in_step_with_the_schema():
    doc = (ROOT / "docs" / "DATA_DICTIONARY.md").read_text(encoding="utf-8")
    assert doc == schema.dictionary_markdown(), "run: reportparse schema --format markdown > docs/DATA_DICTIONARY.md"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/DATA_DICTIONARY.md" in readme and "../shared/CONTRACT.md" not in readme


def test_a_table_part_exists_only_where_the_document_has_rows(samples_out):
    """Every document has its documents part; a table it has no rows in has no part file
    (an empty part per table and document made thousands of files and cost more than a
    page to write), and every table still reads back with its columns."""
    docs = pq.read_table(samples_out / "documents").to_pylist()
    for d in docs:
        assert list((samples_out / "documents").glob(f"year=*/part-{d['doc_id']}.parquet")), d["source"]
    failed = {d["doc_id"] for d in docs if d["status"] == "failed"}
    assert failed  # the samples include broken files: they have no sections, amounts or checks
    for table in schema.TABLES[1:]:
        parts = [p for p in (samples_out / table).glob("year=*/part-*.parquet") if p.name != "part-empty.parquet"]
        assert parts and all(pq.ParquetFile(p).metadata.num_rows > 0 for p in parts), table
        assert not failed & {p.name[5:-8] for p in parts}, table
        assert pq.read_schema(parts[0]).names == schema.SCHEMAS[table].names


# --- load() fails loudly ---

def test_load_refuses_a_folder_that_is_not_output(tmp_path):
    with pytest.raises(NotOutputError, match="没有这个文件夹"):
        load(tmp_path / "typo")
    with pytest.raises(NotOutputError, match="没有 documents/ 文件夹"):
        load(tmp_path)
    (tmp_path / "f").write_text("x")
    with pytest.raises(NotOutputError, match="是一个文件"):
        load(tmp_path / "f")
    import reportparse
    with pytest.raises(ValueError):
        reportparse.load(tmp_path / "typo")


# --- no double counting ---

def _m(indicator, origin, page, target, actual, unit="%", op=">="):
    return Measure(None, page, indicator, unit, op, target, None, "=", actual, actual >= target, "q", origin)


def test_a_pair_restated_in_the_table_points_at_the_prose_row():
    rows = dedupe.link_measures([
        _m("通过认定高新技术企业", "text", 2, 50, 61, unit="家"),
        _m("群众满意度", "text", 2, 90, 95),
        _m("高新技术企业认定数量", "table", 5, 50, 61, unit="家"),
        _m("群众满意度", "table", 5, 90, 95),
        _m("设备完好率", "table", 5, 90, 95),     # same values, another indicator
        _m("群众满意度", "table", 6, 90, 96),      # same indicator, another actual
    ])
    assert [m.measure_id for m in rows] == [0, 1, 2, 3, 4, 5]
    assert [m.duplicate_of for m in rows] == [None, None, 0, 1, None, None]


def test_qualitative_rows_are_never_linked():
    a = Measure(None, 1, "服务质量", "", "=", None, None, "=", None, None, "q", "table", target_text="有效")
    b = Measure(None, 2, "服务质量", "", "=", None, None, "=", None, None, "q", "text", target_text="有效")
    assert [m.duplicate_of for m in dedupe.link_measures([b, a])] == [None, None]


def test_fingerprint_tolerates_ocr_slips_and_tells_reports_apart():
    base = "".join(f"第{i}项工作按计划推进，资金使用规范，群众满意度较高，绩效目标基本完成。" for i in "一二三四五六七八九十")
    slips = base.replace("资金", "贤金", 2).replace("满意", "满惹", 1)
    other = "".join(f"本单位{i}季度开展道路养护，完成路面修补和排水改造，安全事故明显下降。" for i in "一二三四五六七八九十")
    fa, fb, fo = (f"{dedupe.simhash(''.join(dedupe.HAN.findall(t))):016x}" for t in (base, slips, other))
    assert dedupe.same_report(fa, fb) and not dedupe.same_report(fa, fo)
    assert not dedupe.same_report(fa, None)


def test_copies_of_one_report_are_linked_and_dedupe_keeps_one(samples_out):
    t = load(samples_out)
    d = t["documents"].set_index(t["documents"].source.map(lambda s: Path(s).name))
    twins = ["wenlv-2024.pdf", "wenlv-2024-damaged.pdf", "wenlv-2024-turned.pdf", "owner-password-only.pdf"]
    assert d.loc[twins, "duplicate_of"].isna().sum() == 1  # one first, the others point at it
    first = d.loc[twins][d.loc[twins, "duplicate_of"].isna()].doc_id.iloc[0]
    assert set(d.loc[twins, "duplicate_of"].dropna()) == {first}
    for name in ("seed-panyu-2023", "jiaoyu-project-2024"):  # one PDF each, and its Word twin in samples/office
        pair = d.loc[[f"{name}.pdf", f"{name}.docx"]]
        assert pair.duplicate_of.isna().sum() == 1 and set(pair.duplicate_of.dropna()) <= set(pair.doc_id)
    u = load(samples_out, dedupe=True)
    n_dup = t["documents"].duplicate_of.notna().sum()
    assert n_dup >= 3 and len(u["documents"]) == len(t["documents"]) - n_dup
    assert set(u["measures"].doc_id) <= set(u["documents"].doc_id)
    assert u["measures"].duplicate_of.isna().all()


# --- export ---

def test_export_xlsx_sheets_labels_wan_and_frozen_header(samples_out, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    t = load(samples_out)
    path = export.to_xlsx(t, tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == list(schema.COLUMNS)
    ws = wb["documents"]
    header = [c.value for c in ws[1]]
    assert ws.freeze_panes == "A2" and "实际支出（元）" in header and "实际支出（万元）" in header
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in h) for h in header)  # every label in Chinese
    yuan, wan = header.index("实际支出（元）") + 1, header.index("实际支出（万元）") + 1
    vals = [(ws.cell(r, yuan).value, ws.cell(r, wan).value) for r in range(2, ws.max_row + 1)]
    assert any(y for y, _ in vals) and all(abs(y / 10000 - w) < 1e-6 for y, w in vals if y is not None)
    assert ws.max_row == len(t["documents"]) + 1


def test_export_csv_has_a_bom_and_reads_back(samples_out, tmp_path):
    files = export.to_csv(load(samples_out), tmp_path / "csv")
    assert sorted(f.name for f in files) == sorted(f"{t}.csv" for t in schema.COLUMNS)
    raw = (tmp_path / "csv" / "measures.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(tmp_path / "csv" / "measures.csv", encoding="utf-8-sig")
    assert "indicator" in back and back.indicator.str.contains(r"[\u4e00-\u9fff]").any()


# --- outputs/ kept in the repository ---

def test_outputs_readme_is_kept_and_ingest_into_outputs_still_works(tmp_path):
    readme = ROOT / "outputs" / "README.md"
    text = readme.read_text(encoding="utf-8")
    for word in ("read_parquet", "duckdb", "polars"):
        assert word in text.lower()
    out = tmp_path / "outputs"
    out.mkdir()
    shutil.copy(readme, out / "README.md")
    from reportparse.run.batch import ingest
    ingest([str(SAMPLES / "wenlv-2024.pdf")], str(out), {"ocr": False}, jobs=1, progress=False)
    assert len(load(out)["documents"]) == 1 and (out / "README.md").read_text(encoding="utf-8") == text
    if shutil.which("git") and (ROOT / ".git").exists():
        ignored = subprocess.run(["git", "check-ignore", "-q", "outputs/README.md"], cwd=ROOT)
        assert ignored.returncode == 1, "outputs/README.md must be tracked"
        data = subprocess.run(["git", "check-ignore", "-q", "outputs/documents/year=2023/part-x.parquet"], cwd=ROOT)
        assert data.returncode == 0, "outputs/ data must be ignored"


# --- a blank render is reported, not a silent empty page ---

def test_blank_render_with_a_text_layer_is_named():
    from PIL import Image
    from reportparse.ocr.page import blank_render
    white = Image.new("L", (50, 50), 255)
    chars = [{"text": "预", "fontname": "ABCDEF+SimSun"}] * 40
    why = blank_render(white, chars)
    assert why and "40 个字符" in why and "SimSun" in why and "fonts-noto-cjk" in why
    assert blank_render(white, []) is None  # a blank page that says nothing is just blank
    inked = white.copy()
    inked.putpixel((3, 3), 0)
    assert blank_render(inked, chars) is None


@pytest.mark.skipif(not has_tesseract(), reason="needs the tesseract command (the OCR path)")
def test_a_page_that_renders_blank_makes_the_document_partial(tmp_path):
    pytest.importorskip("reportlab")
    from PIL import Image
    from reportlab.pdfgen import canvas
    png = tmp_path / "white.png"
    Image.new("RGB", (20, 20), (255, 255, 255)).save(png)
    pdf = tmp_path / "invisible.pdf"
    c = canvas.Canvas(str(pdf))
    c.drawImage(str(png), 10, 10, 20, 20)
    t = c.beginText(72, 700)
    t.setTextRenderMode(3)  # text in the text layer that draws nothing
    t.textLine("abc")
    c.drawText(t)
    c.save()
    import reportparse
    r = reportparse.parse_pdf(pdf, {"ocr": True})
    assert r.status in ("partial", "failed") and "渲染结果为空白" in (r.error or "")


# --- installs anywhere (slow: builds a wheel) ---

@pytest.mark.wheel
def test_wheel_carries_the_patterns_and_parses_from_another_folder(tmp_path):
    """A wheel built from the tree, installed without the repository around it, parses a
    sample copied elsewhere (bounded: no dependency resolution, a target dir, not a venv)."""
    pip = [sys.executable, "-m", "pip"]
    build = subprocess.run(pip + ["wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp_path / "dist")],
                           capture_output=True, text=True, timeout=300)
    if build.returncode != 0 and "No matching distribution" in build.stderr:
        pytest.skip("no package index to fetch setuptools for the isolated build")
    assert build.returncode == 0, build.stderr[-2000:]
    (whl,) = (tmp_path / "dist").glob("reportparse-*.whl")
    target = tmp_path / "site"
    subprocess.run(pip + ["install", "--no-deps", "-q", "--target", str(target), str(whl)], check=True, timeout=120)
    assert (target / "reportparse" / "patterns" / "numbers.json").is_file()
    work = tmp_path / "elsewhere"
    work.mkdir()
    shutil.copy(SAMPLES / "wenlv-2024.pdf", work / "r.pdf")
    env = {k: v for k, v in os.environ.items() if k != "REPORTPARSE_PATTERNS"}
    env["PYTHONPATH"] = str(target)
    code = ("import reportparse, sys; r = reportparse.parse_pdf('r.pdf', {'ocr': False}); "
            "assert reportparse.__file__.startswith(sys.argv[1]), reportparse.__file__; "
            "print(r.status, len(r.measures), r.document.organization)")
    got = subprocess.run([sys.executable, "-c", code, str(target)], cwd=work, env=env, capture_output=True,
                         text=True, timeout=120)
    assert got.returncode == 0, got.stderr[-2000:]
    status, n, org = got.stdout.split()
    assert status == "ok" and int(n) > 0 and org.endswith("局")


def test_outputs_readme_examples_run(samples_out):
    """The pandas, DuckDB and Polars snippets of outputs/README.md, on real output."""
    import re
    text = (ROOT / "outputs" / "README.md").read_text(encoding="utf-8").replace('"outputs', f'"{samples_out}')
    text = text.replace("'outputs/", f"'{samples_out}/")
    blocks = re.findall(r"```(python|sql)\n(.+?)```", text, re.S)
    assert [k for k, _ in blocks].count("python") == 2 and [k for k, _ in blocks].count("sql") == 1
    for kind, code in blocks:
        if kind == "sql":
            duckdb = pytest.importorskip("duckdb")
            rows = duckdb.sql(code).fetchall()
            assert rows and all(len(r) == 5 for r in rows)
        elif "polars" in code:
            pytest.importorskip("polars")
            ns: dict = {}
            exec(code.replace("(m.filter", "res = (m.filter"), ns)
            assert ns["res"].height > 0
        else:
            exec(code, {"print": lambda *a: None})


def test_output_written_before_the_new_columns_still_loads(tmp_path):
    """A part file without checks_failed / fingerprint (an older version's) reads with nulls."""
    import pyarrow as pa
    old = pa.schema([f for f in schema.SCHEMAS["documents"] if f.name not in ("checks_failed", "fingerprint")])
    part = tmp_path / "documents" / "year=2023" / "part-abc.parquet"
    part.parent.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist([{"doc_id": "abc", "source": "a.pdf", "status": "ok", "fiscal_year": 2023}],
                                        schema=old), part)
    d = load(tmp_path)["documents"]
    assert list(d.doc_id) == ["abc"] and d.checks_failed.isna().all() and d.fingerprint.isna().all()
    assert d.duplicate_of.isna().all() and str(d.fiscal_year.dtype) == "Int64"


def test_check_on_a_damaged_part_file_is_one_line(tmp_path):
    part = tmp_path / "documents" / "year=2023" / "part-abc.parquet"
    part.parent.mkdir(parents=True)
    part.write_bytes(b"not parquet")
    r = subprocess.run([sys.executable, "-m", "reportparse", "check", str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.startswith("reportparse: ") and len(r.stderr.strip().splitlines()) == 1


# --- the example notebook runs on fresh output, so it never rots ---

@pytest.mark.notebook
def test_example_notebook_answers_the_questions_and_draws_the_chart(samples_out, tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("matplotlib")
    pytest.importorskip("ipykernel")
    chart = tmp_path / "execution_rate.png"
    monkeypatch.setenv("REPORTPARSE_OUT", str(samples_out))
    monkeypatch.setenv("REPORTPARSE_CHART", str(chart))
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "mpl"))
    nb = nbformat.read(ROOT / "examples" / "analysis.ipynb", as_version=4)
    nbclient.NotebookClient(nb, timeout=180, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT / "examples")}}).execute()
    text = "\n".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", ""))
                     for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "missing from font" not in text  # every Chinese label drawn (matplotlib warns per missing glyph)
    assert "广州市白云区卫生健康局" in text          # a unit with failed checks and a missed target
    assert "number_format" in text and "execution_rate_%" in text
    assert chart.is_file() and chart.stat().st_size > 10_000
    if os.environ.get("REPORTPARSE_KEEP_CHART"):
        chart.replace(os.environ["REPORTPARSE_KEEP_CHART"])


def test_every_column_comes_from_its_dataclass_or_is_declared_derived():
    """One source of truth for columns: a field added to a row dataclass without a schema
    column (or a schema column nothing fills) fails here, not in an analyst's notebook."""
    from reportparse.model import Amount, Check, Document, Item, Measure, Section, columns_of
    from reportparse.store import write
    from reportparse.store.schema import COLUMNS
    row_class = {"documents": Document, "sections": Section, "measures": Measure, "amounts": Amount, "items": Item,
                 "checks": Check}
    for table, cls in row_class.items():
        declared = {c[0] for c in COLUMNS[table]}
        filled = {"doc_id", *columns_of(cls), *write.DERIVED[table]}
        if table == "documents":
            filled |= set(write.DOC_EXTRA)
        assert declared == filled, (table, declared ^ filled)
    assert "para" not in columns_of(Amount) and "claim" not in columns_of(Check)


def test_vocabularies_in_the_model_are_the_ones_the_patterns_and_checks_use():
    import typing

    from reportparse import model, parse_text, patterns
    assert {name for name, _ in patterns.doctypes().title} | {"other"} == set(typing.get_args(model.DocType))
    assert {name for name, _ in patterns.load().kinds} | {"other"} <= set(typing.get_args(model.SectionKind))
    p = patterns.load()
    assert set(p.prefix_ops.values()) | set(p.mid_ops.values()) | set(p.suffix_ops.values()) <= set(typing.get_args(model.Op))
    kinds = set(typing.get_args(model.SectionKind))
    assert {s.kind for s in parse_text("一、部门基本情况\n（一）部门职能\n二、存在问题\n三、改进措施").sections} <= kinds
