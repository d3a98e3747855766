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
    assert "files 5: parsed 5, skipped 0" in r.stdout
    assert re.search(r"rows: documents 5, sections \d+, measures 16,", r.stdout)
    assert r.stdout.count("FAILED") == 3 and "empty file" in r.stdout
    assert r.stdout.count("PARTIAL") == 1 and "truncated-tail.pdf" in r.stdout
    for table in ("documents", "sections", "measures", "amounts", "items", "checks"):
        assert len(pd.read_parquet(out / table).columns) >= 4
    again = run("ingest", str(SAMPLES / "wenlv-2024.pdf"), "--out", str(out), "--no-ocr")
    assert "parsed 0, skipped 1" in again.stdout


def test_check_command_lists_failures_first_and_fails_on_request(samples_out):
    r = run("check", str(samples_out), check=False)
    assert r.returncode == 0
    block = r.stdout.split("广州市白云区卫生健康局")[1].split("\n\n")[0]
    statuses = re.findall(r"^\s+(FAIL|WARN|PASS)\b", block, flags=re.M)
    assert statuses[:3] == ["FAIL", "FAIL", "FAIL"] and "62.19%" in block
    assert run("check", str(samples_out), "--fail-on", "fail", check=False).returncode == 1


def test_check_on_a_folder_without_output_says_so(tmp_path):
    r = run("check", str(tmp_path), check=False)
    assert r.returncode == 2 and "run `reportparse ingest` first" in r.stderr


def test_readme_shows_current_help():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for sub in ("ingest", "check"):
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
