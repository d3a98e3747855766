"""The archive audit as a whole: read the output folder, decide the units, find, write the
``findings`` dataset beside the six tables, and render the report (text, JSON, CSV).

Documents the audit cannot place (no unit or no year, or the file failed to parse) are
counted and listed, never dropped: an archive audit that silently skipped a third of the
files would read as "all clear".
"""
from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from reportparse.archive import findings as F
from reportparse.archive import orgkey, tables
from reportparse.store.schema import ARCHIVE_COLUMNS
from reportparse.cells import CSV_ROW_END, csv_cell

RANK = {"fail": 0, "warn": 1}
LABEL = {"fail": "不一致", "warn": "需复核"}
PART = "part-audit.parquet"


@dataclass
class Audit:
    """What ``reportparse audit`` found: the findings (rows of the ``findings`` table), the units
    with every name joined under each, the documents it could not place, and a summary."""
    findings: list[dict] = field(default_factory=list)
    units: list[dict] = field(default_factory=list)
    unplaced: list[dict] = field(default_factory=list)
    summary: dict = field(default_factory=dict)

    def frame(self) -> "pd.DataFrame":
        """The findings as a DataFrame typed like the table (nullable Int64, as ``load()`` gives)."""
        import pandas as pd
        import pyarrow as pa

        from reportparse.store.schema import ARCHIVE_SCHEMAS
        t = pa.Table.from_pylist(self.findings, schema=ARCHIVE_SCHEMAS["findings"])
        return t.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}.get)

    def worst(self) -> int:
        """Rank of the worst finding (0 fail, 1 warn, 3 nothing); an unplaced document is a warn."""
        ranks = [RANK[f["severity"]] for f in self.findings] + [1 for _ in self.unplaced]
        return min(ranks, default=3)


def _row(i: int, f: F.Finding, keys: orgkey.OrgKeys, rules: dict[str, str]) -> dict:
    return {"finding_id": i, "kind": f.kind, "severity": f.severity, "org_key": f.org_key,
            "org_rule": rules.get(f.org_key, "exact"), "org_names": "\n".join(keys.names.get(f.org_key, [])),
            "fiscal_year": f.fiscal_year, "other_year": f.other_year, "doc_id": f.doc_id, "page": f.page,
            "other_doc_id": f.other_doc_id, "other_page": f.other_page,
            "doc_ids": "\n".join(d for d, _ in f.docs), "pages": "\n".join("" if p is None else str(p) for _, p in f.docs),
            "subject": f.subject, "value": f.value, "other_value": f.other_value, "value_text": f.value_text,
            "other_value_text": f.other_value_text, "similarity": f.similarity, "message": f.message,
            "quote": f.quote, "other_quote": f.other_quote}


def _key_rules(keys: orgkey.OrgKeys) -> dict[str, str]:
    """Per key, the rules that joined its names (the strongest first): ``exact``, or e.g.
    ``normalized+prefix`` when one name needed both."""
    out: dict[str, list[str]] = {}
    for _, (key, rule) in sorted(keys.keys.items()):
        out.setdefault(key, [])
        for r in rule.split("+"):
            if r not in out[key]:
                out[key].append(r)
    order = list(orgkey.RULES)
    return {k: "+".join(sorted((r for r in v if r != "exact"), key=order.index)) or "exact" for k, v in out.items()}


def audit(out: str | Path, aliases: str | Path | None = None, write: bool = True) -> Audit:
    """Audit an output folder across documents and years; write ``OUT/findings`` unless
    ``write`` is False. Raises store.dataset.NotOutputError on a folder that is not output,
    orgkey.AliasError on an aliases file that cannot be used."""
    alias_map = orgkey.read_aliases(aliases) if aliases else {}
    t = tables.read(out)
    names = [d["organization"] for d in t.documents if d["organization"]]
    keys = orgkey.decide(names, alias_map)
    archive = F.Archive(t, keys)
    found = F.all_findings(archive)
    rules = _key_rules(keys)
    rows = [_row(i, f, keys, rules) for i, f in enumerate(found)]
    units = [{"org_key": k, "rule": rules[k], "names": v,
              "documents": sum(1 for d in archive.placed.values() if d["org_key"] == k)}
             for k, v in sorted(keys.names.items())]
    unplaced = []
    for d in sorted(archive.docs.values(), key=lambda d: str(d["source"])):
        if d["doc_id"] in archive.placed:
            continue
        if d["status"] == "failed":
            why = f"解析失败：{d['error'] or '原因不明'}"
        else:
            why = "、".join(w for w, miss in (("单位名称", not d["org_key"]), ("年度", d["fiscal_year"] is None)) if miss)
            why = f"缺少{why}"
        unplaced.append({"doc_id": d["doc_id"], "source": d["source"], "status": d["status"],
                         "doc_type": d["doc_type"], "organization": d["organization"],
                         "fiscal_year": d["fiscal_year"], "reason": why})
    years = sorted({d["fiscal_year"] for d in archive.placed.values()})
    by_kind = {k: sum(1 for f in found if f.kind == k) for k in F.KINDS}
    summary = {"documents": len(archive.docs), "placed": len(archive.placed), "unplaced": len(unplaced),
               "units": len({d["org_key"] for d in archive.placed.values()}),
               "joined_names": sum(1 for u in units if len(u["names"]) > 1),
               "years": [years[0], years[-1]] if years else [],
               "fail": sum(f.severity == "fail" for f in found), "warn": sum(f.severity == "warn" for f in found),
               "by_kind": {k: v for k, v in by_kind.items() if v}}
    result = Audit(rows, units, unplaced, summary)
    if write:
        write_findings(result, out)
    return result


def write_findings(result: Audit, out: str | Path) -> list[Path]:
    """``OUT/findings/year=<fiscal_year>/part-audit.parquet``, each written to a temp name and
    renamed; parts of an earlier audit for years that have no findings now are removed, and an
    audit with no findings leaves one empty part so readers see the columns."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from reportparse.store.schema import ARCHIVE_SCHEMAS
    schema = ARCHIVE_SCHEMAS["findings"]
    folder = Path(out) / "findings"
    by_year: dict[int, list[dict]] = {}
    for r in result.findings:
        by_year.setdefault(r["fiscal_year"] or 0, []).append(r)
    if not by_year:
        by_year[0] = []
    written = []
    for year, rows in sorted(by_year.items()):
        path = folder / f"year={year}" / PART
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{PART}.{os.getpid()}.tmp")
        pq.write_table(pa.Table.from_pylist(rows, schema=schema), tmp)
        os.replace(tmp, path)
        written.append(path)
    for old in folder.glob(f"year=*/{PART}"):
        if old not in written:
            old.unlink()
    return written


# --- rendering ---

def _yr(f: dict) -> str:
    return f"{f['fiscal_year']}年度" if f.get("fiscal_year") else ""


def text(result: Audit) -> str:
    """The report an auditor reads: failures first, by kind, each finding under its unit and
    year; then the units whose names were joined, the documents not placed, a summary."""
    s = result.summary
    lines = [f"档案核查：文件 {s['documents']} 份，纳入核查 {s['placed']} 份，单位 {s['units']} 个"
             + (f"，年度 {s['years'][0]}–{s['years'][1]}" if s["years"] else ""), ""]
    for sev in ("fail", "warn"):
        for kind, (ksev, title) in F.KINDS.items():
            rows = [f for f in result.findings if f["kind"] == kind and f["severity"] == sev]
            if ksev != sev or not rows:
                continue
            lines.append(f"【{LABEL[sev]}】{title}（{kind}）：{len(rows)} 项")
            for f in rows:
                lines.append(f"  {f['org_key']} {_yr(f)}：{f['message']}")
                if kind in ("item_repeated", "text_copied") and f.get("quote"):
                    lines.append(f"      本年：「{_short(f['quote'])}」")
                    if f.get("other_quote"):
                        lines.append(f"      {'上年' if kind == 'item_repeated' else '另一单位'}：「{_short(f['other_quote'])}」")
            lines.append("")
    joined = [u for u in result.units if len(u["names"]) > 1 or u["rule"] != "exact"]
    if joined:
        lines.append(f"单位识别：{len(joined)} 个单位的名称经归并（规则见 findings.org_rule）")
        for u in joined:
            rules = "；".join(orgkey.RULES[r] for r in u["rule"].split("+"))
            lines.append(f"  {u['org_key']} ← {'、'.join(u['names'])}（{rules}）")
        lines.append("")
    if result.unplaced:
        lines.append(f"未能归位的文件 {len(result.unplaced)} 份（无单位或年度，或解析失败），未纳入核查：")
        for d in result.unplaced:
            lines.append(f"  {d['source']}：{d['reason']}")
        lines.append("")
    by = "，".join(f"{k} {v}" for k, v in s["by_kind"].items()) or "无"
    lines.append(f"汇总：不一致 {s['fail']} 项，需复核 {s['warn']} 项（{by}）；未能归位的文件 {s['unplaced']} 份")
    return "\n".join(lines) + "\n"


def _short(t: str, limit: int = 80) -> str:
    t = " ".join(str(t).split())
    return t if len(t) <= limit else t[:limit] + "……"


def as_json(result: Audit) -> str:
    return json.dumps({"findings": result.findings, "units": result.units, "unplaced": result.unplaced,
                       "summary": result.summary}, ensure_ascii=False, indent=1) + "\n"


CSV_COLUMNS = [c for c, *_ in ARCHIVE_COLUMNS["findings"]]


def as_csv(result: Audit) -> str:
    """One row per finding (the findings table's columns); a document not placed is a row of
    kind ``unplaced`` (severity warn) with the reason as its message."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=CSV_ROW_END)  # document text stays text (reportparse.cells)
    w.writerow(CSV_COLUMNS)
    for f in result.findings:
        w.writerow([csv_cell("" if f[c] is None else f[c]) for c in CSV_COLUMNS])
    for d in result.unplaced:
        row = {c: "" for c in CSV_COLUMNS}
        row.update(kind="unplaced", severity="warn", doc_id=d["doc_id"], doc_ids=d["doc_id"],
                   fiscal_year=d["fiscal_year"] or "", message=f"{d['source']}：{d['reason']}")
        w.writerow([csv_cell(row[c]) for c in CSV_COLUMNS])
    return buf.getvalue()
