"""Benchmark for ``reportparse audit``: a synthetic archive (invented units, figures and
wording), then the audit's reading step three ways, then the whole audit.

    python bench/archive_bench.py [--units 30] [--years 3] [--rounds 3] [--keep DIR] [--archive DIR]

Each unit has, per year, a 部门整体自评报告, a 绩效自评表, a 部门决算 and a 部门预算 (four
documents), written part by part with ``store.write.write_report`` exactly as ``ingest``
writes them. 30 units x 3 years = 360 documents; ``--units 850`` gives about 10 000.
The audit reads what it needs of five tables into rows (``archive.tables.read``); the
readers compared, each in a fresh process on one thread, the same columns, into Python rows:

- ``pyarrow-files``: ``pyarrow.parquet.ParquetFile(part).read(columns)`` per part file (the audit's reader);
- ``pyarrow-dataset``: one ``pyarrow.dataset`` scan per table over its part files;
- ``duckdb``: ``read_parquet('OUT/<table>/*/*.parquet', union_by_name=true)`` with ``threads=1``
  (union_by_name because an output may hold parts of older versions with fewer columns);
- ``audit``: the whole ``reportparse.audit`` (reading, units, findings, writing ``findings``).

CPU seconds (user + system of the process, so a busy shared machine counts less than wall
time) and peak RSS, medians of ``--rounds``; the methods alternate within each round.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from reportparse.model import Amount, Document, Item, Measure, Paragraph, Report, Section  # noqa: E402
from reportparse.store.write import ensure_empty_tables, write_report  # noqa: E402

CORES = ["财政局", "教育局", "卫生健康委员会", "交通运输局", "农业农村局", "水务局", "民政局", "司法局", "文化旅游局",
         "商务局", "统计局", "审计局", "应急管理局", "林业局", "体育局", "人力资源和社会保障局", "住房和城乡建设局",
         "生态环境局", "科学技术局", "退役军人事务局"]
DISTRICTS = ["青石区", "白沙区", "云溪县", "长岭县", "东湖区"]
PROBLEMS = ["部分项目前期论证不够充分，预算编制与实际需求存在偏差，导致年中调整较多",
            "绩效目标设置不够细化量化，个别指标难以衡量，评价依据不足",
            "资金支出进度前慢后快，第四季度集中支付比例偏高，执行均衡性有待提高",
            "政府采购流程耗时较长，部分设备购置未能在年度内完成验收付款"]
INDICATORS = [("培训人次", "人次"), ("检查覆盖率", "%"), ("新建站点数量", "个"), ("群众满意度", "%"), ("受益人数", "人")]


def _id(*parts) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


def _report(kind: str, unit: str, year: int, seed: int, tag: str) -> Report:
    """One document; the figures come from the unit and year, so the documents of a unit-year
    agree except where the generator plants a difference (one unit-year in seven)."""
    doc_year = year + 1 if kind == "budget" else year
    rnd = random.Random(f"{seed}|{unit}|{doc_year}")
    title = {"dept_report": f"{unit}{year}年度部门整体支出绩效自评报告", "self_eval_table": f"{unit}{year}年度部门整体支出绩效自评表",
             "final_accounts": f"{unit}{year}年度部门决算", "budget": f"{unit}{doc_year}年部门预算"}[kind]
    budget = rnd.randint(200, 90000) * 10000.0
    spent = round(budget * rnd.uniform(0.7, 1.0), -2)
    if kind == "final_accounts" and rnd.random() < 1 / 7:
        spent += 123400.0
    doc = Document(title=title, organization=unit, fiscal_year=doc_year, doc_type=kind,  # type: ignore[arg-type]
                   budget_initial=budget, budget_adjusted=budget, expenditure=spent,
                   self_score=round(rnd.uniform(80, 99), 2) if kind in ("dept_report", "self_eval_table") else None,
                   execution_rate=round(spent / budget * 100, 2))
    r = Report(doc_id=_id(tag, kind, unit, year), source=f"{unit}/{year}/{kind}.pdf", page_count=12, document=doc)
    r.amounts = [Amount(0, 2, "年初预算", budget / 10000, "万元", "CNY", budget, f"年初预算{budget / 10000:.2f}万元"),
                 Amount(0, 3, "实际支出", spent / 10000, "万元", "CNY", spent, f"实际支出{spent / 10000:.2f}万元")]
    if kind in ("dept_report", "self_eval_table"):
        for i, (name, u) in enumerate(INDICATORS):
            t = rnd.randint(50, 500) if u != "%" else 90.0
            a = t * rnd.uniform(0.8, 1.4)
            r.measures.append(Measure(1, 4, name, u, ">=", t, None, "=", a, a >= t, f"{name}目标{t}{u}，完成{a:.0f}{u}",
                                      origin="table" if kind == "self_eval_table" else "text", measure_id=i,
                                      target_text=f"≥{t}{u}", actual_text=f"{a:.0f}{u}"))
    if kind == "dept_report":
        body = [Paragraph(f"{unit}认真贯彻落实上级决策部署，围绕年度重点工作，统筹安排预算资金{rnd.randint(1, 999)}项，"
                          f"各项工作有序推进，取得了较好成效。", [(0, 1)]) for _ in range(3)]
        r.sections = [Section(0, None, 1, "一、", "部门概况", "overview", 1, 2, body),
                      Section(1, None, 1, "二、", "存在的问题", "problems", 5, 5, [])]
        for k, text in enumerate(rnd.sample(PROBLEMS, 2), 1):
            r.items.append(Item(1, "problem", k, text, 5))
    return r


def make_archive(out: Path, units: int, years: int, seed: int = 7, tag: str = "") -> int:
    """Write the synthetic archive; returns the number of documents."""
    n = 0
    for u in range(units):
        unit = f"{DISTRICTS[u % len(DISTRICTS)]}{CORES[u % len(CORES)]}" + (f"第{u // len(CORES)}分局" if u >= len(CORES) else "")
        for y in range(2021, 2021 + years):
            for kind in ("dept_report", "self_eval_table", "final_accounts", "budget"):
                write_report(_report(kind, unit, y, seed, tag), out)
                n += 1
    ensure_empty_tables(out)
    return n


def measure(method: str, out: Path) -> dict:
    """Run one method in this process; CPU seconds, wall seconds, peak RSS and a row count."""
    sys.path.insert(0, str(ROOT / "src"))
    from reportparse.archive.tables import COLUMNS
    t0, w0 = time.process_time(), time.perf_counter()
    rows = 0
    if method == "pyarrow-files":
        from reportparse.archive.tables import read
        t = read(out)
        rows = sum(len(getattr(t, name)) for name in COLUMNS)
    elif method == "pyarrow-dataset":
        import pyarrow.dataset as ds
        from reportparse.store.schema import SCHEMAS
        for name, cols in COLUMNS.items():
            files = sorted(str(p) for p in (out / name).glob("year=*/part-*.parquet"))
            rows += len(ds.dataset(files, schema=SCHEMAS[name], format="parquet").to_table(columns=cols).to_pylist())
    elif method == "duckdb":
        import duckdb
        con = duckdb.connect()
        con.execute("SET threads TO 1")
        for name, cols in COLUMNS.items():
            q = (f"SELECT {', '.join(chr(34) + c + chr(34) for c in cols)} "
                 f"FROM read_parquet('{out}/{name}/*/*.parquet', union_by_name=true)")
            rows += len(con.sql(q).to_arrow_table().to_pylist())
    elif method == "audit":
        from reportparse.archive import audit
        rows = len(audit(out).findings)
    else:
        raise SystemExit(f"unknown method {method}")
    return {"cpu": time.process_time() - t0, "wall": time.perf_counter() - w0, "rows": rows,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


METHODS = ("pyarrow-files", "pyarrow-dataset", "duckdb", "audit")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=30)
    ap.add_argument("--years", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--keep", default=None, help="write the archive here and keep it")
    ap.add_argument("--archive", default=None, help="an archive written before (--keep): measure only")
    ap.add_argument("--measure", default=None, help=argparse.SUPPRESS)  # one method, in a child process
    a = ap.parse_args()
    if a.measure:
        print(json.dumps(measure(a.measure, Path(a.archive))))
        return
    out = Path(a.archive or a.keep or tempfile.mkdtemp(prefix="archive-bench-"))
    try:
        if not a.archive:
            w0 = time.perf_counter()
            n = make_archive(out, a.units, a.years)
            print(f"archive: {n} documents written in {time.perf_counter() - w0:.1f} s to {out}")
        files = sum(1 for _ in out.glob("*/year=*/part-*.parquet"))
        print(f"part files: {files}")
        got: dict[str, list[dict]] = {m: [] for m in METHODS}
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        for _ in range(a.rounds):
            for m in METHODS:
                r = subprocess.run([sys.executable, __file__, "--measure", m, "--archive", str(out)], env=env,
                                   capture_output=True, text=True, check=True)
                got[m].append(json.loads(r.stdout.strip().splitlines()[-1]))
        for m, rs in got.items():
            med = {k: statistics.median(r[k] for r in rs) for k in ("cpu", "wall", "rss_mb")}
            print(f"{m:>16}: {med['cpu']:6.1f} s CPU  {med['wall']:6.1f} s wall  peak RSS {med['rss_mb']:5.0f} MB"
                  f"  ({'findings' if m == 'audit' else 'rows'} {rs[-1]['rows']})")
    finally:
        if not a.keep and not a.archive:
            shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
