"""A reading of a sample scored against a golden file the way ../shared/eval/score.py scores
gold (GOLD.md), so a test can say how far a copy of a sample (a scan of it) reads from the
original: 1.0 is the golden itself, every miss is named.

The golden (tests/golden/*.json, written by regen.py) is a full snapshot, not a hand-made
gold; it is turned into gold as score.py reads it: document fields except the ones that
describe how the file was read (ocr_pages, notes, the error's start), the section kinds, the
measures with a target and an actual figure, the amounts as (currency, amount), the
problem/improvement items by their opening text and the checks that fail. The area
formulas are score.py's; nothing here imports ../shared, which a plain clone does not have.
"""
from __future__ import annotations

import math
import re
import unicodedata

AREAS = ["status", "document", "sections", "measures", "amounts", "items", "checks"]
FIELDS = ["organization", "fiscal_year", "page_count", "self_score", "budget_initial", "budget_adjusted",
          "expenditure", "execution_rate", "doc_type", "project", "supervisor"]
MARKER = re.compile(r"^(?:[一二三四五六七八九十]+是|第[一二三四五六七八九十]+[，,、]?|[（(]?[一二三四五六七八九十\d]+[)）]?[、.．]?)")


def _none(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def close(a, b, rel: float = 0.005) -> bool:
    if _none(a) or _none(b):
        return False
    return abs(float(a) - float(b)) <= rel * max(abs(float(a)), abs(float(b)), 1e-9)


def _squash(s) -> str:
    return re.sub(r"\s+", "", str(s or ""))


def item_key(s) -> str:
    """Item text without white space or leading enumeration markers (一是, （一）, 1.)."""
    s, prev = _squash(unicodedata.normalize("NFKC", str(s or ""))), None
    while s != prev:
        s, prev = MARKER.sub("", s), s
    return s


def _prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else (1.0 if n_gold == 0 else 0.0)
    r = tp / n_gold if n_gold else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _match(gold: list, pred: list, same) -> tuple[list, list]:
    """Greedy one-to-one matching, as score.py: (pairs, unmatched predictions)."""
    used, pairs = set(), []
    for g in gold:
        for i, p in enumerate(pred):
            if i not in used and same(g, p):
                used.add(i)
                pairs.append((g, p))
                break
    return pairs, [p for i, p in enumerate(pred) if i not in used]


def _field_ok(want, got) -> bool:
    if want is None:
        return _none(got)
    if isinstance(want, float):
        return close(want, got, 1e-6)
    if isinstance(want, int) and not isinstance(want, bool):
        return not _none(got) and int(got) == want
    return _squash(want) == _squash(got)


def score(got: dict | None, golden: dict) -> tuple[dict[str, float], list[str]]:
    """Per-area scores of one document's snapshot (regen.snapshot) against a golden, and the
    misses in words. ``got`` None is a document that was not read at all."""
    res: dict[str, float] = {}
    notes: list[str] = []
    want_ok = golden["document"]["status"] in ("ok", "partial")
    status = got["document"]["status"] if got else "missing"
    ok = status in ("ok", "partial") if want_ok else status == "failed"
    res["status"] = 1.0 if ok else 0.0
    if not ok:
        notes.append(f"status {status!r}, expected {golden['document']['status']!r}")
    if not want_ok or not got:
        return res, notes
    doc = got["document"]
    hit = 0
    for k in FIELDS:
        good = _field_ok(golden["document"][k], doc.get(k))
        hit += good
        if not good:
            notes.append(f"document.{k}: got {doc.get(k)!r}, want {golden['document'][k]!r}")
    res["document"] = hit / len(FIELDS)
    # sections: recall of the kinds
    kinds = {s[3] for s in got["sections"]}
    want_k = sorted({s[3] for s in golden["sections"]})
    miss = [k for k in want_k if k not in kinds]
    res["sections"] = 1 - len(miss) / len(want_k) if want_k else 1.0
    if miss:
        notes.append(f"sections missing: {miss}")
    # measures: pairs with both figures; unit + target + actual within 0.5 %, then ops and met
    cols = ["indicator", "unit", "target_op", "target_value", "target_value_max", "actual_op", "actual_value", "met"]
    rows = lambda snap: [dict(zip(cols, m)) for m in snap["measures"]
                         if not _none(m[3]) and not _none(m[6])]
    gm, pm = rows(golden), rows(got)
    unit = lambda v: "" if _none(v) else str(v)
    same = lambda a, b: (unit(a["unit"]) == unit(b["unit"]) and close(a["target_value"], b["target_value"])
                         and close(a["actual_value"], b["actual_value"]))
    pairs, extra = _match(gm, pm, same)
    _, r, f = _prf(len(pairs), len(pairs) + len(extra), len(gm))
    res["measures"] = f
    if pairs:
        ops = sum((a["target_op"] == b["target_op"]) + (a["actual_op"] == b["actual_op"]) for a, b in pairs) / (2 * len(pairs))
        met = sum(a["met"] is None or bool(a["met"]) == bool(b["met"]) for a, b in pairs) / len(pairs)
        res["measures"] = 0.6 * f + 0.2 * ops * r + 0.2 * met * r
        for a, b in pairs:
            if (a["target_op"], a["actual_op"]) != (b["target_op"], b["actual_op"]) or \
                    (a["met"] is not None and bool(a["met"]) != bool(b["met"])):
                notes.append(f"measure ops/met {a['indicator']}: got {b['target_op']}/{b['actual_op']}/{b['met']}, "
                             f"want {a['target_op']}/{a['actual_op']}/{a['met']}")
    for a in gm:
        if not any(a is x for x, _ in pairs):
            notes.append(f"measure missed: {a['indicator']} {a['target_value']}->{a['actual_value']} {a['unit']}")
    for b in extra:
        notes.append(f"measure extra: {b['indicator']} {b['target_value']}->{b['actual_value']} {b['unit']}")
    # amounts: (currency, amount) as a multiset
    ga = [(a[2], a[3], a[0]) for a in golden["amounts"]]
    pa = [(a[2], a[3], a[0]) for a in got["amounts"]]
    pairs, extra = _match(ga, pa, lambda a, b: a[0] == b[0] and close(a[1], b[1], 1e-6))
    res["amounts"] = _prf(len(pairs), len(pairs) + len(extra), len(ga))[2]
    for a in ga:
        if not any(a is x for x, _ in pairs):
            notes.append(f"amount missed: {a[2]} {a[1]}")
    for b in extra:
        notes.append(f"amount extra: {b[2]} {b[1]}")
    # items: a golden item is found when an item of its kind starts with its text
    tp = n_gold = n_pred = 0
    for kind in sorted({i[0] for i in golden["items"]} | {i[0] for i in got["items"]}):
        texts = [i[2] for i in golden["items"] if i[0] == kind]
        preds = [item_key(i[2]) for i in got["items"] if i[0] == kind]
        n_gold += len(texts)
        n_pred += len(preds)
        used: set[int] = set()
        for tx in texts:
            for i, pt in enumerate(preds):
                if i not in used and pt.startswith(item_key(tx)):
                    used.add(i)
                    tp += 1
                    break
            else:
                notes.append(f"item missed ({kind}): {tx}")
    res["items"] = _prf(tp, n_pred, n_gold)[2] if (n_gold or n_pred) else 1.0
    # checks: the failing ones, recall and false alarms
    gc = {c[0] for c in golden["checks"] if c[1] == "fail"}
    fails = {c[0] for c in got["checks"] if c[1] == "fail"}
    found, alarms = gc & fails, fails - gc
    res["checks"] = _prf(len(found), len(found) + len(alarms), len(gc))[2] if (gc or fails) else 1.0
    if gc - fails:
        notes.append(f"checks not flagged: {sorted(gc - fails)}")
    if alarms:
        notes.append(f"checks false alarms: {sorted(alarms)}")
    return res, notes


def overall(res: dict[str, float]) -> float:
    """The document's score: the mean of its areas (score.py averages areas over documents)."""
    return sum(res.values()) / len(res)
