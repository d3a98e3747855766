"""Command line: a thin layer over ``batch.ingest`` and ``report_checks``."""
from __future__ import annotations

import argparse
import os
import sys

from . import __version__


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="reportparse", description="Chinese performance self-evaluation reports "
                                "(绩效自评报告) from PDF to Parquet tables.")
    p.add_argument("--version", action="version", version=f"reportparse {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    ing = sub.add_parser("ingest", help="parse PDFs (files or folders, walked recursively) into Parquet datasets")
    ing.add_argument("paths", nargs="+", metavar="PATH", help="PDF files or folders")
    ing.add_argument("--out", default="outputs", help="output folder (default: outputs)")
    ing.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    ing.add_argument("--timeout", type=float, default=120.0, help="seconds a file may go without finishing a page before it is failed (default: 120)")
    ing.add_argument("--force", action="store_true", help="re-parse files already in the output")
    ing.add_argument("--no-ocr", action="store_true", help="do not OCR image-only or garbled pages")
    ing.add_argument("--password", default="", help="password for encrypted PDFs (default: none)")
    ing.add_argument("--quiet", action="store_true", help="no progress lines")
    ing.add_argument("--scheduler", default=None, metavar="ADDRESS",
                     help="run the parses on the Dask cluster at this address (tcp://HOST:PORT) instead of local processes; "
                     "inputs and --out must be at the same paths on every worker")
    chk = sub.add_parser("check", help="print the consistency checks of an output folder, failures first")
    chk.add_argument("out", nargs="?", default="outputs", help="output folder (default: outputs)")
    chk.add_argument("--fail-on", choices=["fail", "warn", "never"], default="never",
                     help="exit 1 when any check has this status or worse (default: never)")
    chk.add_argument("--all", action="store_true", help="also list passing checks")
    return p


def _ingest(a: argparse.Namespace) -> int:
    from .batch import ingest
    s = ingest(a.paths, a.out, {"ocr": not a.no_ocr, "timeout": a.timeout, "password": a.password}, a.jobs, a.force, progress=not a.quiet,
               scheduler=a.scheduler)
    print(f"files {s.files}: parsed {s.parsed}, skipped {s.skipped} (already in {a.out}); pages {s.pages}; "
          f"{s.seconds:.1f} s")
    print("rows: " + ", ".join(f"{k} {v}" for k, v in s.rows.items()))
    for path, err in s.failures:
        print(f"FAILED  {path}: {err}")
    for path, err in s.partial:
        print(f"PARTIAL {path}: {err}")
    return 0


def _check(a: argparse.Namespace) -> int:
    from .write import load
    if not os.path.isdir(os.path.join(a.out, "documents")):
        print(f"{a.out}: no reportparse output here (no documents/ folder); run `reportparse ingest` first",
              file=sys.stderr)
        return 2
    t = load(a.out)
    docs, checks = t["documents"], t["checks"]
    order = {"fail": 0, "warn": 1, "pass": 2}
    worst = 3
    for _, d in docs.iterrows():
        c = checks[checks.doc_id == d.doc_id]
        counts = c.status.value_counts().to_dict()
        base = os.path.basename(str(d.source))
        name = d.organization if isinstance(d.organization, str) else base
        print(f"{name} ({base}, {d.status}): " + ", ".join(f"{k} {counts.get(k, 0)}" for k in ("fail", "warn", "pass")))
        if d.status != "ok" and isinstance(d.error, str):
            print(f"  {d.status.upper()}: {d.error}")
        for _, r in c.sort_values("status", key=lambda s: s.map(order)).iterrows():
            worst = min(worst, order[r.status])
            if r.status == "pass" and not a.all:
                continue
            page = f"p.{int(r.page)}" if r.page is not None and str(r.page) != "<NA>" else "p.?"
            print(f"  {r.status.upper():4} {r.check:15} {page:5} {r.message}")
    limit = {"fail": 0, "warn": 1, "never": -1}[a.fail_on]
    return 1 if worst <= limit else 0


def main(argv: list[str] | None = None) -> int:
    a = _parser().parse_args(argv)
    try:
        return {"ingest": _ingest, "check": _check}[a.command](a)
    except RuntimeError as e:
        from .cluster import ClusterError
        if not isinstance(e, ClusterError):
            raise
        print(f"reportparse: {e}", file=sys.stderr)  # a cluster that cannot run this: a line, not a traceback
        return 2
    except BrokenPipeError:  # output piped into head and closed: stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
