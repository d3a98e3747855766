"""Consistency checks an auditor can trust: each recomputes a stated number from its parts.

A check only runs where its inputs were found with confidence; a stated percentage passes
when it equals the recomputed one rounded to the report's own decimals (±1 in the last
digit), so the report's rounding never raises an alarm.
"""
from __future__ import annotations

import regex

from reportparse import patterns
from reportparse.model import Amount, Check, Document, Measure, Paragraph, Section
from reportparse.understand.segment import statement_paragraphs
from reportparse.verify.figures import page_ref, decimals, doc_unit, field_written, money, num, quote, within, written

_SH = patterns.load().shapes  # wording lives in patterns/shapes.json
ALL_MET = _SH["all_met"]
QUALIFIED = _SH["qualified"]
SHARE = _SH["share"]
SCOPE = _SH["scope"]
WHOLE_TRIM = _SH["whole_trim"]
# The messages are read by auditors: Chinese, each figure as the document writes it
# (69,420.92万元), recomputed ones in the document's own money unit, never in scientific
# notation, and quotes whole or cut only at a clause boundary.
FIELD_NAMES = {"budget_initial": "年初预算", "budget_adjusted": "调整后预算", "expenditure": "实际支出",
               "execution_rate": "预算执行率", "self_score": "自评得分"}
CLAUSE_END = regex.compile(r"(?<=[。；])")
OCR_NOTE = "（表格由 OCR 读出，请核对扫描件）"
RATE_LABELS = ("预算执行率", "执行率")
SCORE_LABELS = ("自评得分", "得分", "总分")
HAN_WORD = regex.compile(r"\p{Han}{2,}")


def _words(*texts: str | None) -> tuple[str, ...]:
    """The Han words of the texts a figure was read with: labels that choose among several
    occurrences of the same number on its page."""
    return tuple(w for text in texts if text for w in HAN_WORD.findall(text))


def execution_rate(doc: Document, amounts: list[Amount] = ()) -> list[Check]:
    if doc.execution_rate is None:
        return []
    page = doc.evidence.get("execution_rate", (None, ""))[0]
    stated = doc.raw.get("execution_rate", num(doc.execution_rate))
    if not doc.expenditure or not doc.budget_adjusted:
        return [Check("execution_rate", "warn", page, f"报告写明预算执行率{stated}%，但未找到实际支出或调整后预算，"
                      "无法复核", None, doc.execution_rate, labels=RATE_LABELS)]
    unit = doc_unit(list(amounts))
    expected = doc.expenditure / doc.budget_adjusted * 100
    places = decimals(stated)
    ok = within(expected, doc.execution_rate, places)
    msg = (f"报告写明预算执行率{stated}%，按实际支出{field_written(doc, 'expenditure', list(amounts), unit)}"
           f"÷调整后预算{field_written(doc, 'budget_adjusted', list(amounts), unit)}计算为"
           f"{num(expected, max(places, 2))}%" + ("，一致" if ok else "，不一致"))
    return [Check("execution_rate", "pass" if ok else "fail", page, msg, round(expected, 4), doc.execution_rate,
                  labels=RATE_LABELS)]


def number_format(amounts: list[Amount]) -> list[Check]:
    out = []
    for a in amounts:
        if a.malformed:
            out.append(Check("number_format", "fail", a.page,
                             f"数字分组有误：{written(a)}不是每三位一组，按版式读作{num(a.value, decimals(str(a.value)))}"
                             f"{a.unit_text}；原文{quote(a.quote)}", a.amount, None))
    return out


def score_range(doc: Document) -> list[Check]:
    if doc.self_score is None:
        return []
    page = doc.evidence.get("self_score", (None, ""))[0]
    ok = 0 <= doc.self_score <= 100
    return [Check("score_range", "pass" if ok else "fail", page,
                  f"自评得分{doc.raw.get('self_score', num(doc.self_score))}分，{'在' if ok else '超出'}0–100分的范围"
                  + ("内" if ok else ""), None, doc.self_score, labels=SCORE_LABELS)]


def _target(m: Measure) -> str:
    if m.target_text:
        return m.target_text
    op = {">=": "≥", "<=": "≤", "~": "约", "=": "", "range": ""}.get(m.target_op, m.target_op)
    hi = f"–{num(m.target_value_max)}" if m.target_value_max is not None else ""
    return f"{op}{_value(m.target_value, m.unit)}{hi}"


def _value(v: float | None, unit: str) -> str:
    if v is None:
        return "?"
    if unit == "CNY":
        return money(v)
    return f"{num(v)}{'' if unit == 'USD' else unit}"


def _actual(m: Measure) -> str:
    return m.actual_text or _value(m.actual_value, m.unit)


def target_met(sections: list[Section], heads: dict[int, Paragraph], measures: list[Measure]) -> list[Check]:
    claims = []
    for s in sections:
        for para in statement_paragraphs(s, heads):
            for sent in CLAUSE_END.split(para.text):
                if ALL_MET.search(sent) and not QUALIFIED.search(sent):
                    claims.append((para.page_at(para.text.find(sent)), sent.strip()))
    # judge the claim by the targets the report reports on: its 自评表 and its targets sections
    kinds = {s.section_id: s.kind for s in sections}
    measures = [m for m in measures if m.origin == "table" or kinds.get(m.section_id) == "targets"]
    if not claims or not measures:
        return []
    page, claim = claims[0]
    missed = [m for m in measures if m.met is False]
    if not missed:
        return [Check("target_met", "pass", page, f"报告称{quote(claim)}，与全部{len(measures)}项指标一致", claim=claim)]
    names = "；".join(f"{m.indicator}（目标{_target(m)}，实际{_actual(m)}，{page_ref(m.page)}）" for m in missed[:5])
    more = f"等{len(missed)}项" if len(missed) > 5 else ""
    return [Check("target_met", "fail", page, f"报告称{quote(claim)}，但有{len(missed)}项指标未达到目标：{names}{more}",
                  float(len(missed)), 0.0, claim=claim)]


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
                                 f"报告写明占比{pct}%，按{part.label or '部分'}{written(part)}÷"
                                 f"{whole.label or '总额'}{written(whole)}计算为{num(expected, max(decimals(pct), 2))}%"
                                 + ("，一致" if ok else "，不一致"), round(expected, 4), float(pct),
                                 labels=_words(part.label, whole.label, "占比")))
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
                  f"自评表得分列合计为{num(round(s, 4))}分，合计行写明{num(total[0])}分" + ("，一致" if ok else "，不一致"),
                  s, total[0], labels=_words(total[2]))]


BUDGET = _SH["item_budget"]
SPEND = _SH["item_spend"]
RATE = _SH["item_rate"]


def item_rates(sections: list[Section], heads: dict[int, Paragraph], amounts: list[Amount],
               rates: list[tuple[float, float, float, str, int, str]]) -> list[Check]:
    """执行率 of a line item against its own budget and spending: a finance table's rows, and
    prose of the form "X预算A万元，实际支出B万元，执行率C%" (all three in one sentence)."""
    out = []
    unit = doc_unit(amounts)
    for budget, spend, stated, text, page, row in rates:
        out.append(_rate_check(money(budget, unit), money(spend, unit), budget, spend, stated, text, page, row))
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
                    out.append(_rate_check(written(b), written(e), b.amount, e.amount, float(m.group("pct")),
                                           m.group("pct"), para.page_at(m.start()), para.text[start:m.end()]))
    return out


def _rate_check(budget_text: str, spend_text: str, budget: float, spend: float, stated: float, text: str,
                page: int, source: str) -> Check:
    expected = spend / budget * 100 if budget else None
    ok = budget > 0 and within(expected, stated, decimals(text))
    calc = f"计算为{num(expected, max(decimals(text), 2))}%" if expected is not None else "预算为0，无法计算"
    return Check("item_rate", "pass" if ok else "fail", page,
                 f"{quote(source)}写明执行率{text}%，按支出{spend_text}÷预算{budget_text}{calc}"
                 + ("，一致" if ok else "，不一致"), round(expected, 4) if expected is not None else None, stated,
                 labels=_words(source, "执行率"))


def restated(doc: Document, table_fields: dict[str, tuple[float, int, str]], measures: list[Measure],
             amounts: list[Amount] = ()) -> list[Check]:
    """The same quantity stated twice with different values: a document field in prose and
    in a finance table, or one indicator in prose and in the 自评表."""
    out = []
    pairs = []
    for name, (value, page, row) in table_fields.items():
        prose = getattr(doc, name)
        if prose is None or not isinstance(value, float) or doc.evidence.get(name, (None, ""))[1] == row:
            continue
        pairs.append((name, prose, value, page, abs(prose - value) <= 1e-6 * max(abs(prose), abs(value), 1)))
    # a table whose totals agree with the text on nothing is about another scope (a project
    # list, one fund): comparing it would only raise false alarms
    if any(same for *_, same in pairs):
        unit = doc_unit(list(amounts))
        for name, prose, value, page, same in pairs:
            shown = (lambda v: f"{num(v)}%") if name == "execution_rate" else (lambda v: money(v, unit))
            in_text = field_written(doc, name, [a for a in amounts if a.origin == "text"], unit) \
                if name != "execution_rate" else f"{doc.raw.get(name, num(prose))}%"
            out.append(Check("restated", "pass" if same else "fail", page,
                             f"{FIELD_NAMES.get(name, name)}在正文中为{in_text}（{page_ref(doc.evidence[name][0])}），"
                             f"在表格中为{shown(value)}（{page_ref(page)}）" + ("，一致" if same else "，不一致"), value, prose,
                             labels=_words(FIELD_NAMES.get(name, name), row)))
    text = {(m.indicator, m.unit): m for m in measures if m.origin == "text"}
    for m in measures:
        t = text.get((m.indicator, m.unit)) if m.origin == "table" else None
        if t is None or (t.target_op, t.actual_op) != (m.target_op, m.actual_op) or None in (m.target_value, m.actual_value):
            continue
        same = abs(t.target_value - m.target_value) < 1e-9 and abs(t.actual_value - m.actual_value) < 1e-9
        out.append(Check("restated", "pass" if same else "fail", m.page,
                         f"{m.indicator}：正文为目标{_target(t)}、实际{_actual(t)}（{page_ref(t.page)}），自评表为目标"
                         f"{_target(m)}、实际{_actual(m)}（{page_ref(m.page)}）" + ("，一致" if same else "，不一致"),
                         m.actual_value, t.actual_value, labels=_words(m.indicator, m.quote)))
    return out


def unit_mismatch(mismatches: list[tuple[str, str, str, int, str, tuple[str, ...]]]) -> list[Check]:
    return [Check("unit_mismatch", "warn", page, f"{ind}：目标以{tu}计，实际以{au}计，无法判断是否达标；原文{quote(row)}",
                  cells=cells) for ind, tu, au, page, row, cells in mismatches]


def run(doc: Document, sections: list[Section], heads: dict[int, Paragraph], measures: list[Measure],
        amounts: list[Amount], facts=None) -> list[Check]:
    """Every check; ``facts`` are the tables' findings (tables.TableFacts) when there are any."""
    checks = (execution_rate(doc, amounts) + number_format(amounts) + score_range(doc)
              + target_met(sections, heads, measures) + share(sections, heads, amounts))
    if facts is not None:
        table_checks = (score_total(facts.scores, facts.total_score) + item_rates(sections, heads, amounts, facts.rates)
                        + restated(doc, facts.fields, measures, amounts) + unit_mismatch(facts.unit_mismatches))
        if facts.ocr:  # a misread digit in an OCR'd cell is likelier than a wrong table: ask, don't accuse
            for c in table_checks:
                if c.status == "fail":
                    c.status, c.message = "warn", c.message + OCR_NOTE
        checks += table_checks
    else:
        checks += item_rates(sections, heads, amounts, [])
    return checks
