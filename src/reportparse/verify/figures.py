"""Numbers and quotes as a check message shows them: the figure as the document writes it, its
unit, the page, a quote cut to length.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import regex

from reportparse.model import Amount, Document


def decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def within(expected: float, reported: float, places: int) -> bool:
    """Equal at the report's own rounding, ±1 in its last digit."""
    step = Decimal(1).scaleb(-places)
    exp = Decimal(str(expected)).quantize(step)
    return abs(exp - Decimal(str(reported))) <= step + Decimal("1e-9")


UNIT_SCALE = {"元": Decimal(1), "万元": Decimal(10) ** 4, "亿元": Decimal(10) ** 8}
NUMBER_AT = regex.compile(r"[0-9][0-9,，.．]*")
QUOTE_LIMIT = 160


def num(x: float | Decimal | int | None, places: int | None = None) -> str:
    """A number in positional notation with thousands grouping, never 2e+09: ``places``
    fixed decimals, or as few as the value needs."""
    if x is None:
        return "?"
    d = Decimal(str(x))
    if places is not None:
        d = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)  # as reports round
    elif d == d.to_integral_value():
        d = d.quantize(Decimal(1))
    else:
        d = d.normalize()
    return f"{d:,f}"


def quote(text: str | None, limit: int = QUOTE_LIMIT) -> str:
    """The source text in 「」, whole; a long one ends at its last clause boundary before
    ``limit`` (never inside a word or a number)."""
    t = " ".join((text or "").split())
    if len(t) > limit:
        cut = max(t.rfind(c, 0, limit) for c in "，。；：,;、")
        t = (t[:cut + 1] if cut > limit // 3 else t[:limit].rsplit(" ", 1)[0] if " " in t[:limit] else t[:limit]) + "……"
    return f"「{t}」"


def doc_unit(amounts: list[Amount]) -> str | None:
    """The money unit the document writes most (万元 for most reports); None if it writes none."""
    counts: dict[str, int] = {}
    for a in amounts:
        if a.currency == "CNY" and a.unit_text in UNIT_SCALE:
            counts[a.unit_text] = counts.get(a.unit_text, 0) + 1
    return max(counts, key=counts.get) if counts else None


def money(yuan: float | None, unit: str | None = None) -> str:
    """A yuan amount shown in ``unit`` with two decimals (a recomputed or table figure);
    without a unit, 万元 from ten thousand yuan up, as reports write them."""
    if yuan is None:
        return "?"
    unit = unit or ("万元" if abs(yuan) >= 10**4 else "元")
    return f"{num(Decimal(str(yuan)) / UNIT_SCALE.get(unit, Decimal(1)), 2)}{unit}"


def written(a: Amount) -> str:
    """The amount as the document writes it: its number text and unit."""
    if a.para is not None and a.offset >= 0:
        m = NUMBER_AT.match(a.para.text, a.offset)
        if m:
            return m.group().rstrip(",，.．") + a.unit_text
    return f"{num(a.value)}{a.unit_text}"


def field_written(doc: Document, name: str, amounts: list[Amount], unit: str | None) -> str:
    """A document money field as written where its source figure is known."""
    value = getattr(doc, name)
    page, src = doc.evidence.get(name, (None, ""))
    same = [a for a in amounts if abs(a.amount - value) <= 1e-6 * max(abs(value), 1)]
    for a in sorted(same, key=lambda a: (a.quote != src, a.page != page)):
        return written(a)
    return money(value, unit)


def page_ref(page: int | None) -> str:
    return f"第{page}页" if page is not None else "页码不明"
