"""绩效自评表 and finance tables -> measures, amounts and document fields.

A header row is found by its words (年度指标值, 实际完成值, 三级指标 …); a table on the next
page with the same columns and no header, or with the header repeated, continues the
previous one; vertically merged cells (None from pdfplumber) are filled from above.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import regex

from . import indicators, numbers, patterns
from .model import Amount, Measure, Table
from .numbers import Quantity
from .recognize import clean_label, met

_SH = patterns.load().shapes  # wording lives in patterns/shapes.json
TARGET_COL, ACTUAL_COL, INDICATOR_COL = _SH["target_col"], _SH["actual_col"], _SH["indicator_col"]
SCORE_COL, WEIGHT_COL, UNIT_IN_HEADER = _SH["score_col"], _SH["weight_col"], _SH["unit_in_header"]
FIELD_COLS = {name: _SH[f"col_{name}"] for name in ("budget_initial", "budget_adjusted", "expenditure", "execution_rate")}
TOTAL_ROW = _SH["total_row"]  # sums every row above
FIELD_ROW = _SH["field_row"]  # the document's totals


@dataclass
class Logical:
    header: list[str]
    page: int
    rows: list[tuple[int, list[str | None]]] = field(default_factory=list)


def _is_header(row: list[str | None]) -> bool:
    cells = [c or "" for c in row]
    return any(TARGET_COL.search(c) for c in cells) and any(ACTUAL_COL.search(c) for c in cells) \
        or sum(bool(FIELD_COLS[k].search(c)) for k in FIELD_COLS for c in cells) >= 2


def _norm_header(row: list[str | None], width: int) -> list[str]:
    return [regex.sub(r"\s+", "", c or "") for c in list(row) + [None] * (width - len(row))]


def stitch(tables: list[Table]) -> list[Logical]:
    """Tables in reading order -> logical tables. A header row may start anywhere (the
    standard 项目自评表 has a budget block and an indicator block, each with its own header);
    a table on a later page with the same header repeated, or with no header and the same
    width, continues the previous one."""
    out: list[Logical] = []
    for t in tables:
        width = max(len(r) for r in t.rows)
        cur: Logical | None = None
        for idx, row in enumerate(t.rows):
            if _is_header(row):
                header = _norm_header(row, width)
                prev = out[-1] if out else None
                if idx == 0 and prev is not None and prev.header == header and prev.rows and prev.rows[-1][0] < t.page:
                    cur = prev  # the header repeated on the next page
                else:
                    cur = Logical(header, t.page)
                    out.append(cur)
                continue
            if cur is None:
                prev = out[-1] if out else None
                if prev is not None and len(prev.header) == width and prev.rows and prev.rows[-1][0] < t.page:
                    cur = prev  # continued without a header
                else:
                    cur = Logical([""] * width, t.page)
                    out.append(cur)
            cur.rows.append((t.page, row))
    for lt in out:
        # vertically merged cells are the category columns left of the indicator; data
        # cells left empty (a 合计 row's target) must stay empty
        data_from = next((i for i, h in enumerate(lt.header) if (INDICATOR_COL.search(h) and not regex.search(r"(?<!三)级", h))
                          or TARGET_COL.search(h)), 1)
        filled, prev = [], None
        for page, r in lt.rows:
            r = list(r) + [None] * (len(lt.header) - len(r))
            if prev is not None:
                r = [prev[i] if c is None and i < min(len(prev), data_from) else c for i, c in enumerate(r)]
            filled.append((page, r))
            prev = r
        lt.rows = filled
    return out


def _col(header: list[str], rx: regex.Pattern, exclude: regex.Pattern | None = None) -> int | None:
    for i, h in enumerate(header):
        if rx.search(h) and not (exclude and exclude.search(h)):
            return i
    return None


def _first(cell: str | None) -> Quantity | None:
    if not cell:
        return None
    qs = numbers.find(cell, with_bare=True)
    return qs[0] if qs else None


@dataclass
class TableFacts:
    measures: list[Measure]
    amounts: list[Amount]
    fields: dict[str, tuple[float, int, str]]
    scores: list[tuple[float | None, float, int, str]]  # (weight, score, page, row quote)
    total_score: tuple[float, int, str] | None
    rates: list[tuple[float, float, float, str, int, str]] = field(default_factory=list)
    # (budget, spending, stated rate, rate as written, page, row quote) of finance table rows
    unit_mismatches: list[tuple[str, str, str, int, str]] = field(default_factory=list)
    # (indicator, target unit, actual unit, page, row quote)
    ocr: bool = False  # some table was read by OCR


def _header_unit(h: str) -> str | None:
    m = UNIT_IN_HEADER.search(h)
    return (m.group(1) or m.group(2)) if m else None


def read(tables: list[Table]) -> TableFacts:
    facts = TableFacts([], [], {}, [], None, ocr=any(t.ocr for t in tables))
    scale = {"元": 1, "万元": 10**4, "亿元": 10**8, None: 1}
    for lt in stitch(tables):
        h = lt.header
        tcol = _col(h, TARGET_COL)
        acol = _col(h, ACTUAL_COL, regex.compile(r"^完成情况$|^完成情$"))
        icol = _col(h, INDICATOR_COL, regex.compile(r"(?<!三)级"))
        if icol is None and tcol:
            icol = tcol - 1
        scol = _col(h, SCORE_COL)
        wcol = _col(h, WEIGHT_COL)
        units = {i: _header_unit(x) for i, x in enumerate(h)}
        table_unit = next((u for u in units.values() if u), None)  # "项目资金（万元）" heads the block
        for name in ("budget_initial", "budget_adjusted", "expenditure"):
            ci = _col(h, FIELD_COLS[name])
            if ci is not None and units.get(ci) is None:
                units[ci] = table_unit
        for page, row in lt.rows:
            quote = " | ".join(c for c in row if c)
            first = next((c for c in row if c), "") or ""
            labels = [regex.sub(r"\s+", "", c or "") for c in row[:3]]
            is_total = any(TOTAL_ROW.match(c) for c in labels)
            if is_total and scol is not None and (q := _first(row[scol])) is not None:
                facts.total_score = (float(q.value), page, quote)
            if any(FIELD_ROW.match(c) for c in labels):
                for name, rx in FIELD_COLS.items():
                    ci = _col(h, rx)
                    if ci is not None and (q := _first(row[ci])) is not None and name not in facts.fields:
                        unit = units.get(ci)
                        val = q.value if name == "execution_rate" else (q.base if q.is_money else q.value * scale.get(unit, 1))
                        facts.fields[name] = (float(val), page, quote)
            bcol = _col(h, FIELD_COLS["budget_adjusted"]) or _col(h, regex.compile(r"预算"), regex.compile(r"年初|执行"))
            ecol, rcol = _col(h, FIELD_COLS["expenditure"]), _col(h, FIELD_COLS["execution_rate"])
            if None not in (bcol, ecol, rcol):
                b, e, r = _first(row[bcol]), _first(row[ecol]), _first(row[rcol])
                if b and e and r and r.kind == "percent" and b.kind in (None, "money") and e.kind in (None, "money"):
                    bv = b.base if b.is_money else b.value * scale.get(units.get(bcol), 1)
                    ev = e.base if e.is_money else e.value * scale.get(units.get(ecol), 1)
                    facts.rates.append((float(bv), float(ev), float(r.value), r.number_text, page, quote))
            # money cells: with their own unit, or bare under a header that names one
            for i, cell in enumerate(row):
                if not cell:
                    continue
                for q in numbers.find(cell, with_bare=True):
                    label = clean_label(row[icol] if icol is not None and icol < len(row) and row[icol] else first)
                    if q.is_money:
                        facts.amounts.append(Amount(None, page, label or None, float(q.value), q.unit_text,
                                                    q.currency, float(q.base), quote, q.malformed, "table"))
                    elif q.kind is None and units.get(i) and i != scol and i != wcol:
                        factor = {"元": 1, "万元": 10**4, "亿元": 10**8, "万美元": 10**4, "美元": 1}[units[i]]
                        cur = "USD" if "美元" in units[i] else "CNY"
                        facts.amounts.append(Amount(None, page, (label + "/" if label else "") + h[i], float(q.value),
                                                    units[i], cur, float(q.value * factor), quote, q.malformed, "table"))
            subtotal = any("小计" in c for c in labels)  # already inside the rows it sums
            if not is_total and not subtotal and scol is not None and (sq := _first(row[scol])) is not None \
                    and sq.kind is None:
                wq = _first(row[wcol]) if wcol is not None else None
                facts.scores.append((float(wq.value) if wq else None, float(sq.value), page, quote))
            if tcol is None or acol is None or icol is None:
                continue
            t, a = _first(row[tcol]), _first(row[acol])
            if t is None or a is None:
                continue
            if a.unit is None and t.unit is not None:
                a = numbers.Quantity(a.start, a.end, a.text, a.number_text, a.value, None, "", t.unit_text, t.kind,
                                     t.unit, t.currency, a.value, None, a.op, a.malformed)
            if t.unit is not None and a.unit is not None and t.unit != a.unit:
                facts.unit_mismatches.append((indicators.clean(row[icol] or ""), t.unit, a.unit, page, quote))
                continue
            if t.unit is None or t.unit != a.unit or t.kind not in ("money", "percent", "permille", "count"):
                continue
            indicator = indicators.clean(row[icol] or "")
            facts.measures.append(Measure(None, page, indicator, t.unit, t.op, float(t.base),
                                          numbers.to_float(t.base_max), a.op if a.op != "range" else "=",
                                          float(a.base), met(t.op, t.base, a.op, a.base), quote, "table"))
    return facts
