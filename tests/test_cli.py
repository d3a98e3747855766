"""The command line drives the library: ingest, rerun, check, and --help kept in the README."""
import os
import re
import subprocess
import sys

import pandas as pd
import pytest

from conftest import ROOT, SAMPLES

CLI = [sys.executable, "-m", "reportparse"]


def run(*args, check=True):
    env = dict(os.environ, COLUMNS="100")  # argparse wraps --help to the terminal width
    return subprocess.run(CLI + list(args), capture_output=True, text=True, check=check, cwd=ROOT, env=env)


def test_ingest_prints_summary_and_failures(tmp_path):
    out = tmp_path / "out"
    r = run("ingest", str(SAMPLES / "wenlv-2024.pdf"), str(SAMPLES / "broken"), "--out", str(out), "--jobs", "2", "--no-ocr",
            check=False)
    assert r.returncode == 1  # it ran, and some files failed
    assert "文件 5 个：解析 5 个，跳过 0 个" in r.stdout
    assert re.search(r"行数：documents 5，sections \d+，measures 16，", r.stdout)
    assert r.stdout.count("FAILED") == 3 and "空文件（0 字节）" in r.stdout
    assert r.stdout.count("PARTIAL") == 1 and "truncated-tail.pdf" in r.stdout
    for table in ("documents", "sections", "measures", "amounts", "items", "checks"):
        assert len(pd.read_parquet(out / table).columns) >= 4
    again = run("ingest", str(SAMPLES / "wenlv-2024.pdf"), "--out", str(out), "--no-ocr")
    assert "解析 0 个，跳过 1 个" in again.stdout


def test_check_command_lists_failures_first_and_fails_on_request(samples_out):
    r = run("check", str(samples_out), check=False)
    assert r.returncode == 0
    block = r.stdout.split("广州市白云区卫生健康局")[1].split("\n\n")[0]
    statuses = re.findall(r"^\s+(不一致|需复核|通过)\s", block, flags=re.M)
    assert statuses[:3] == ["不一致"] * 3 and "计算为62.19%" in block and "第1页" in block
    assert "e+" not in r.stdout
    assert run("check", str(samples_out), "--fail-on", "fail", check=False).returncode == 1
    # documents with failures come first: failed files, then failing checks, then the clean ones
    heads = [l for l in r.stdout.splitlines() if l and not l.startswith(" ") and "）：不一致" in l]
    rank = [0 if "解析失败" in h or "不一致 0，" not in h else 1 if "部分解析" in h or "需复核 0，" not in h else 2
            for h in heads]
    assert rank == sorted(rank) and rank[0] == 0
    # a failed or partial file's reason is read in Chinese, its technical cause in brackets
    assert "  解析失败：空文件（0 字节）：" in r.stdout and "  解析失败：PDF 已加密：" in r.stdout
    assert re.search(r"^  部分解析：PDF 文件已损坏（PDFSyntaxError: [^）]+）：", r.stdout, flags=re.M)


def test_check_closing_summary_counts_files_and_checks_by_id(samples_out):
    import reportparse
    docs = reportparse.load(samples_out)["documents"]
    n = docs.status.value_counts()
    out = run("check", str(samples_out)).stdout
    summary = out[out.index("汇总："):]
    assert re.search(rf"文件 {len(docs)} 份：完整 {n['ok']}，部分解析 {n['partial']}，解析失败 {n['failed']}", summary)
    checks = reportparse.load(samples_out)["checks"]
    n_format = int(((checks.check == "number_format") & (checks.status == "fail")).sum())
    assert n_format >= 2 and re.search(rf"不一致 \d+ 项（[^）]*number_format {n_format}", summary)
    assert summary.count("解析失败：") == n["failed"] and "samples/broken/empty.pdf" in summary


def test_check_json_and_csv_carry_the_same_findings(samples_out):
    import csv
    import io
    import json
    from reportparse.read.formats import picked
    j = json.loads(run("check", str(samples_out), "--format", "json").stdout)
    files = [p for p in SAMPLES.rglob("*") if p.is_file() and picked(p.name)]  # PDFs and office samples
    assert j["summary"]["documents"] == len(j["documents"]) == len(files)
    n_checks = sum(len(d["checks"]) for d in j["documents"])
    assert j["summary"]["checks"]["fail"] + j["summary"]["checks"]["warn"] + j["summary"]["checks"]["pass"] == n_checks
    rows = list(csv.DictReader(io.StringIO(run("check", str(samples_out), "--format", "csv").stdout)))
    assert len(rows) == n_checks + j["summary"]["failed"] + j["summary"]["partial"]
    assert {r["check"] for r in rows if r["doc_status"] == "failed"} == {"parse"}
    assert all("e+" not in (r["expected"] or "") for r in rows)


def test_check_dedupe_leaves_out_copies(samples_out):
    import json
    full = json.loads(run("check", str(samples_out), "--format", "json").stdout)
    one = json.loads(run("check", str(samples_out), "--format", "json", "--dedupe").stdout)
    dups = full["summary"]["duplicates"]
    assert dups >= 3 and one["summary"]["documents"] == full["summary"]["documents"] - dups
    assert one["summary"]["duplicates"] == 0


def test_check_fail_on_counts_documents_that_failed_to_parse(tmp_path):
    out = tmp_path / "out"
    run("ingest", str(SAMPLES / "broken" / "empty.pdf"), "--out", str(out), "--no-ocr", "--quiet", check=False)
    assert run("check", str(out), check=False).returncode == 0
    r = run("check", str(out), "--fail-on", "fail", check=False)
    assert r.returncode == 1 and "解析失败 1" in r.stdout


def test_check_on_a_folder_without_output_says_so(tmp_path):
    r = run("check", str(tmp_path), check=False)
    assert r.returncode == 2 and r.stderr.startswith("reportparse: ") and "请先运行 `reportparse ingest`" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    r = run("check", str(tmp_path / "typo"), check=False)
    assert r.returncode == 2 and "没有这个文件夹" in r.stderr


def test_plain_reportparse_prints_help_and_bad_options_are_one_line(tmp_path):
    r = run(check=False)
    assert r.returncode == 2 and "usage: reportparse" in r.stdout and "exit codes" in r.stdout
    bad = run("check", str(tmp_path), "--format", "xml", check=False)
    assert bad.returncode == 2 and bad.stderr.startswith("reportparse: ") and len(bad.stderr.strip().splitlines()) == 1
    none = run("export", str(tmp_path), check=False)
    assert none.returncode == 2 and "--xlsx" in none.stderr


def test_schema_prints_the_dictionary_in_both_languages():
    from reportparse.store.schema import COLUMNS
    out = run("schema").stdout
    for table, cols in COLUMNS.items():
        assert f"\n{table}\n" in f"\n{out}"
        for name, _, zh, en in cols:
            assert f"  {name} (" in out and zh in out and en in out
    one = run("schema", "measures").stdout
    assert "duplicate_of" in one and "\ndocuments\n" not in f"\n{one}"


def test_export_writes_xlsx_and_bom_csv(samples_out, tmp_path):
    pytest.importorskip("openpyxl")
    r = run("export", str(samples_out), "--xlsx", str(tmp_path / "x.xlsx"), "--csv", str(tmp_path / "csv"))
    assert r.returncode == 0 and (tmp_path / "x.xlsx").stat().st_size > 0
    assert (tmp_path / "csv" / "documents.csv").read_bytes()[:3] == b"\xef\xbb\xbf"
    (tmp_path / "file").write_text("x")
    r = run("export", str(samples_out), "--csv", str(tmp_path / "file"), check=False)
    assert r.returncode == 2 and r.stderr.startswith("reportparse: ")


def test_readme_shows_current_help():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for sub in ("ingest", "check", "audit", "schema", "export"):
        help_text = run(sub, "--help").stdout.strip()
        assert help_text in readme, f"README's `reportparse {sub} --help` block is out of date"


def test_readme_commands_are_the_ci_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_cmd = re.search(r"<!-- test-command -->\s*```(?:bash|sh)?\n(.+?)\n```", readme, re.S).group(1).strip()
    assert test_cmd in ci


def test_tables_read_directly_with_pandas_and_duckdb(samples_out):
    duckdb = pytest.importorskip("duckdb")
    for table in ("documents", "sections", "measures", "amounts", "items", "checks"):
        df = pd.read_parquet(samples_out / table)
        assert "doc_id" in df and "year" in df  # hive partition year=<fiscal_year>
    docs = pd.read_parquet(samples_out / "documents")
    assert str(docs.fiscal_year.dtype) in ("int64", "Int64", "float64")
    assert (samples_out / "documents" / "year=2023").is_dir()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sql = re.search(r"```sql\n(.+?)```", readme, re.S).group(1).replace("outputs/", f"{samples_out}/")
    rows = duckdb.sql(sql).fetchall()
    assert ("广州市白云区卫生健康局", 2023, "share") in [r[:3] for r in rows]
