"""The check report an auditor reads (``reportparse check``): per document, failures first,
each finding with its page and the figures as the document writes them, then a closing
summary; the same content as JSON or CSV for scripts and spreadsheets.

Failed and partial files are findings too: a file that could not be parsed was not checked,
and a report that hides that reads as "all clear".
"""
from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass, field

from reportparse.cells import CSV_ROW_END, csv_cell
from reportparse.verify.figures import num

RANK = {"fail": 0, "warn": 1, "pass": 2}
LABEL = {"fail": "不一致", "warn": "需复核", "pass": "通过"}
DOC_LABEL = {"ok": "完整", "partial": "部分解析", "failed": "解析失败"}
DOC_RANK = {"failed": "fail", "partial": "warn", "ok": "pass"}  # a document's own status as a finding


@dataclass
class Audit:
    """Findings per document, ordered for reading: documents with failures first."""
    documents: list[dict] = field(default_factory=list)
    summary: dict = field(default_factory=dict)

    def worst(self) -> int:
        """Rank of the worst finding (0 fail, 1 warn, 2 pass, 3 nothing)."""
        ranks = [RANK[DOC_RANK[d["status"]]] for d in self.documents]
        ranks += [RANK[c["status"]] for d in self.documents for c in d["checks"]]
        return min(ranks, default=3)


def _plain(v):
    """A DataFrame cell as a JSON value (pandas NA and NaN as null)."""
    try:
        import pandas as pd
        if v is None or (not isinstance(v, (str, list)) and pd.isna(v)):
            return None
    except (TypeError, ValueError):
        pass
    return v.item() if hasattr(v, "item") else v


def build(tables: dict) -> Audit:
    """Group the checks by document; order checks fail, warn, pass and documents by their
    worst finding, then by file."""
    docs, checks = tables["documents"], tables["checks"]
    out = []
    for _, d in docs.iterrows():
        c = checks[checks.doc_id == d.doc_id]
        items = [{k: _plain(r[k]) for k in ("check", "status", "page", "message", "expected", "reported")}
                 for _, r in c.iterrows()]
        items.sort(key=lambda x: (RANK[x["status"]], x["page"] if x["page"] is not None else 10**9))
        row = {k: _plain(d[k]) for k in ("doc_id", "source", "status", "error", "organization", "title", "fiscal_year",
                                          "duplicate_of") if k in d}
        row["checks"] = items
        out.append(row)

    def rank(row: dict) -> tuple:
        worst = min([RANK[DOC_RANK[row["status"]]]] + [RANK[c["status"]] for c in row["checks"]])
        return worst, str(row["source"])
    out.sort(key=rank)
    sources = {r["doc_id"]: r["source"] for r in out}
    for r in out:
        if r.get("duplicate_of"):
            r["duplicate_of_source"] = sources.get(r["duplicate_of"])
    by_id: dict[str, dict[str, int]] = {}
    for row in out:
        for c in row["checks"]:
            by_id.setdefault(c["check"], {"fail": 0, "warn": 0, "pass": 0})[c["status"]] += 1
    statuses = [r["status"] for r in out]
    summary = {"documents": len(out), "ok": statuses.count("ok"), "partial": statuses.count("partial"),
               "failed": statuses.count("failed"),
               "failed_files": [r["source"] for r in out if r["status"] == "failed"],
               "duplicates": sum(1 for r in out if r.get("duplicate_of")),
               "checks": {k: sum(v[k] for v in by_id.values()) for k in ("fail", "warn", "pass")},
               "checks_failed_by_id": {k: v["fail"] for k, v in sorted(by_id.items()) if v["fail"]},
               "checks_warned_by_id": {k: v["warn"] for k, v in sorted(by_id.items()) if v["warn"]}}
    return Audit(out, summary)


def _name(row: dict) -> str:
    base = os.path.basename(str(row["source"]))
    return row["organization"] if isinstance(row.get("organization"), str) else base


def page_ref(p) -> str:
    return f"第{p}页" if p is not None else "页码不明"


def text(audit: Audit, show_pass: bool = False) -> str:
    """Plain text: a block per document, findings in order, then the summary."""
    lines = []
    for row in audit.documents:
        counts = {k: sum(c["status"] == k for c in row["checks"]) for k in RANK}
        year = f"{row['fiscal_year']}年度，" if row.get("fiscal_year") else ""
        lines.append(f"{_name(row)}（{year}{os.path.basename(str(row['source']))}，{DOC_LABEL[row['status']]}）："
                     f"不一致 {counts['fail']}，需复核 {counts['warn']}，通过 {counts['pass']}")
        if row["status"] != "ok" and isinstance(row.get("error"), str):
            lines.append(f"  {DOC_LABEL[row['status']]}：{row['error']}")
        if row.get("duplicate_of"):
            first = row.get("duplicate_of_source") or row["duplicate_of"]
            lines.append(f"  与{os.path.basename(str(first))}为同一报告，去重（--dedupe、load(dedupe=True)）时只计那一份")
        for c in row["checks"]:
            if c["status"] == "pass" and not show_pass:
                continue
            lines.append(f"  {LABEL[c['status']]:\u3000<3}  {c['check']:<14} {page_ref(c['page']):<6} {c['message']}")
        lines.append("")
    s = audit.summary
    by = "，".join(f"{k} {v}" for k, v in s["checks_failed_by_id"].items()) or "无"
    warned = "，".join(f"{k} {v}" for k, v in s["checks_warned_by_id"].items()) or "无"
    lines.append(f"汇总：文件 {s['documents']} 份：完整 {s['ok']}，部分解析 {s['partial']}，解析失败 {s['failed']}"
                 + (f"；其中 {s['duplicates']} 份与另一文件是同一报告，去重后 {s['documents'] - s['duplicates']} 份"
                    if s["duplicates"] else ""))
    lines.append(f"检查：不一致 {s['checks']['fail']} 项（{by}）；需复核 {s['checks']['warn']} 项（{warned}）；"
                 f"通过 {s['checks']['pass']} 项")
    for f in s["failed_files"]:
        lines.append(f"解析失败：{f}")
    return "\n".join(lines) + "\n"


def as_json(audit: Audit) -> str:
    return json.dumps({"documents": audit.documents, "summary": audit.summary}, ensure_ascii=False, indent=1) + "\n"


CSV_COLUMNS = ["source", "organization", "fiscal_year", "doc_status", "check", "status", "page", "message",
               "expected", "reported", "doc_id"]


def as_csv(audit: Audit) -> str:
    """One row per finding; a failed or partial file is a row with check ``parse``. Text that
    a spreadsheet would evaluate as a formula (a name, a message quoting the document) starts
    with ``'`` (``cells.csv_cell``); ``expected`` and ``reported`` are numbers and stay so."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=CSV_ROW_END)  # CRLF: a carriage return in a field is then quoted
    w.writerow(CSV_COLUMNS)
    for row in audit.documents:
        base = [csv_cell(v) for v in (row["source"], row.get("organization"), row.get("fiscal_year"), row["status"])]
        if row["status"] != "ok":
            w.writerow(base + ["parse", DOC_RANK[row["status"]], None, csv_cell(row.get("error")), None, None,
                               row["doc_id"]])
        for c in row["checks"]:
            w.writerow(base + [c["check"], c["status"], c["page"], csv_cell(c["message"]),
                               None if c["expected"] is None else num(c["expected"]),
                               None if c["reported"] is None else num(c["reported"]), row["doc_id"]])
    return buf.getvalue()
