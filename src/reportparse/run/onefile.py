"""One file, start to commit: the task every executor runs (the local pool's workers and the
Dask cluster's parse children), so both write the same rows the same way.
"""
from __future__ import annotations

import gc
import sys

from reportparse.messages import cause, say
from reportparse.model import Report
from reportparse.run.failures import PERMANENT, TRANSIENT
from reportparse.run.files import clean_message, display
from reportparse.settings import Settings
from reportparse.store import write


def summarize(report: Report, counts: dict[str, int], failure: str | None = None) -> dict:
    return {"status": report.status, "error": report.error, "pages": report.page_count or 0, "rows": counts,
            "failure": failure}


def process_one(path: str, doc_id: str, settings: Settings, out: str, progress=None, extra: dict | None = None,
                may_commit=None) -> dict:
    """Parse and write one file; any fault becomes that file's failed row, never a crash.
    A parser refusal is a permanent failure; running out of memory or a parser bug is
    transient (the next run tries again)."""
    from reportparse.run.pipeline import parse_pdf  # here, not at the top: the batch's parent never parses
    failure = None
    try:
        report = parse_pdf(path, settings, progress, doc_id)
        if report.status == "failed":
            failure = PERMANENT
    except MemoryError:
        report = Report(doc_id=doc_id, source=path, status="failed",
                        error=say("out_of_memory", mb=settings.memory_limit_mb))
        failure = TRANSIENT
    except Exception as e:  # a parser bug on one file must not cost the batch; the row says what broke
        report = Report(doc_id=doc_id, source=path, status="failed",
                        error=say("internal_error", cause=cause(e)))
        failure = TRANSIENT
    report.source = display(path)
    report.error = clean_message(report.error)
    extra = {**(extra or {}), "failure": failure}
    return summarize(report, write.write_report(report, out, extra, may_commit), failure)


def _no_pandas_in_pyarrow() -> None:
    """pyarrow imports pandas (0.2 s, more than parsing a short report) the first time it
    converts a Python list, only to ask whether the list is a pandas object. A worker
    never gives it one: its one try fails here, so pyarrow skips that question in this
    process (an explicit ``to_pandas`` would still import pandas: pyarrow tries again
    then). Only for the batch's own worker processes, never in a caller's."""
    import pyarrow as pa

    from reportparse._imports import refused
    with refused("pandas"):
        pa.array([0])


def worker_setup() -> None:
    """What a parse process does once, before its memory limit and before it says it is
    ready (the local pool's workers and the cluster's parse children): the parser's and the
    writer's imports, so they are not on the first file's clock or its memory; pyarrow kept
    from importing pandas; and the garbage collector tuned. The imported modules' objects live
    as long as the process: out of the collector's scans. A page makes tens of thousands of
    short-lived dicts that reference counting frees; the collector, which only looks for
    cycles, runs every 50 000 allocations instead of 700 (3 % of a worker's time)."""
    if "pandas" not in sys.modules:
        _no_pandas_in_pyarrow()
    from reportparse.read import pages  # noqa: F401  (the PDF reader: formats imports readers on first use)
    from reportparse.run import pipeline  # noqa: F401
    write.prepare()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def hung_or_died_row(task: tuple[str, str, dict], out: str, why: str) -> dict:
    """The failed row of a task whose worker hung or died: transient, the next run retries."""
    path, did, extra = task
    report = Report(doc_id=did, source=display(path), status="failed", error=why)
    return summarize(report, write.write_report(report, out, {**extra, "failure": TRANSIENT}), TRANSIENT)
