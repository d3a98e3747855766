"""The archive audit's findings: between the documents of one unit and year, between years of
one unit, between units.

Each finding names every document it compares (doc_id, page, the figure as written, the
quote), so a reader can open each side. Kinds (stable ids, ``findings.kind``):

- ``figure_mismatch`` (fail): one figure of one unit and year written differently in two
  documents: 实际支出, 年初预算, 调整后预算 (自评报告 / 自评表 / 部门决算 / 部门预算 of that year),
  the self-score, an indicator's actual;
- ``item_repeated`` (warn): a problem or improvement restated from the year before;
- ``target_below_last_actual`` (warn): a target at or below what the unit achieved the year
  before (绩效目标设置偏低);
- ``target_kept_exceeded`` (warn): the same target two years running, exceeded by far both years;
- ``score_high_unmet`` (warn): a self-score of 90 or more beside unmet targets or a low
  execution rate, with the district's figures beside it;
- ``text_copied`` (warn): the same paragraph in the reports of different units.
"""
from __future__ import annotations

import os
import statistics
from dataclasses import dataclass, field, fields

import regex

from reportparse import patterns
from reportparse.archive import similar
from reportparse.archive.orgkey import OrgKeys, district
from reportparse.verify.figures import num, page_ref

KINDS = {
    "figure_mismatch": ("fail", "同一数字在两份文件中不一致"),
    "item_repeated": ("warn", "问题或改进措施与上年基本相同"),
    "target_below_last_actual": ("warn", "绩效目标不高于上年实际完成值（目标设置偏低）"),
    "target_kept_exceeded": ("warn", "目标连年不变而实际完成远超目标"),
    "score_high_unmet": ("warn", "自评得分高但目标未完成或执行率低"),
    "text_copied": ("warn", "不同单位的报告中出现相同段落"),
}
DOC_TYPE_ZH = {"dept_report": "部门整体自评报告", "project_report": "项目自评报告", "self_eval_table": "绩效自评表",
               "target_table": "绩效目标表", "final_accounts": "部门决算", "budget": "部门预算", "other": "其他文件"}
ROLE = {"dept_report": "report", "project_report": "report", "self_eval_table": "table", "final_accounts": "accounts",
        "budget": "budget"}
# which documents state each figure, in the order the first one present is compared with the others
FIGURES = {"expenditure": ("实际支出", ("report", "table", "accounts")),
           "budget_initial": ("年初预算", ("report", "table", "budget", "accounts")),
           "budget_adjusted": ("调整后预算", ("report", "table", "accounts")),
           "self_score": ("自评得分", ("report", "table"))}
HIGH_SCORE = 90.0    # 优秀 in the usual grading
LOW_RATE = 80.0      # 预算执行率 (%) below which a high score wants an explanation
FAR_EXCEEDED = 1.5   # actual at least this many times the target, two years running
MONEY_STEP = {"元": 0.01, "万元": 100.0, "亿元": 1e6}  # the last digit of a figure written with two decimals
NUMBER = regex.compile(r"[0-9][0-9,]*(?:\.([0-9]+))?")


@dataclass
class Finding:
    kind: str
    org_key: str
    fiscal_year: int | None
    doc_id: str
    page: int | None
    message: str
    other_year: int | None = None
    other_doc_id: str | None = None
    other_page: int | None = None
    subject: str | None = None
    value: float | None = None
    other_value: float | None = None
    value_text: str | None = None
    other_value_text: str | None = None
    similarity: float | None = None
    quote: str | None = None
    other_quote: str | None = None
    docs: list[tuple[str, int | None]] = field(default_factory=list)  # every (doc_id, page) compared

    @property
    def severity(self) -> str:
        return KINDS[self.kind][0]


def _group(rows: list[dict], keep) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in rows:
        if keep(r):
            out.setdefault(r["doc_id"], []).append(r)
    return out


def _scope(d: dict) -> str:
    """What a document is about inside its unit: its project (normalized), "" for the unit as
    a whole, or a scope of its own for a project document whose project was not read (it
    could be any project of the unit, so it is compared with nothing)."""
    if d["doc_type"] in ("dept_report", "final_accounts", "budget"):
        return ""
    if d.get("project"):
        return similar.plain(d["project"])
    if patterns.archive_words().project_title.search(d.get("title") or ""):
        return f"?{d['doc_id']}"
    return ""


class Archive:
    """The documents placed by unit, year and scope (the project, or the whole unit)."""

    def __init__(self, tables, keys: OrgKeys) -> None:
        self.t = tables
        self.keys = keys
        self.docs: dict[str, dict] = {}
        for d in tables.documents:
            d = dict(d)
            d["org_key"] = keys.key(d["organization"])
            d["role"] = ROLE.get(d["doc_type"] or "")
            d["scope"] = _scope(d)
            self.docs[d["doc_id"]] = d
        self.placed = {i: d for i, d in self.docs.items() if d["status"] != "failed" and d["org_key"]
                       and d["fiscal_year"] is not None}
        self.groups: dict[tuple, list[dict]] = {}  # (org_key, year, scope) -> documents
        for d in sorted(self.placed.values(), key=lambda d: (d["status"] != "ok", str(d["source"]))):
            self.groups.setdefault((d["org_key"], d["fiscal_year"], d["scope"]), []).append(d)
        self.amounts = _group(tables.amounts, lambda r: r["currency"] == "CNY" and r["amount"] is not None)
        self.measures = _group(tables.measures, lambda m: m["doc_id"] in self.placed and m["duplicate_of"] is None
                               and bool(m["indicator"]))
        self.items = _group(tables.items, lambda r: r["doc_id"] in self.placed and bool(r["text"]))

    def name(self, d: dict) -> str:
        """A document as the message names it: its type in Chinese and its title (or file)."""
        title = d.get("title") or os.path.basename(str(d["source"]))
        return f"{DOC_TYPE_ZH.get(d['doc_type'] or 'other', '文件')}《{title}》"

    def written(self, d: dict, fld: str) -> tuple[int | None, str, str | None, float]:
        """A document's money field as written, its page and quote (from its amounts), and the
        step of its last digit in yuan."""
        value = d[fld]
        label_rx = patterns.archive_words().figure_labels[fld]
        same = [r for r in self.amounts.get(d["doc_id"], []) if abs(r["amount"] - value) <= 0.5]
        if same:
            same.sort(key=lambda r: (not (isinstance(r["label"], str) and label_rx.search(r["label"])),
                                     r["page"] or 10**6))
            r = same[0]
            return r["page"], f"{num(r['value'])}{r['unit_text']}", r["quote"], MONEY_STEP.get(r["unit_text"], 0.01)
        return None, f"{num(value / 10**4, 2)}万元", None, MONEY_STEP["万元"]


def _decimals(text: str | None) -> int | None:
    m = NUMBER.search(text or "")
    return (len(m.group(1)) if m.group(1) else 0) if m else None


def figure_mismatch(a: Archive) -> list[Finding]:
    out = []
    for (org, year, scope), docs in a.groups.items():
        by_role: dict[str, list[dict]] = {}
        for d in docs:
            if d["role"]:
                by_role.setdefault(d["role"], []).append(d)
        for fld, (label, roles) in FIGURES.items():
            have = [d for r in roles for d in by_role.get(r, []) if d[fld] is not None]  # 决算, 预算: the unit's own
            if len(have) < 2:
                continue
            first = have[0]
            for other in have[1:]:
                if other["doc_id"] == first["doc_id"]:
                    continue
                x, y = first[fld], other[fld]
                if fld == "self_score":
                    if abs(x - y) <= 0.005:
                        continue
                    p1 = p2 = None
                    t1, t2, q1, q2 = f"{num(x)}分", f"{num(y)}分", None, None
                else:
                    p1, t1, q1, s1 = a.written(first, fld)
                    p2, t2, q2, s2 = a.written(other, fld)
                    if abs(x - y) <= max(s1, s2) + 1e-6:
                        continue
                out.append(Finding(
                    "figure_mismatch", org, year, first["doc_id"], p1, other_year=year, other_doc_id=other["doc_id"],
                    other_page=p2, subject=label, value=x, other_value=y, value_text=t1, other_value_text=t2,
                    quote=q1, other_quote=q2, docs=[(first["doc_id"], p1), (other["doc_id"], p2)],
                    message=f"{year}年度{label}：{a.name(first)}{page_ref(p1)}写{t1}，{a.name(other)}{page_ref(p2)}"
                            f"写{t2}，两者不一致"))
        out += _actual_mismatch(a, org, year, by_role)
    return out


def _actual_mismatch(a: Archive, org: str, year: int, by_role: dict[str, list[dict]]) -> list[Finding]:
    """An indicator's actual in the 自评报告 against the same indicator in the 自评表."""
    out = []
    for rep in by_role.get("report", []):
        for tab in by_role.get("table", []):
            rows = [m for m in a.measures.get(tab["doc_id"], []) if m["actual_value"] is not None]
            for m in a.measures.get(rep["doc_id"], []):
                if m["actual_value"] is None:
                    continue
                best = _best(m, rows)
                if best is None:
                    continue
                x, y = m["actual_value"], best["actual_value"]
                places = [p for p in (_decimals(m["actual_text"]), _decimals(best["actual_text"])) if p is not None]
                if abs(x - y) <= 0.5 * 10 ** -(min(places) if places else 6) + 1e-9:
                    continue
                t1, t2 = m["actual_text"] or num(x), best["actual_text"] or num(y)
                out.append(Finding(
                    "figure_mismatch", org, year, rep["doc_id"], m["page"], other_year=year, other_doc_id=tab["doc_id"],
                    other_page=best["page"], subject=m["indicator"], value=x, other_value=y, value_text=t1,
                    other_value_text=t2, quote=m["quote"], other_quote=best["quote"],
                    docs=[(rep["doc_id"], m["page"]), (tab["doc_id"], best["page"])],
                    message=f"{year}年度指标“{m['indicator']}”的实际完成值：{a.name(rep)}{page_ref(m['page'])}写{t1}，"
                            f"{a.name(tab)}{page_ref(best['page'])}写{t2}，两者不一致"))
    return out


def _best(m: dict, rows: list[dict]) -> dict | None:
    """The row of ``rows`` that states the same indicator as ``m`` (same unit, most alike name)."""
    best, score = None, similar.INDICATOR_SIMILAR
    for r in rows:
        if (r["unit"] or "") != (m["unit"] or ""):
            continue
        s = similar.indicator_similarity(m["indicator"], r["indicator"])
        if s >= score and (best is None or s > score):
            best, score = r, s
    return best


def _canonical_measures(a: Archive, docs: list[dict]) -> list[tuple[dict, dict]]:
    """One row per indicator of a unit-year: the 自评表's row first, else the report's."""
    rows = [(d, m) for d in docs if d["role"] in ("report", "table") for m in a.measures.get(d["doc_id"], [])]
    rows.sort(key=lambda dm: (dm[1]["origin"] != "table", dm[0]["role"] != "table", dm[1]["measure_id"] or 0))
    seen, out = set(), []
    for d, m in rows:
        k = similar.plain(m["indicator"])
        if k and k not in seen:
            seen.add(k)
            out.append((d, m))
    return out


def _series(a: Archive) -> dict[tuple[str, str], dict[int, list[dict]]]:
    """(org_key, scope) -> year -> documents."""
    out: dict[tuple[str, str], dict[int, list[dict]]] = {}
    for (org, year, scope), docs in a.groups.items():
        out.setdefault((org, scope), {})[year] = docs
    return out


HIGHER = {">=", ">", "=", "~"}
LOWER = {"<=", "<"}


def targets(a: Archive) -> list[Finding]:
    out = []
    for (org, scope), years in _series(a).items():
        for year in sorted(years):
            if year - 1 not in years:
                continue  # no predecessor: nothing to compare
            cur = _canonical_measures(a, years[year])
            prev = _canonical_measures(a, years[year - 1])
            prev_rows = [m for _, m in prev]
            prev_doc = {id(m): d for d, m in prev}
            for d, m in cur:
                op, t = m["target_op"], m["target_value"]
                if t is None or op not in HIGHER | LOWER:
                    continue
                p = _best(m, prev_rows)
                if p is None or p["actual_value"] is None:
                    continue
                pd_ = prev_doc[id(p)]
                pa, pt = p["actual_value"], p["target_value"]
                tt = m["target_text"] or num(t)
                pat = p["actual_text"] or num(pa)
                common = dict(other_year=year - 1, other_doc_id=pd_["doc_id"], other_page=p["page"],
                              subject=m["indicator"], value=t, other_value=pa, value_text=tt, other_value_text=pat,
                              quote=m["quote"], other_quote=p["quote"], docs=[(d["doc_id"], m["page"]), (pd_["doc_id"], p["page"])])
                a_now = m["actual_value"]
                if (op in HIGHER and pt is not None and abs(pt - t) <= 1e-9 and a_now is not None and t > 0
                        and a_now >= FAR_EXCEEDED * t and pa >= FAR_EXCEEDED * t):
                    out.append(Finding("target_kept_exceeded", org, year, d["doc_id"], m["page"], **common, message=(
                        f"指标“{m['indicator']}”{year - 1}、{year}年度目标均为{tt}（{a.name(pd_)}{page_ref(p['page'])}，"
                        f"{a.name(d)}{page_ref(m['page'])}），实际完成{pat}、{m['actual_text'] or num(a_now)}，"
                        f"均超过目标的{num(FAR_EXCEEDED)}倍，目标未随实绩调整")))
                    continue
                if op in HIGHER:
                    low = t <= pa and not (m["unit"] == "%" and t >= 100)
                else:
                    low = t >= pa
                if low:
                    out.append(Finding("target_below_last_actual", org, year, d["doc_id"], m["page"], **common, message=(
                        f"指标“{m['indicator']}”{year}年度目标为{tt}（{a.name(d)}{page_ref(m['page'])}），"
                        f"而{year - 1}年度已实际完成{pat}（{a.name(pd_)}{page_ref(p['page'])}），目标设置偏低")))
    return out


def _canonical_items(a: Archive, docs: list[dict]) -> list[tuple[dict, dict, frozenset]]:
    seen, out = set(), []
    for d in docs:
        if d["role"] not in ("report", "table"):
            continue
        for it in a.items.get(d["doc_id"], []):
            k = (it["kind"], similar.plain(it["text"]))
            if k not in seen and similar.han_len(it["text"]) >= similar.ITEM_MIN:
                seen.add(k)
                out.append((d, it, similar.shingles(it["text"])))
    return out


def items_repeated(a: Archive) -> list[Finding]:
    out = []
    zh = {"problem": "问题", "improvement": "改进措施"}
    for (org, scope), years in _series(a).items():
        run: dict[int, int] = {}  # id(item) -> years running
        canon = {y: _canonical_items(a, docs) for y, docs in years.items()}
        for year in sorted(years):
            for d, it, sh in canon[year]:
                run[id(it)] = 1
                if year - 1 not in canon:
                    continue
                best, score = None, similar.ITEM_SIMILAR
                for pd_, pit, psh in canon[year - 1]:
                    if pit["kind"] != it["kind"]:
                        continue
                    s = similar.jaccard(sh, psh)
                    if s >= score:
                        best, score = (pd_, pit), s
                if best is None:
                    continue
                pd_, pit = best
                run[id(it)] = run.get(id(pit), 1) + 1
                n = run[id(it)]
                kind = zh.get(it["kind"], it["kind"])
                out.append(Finding(
                    "item_repeated", org, year, d["doc_id"], it["page"], other_year=year - 1,
                    other_doc_id=pd_["doc_id"], other_page=pit["page"], subject=kind, similarity=round(score, 3),
                    quote=it["text"], other_quote=pit["text"],
                    docs=[(d["doc_id"], it["page"]), (pd_["doc_id"], pit["page"])],
                    message=(f"{year}年度{kind}第{it['ordinal']}条（{a.name(d)}{page_ref(it['page'])}）与{year - 1}年度"
                             f"第{pit['ordinal']}条（{a.name(pd_)}{page_ref(pit['page'])}）基本相同"
                             f"（文字相似度{score:.0%}）" + (f"，已连续{n}年出现" if n >= 3 else ""))))
    return out


def _rate(docs: list[dict]) -> float | None:
    for d in docs:
        if d["execution_rate"] is not None:
            return d["execution_rate"]
    for d in docs:
        if d["expenditure"] is not None and d["budget_adjusted"]:
            return d["expenditure"] / d["budget_adjusted"] * 100
    return None


def score_high_unmet(a: Archive) -> list[Finding]:
    stats: dict[tuple[str | None, int], list[float]] = {}
    cases = []
    for (org, year, scope), docs in a.groups.items():
        scored = [d for r in ("report", "table") for d in docs if d["role"] == r and d["self_score"] is not None]
        if not scored:
            continue
        d = scored[0]
        stats.setdefault((district(org), year), []).append(d["self_score"])
        cases.append((org, year, scope, docs, d))
    out = []
    for org, year, scope, docs, d in cases:
        score = d["self_score"]
        if score < HIGH_SCORE:
            continue
        unmet = [(dd, m) for dd, m in _canonical_measures(a, docs) if m["met"] is False]
        rate = _rate([x for r in ("report", "table", "accounts") for x in docs if x["role"] == r])
        if not unmet and (rate is None or rate >= LOW_RATE):
            continue
        why = []
        if unmet:
            names = "、".join(f"“{m['indicator']}”（目标{m['target_text'] or num(m['target_value'])}，实际"
                             f"{m['actual_text'] or num(m['actual_value'])}，{page_ref(m['page'])}）" for _, m in unmet[:5])
            why.append(f"{len(unmet)}项指标未达目标：{names}" + ("等" if len(unmet) > 5 else ""))
        if rate is not None and rate < LOW_RATE:
            why.append(f"预算执行率{num(rate, 2)}%")
        dist = district(org)
        peers = stats.get((dist, year), [])
        peer = (f"；同地区（{dist}）{year}年度{len(peers)}个单位自评得分中位数{num(statistics.median(peers), 2)}分"
                if dist and len(peers) >= 2 else "")
        first = unmet[0] if unmet else (d, None)
        page = first[1]["page"] if first[1] else None
        out.append(Finding(
            "score_high_unmet", org, year, d["doc_id"], page, subject="自评得分", value=score,
            value_text=f"{num(score)}分", other_value=rate, other_value_text=None if rate is None else f"{num(rate, 2)}%",
            other_doc_id=first[0]["doc_id"] if first[0]["doc_id"] != d["doc_id"] else None,
            quote=first[1]["quote"] if first[1] else None,
            docs=[(d["doc_id"], None)] + [(dd["doc_id"], m["page"]) for dd, m in unmet[:5]],
            message=f"{year}年度自评得分{num(score)}分（{a.name(d)}），但" + "，".join(why) + peer))
    return out


def text_copied(a: Archive) -> list[Finding]:
    """Paragraphs of reports whose skeleton (names removed, Han only) recurs in another unit's report."""
    reports = {i for i, d in a.placed.items() if d["role"] == "report"}
    seen: dict[str, list[tuple[str, int | None, str]]] = {}
    for sec in a.t.sections:
        doc_id, page, text = sec["doc_id"], sec["page_start"], sec["text"]
        if doc_id not in reports or not text:
            continue
        d = a.placed[doc_id]
        names = [d["organization"], d["org_key"]] + a.keys.names.get(d["org_key"], [])
        dist = district(d["org_key"])
        if dist:
            names.append(d["org_key"][len(dist):])
        for para in str(text).split("\n"):
            sk = similar.skeleton(para, names)
            if len(sk) >= similar.PARAGRAPH_MIN:
                seen.setdefault(sk, []).append((doc_id, page, para))
    by_docs: dict[tuple[str, ...], list[list[tuple[str, int | None, str]]]] = {}
    for sk, where in seen.items():
        orgs = {a.placed[i]["org_key"] for i, _, _ in where}
        if len(orgs) < 2:
            continue
        first: dict[str, tuple[str, int | None, str]] = {}
        for w in where:
            first.setdefault(w[0], w)
        by_docs.setdefault(tuple(sorted(first)), []).append(list(first.values()))
    out = []
    for doc_ids, paras in by_docs.items():
        where = sorted(paras[0], key=lambda w: (a.placed[w[0]]["org_key"], a.placed[w[0]]["fiscal_year"]))
        d0 = a.placed[where[0][0]]
        other = next(w for w in where if a.placed[w[0]]["org_key"] != d0["org_key"])
        listing = "；".join(f"{a.placed[i]['org_key']}（{a.placed[i]['fiscal_year']}年度{a.name(a.placed[i])}{page_ref(p)}）"
                           for i, p, _ in where[:10]) + ("等" if len(where) > 10 else "")
        out.append(Finding(
            "text_copied", d0["org_key"], d0["fiscal_year"], where[0][0], where[0][1],
            other_year=a.placed[other[0]]["fiscal_year"], other_doc_id=other[0], other_page=other[1],
            subject=f"{len(paras)}段", similarity=1.0, quote=where[0][2], other_quote=other[2],
            docs=[(i, p) for i, p, _ in where],
            message=f"{len({a.placed[i]['org_key'] for i, _, _ in where})}个单位的报告中有{len(paras)}段文字相同"
                    f"（除单位名称和数字外）：{listing}"))
    return out


def all_findings(a: Archive) -> list[Finding]:
    found = figure_mismatch(a) + items_repeated(a) + targets(a) + score_high_unmet(a) + text_copied(a)
    order = list(KINDS)
    found.sort(key=lambda f: (f.severity != "fail", f.org_key, f.fiscal_year or 0, order.index(f.kind), f.doc_id,
                              f.page or 0))
    return found


FINDING_FIELDS = [f.name for f in fields(Finding)]
