"""Consistency checks an auditor can trust: each recomputes a stated number from its parts.

A check only runs where its inputs were found with confidence; a stated percentage passes
when it equals the recomputed one rounded to the report's own decimals (±1 in the last
digit), so the report's rounding never raises an alarm.
"""
from __future__ import annotations

from decimal import Decimal

import regex

from . import patterns
from .model import Amount, Check, Document, Measure, Paragraph, Section
from .segment import statement_paragraphs

_SH = patterns.load().shapes  # wording lives in patterns/shapes.json
ALL_MET = _SH["all_met"]
QUALIFIED = _SH["qualified"]
SHARE = _SH["share"]
SCOPE = _SH["scope"]
WHOLE_TRIM = _SH["whole_trim"]


def decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def within(expected: float, reported: float, places: int) -> bool:
    """Equal at the report's own rounding, ±1 in its last digit."""
    step = Decimal(1).scaleb(-places)
    exp = Decimal(str(expected)).quantize(step)
    return abs(exp - Decimal(str(reported))) <= step + Decimal("1e-9")


def execution_rate(doc: Document) -> list[Check]:
    if doc.execution_rate is None:
        return []
    page = doc.evidence.get("execution_rate", (None, ""))[0]
    if not doc.expenditure or not doc.budget_adjusted:
        return [Check("execution_rate", "warn", page, "预算执行率 is stated but spending or the adjusted budget "
                      "was not found, so it cannot be recomputed", None, doc.execution_rate)]
    expected = doc.expenditure / doc.budget_adjusted * 100
    places = decimals(doc.raw.get("execution_rate", f"{doc.execution_rate}"))
    ok = within(expected, doc.execution_rate, places)
    msg = (f"预算执行率 stated {doc.execution_rate}% vs expenditure {doc.expenditure:,.2f} / adjusted budget "
           f"{doc.budget_adjusted:,.2f} = {expected:.{max(places, 2)}f}%")
    return [Check("execution_rate", "pass" if ok else "fail", page, msg, round(expected, 4), doc.execution_rate)]


def number_format(amounts: list[Amount]) -> list[Check]:
    out = []
    for a in amounts:
        if a.malformed:
            out.append(Check("number_format", "fail", a.page,
                             f"malformed number in {a.quote[:80]!r}: digit grouping is not 3-3-3; read as "
                             f"{a.value:,.2f}{a.unit_text}", a.amount, None))
    return out


def score_range(doc: Document) -> list[Check]:
    if doc.self_score is None:
        return []
    page = doc.evidence.get("self_score", (None, ""))[0]
    ok = 0 <= doc.self_score <= 100
    return [Check("score_range", "pass" if ok else "fail", page,
                  f"self-score {doc.self_score} is {'within' if ok else 'outside'} 0–100", None, doc.self_score)]


def target_met(sections: list[Section], heads: dict[int, Paragraph], measures: list[Measure]) -> list[Check]:
    claims = []
    for s in sections:
        for para in statement_paragraphs(s, heads):
            for sent in regex.split(r"(?<=[。；])", para.text):
                if ALL_MET.search(sent) and not QUALIFIED.search(sent):
                    claims.append((para.page_at(para.text.find(sent)), sent.strip()))
    # judge the claim by the targets the report reports on: its 自评表 and its targets sections
    kinds = {s.section_id: s.kind for s in sections}
    measures = [m for m in measures if m.origin == "table" or kinds.get(m.section_id) == "targets"]
    if not claims or not measures:
        return []
    page, quote = claims[0]
    missed = [m for m in measures if m.met is False]
    if not missed:
        return [Check("target_met", "pass", page, f"claim {quote[:60]!r} agrees with all {len(measures)} measures")]
    names = "; ".join(f"{m.indicator} (target {m.target_op}{m.target_value:g}, actual {m.actual_value:g}, p.{m.page})" for m in missed[:5])
    return [Check("target_met", "fail", page, f"claim {quote[:60]!r} but {len(missed)} target(s) not met: {names}",
                  float(len(missed)), 0.0)]


def _norm_whole(label: str) -> str:
    return WHOLE_TRIM.sub("", label or "")


def share(sections: list[Section], heads: dict[int, Paragraph], amounts: list[Amount]) -> list[Check]:
    """A stated 占比 against part / whole from the same passage; runs only when the whole is
    identified (named, the figure before 其中, or the scope "X中，")."""
    text_amounts = [a for a in amounts if a.origin == "text"]
    out = []
    for s in sections:
        for para in statement_paragraphs(s, heads):
            for m in SHARE.finditer(para.text):
                # the part: the last money figure before the share, in the same sentence
                sent_start = max(para.text.rfind(c, 0, m.start()) for c in "。；") + 1
                period_start = para.text.rfind("。", 0, m.start()) + 1
                part = _part(para, sent_start, m.start(), text_amounts)
                if part is None:
                    continue
                whole = _whole(para, period_start, sent_start, m, part, text_amounts)
                if whole is None or whole.amount <= 0 or whole is part:
                    continue
                pct = m.group("pct")
                expected = part.amount / whole.amount * 100
                ok = within(expected, float(pct), decimals(pct))
                out.append(Check("share", "pass" if ok else "fail", para.page_at(m.start()),
                                 f"占比 stated {pct}% vs {part.label or 'part'} {part.amount:,.2f} / "
                                 f"{whole.label or 'whole'} {whole.amount:,.2f} = {expected:.2f}%",
                                 round(expected, 4), float(pct)))
    return out


def _located(para: Paragraph, amounts: list[Amount], lo: int, hi: int) -> list[tuple[int, Amount]]:
    """Amounts read from ``para`` whose number starts in para.text[lo:hi], in order."""
    return sorted(((a.offset, a) for a in amounts if a.para is para and lo <= a.offset < hi), key=lambda x: x[0])


def _part(para: Paragraph, lo: int, hi: int, amounts: list[Amount]) -> Amount | None:
    found = _located(para, amounts, lo, hi)
    return found[-1][1] if found else None


def _whole(para: Paragraph, period_start: int, sent_start: int, m: regex.Match, part: Amount,
           amounts: list[Amount]) -> Amount | None:
    text = para.text
    named = m.group("whole")
    if named:
        key = _norm_whole(named)
        prior = [a for _, a in _located(para, amounts, 0, m.start()) if a is not part]
        for a in reversed(prior):
            if _norm_whole(a.label or "") == key:
                return a
        return None
    qi = text.rfind("其中", period_start, m.start())
    if qi >= 0:
        prior = _located(para, amounts, period_start if qi > sent_start else
                         text.rfind("。", 0, max(0, period_start - 1)) + 1, qi)
        return prior[-1][1] if prior else None
    sc = None
    for sm in SCOPE.finditer(text, period_start, m.start()):
        sc = sm
    if sc is not None:
        key = _norm_whole(sc.group("whole"))
        prior = [a for _, a in _located(para, amounts, 0, sc.start())]
        for a in reversed(prior):
            if _norm_whole(a.label or "") == key:
                return a
    return None


def score_total(scores: list[tuple[float | None, float, int, str]], total: tuple[float, int, str] | None) -> list[Check]:
    """The 得分 column of a 自评表 against its stated total."""
    if not scores or total is None:
        return []
    s = sum(x[1] for x in scores)
    ok = abs(s - total[0]) < 0.05 + 1e-9
    return [Check("score_sum", "pass" if ok else "fail", total[1],
                  f"自评表 得分 column sums to {s:g}, total row states {total[0]:g}", s, total[0])]


BUDGET = _SH["item_budget"]
SPEND = _SH["item_spend"]
RATE = _SH["item_rate"]


def item_rates(sections: list[Section], heads: dict[int, Paragraph], amounts: list[Amount],
               rates: list[tuple[float, float, float, str, int, str]]) -> list[Check]:
    """执行率 of a line item against its own budget and spending: a finance table's rows, and
    prose of the form "X预算A万元，实际支出B万元，执行率C%" (all three in one sentence)."""
    out = []
    for budget, spend, stated, text, page, quote in rates:
        out.append(_rate_check(budget, spend, stated, text, page, quote[:60]))
    text_amounts = [a for a in amounts if a.origin == "text"]
    for s in sections:
        for para in statement_paragraphs(s, heads):
            for m in RATE.finditer(para.text):
                start = max(para.text.rfind(c, 0, m.start()) for c in "。；") + 1
                found = [a for _, a in _located(para, text_amounts, start, m.start())]
                if len(found) < 2:
                    continue
                b, e = found[-2], found[-1]
                if BUDGET.search(b.context or "") and SPEND.search(e.context or "") and b.amount > 0:
                    out.append(_rate_check(b.amount, e.amount, float(m.group("pct")), m.group("pct"),
                                           para.page_at(m.start()), para.text[start:m.end()][:60]))
    return out


def _rate_check(budget: float, spend: float, stated: float, text: str, page: int, quote: str) -> Check:
    expected = spend / budget * 100 if budget else float("nan")
    ok = budget > 0 and within(expected, stated, decimals(text))
    return Check("item_rate", "pass" if ok else "fail", page,
                 f"执行率 stated {text}% vs {spend:,.2f} / {budget:,.2f} = {expected:.2f}% in {quote!r}",
                 round(expected, 4), stated)


def restated(doc: Document, table_fields: dict[str, tuple[float, int, str]], measures: list[Measure]) -> list[Check]:
    """The same quantity stated twice with different values: a document field in prose and
    in a finance table, or one indicator in prose and in the 自评表."""
    out = []
    pairs = []
    for name, (value, page, quote) in table_fields.items():
        prose = getattr(doc, name)
        if prose is None or not isinstance(value, float) or doc.evidence.get(name, (None, ""))[1] == quote:
            continue
        pairs.append((name, prose, value, page, abs(prose - value) <= 1e-6 * max(abs(prose), abs(value), 1)))
    # a table whose totals agree with the text on nothing is about another scope (a project
    # list, one fund): comparing it would only raise false alarms
    if any(same for *_, same in pairs):
        for name, prose, value, page, same in pairs:
            out.append(Check("restated", "pass" if same else "fail", page,
                             f"{name} is {prose:,.2f} in the text (p.{doc.evidence[name][0]}) and {value:,.2f} in "
                             f"the table (p.{page})", value, prose))
    text = {(m.indicator, m.unit): m for m in measures if m.origin == "text"}
    for m in measures:
        t = text.get((m.indicator, m.unit)) if m.origin == "table" else None
        if t is None or (t.target_op, t.actual_op) != (m.target_op, m.actual_op) or None in (m.target_value, m.actual_value):
            continue
        same = abs(t.target_value - m.target_value) < 1e-9 and abs(t.actual_value - m.actual_value) < 1e-9
        out.append(Check("restated", "pass" if same else "fail", m.page,
                         f"{m.indicator}: text says target {t.target_value:g} / actual {t.actual_value:g} (p.{t.page}), "
                         f"自评表 says {m.target_value:g} / {m.actual_value:g} (p.{m.page})", m.actual_value, t.actual_value))
    return out


def unit_mismatch(mismatches: list[tuple[str, str, str, int, str]]) -> list[Check]:
    return [Check("unit_mismatch", "warn", page, f"{ind}: target in {tu} but actual in {au}, so met cannot be judged "
                  f"({quote[:60]!r})") for ind, tu, au, page, quote in mismatches]


def run(doc: Document, sections: list[Section], heads: dict[int, Paragraph], measures: list[Measure],
        amounts: list[Amount], facts=None) -> list[Check]:
    """Every check; ``facts`` are the tables' findings (tables.TableFacts) when there are any."""
    checks = (execution_rate(doc) + number_format(amounts) + score_range(doc)
              + target_met(sections, heads, measures) + share(sections, heads, amounts))
    if facts is not None:
        table_checks = (score_total(facts.scores, facts.total_score) + item_rates(sections, heads, amounts, facts.rates)
                        + restated(doc, facts.fields, measures) + unit_mismatch(facts.unit_mismatches))
        if facts.ocr:  # a misread digit in an OCR'd cell is likelier than a wrong table: ask, don't accuse
            for c in table_checks:
                if c.status == "fail":
                    c.status, c.message = "warn", c.message + " (table read by OCR: check the scan)"
        checks += table_checks
    else:
        checks += item_rates(sections, heads, amounts, [])
    return checks
