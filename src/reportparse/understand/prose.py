"""Values stated in prose: amounts, target/actual pairs and numbered items, sentence by sentence."""
from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

import regex

from reportparse import patterns
from reportparse.model import Amount, Item, Measure, Paragraph, Section
from reportparse.understand import names as indicators
from reportparse.understand import numbers
from reportparse.understand.numbers import Quantity
from reportparse.understand.segment import statement_paragraphs

_SH = patterns.load().shapes  # wording lives in patterns/shapes.json
BUDGET_LABEL = _SH["budget_label"]
SENTENCE = regex.compile(r"[^。；;！？!?]+[。；;！？!?]?")
LABEL_STOP = regex.compile(r"[，,。；;：:、]")
ACTUAL = _SH["actual_marker"]
PLAN = _SH["plan_words"]
PLAN_DONE = _SH["plan_done"]
GOAL_AFTER = _SH["goal_after"]
GOAL_BEFORE = _SH["goal_before"]
LABEL_TRIM_HEAD = _SH["label_trim_head"]
LABEL_TRIM_TAIL = _SH["label_trim_tail"]
MEASURE_KINDS = {"money", "percent", "permille", "count"}
# enumerations inside one paragraph: 一是…二是…, 第一，…第二，…, 首先…其次…最后
ENUM_WORD = _SH["enum_word"].pattern
ENUM_SPLIT = regex.compile(rf"(?=(?<![\p{{Han}}]){ENUM_WORD}|(?<=[。；;]){ENUM_WORD})")
ENUM_ANY = regex.compile(ENUM_WORD)
INLINE_ARABIC = regex.compile(r"(?<=[；;。])\s*(?=\d{1,2}[.、．](?!\d))")
INLINE_CN = regex.compile(r"(?<=[；;。])\s*(?=[（(][一二三四五六七八九十]{1,3}[)）])")


@dataclass
class Sentence:
    text: str
    start: int          # offset in the paragraph
    para: Paragraph
    section: Section | None

    def page(self, offset: int = 0) -> int:
        return self.para.page_at(self.start + offset)


def sentences(section: Section | None, paras: list[Paragraph]):
    """Sentences split at 。；！？, except that a clause opening with the actual marker stays
    with the target before it ("年度指标值：500家；实际完成值：523家")."""
    for para in paras:
        parts = [m for m in SENTENCE.finditer(para.text) if m.group().strip()]
        i = 0
        while i < len(parts):
            start, end = parts[i].start(), parts[i].end()
            while i + 1 < len(parts) and para.text[end - 1:end] in "；;" and ACTUAL.match(parts[i + 1].group().lstrip()):
                i += 1
                end = parts[i].end()
            yield Sentence(para.text[start:end], start, para, section)
            i += 1


def label_before(text: str, start: int, floor: int = 0) -> str:
    """What a number is: the words before it back to the previous clause stop."""
    seg = text[floor:start]
    stops = list(LABEL_STOP.finditer(seg))
    if stops:
        seg = seg[stops[-1].end():]
    seg = seg.strip()
    return seg


def clean_label(label: str) -> str:
    label = indicators.OUTLINE.sub("", label)
    prev = None
    while prev != label:
        prev = label
        label = LABEL_TRIM_HEAD.sub("", label).strip()
        label = LABEL_TRIM_TAIL.sub("", label).strip()
    return label


def _amount(q: Quantity, s: Sentence, label: str, origin: str = "text") -> Amount:
    return Amount(s.section.section_id if s.section else None, s.page(q.start), clean_label(label) or None,
                  float(q.value), q.unit_text, q.currency, float(q.base), s.text.strip(), q.malformed, origin, label,
                  s.para, s.start + q.start)


def amounts_in(s: Sentence, qs: list[Quantity]) -> list[Amount]:
    out, floor = [], 0
    for q in qs:
        if q.is_money:
            out.append(_amount(q, s, label_before(s.text, q.start, floor)))
            if q.base_max is not None:  # a money range: the upper bound is a figure too
                hi = Amount(out[-1].section_id, out[-1].page, out[-1].label, float(q.value_max), q.unit_text,
                            q.currency, float(q.base_max), out[-1].quote, q.malformed)
                out.append(hi)
        floor = q.end
    return out


def met(t_op: str, t: Decimal, a_op: str, a: Decimal) -> bool | None:
    """Whether the actual reaches the target; <=/< targets are lower-is-better, and a range
    is reached at its lower bound (exceeding 40-50亿 is not a miss)."""
    if t_op in (">=", "=", "range"):
        return a >= t
    if t_op == ">":
        return a > t or (a == t and a_op in (">", ">="))
    if t_op == "~":
        return a >= t * Decimal("0.95")
    if t_op == "<=":
        return a <= t
    if t_op == "<":
        return a < t
    return None


def _measure(s: Sentence, t: Quantity, a: Quantity, indicator: str, quote: str) -> Measure:
    return Measure(s.section.section_id if s.section else None, s.page(t.start), indicator, t.unit,
                   t.op, float(t.base), numbers.to_float(t.base_max), a.op if a.op != "range" else "=",
                   float(a.base), met(t.op, t.base, a.op, a.base), quote)


def _outcome_start(text: str, qs: list[Quantity], in_targets: bool) -> int | None:
    """Where the outcome side of a target/outcome sentence begins, if it has one."""
    m = ACTUAL.search(text)
    if m:
        return m.start()
    for pm in PLAN_DONE.finditer(text):  # 计划…，完成…
        before = [q for q in qs if q.end <= pm.start()]
        if before and PLAN.search(text[:before[0].start]):
            return pm.start()
    if in_targets and _SH["plan_lead"].search(label_before(text, qs[0].start)):
        # "目标为开展检查200次，全年共开展检查236次": the next clause with the same unit
        stop = text.find("，", qs[0].end)
        later = [q for q in qs[1:] if q.start > stop >= 0 and q.unit == qs[0].unit]
        if later and _SH["plan_then"].match(text[stop:]):
            return stop
    return None


def measures_in(s: Sentence, qs: list[Quantity]) -> list[Measure]:
    """Target/actual pairs in one sentence.

    Quantities before the actual marker (实际, 完成值; or 完成/达到 after a 计划/目标 clause)
    are targets, those after it actuals; each target takes the first unused actual of the
    same unit, so "总产值超过2300亿元，其中…占比不低于40%，实际…2937.4亿元，…占比62%" gives two
    pairs. Then "…85.71%，未达到100%的年度目标" pairs a stated goal with the figure before it.
    """
    qs = [q for q in qs if q.kind in MEASURE_KINDS]
    if len(qs) < 2:
        return []
    text = s.text
    in_targets = s.section is not None and s.section.kind == "targets"
    cut = _outcome_start(text, qs, in_targets)
    out: list[Measure] = []
    used: set[int] = set()
    if cut is not None:
        targets = [q for q in qs if q.end <= cut]
        actuals = [q for q in qs if q.start >= cut]
        floor = 0
        for t in targets:
            raw_label = label_before(text, t.start, floor)
            floor = t.end
            if BUDGET_LABEL.search(raw_label):
                continue  # 预算X万元，实际支出Y万元 is finance, not a performance target
            if not (in_targets or t.op != "=" or PLAN.search(text[:t.start])):
                continue  # 合同利用外资X，实际利用外资Y: two facts, no target stated
            for a in actuals:
                if id(a) not in used and a.unit == t.unit:
                    used.add(id(a)); used.add(id(t))
                    out.append(_measure(s, t, a, indicators.clean(raw_label), text.strip()))
                    break
    for i, g in enumerate(qs):
        # a goal stated after the figure it judges: "…85.71%，未达到100%的年度目标", "…98%（目标95%）"
        before = text[max(0, g.start - 8):g.start]
        if id(g) in used or not (GOAL_AFTER.match(text[g.end:]) or (i > 0 and GOAL_BEFORE.search(before))):
            continue
        for a in reversed(qs[:i]):
            if id(a) not in used and a.unit == g.unit:
                used.add(id(a)); used.add(id(g))
                out.append(_measure(s, g, a, indicators.clean(label_before(text, a.start)), text.strip()))
                break
    return out


def items_of(section: Section, children: list[Section], heads: dict[int, Paragraph]) -> list[Item]:
    """Numbered points of a problems/improvements section: its child sections, or else
    the 一是…二是… enumeration inside its paragraphs."""
    kind = "problem" if section.kind == "problems" else "improvement"
    if children:
        texts = []
        for c in children:
            head = heads[c.section_id].text
            body = "".join(p.text for p in c.paragraphs if p.text not in head)
            whole = head[len(c.number):].strip() + body
            # "1.项目储备不足；2.资金拨付偏慢；3.…": the numbering goes on inside the paragraph
            same_style = INLINE_ARABIC if c.number[:1].isdigit() else INLINE_CN if c.number[:1] in "（(" else None
            parts = same_style.split(whole) if same_style else [whole]
            texts += [(c.section_id, indicators.OUTLINE.sub("", p).strip()) for p in parts if p.strip()]
        return [Item(sid, kind, i + 1, t) for i, (sid, t) in enumerate(texts)]
    body = "".join(p.text for p in section.paragraphs)
    if len(ENUM_ANY.findall(body)) >= 2:
        parts = [p.strip() for p in ENUM_SPLIT.split(body) if p.strip()]
        parts = [p for p in parts if ENUM_ANY.match(p)]
        return [Item(section.section_id, kind, i + 1, p) for i, p in enumerate(parts)]
    paras = [p.text for p in section.paragraphs if p.text.strip()]
    return [Item(section.section_id, kind, i + 1, t) for i, t in enumerate(paras)] if len(paras) > 1 else []


def items(sections: list[Section], heads: dict[int, Paragraph]) -> list[Item]:
    by_parent: dict[int, list[Section]] = {}
    for s in sections:
        if s.parent_id is not None:
            by_parent.setdefault(s.parent_id, []).append(s)
    by_id = {s.section_id: s for s in sections}
    out: list[Item] = []
    for s in sections:
        if s.kind not in ("problems", "improvements"):
            continue
        parent = by_id.get(s.parent_id) if s.parent_id is not None else None
        if parent is not None and parent.kind == s.kind:
            continue  # a point of an enclosing problems/improvements section
        points = [i for i in items_of(s, by_parent.get(s.section_id, []), heads) if not _INSTRUCTION.search(
            regex.sub(r"\s+", "", i.text))]  # a template's own instruction (（说明存在的问题）) is no point
        out.extend(replace(i, ordinal=n + 1) for n, i in enumerate(points))
    return out


_INSTRUCTION = patterns.table_roles().cells["instruction"]


@dataclass
class Prose:
    amounts: list[Amount]
    measures: list[Measure]
    percents: list[tuple[Quantity, Sentence, str]]  # (percent, sentence, label) for percent fields


def read_prose(front: list[Paragraph], sections: list[Section], heads: dict[int, Paragraph]) -> Prose:
    """Every sentence of the report once: its money figures, target/actual pairs, percents."""
    out = Prose([], [], [])
    for sent in sentences(None, front):
        out.amounts += amounts_in(sent, numbers.find(sent.text))
    for sec in sections:
        for sent in sentences(sec, statement_paragraphs(sec, heads)):
            qs = numbers.find(sent.text)
            out.amounts += amounts_in(sent, qs)
            out.measures += measures_in(sent, qs)
            out.percents += [(q, sent, label_before(sent.text, q.start)) for q in qs if q.kind == "percent"]
    return out
