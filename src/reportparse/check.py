"""Consistency checks an auditor can trust: each recomputes a stated number from its parts.

A check only runs where its inputs were found with confidence; a stated percentage passes
when it equals the recomputed one rounded to the report's own decimals (±1 in the last
digit), so the report's rounding never raises an alarm.
"""
from __future__ import annotations

from decimal import Decimal

import regex

from .model import Amount, Check, Document, Measure, Paragraph, Section
from .segment import statement_paragraphs

ALL_MET = regex.compile(r"(?:各项|所有|全部|整体|年度)[^。；，]{0,8}(?:目标|指标|任务)[^。；，]{0,6}(?:均|全部|都|已|均已|全面)[^。；，]{0,4}(?:完成|达到|实现|达成)|圆满(?:地)?完成(?:了)?[^。；，]{0,8}(?:绩效)?目标|全面完成[^。；，]{0,8}(?:目标|指标|任务)")
QUALIFIED = regex.compile(r"除|以外|其余|未达|未完成|基本|大部分|多数|部分")
SHARE = regex.compile(r"占(?:比)?(?:(?P<whole>[\p{Han}“”]{2,14}?)的)?(?:比重|比例)?(?:为|达)?\s*(?P<pct>\d+(?:\.\d+)?)\s*%")
SCOPE = regex.compile(r"(?P<whole>[\p{Han}]{2,10})中[，,]")
WHOLE_TRIM = regex.compile(r"^(?:(?:19|20)\d{2}年度?|全年|年度|实际|当年|部门|[我本][局委办院厅部单位]+)+")


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
    text_amounts = [a for a in amounts if a.source == "text"]
    out = []
    for s in sections:
        for para in statement_paragraphs(s, heads):
            for m in SHARE.finditer(para.text):
                # the part: the last money figure before the share, in the same sentence
                sent_start = max(para.text.rfind(c, 0, m.start()) for c in "。；") + 1
                period_start = para.text.rfind("。", 0, m.start()) + 1
                part = _part(para.text, sent_start, m.start(), text_amounts)
                if part is None:
                    continue
                whole = _whole(para.text, period_start, sent_start, m, part, text_amounts)
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


def _located(text: str, amounts: list[Amount], lo: int, hi: int) -> list[tuple[int, Amount]]:
    """Amounts whose number sits in text[lo:hi], with their offsets."""
    out = []
    for a in amounts:
        if not a.quote:
            continue
        q0 = text.find(a.quote)
        if q0 < 0:
            continue
        pos = q0 + a.quote.find(a.context) + len(a.context) if a.context else q0
        if lo <= pos < hi:
            out.append((pos, a))
    return sorted(out, key=lambda x: x[0])


def _part(text: str, lo: int, hi: int, amounts: list[Amount]) -> Amount | None:
    found = _located(text, amounts, lo, hi)
    return found[-1][1] if found else None


def _whole(text: str, period_start: int, sent_start: int, m: regex.Match, part: Amount,
           amounts: list[Amount]) -> Amount | None:
    named = m.group("whole")
    if named:
        key = _norm_whole(named)
        prior = [a for _, a in _located(text, amounts, 0, m.start()) if a is not part]
        for a in reversed(prior):
            if _norm_whole(a.label or "") == key:
                return a
        return None
    qi = text.rfind("其中", period_start, m.start())
    if qi >= 0:
        prior = _located(text, amounts, period_start if qi > sent_start else
                         text.rfind("。", 0, max(0, period_start - 1)) + 1, qi)
        return prior[-1][1] if prior else None
    sc = None
    for sm in SCOPE.finditer(text, period_start, m.start()):
        sc = sm
    if sc is not None:
        key = _norm_whole(sc.group("whole"))
        prior = [a for _, a in _located(text, amounts, 0, sc.start())]
        for a in reversed(prior):
            if _norm_whole(a.label or "") == key:
                return a
    return None


def score_total(scores: list[tuple[float | None, float, int, str]], total: tuple[float, int, str] | None,
                doc: Document) -> list[Check]:
    """The 得分 column of a 自评表 against its stated total."""
    if not scores or total is None:
        return []
    s = sum(x[1] for x in scores)
    ok = abs(s - total[0]) < 0.05 + 1e-9
    return [Check("score_sum", "pass" if ok else "fail", total[1],
                  f"自评表 得分 column sums to {s:g}, total row states {total[0]:g}", s, total[0])]


def run(doc: Document, sections: list[Section], heads: dict[int, Paragraph], measures: list[Measure],
        amounts: list[Amount], scores=(), total=None) -> list[Check]:
    return (execution_rate(doc) + number_format(amounts) + score_range(doc)
            + target_met(sections, heads, measures) + share(sections, heads, amounts)
            + score_total(list(scores), total, doc))
