"""Command line: a thin layer over ``batch.ingest``, the check report (``check``), the archive
audit (``audit``), the data dictionary (``schema``) and ``export``.

Exit codes (one convention for every subcommand): 0 done, nothing to report; 1 done, but
something is wrong in the data (ingest: some files failed; check, audit: a finding at or
above --fail-on); 2 could not run (bad arguments, a path that is not what it should be).
``reportparse`` alone prints the help and exits 2: it did nothing a script asked for.
Errors are one line on stderr starting with ``reportparse: ``.
"""
from __future__ import annotations

import argparse
import os
import sys

from reportparse.messages import cause, say
from reportparse.store.schema import DESCRIBED

from . import __version__


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error (``reportparse: …``) instead of usage plus message."""

    def error(self, message: str):  # type: ignore[override]
        sub = self.prog.split(" ", 1)[1] + " " if " " in self.prog else ""
        self.exit(2, f"reportparse: {message} (see `reportparse {sub}--help`)\n")


def fail(message: str) -> int:
    """Print a one-line error and return the could-not-run exit code."""
    print(f"reportparse: {message}", file=sys.stderr)
    return 2


EPILOG = ("exit codes: 0 done; 1 done but something failed (ingest: some files; check, audit: a finding at or above "
          "--fail-on); 2 could not run. `reportparse` alone prints this help and exits 2.")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="reportparse", description="Chinese performance self-evaluation reports "
                "(绩效自评报告) from PDF to Parquet tables.", epilog=EPILOG)
    p.add_argument("--version", action="version", version=f"reportparse {__version__}")
    sub = p.add_subparsers(dest="command")
    ing = sub.add_parser("ingest", help="parse PDFs, Word, Excel and saved web pages (files or folders, walked "
                         "recursively) into Parquet datasets")
    ing.add_argument("paths", nargs="+", metavar="PATH", help="files (PDF, .docx, .doc, .wps, .xlsx, .xls, .et, .html; read by their "
                     "content, not their name) or folders")
    ing.add_argument("--out", default="outputs", help="output folder (default: outputs)")
    ing.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    ing.add_argument("--timeout", default="120", help="seconds a file may go without finishing a page before it is failed (default: 120)")
    ing.add_argument("--memory-limit", default="4096", metavar="MB",
                     help="address space of each worker process in MB, 0 for none (default: 4096)")
    ing.add_argument("--force", action="store_true", help="re-parse files already in the output")
    ing.add_argument("--retry-failed", action="store_true",
                     help="re-parse every failed file (transient failures are retried anyway)")
    ing.add_argument("--no-ocr", action="store_true", help="do not OCR image-only or garbled pages")
    ing.add_argument("--ocr-engine", choices=["auto", "rapidocr", "tesseract"], default="auto",
                     help="OCR engine: auto is RapidOCR (PP-OCRv4) when installed, else Tesseract (default: auto)")
    ing.add_argument("--password", default="", help="password for encrypted PDFs (default: none)")
    ing.add_argument("--quiet", action="store_true", help="no progress lines")
    ing.add_argument("--scheduler", default=None, metavar="ADDRESS",
                     help="run the parses on the Dask cluster at this address (tls://HOST:PORT; tcp:// only on "
                     "loopback) instead of local processes; inputs and --out must be at the same paths on every worker")
    ing.add_argument("--tls-ca-file", default=None, metavar="FILE",
                     help="with --scheduler tls://: the CA certificate that signed the cluster's certificates (PEM)")
    ing.add_argument("--tls-cert", default=None, metavar="FILE",
                     help="with --scheduler tls://: this client's certificate (PEM, may hold its key)")
    ing.add_argument("--tls-key", default=None, metavar="FILE", help="with --scheduler tls://: this client's key (PEM)")
    ing.add_argument("--insecure-cluster", action="store_true",
                     help="allow a plain tcp:// scheduler that is not on loopback (anyone who reaches it can run "
                     "code on its workers)")
    chk = sub.add_parser("check", help="print the consistency checks of an output folder, failures first",
                         description="The check report: per document, failures first, each with its page and the "
                         "figures as the document writes them; then a summary.")
    chk.add_argument("out", nargs="?", default="outputs", help="output folder (default: outputs)")
    chk.add_argument("--fail-on", choices=["fail", "warn", "never"], default="never",
                     help="exit 1 when any check has this status or worse; a file that failed to parse counts as "
                     "fail, a partial one as warn (default: never)")
    chk.add_argument("--all", action="store_true", help="also list passing checks (text format)")
    chk.add_argument("--format", choices=["text", "json", "csv"], default="text", help="output format (default: text)")
    chk.add_argument("--dedupe", action="store_true", help="leave out files that are copies of another report")
    sch = sub.add_parser("schema", help="print the data dictionary: every table's columns in Chinese and English")
    sch.add_argument("table", nargs="?", choices=list(DESCRIBED), help="only this table (default: all)")
    sch.add_argument("--format", choices=["text", "markdown", "json"], default="text",
                     help="output format (default: text; markdown is docs/DATA_DICTIONARY.md)")
    exp = sub.add_parser("export", help="write an output folder as an Excel workbook or CSV files for spreadsheets")
    exp.add_argument("out", nargs="?", default="outputs", help="output folder (default: outputs)")
    exp.add_argument("--xlsx", metavar="FILE", help="workbook to write: a sheet per table, Chinese column labels, "
                     "money also in 万元")
    exp.add_argument("--csv", metavar="DIR", help="folder for one CSV per table (UTF-8 with BOM, for Excel)")
    exp.add_argument("--dedupe", action="store_true", help="one file per report and one row per measure pair")
    aud = sub.add_parser("audit", help="audit an output folder as an archive: figures that differ between documents, "
                         "targets and problems across years, text shared by units",
                         description="The archive audit: one unit's documents of a year against each other, its years "
                         "against each other, units against each other; writes OUT/findings and prints the findings, "
                         "failures first, then the units whose names were joined and the documents not placed.")
    aud.add_argument("out", nargs="?", default="outputs", help="output folder (default: outputs)")
    aud.add_argument("--aliases", metavar="CSV", help="names no rule can join: two columns, the name as written "
                     "and the unit it is")
    aud.add_argument("--fail-on", choices=["fail", "warn", "never"], default="never",
                     help="exit 1 when any finding has this severity or worse; a document that cannot be placed "
                     "(no unit or year, or failed to parse) counts as warn (default: never)")
    aud.add_argument("--format", choices=["text", "json", "csv"], default="text", help="output format (default: text)")
    aud.add_argument("--no-write", action="store_true", help="print only; do not write OUT/findings")
    rev = sub.add_parser("review", help="write a static review site: each figure boxed on its page image")
    rev.add_argument("out", nargs="?", default="outputs", metavar="OUT", help="output folder (default: outputs)")
    rev.add_argument("--out", dest="site", default="review", metavar="DIR",
                     help="folder for the site; page images already there are reused (default: review)")
    return p


def _fail(message: str) -> int:
    print(f"reportparse: {message}", file=sys.stderr)
    return 2


def _ingest(a: argparse.Namespace) -> int:
    """Exit 0 when every file was parsed (ok or partial) or skipped as done, 1 when some
    failed, 2 when the batch could not run; errors are one line on stderr."""
    import math

    from reportparse.run.batch import ingest
    from reportparse.run.failures import CannotRun
    from reportparse.run.files import display
    from reportparse.settings import Settings
    try:
        timeout = float(a.timeout)
        if not (math.isfinite(timeout) and timeout > 0):
            raise ValueError
    except ValueError:
        return _fail(f"--timeout must be a positive number of seconds, got {a.timeout!r}")
    try:
        memory = int(a.memory_limit)
        settings = Settings(ocr=not a.no_ocr, timeout=timeout, password=a.password, memory_limit_mb=memory,
                            ocr_engine=a.ocr_engine)
    except ValueError:
        return _fail(f"--memory-limit must be 0 (no limit) or a number of MB of at least 256, got {a.memory_limit!r}")
    if a.jobs is not None and a.jobs < 1:
        return _fail(f"--jobs must be at least 1, got {a.jobs}")
    scheduler = None
    if a.scheduler is not None:
        from reportparse.run.cluster import Scheduler
        try:  # refused here, before any file is read: a plain address off loopback, a TLS file missing
            scheduler = Scheduler(a.scheduler, a.tls_ca_file, a.tls_cert, a.tls_key, a.insecure_cluster)
        except CannotRun as e:
            return _fail(str(e))
    elif a.tls_ca_file or a.tls_cert or a.tls_key or a.insecure_cluster:
        return _fail("--tls-ca-file, --tls-cert, --tls-key and --insecure-cluster go with --scheduler")
    try:
        s = ingest(a.paths, a.out, settings, a.jobs, a.force, progress=not a.quiet, retry_failed=a.retry_failed,
                   scheduler=scheduler)
    except (FileNotFoundError, CannotRun) as e:
        return _fail(str(e).splitlines()[0] if str(e) else type(e).__name__)
    print(say("summary", files=s.files, parsed=s.parsed, skipped=s.skipped, out=display(a.out), pages=s.pages,
              seconds=f"{s.seconds:.1f}"))
    if s.retried:
        print(say("retried", n=s.retried, forced="、--retry-failed" if a.retry_failed else ""))
    print(say("rows", counts="，".join(f"{k} {v}" for k, v in s.rows.items())))
    for path, err in s.failures:
        print(f"FAILED  {path}: {err}")
    for path, err in s.partial:
        print(f"PARTIAL {path}: {err}")
    return 1 if s.failures else 0


def _load(out: str, dedupe: bool = False) -> dict:
    from reportparse.store.dataset import load
    return load(out, dedupe=dedupe)


def _check(a: argparse.Namespace) -> int:
    from reportparse.store.dataset import NotOutputError
    from reportparse.verify import report as audit
    try:
        report = audit.build(_load(a.out, a.dedupe))
    except NotOutputError as e:
        return fail(str(e))
    except (OSError, ValueError) as e:  # a damaged part file (pyarrow's errors are ValueErrors)
        return fail(say("cannot_read_output", out=a.out, cause=cause(e)))
    render = {"text": lambda r: audit.text(r, a.all), "json": audit.as_json, "csv": audit.as_csv}[a.format]
    sys.stdout.write(render(report))
    limit = {"fail": 0, "warn": 1, "never": -1}[a.fail_on]
    return 1 if report.worst() <= limit else 0


def _audit(a: argparse.Namespace) -> int:
    from reportparse.archive import orgkey
    from reportparse.archive import report as archive
    from reportparse.store.dataset import NotOutputError
    try:
        result = archive.audit(a.out, a.aliases, write=not a.no_write)
    except (NotOutputError, orgkey.AliasError) as e:
        return fail(str(e))
    except OSError as e:
        return fail(say("cannot_read_or_write", why=f"{e.strerror or e}: {e.filename or ''}".rstrip(": ")))
    except ValueError as e:  # a damaged part file (pyarrow's errors are ValueErrors)
        return fail(say("cannot_read_output", out=a.out, cause=cause(e)))
    sys.stdout.write({"text": archive.text, "json": archive.as_json, "csv": archive.as_csv}[a.format](result))
    limit = {"fail": 0, "warn": 1, "never": -1}[a.fail_on]
    return 1 if result.worst() <= limit else 0


def _schema(a: argparse.Namespace) -> int:
    import json

    from reportparse.store import schema
    tables = [a.table] if a.table else list(schema.DESCRIBED)
    if a.format == "markdown":
        sys.stdout.write(schema.dictionary_markdown(tables))
    elif a.format == "json":
        print(json.dumps({t: [{"name": n, "type": schema.type_name(ty), "zh": zh, "en": en,
                               "in_files": (n, ty, zh, en) in schema.DESCRIBED[t]}
                              for n, ty, zh, en in schema.DESCRIBED[t] + schema.LOAD_COLUMNS.get(t, [])]
                          for t in tables}, ensure_ascii=False, indent=1))
    else:
        sys.stdout.write(schema.dictionary_text(tables))
    return 0


def _export(a: argparse.Namespace) -> int:
    from reportparse.store import export
    from reportparse.store.dataset import NotOutputError
    if not a.xlsx and not a.csv:
        return fail("export needs --xlsx FILE or --csv DIR (or both)")
    try:
        tables = _load(a.out, a.dedupe)
        if a.xlsx:
            print(f"wrote {export.to_xlsx(tables, a.xlsx)}")
        if a.csv:
            print(f"wrote {len(export.to_csv(tables, a.csv))} CSV files to {a.csv}")
    except (NotOutputError, export.ExportError) as e:
        return fail(str(e))
    except OSError as e:
        return fail(say("cannot_read_or_write", why=f"{e.strerror or e}: {e.filename or ''}".rstrip(": ")))
    except ValueError as e:  # a damaged part file
        return fail(say("cannot_read_output", out=a.out, cause=cause(e)))
    return 0


def _review(a: argparse.Namespace) -> int:
    from reportparse.review import build
    from reportparse.store.dataset import NotOutputError, check_output
    try:
        check_output(a.out)
    except NotOutputError as e:
        return fail(str(e))
    s = build(a.out, a.site)
    print(f"{s.documents} documents; page images: {s.pages_rendered} rendered, {s.pages_reused} reused; "
          f"open {os.path.join(a.site, 'index.html')}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    a = parser.parse_args(argv)
    if a.command is None:  # plain `reportparse`: show what it can do; exit 2, it did nothing asked
        parser.print_help()
        return 2
    try:
        return {"ingest": _ingest, "check": _check, "audit": _audit, "schema": _schema, "export": _export,
                "review": _review}[a.command](a)
    except BrokenPipeError:  # output piped into head and closed: stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
