"""Quantities in text: find spans (extraction), then resolve values (parsing).

Kept apart as in Recognizers-Text: ``find`` only says where a quantity is and which parts
it has; ``resolve`` turns the parts into exact numbers. All scaling is done with
``Decimal`` so 16.4亿 is 1640000000, never 1639999999.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Iterator

import regex

from reportparse import patterns

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
             "八": 8, "九": 9, "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8, "玖": 9}
CN_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
CN_BIG = {"万": 10**4, "亿": 10**8}
SCALES = {"万亿": Decimal(10**12), "亿": Decimal(10**8), "万": Decimal(10**4), "千": Decimal(1000)}
ORDINAL_BEFORE = regex.compile(r"第\s*$")
NUMERAL_SCALE = regex.compile("[十百千万亿拾佰仟]")
CANON_UNIT = {"percent": "%", "permille": "‰", "points": "个百分点", "score": "分"}


@dataclass(frozen=True)  # find() hands the same instances to every caller of a text
class Quantity:
    start: int
    end: int
    text: str
    number_text: str
    value: Decimal            # the number as written (103683.93)
    value_max: Decimal | None  # upper bound of a range, as written
    scale_text: str
    unit_text: str            # the unit as written, scale included (万元, 亿元, 万人次)
    kind: str | None          # money, percent, permille, points, count, score, or None (bare)
    unit: str | None          # contract unit: CNY/USD/%/‰ or the measure word
    currency: str | None
    base: Decimal             # value in base units (yuan; 人次 for 万人次)
    base_max: Decimal | None
    op: str                   # >=, >, <=, <, =, ~, range
    malformed: bool = False

    @property
    def is_money(self) -> bool:
        return self.kind == "money"


def parse_chinese(s: str) -> int | None:
    """Chinese numerals (三千万, 一百二十, 壹佰) to an int; None if not a well-formed numeral
    (a bare 万 or 亿 is the unit's scale, as in a header's （万元）, not a number)."""
    if not any(ch in CN_DIGITS or ch in CN_SMALL for ch in s):
        return None
    total, section, digit = 0, 0, None
    for ch in s:
        if ch in CN_DIGITS:
            if digit is not None and digit != 0 and CN_DIGITS[ch] != 0:
                return None  # 二三: not a numeral
            digit = CN_DIGITS[ch]
        elif ch in CN_SMALL:
            section += (1 if digit is None else digit) * CN_SMALL[ch]
            digit = None
        elif ch in CN_BIG:
            section += digit or 0
            total = (total + section) * CN_BIG[ch] if CN_BIG[ch] > 10**4 else total + section * CN_BIG[ch]
            section, digit = 0, None
        else:
            return None
    return total + section + (digit or 0)


def parse_arabic(s: str) -> tuple[Decimal, bool]:
    """An Arabic number with thousands separators; returns (value, malformed).

    A grouping that is not 3-3-3 (69,420,92 or 12,36.45) is recovered by the intent that is
    clear from the layout (a final 2-digit group without a decimal point is the decimals)
    and reported as malformed so a check can flag it.
    """
    intpart, _, frac = s.partition(".")
    groups = intpart.split(",")
    malformed = False
    if len(groups) > 1:
        ok = 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])
        if not ok:
            malformed = True
            if not frac and len(groups[-1]) in (1, 2):
                intpart, frac = "".join(groups[:-1]), groups[-1]
            else:
                intpart = "".join(groups)
        else:
            intpart = "".join(groups)
    text = intpart + ("." + frac if frac else "")
    try:
        return Decimal(text), malformed
    except InvalidOperation:
        return Decimal(0), True


def parse_number(s: str) -> tuple[Decimal, bool] | None:
    s = s.strip()
    if not s:
        return None
    if s[0].isdigit():
        return parse_arabic(s)
    v = parse_chinese(s)
    return (Decimal(v), False) if v is not None else None


def _op(m: regex.Match, text: str, pats: patterns.Patterns) -> tuple[str, int]:
    """The op of a quantity match and where the quantity really starts."""
    pre = m.group("pre")
    start = m.start("pre") if pre else (m.start("cur") if m.group("cur") else m.start("num"))
    if pre:
        before = text[m.start("pre") - 1] if m.start("pre") > 0 else ""
        if before and before in patterns.NOT_AFTER.get(pre, ""):
            pre = None
            start = m.start("num")
    if m.group("num2") is not None:
        return "range", start
    if pre:
        return pats.prefix_ops[pre], start
    if m.group("mid"):
        return pats.mid_ops[m.group("mid")], start
    if m.group("post"):
        return pats.suffix_ops[m.group("post")], start
    return "=", start


def resolve(m: regex.Match, text: str, pats: patterns.Patterns | None = None) -> Quantity | None:
    """Turn one match of the quantity pattern into a Quantity, or None when it is not one."""
    pats = pats or patterns.load()
    num_text = m.group("num")
    parsed = parse_number(num_text)
    if parsed is None:
        return None
    value, malformed = parsed
    value_max = None
    if not _ends_agree(m):
        return None
    if m.group("num2") is not None:
        p2 = parse_number(m.group("num2"))
        if p2 is None:
            return None
        value_max, bad2 = p2
        malformed = malformed or bad2
    unit_text = m.group("unit") or ""
    unit = pats.units.get(unit_text)
    if unit is None and m.group("cur"):  # ￥5万: the symbol is the unit
        unit = pats.units["美元" if m.group("cur") == "$" else "元"]
    scale_text = m.group("scale") or ""
    # Bare Chinese numerals are words (一是, 一批, 三个梯度); keep only clear amounts.
    if not num_text[0].isdigit() and (unit is None or not NUMERAL_SCALE.search(num_text + scale_text)):
        return None
    if m.start("num") > 0:
        before = text[m.start("num") - 1]
        if before.isascii() and before.isalpha():
            return None  # PM2.5, 5G, COD15: part of a name
        if ORDINAL_BEFORE.search(text[max(0, m.start("num") - 3):m.start("num")]):
            return None
    scale = SCALES.get(scale_text, Decimal(1))
    kind = unit.kind if unit else None
    if kind in ("percent", "permille", "points", "score") and scale_text:
        return None
    factor = Decimal(unit.factor) if unit and unit.kind == "money" else Decimal(1)
    base = value * scale * factor
    base_max = value_max * scale * factor if value_max is not None else None
    op, start = _op(m, text, pats)
    if kind == "money":
        canon = unit.currency
    elif kind in CANON_UNIT:
        canon = CANON_UNIT[kind]
    else:
        canon = unit_text or None
    end = m.end()
    return Quantity(start, end, text[start:end], num_text, value, value_max, scale_text,
                    scale_text + unit_text, kind, canon, unit.currency if unit else None,
                    base, base_max, op, malformed)


def _ends_agree(m: regex.Match) -> bool:
    """A range written with its unit on both ends (90%-95%, 40亿-50亿元) is one quantity only
    when the first end's scale and unit are the second's; 3%-5元 is two figures."""
    s1, u1 = m.group("scale1"), m.group("unit1")
    return (not s1 or s1 == (m.group("scale") or "")) and (not u1 or u1 == (m.group("unit") or ""))


def _joined(head: Quantity, tail: Quantity, text: str) -> Quantity | None:
    """2亿3500万元 is one amount: a bare N亿 right before an amount in 万 (or in plain units
    after 零: 1亿零500元) is its leading part; the regex reads them as two figures."""
    gap = text[head.end:tail.start]
    if head.kind is not None or head.scale_text != "亿" or head.op != "=" or head.malformed:
        return None
    if tail.kind != "money" or tail.op != "=" or tail.value_max is not None or gap not in ("", "零"):
        return None
    scale = SCALES.get(tail.scale_text, Decimal(1))
    if not (tail.scale_text == "万" or (tail.scale_text == "" and gap == "零")):
        return None  # 1亿2000元 is no way to write 100,002,000
    if tail.value * scale >= SCALES["亿"] or tail.value == 0:
        return None
    factor = tail.base / (tail.value * scale)
    value = head.value * SCALES["亿"] / scale + tail.value
    return Quantity(head.start, tail.end, text[head.start:tail.end], text[head.start:tail.start] + tail.number_text,
                    value, None, tail.scale_text, tail.unit_text, tail.kind, tail.unit, tail.currency,
                    value * scale * factor, None, "=", tail.malformed)


def _scan(text: str, pats: patterns.Patterns) -> Iterator[Quantity]:
    """Every quantity in ``text`` in order, bare numbers included; 2亿3500万元 as one."""
    held: Quantity | None = None
    for q in _scan_one(text, pats):
        if held is not None:
            if (j := _joined(held, q, text)) is not None:
                held = None
                yield j
                continue
            yield held
            held = None
        if q.kind is None and q.scale_text == "亿":
            held = q
        else:
            yield q
    if held is not None:
        yield held


def _scan_one(text: str, pats: patterns.Patterns) -> Iterator[Quantity]:
    """Every match of the quantity pattern in ``text`` in order, bare numbers included."""
    pos = 0
    while (m := pats.quantity.search(text, pos)) is not None:
        pos = m.end() if m.end() > m.start() else m.end() + 1
        if not _ends_agree(m):  # two figures after all: read the first alone, then go on after it
            first_end = m.end("unit1") if m.group("unit1") else m.end("scale1")
            m = pats.quantity.match(text, m.start(), first_end) or m
            pos = m.end()
        q = resolve(m, text, pats)
        if q is not None:
            yield q


FOUND_MAX = 8192  # texts remembered; a table repeats its cells and boxes.py re-reads every quote
_found: dict[str, tuple[Quantity, ...]] = {}
_found_for: list[patterns.Patterns] = []  # the patterns _found was read with (tests reload them)


def forget() -> None:
    """Start a new document: quantities are remembered within one document only (a batch
    of copies must not read faster than a batch of distinct reports)."""
    _found.clear()


def _all(text: str) -> tuple[Quantity, ...]:
    """Every quantity of ``text``, bare ones included, read once per text: the stages after
    recognition (tables, boxes) read the same cells and quotes again, about 13,000 reads of
    2,200 texts on the bench. Quantities are frozen, so sharing them is safe."""
    pats = patterns.load()
    if not _found_for or _found_for[0] is not pats:
        _found.clear()
        _found_for[:] = [pats]
    qs = _found.get(text)
    if qs is None:
        if len(_found) >= FOUND_MAX:
            _found.clear()
        qs = _found[text] = tuple(_scan(text, pats))
    return qs


def find(text: str, with_bare: bool = False) -> list[Quantity]:
    """Every quantity in ``text`` in order; bare numbers (no unit) only when asked."""
    qs = _all(text)
    return list(qs) if with_bare else [q for q in qs if q.kind is not None]


def first(text: str) -> Quantity | None:
    """The first quantity of ``text``, bare or not, without reading the rest (a paragraph's
    tail from a known offset)."""
    return next(_scan(text, patterns.load()), None)


def to_float(d: Decimal | None) -> float | None:
    return None if d is None else float(d)
