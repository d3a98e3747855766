"""绩效自评表 and finance tables -> measures, amounts and document fields.

The tables come stitched into logical ones (``table_layout``: headers found by the roles of
their cells, continuations across pages, merged cells filled); this module reads what their
rows say. Every indicator row is a measure row, a qualitative one too (values None, texts kept); the funds
block (年初预算数 / 全年预算数 / 全年执行数 / 执行率) gives the document's budget fields from
its total row, and the header block (项目名称 | … | 实施单位 | …) its names.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

import regex

from reportparse import patterns
from reportparse.model import Amount, Item, Measure, Table
from reportparse.understand import names as indicators
from reportparse.understand import numbers, roles
from reportparse.understand.numbers import Quantity
from reportparse.understand.prose import clean_label, met
from reportparse.understand.table_layout import FIELD_COLS, Logical, is_funds_header, stitch

log = logging.getLogger(__name__)

_SH = patterns.load().shapes  # wording lives in patterns/shapes.json and patterns/table_roles.json
_CELLS = patterns.table_roles().cells
UNIT_IN_HEADER = _SH["unit_in_header"]
TOTAL_ROW = _SH["total_row"]  # sums every row above
FIELD_ROW = _SH["field_row"]  # the document's totals
FUNDS_TOTAL = _CELLS["funds_total"]
PLACEHOLDER, ORDINAL, INSTRUCTION = _CELLS["placeholder"], _CELLS["ordinal"], _CELLS["instruction"]
DATE_AFTER = _CELLS["date_after"]
QUALITATIVE, RANGE_JOINT, RATE_ROW = _CELLS["qualitative_sign"], _CELLS["range_joint"], _CELLS["rate_row"]
SIGNS = {"≥": ">=", "≧": ">=", ">=": ">=", "＞": ">", ">": ">", "≤": "<=", "≦": "<=", "<=": "<=", "＜": "<", "<": "<",
         "=": "=", "＝": "="}  # comparator symbols of a sign column; worded ones come from ops.json
SCALE = {"元": 1, "万元": 10**4, "亿元": 10**8, "万美元": 10**4, "美元": 1}
Field = tuple[float | int | str, int, str]  # (value, page, quote)
# precompiled: regex's module-level functions cost about 3 µs a call to look the pattern up
HAS_DIGIT = regex.compile(r"\d")
HAS_HAN = regex.compile(r"\p{Han}")
DIGIT_OR_ZERO = regex.compile(r"[0-9零〇]")  # a figure in digits or 零/〇: its 0 is a figure
TITLE_CELL = regex.compile(r"表$|^[（(].*[)）]$")
SCORE_NOTE = regex.compile(r"[（(]\d+(?:\.\d+)?分[)）]$")
NAME_UNIT = regex.compile(r"[（(]([^（）()]{1,6})[)）]$")


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
    fields: dict[str, Field]
    # document fields: budget_* and execution_rate (float), fiscal_year (int), organization,
    # supervisor, project (str)
    scores: list[tuple[float | None, float, int, str]]  # (weight, score, page, row quote)
    total_score: tuple[float, int, str] | None
    rates: list[tuple[float, float, float, str, int, str]] = field(default_factory=list)
    # (budget, spending, stated rate, rate as written, page, row quote) of finance table rows
    unit_mismatches: list[tuple[str, str, str, int, str, tuple[str, ...]]] = field(default_factory=list)
    # (indicator, target unit, actual unit, page, row quote)
    ocr: bool = False  # some table was read by OCR
    items: list[Item] = field(default_factory=list)  # numbered points of a 存在问题 / 改进措施 row


def _header_unit(h: str) -> str | None:
    m = UNIT_IN_HEADER.search(h)
    return next((g for g in m.groups() if g), None) if m else None


def _cell(row: list[str | None], i: int | None) -> str:
    """A cell's text, white space (wrapping inside the cell) removed; "" when absent."""
    return roles.squash(row[i]) if i is not None and i < len(row) else ""


def _sign_op(sign: str) -> str | None:
    if _CELLS["sign_higher"].search(sign):
        return ">="
    if _CELLS["sign_lower"].search(sign):
        return "<="
    return SIGNS.get(sign) or patterns.load().prefix_ops.get(sign)


def _with_unit(q: Quantity, unit: str) -> Quantity:
    """A bare number given the unit of its row's unit column (a measure word not in units.json)."""
    return Quantity(q.start, q.end, q.text, q.number_text, q.value, q.value_max, "", unit, "count", unit, None,
                    q.value, q.value_max, q.op, q.malformed)


def parse_value(text: str, sign: str = "", unit: str = "") -> Quantity | None:
    """One target or actual cell as a quantity: the row's sign column gives the op, its unit
    column the unit (≤ | 860 | 万元 -> CNY 8600000), a range written with the unit on both ends
    (80%-90%) is a range. None when the cell states no number (定性 rows, 有效, blank)."""
    if not text or PLACEHOLDER.search(text):
        return None
    unit = "" if PLACEHOLDER.search(unit) else unit
    qs = [q for q in numbers.find(text, with_bare=True) if q.unit is not None or not DATE_AFTER.match(text[q.end:])]
    if not qs:
        return None  # 12月底前, 2023年11月: a date is no value
    q = qs[0]
    if q.unit is None and unit:
        qu = numbers.find(q.text + unit, with_bare=True)
        q = qu[0] if qu and qu[0].unit is not None and qu[0].end == len(q.text + unit) else _with_unit(q, unit)
    if len(qs) > 1 and q.op == "=" and q.base_max is None and RANGE_JOINT.match(text[qs[0].end:qs[1].start]):
        hi = qs[1]
        if hi.unit is None and unit:
            hi = parse_value(hi.text, "", unit) or hi
        if hi.unit == q.unit and hi.base >= q.base:
            q = Quantity(q.start, hi.end, text[q.start:hi.end], q.number_text, q.value, hi.value, q.scale_text,
                         q.unit_text, q.kind, q.unit, q.currency, q.base, hi.base, "range", q.malformed)
    op = _sign_op(sign) if sign else None
    if op and q.op == "=":
        q = Quantity(q.start, q.end, q.text, q.number_text, q.value, q.value_max, q.scale_text, q.unit_text, q.kind,
                     q.unit, q.currency, q.base, q.base_max, op, q.malformed)
    return q


def _number(cell: str) -> float | None:
    q = _first(cell)
    return float(q.value) if q is not None and q.kind in (None, "score", "points") else None


def _name_unit(name: str) -> tuple[str, str]:
    """城镇新增就业人数（人）: a unit given in brackets after the indicator name."""
    m = NAME_UNIT.search(name)
    if m and (m.group(1) in patterns.load().units or m.group(1) in ("%", "％")):
        return name[:m.start()], m.group(1).replace("％", "%")
    return name, ""


def row_measure(cols: roles.Columns, row: list[str | None], page: int) -> Measure | None:
    """One indicator row -> a measure row (None for a placeholder or a total row). A
    qualitative row (定性, 有效) keeps its texts with null values; a blank actual leaves the
    actual and met null."""
    raw_name = _cell(row, cols.indicator)
    if PLACEHOLDER.search(raw_name) or TOTAL_ROW.match(raw_name) or FUNDS_TOTAL.match(raw_name):
        return None
    name = ORDINAL.sub("", raw_name)
    t_text, a_text = _cell(row, cols.target), _cell(row, cols.actual)
    sign, unit = _cell(row, cols.sign), _cell(row, cols.unit)
    if PLACEHOLDER.search(t_text) and PLACEHOLDER.search(a_text) and not sign:
        t_text = ""
    if not t_text:
        # the target written into the name when its cell is empty: 审批办结率100%
        qs = numbers.find(name)
        if qs and qs[-1].end == len(name) and qs[-1].start > 0:
            t_text, name = name[qs[-1].start:], name[:qs[-1].start]
    if not unit:
        name, unit = _name_unit(name)
    # 定性 in the sign column, or in a 指标类型 column that says 定量 / 定性
    qualitative = bool(QUALITATIVE.search(sign)) or any(QUALITATIVE.fullmatch(_cell(row, i)) for i in cols.category)
    t = None if qualitative else parse_value(t_text, sign, unit or cols.units.get(cols.target, ""))
    a = None if qualitative else parse_value(a_text, "", unit or cols.units.get(cols.actual, ""))
    if t is not None and a is not None:
        if a.unit is None and t.unit is not None:
            a = parse_value(a_text, "", t.unit_text) if t.kind == "money" else _with_unit(a, t.unit)
        elif t.unit is None and a.unit is not None:
            t = parse_value(t_text, sign, a.unit_text) if a.kind == "money" else _with_unit(t, a.unit)
    quote = " | ".join(roles.squash(c) for c in row if c and c.strip())
    indicator = indicators.clean(name) or name
    mismatch = t is not None and a is not None and t.unit != a.unit
    if mismatch:
        a = None
    out_unit = (t.unit if t is not None else a.unit if a is not None else None) or (unit if unit and not PLACEHOLDER.search(unit) else None)
    weight = _number(_cell(row, cols.weight))
    score = _number(_cell(row, cols.score))
    level1, level2 = _levels(cols, row)
    return Measure(None, page, indicator, out_unit, t.op if t is not None else (_sign_op(sign) or "="),
                   float(t.base) if t is not None else None,
                   numbers.to_float(t.base_max) if t is not None else None,
                   (a.op if a.op != "range" else "=") if a is not None else "=",
                   float(a.base) if a is not None else None,
                   met(t.op, t.base, a.op, a.base) if t is not None and a is not None else None,
                   quote, "table", level1, level2, t_text or None, a_text or None, weight, score)


def _levels(cols: roles.Columns, row: list[str | None]) -> tuple[str | None, str | None]:
    """一级 / 二级指标 of a row. A single category column (指标类型: 数量指标, 质量指标 …)
    names the second level."""
    vals = [SCORE_NOTE.sub("", _cell(row, i)) or None for i in cols.category]
    if len(vals) >= 2:
        return vals[0], vals[1]
    return (None, vals[0]) if vals else (None, None)


def _looks_like_unit(value: str) -> bool:
    """A unit's name, not the next column title of a list of units (单位名称 | 人数 | …)."""
    if roles.role_of(value) is not None or HAS_DIGIT.search(value):
        return False
    return bool(patterns.load().org["unit_end"].search(value)) or len(value) >= 5


def header_block(tables: list[Table]) -> dict[str, Field]:
    """项目名称 | X | 主管部门 | Y | 实施单位（盖章） | Z: the label's value is the next filled cell
    to its right; the year from a title or （2023年度） cell inside the table."""
    out: dict[str, Field] = {}
    year = patterns.load().fiscal_year
    for t in tables:
        for row in t.rows:
            quote = " | ".join(roles.squash(c) for c in row if c and c.strip())
            for i, cell in enumerate(row):
                name = roles.header_field(cell)
                if name is None and "execution_rate" not in out and RATE_ROW.match(roles.label_key(cell)):
                    # 预算执行率 | 96.5%: the rate as a labelled cell of its own
                    q = _first(next((c for c in row[i + 1:] if c and c.strip()), None))
                    if q is not None and q.kind == "percent" and q.op == "=":  # ≥90% is a target
                        out["execution_rate"] = (float(q.value), t.page, quote)
                    continue
                if name is None or name in out:
                    if "fiscal_year" not in out and cell and TITLE_CELL.search(roles.squash(cell)):
                        m = year.search(roles.squash(cell))
                        if m and m.group("year"):
                            out["fiscal_year"] = (int(m.group("year")), t.page, roles.squash(cell))
                    continue
                nxt = next((c for c in row[i + 1:] if c and c.strip()), None)
                if nxt is None or roles.header_field(nxt) is not None:
                    continue
                value = roles.clean_value(name, nxt)
                if value and (name == "project" or _looks_like_unit(value)):
                    out[name] = (value, t.page, quote)
    return out


ITEM_ROWS = patterns.table_roles().item_rows
ITEM_SPLIT = regex.compile(r"(?:^|(?<=[；;。]))\s*(?:\d{1,2}\s*[.、．](?!\d)|[（(]\d{1,2}[)）]|[（(]?[一二三四五六七八九十]{1,2}[)）、])\s*")


def table_items(tables: list[Table]) -> list[Item]:
    """存在问题 | 1.…；2.… and 改进措施 | … rows of a 自评表: one item per numbered point (the
    whole cell when it is not numbered)."""
    out: list[Item] = []
    seen: set[str] = set()
    for t in tables:
        for row in t.rows:
            for i, cell in enumerate(row[:2]):
                key = roles.label_key(cell)
                kind = next((k for k, rx in ITEM_ROWS.items() if key and rx.fullmatch(key)), None)
                if kind is None or kind in seen:
                    continue
                text = next((c.strip() for c in row[i + 1:] if c and c.strip()), "")
                if PLACEHOLDER.search(roles.squash(text)) or INSTRUCTION.search(roles.squash(text)):
                    break  # empty, or the template's own instruction: the report says nothing here
                seen.add(kind)
                parts = [p.strip().rstrip("；;") for p in ITEM_SPLIT.split(regex.sub(r"\s*\n\s*", "", text))
                         if p.strip().rstrip("；;")]
                out += [Item(None, kind, n + 1, p, t.page) for n, p in enumerate(parts)]  # type: ignore[arg-type]
                break
    return out


def merge_items(prose: list[Item], table: list[Item]) -> list[Item]:
    """The prose's problems and improvements, plus a table's of a kind the prose has none of
    (a report that states them in both would list each twice)."""
    kinds = {it.kind for it in prose}
    return prose + [it for it in table if it.kind not in kinds]


def _funds(lt: Logical, units: dict[int, str | None], facts: TableFacts) -> set[int]:
    """The funds block's total row -> budget fields, in the unit its header names. A column is
    the first one of its name whose total cell holds a number (a block label such as
    年度预算数（万元） heads the labels, not figures). Returns the row indexes used."""
    h = lt.header
    total = None
    for n, (page, row) in enumerate(lt.rows):
        labels = [roles.squash(c) for c in row[:3]]
        if any(FIELD_ROW.match(c) or FUNDS_TOTAL.match(c) for c in labels):
            total = n
            break
    if total is None:  # one unlabelled row of figures right under the header (Chongqing)
        page, row = lt.rows[0] if lt.rows else (0, [])
        if row and not any((c or "").strip() and not _first(c) for c in row if c) and any(_first(c) for c in row):
            total = 0
    if total is None:
        return set()
    page, row = lt.rows[total]
    quote = " | ".join(roles.squash(c) for c in row if c and c.strip())
    for name, rx in FIELD_COLS.items():
        if name in facts.fields:
            continue
        for ci, hc in enumerate(h):
            if not rx.search(hc):
                continue
            if name == "budget_adjusted" and FIELD_COLS["budget_initial"].search(hc):
                continue
            q = _first(row[ci]) if ci < len(row) else None
            if q is None:
                if name == "execution_rate":
                    break  # an empty 执行率 cell stays null
                continue
            if name == "execution_rate":
                if q.kind != "percent":
                    continue
                val: float = float(q.value)
            else:
                if q.kind not in (None, "money"):
                    continue
                val = float(q.base if q.is_money else q.value * SCALE.get(units.get(ci) or "", 1))
            facts.fields[name] = (val, page, quote)
            break
    return {total}


def read(tables: list[Table]) -> TableFacts:
    """All tables of a document -> its table measures, amounts, fields, items and the inputs
    of the table checks (score column, line-item rates, unit mismatches)."""
    facts = TableFacts([], [], {}, [], None, ocr=any(t.ocr for t in tables))
    rate_row: Field | None = None
    for lt in stitch(tables):
        h = lt.header
        cols = roles.columns(h)
        scol, wcol = cols.score, cols.weight
        units = {i: _header_unit(x) for i, x in enumerate(h)}
        table_unit = next((u for u in units.values() if u), None)  # "项目资金（万元）" heads the block
        funds = is_funds_header(h)
        if funds:
            for name in ("budget_initial", "budget_adjusted", "expenditure"):
                for ci, hc in enumerate(h):
                    if FIELD_COLS[name].search(hc) and units.get(ci) is None:
                        units[ci] = table_unit
        used = _funds(lt, units, facts) if funds else set()
        log.debug("table from page %d, %d rows: %s (header %s)", lt.page, len(lt.rows),
                  "funds block" if funds else "indicator table, target/actual by column role" if cols.pairs
                  else "rows read for figures and labels only", " | ".join(c for c in h if c)[:80])
        col_unit = dict(units)  # a label cell naming 万元 heads the figures below it
        for n, (page, row) in enumerate(lt.rows):
            quote = " | ".join(c for c in row if c)
            first = next((c for c in row if c and HAS_HAN.search(c)), "") or ""  # the row's label
            labels = [roles.squash(c) for c in row[:3]]
            is_total = any(TOTAL_ROW.match(c) for c in labels)
            if is_total and not funds and scol is not None and (q := _first(row[scol])) is not None:
                facts.total_score = (float(q.value), page, quote)
            bcol = _col(h, FIELD_COLS["budget_adjusted"], FIELD_COLS["budget_initial"]) \
                or _col(h, regex.compile(r"预算"), regex.compile(r"年初|执行"))
            ecol, rcol = _col(h, FIELD_COLS["expenditure"]), _col(h, FIELD_COLS["execution_rate"])
            if None not in (bcol, ecol, rcol) and n not in used:
                b, e, r = _first(row[bcol]), _first(row[ecol]), _first(row[rcol])
                if b and e and r and r.kind == "percent" and b.kind in (None, "money") and e.kind in (None, "money"):
                    bv = b.base if b.is_money else b.value * SCALE.get(units.get(bcol) or "", 1)
                    ev = e.base if e.is_money else e.value * SCALE.get(units.get(ecol) or "", 1)
                    facts.rates.append((float(bv), float(ev), float(r.value), r.number_text, page, quote))
            # money cells: with their own unit, or bare under a header that names one
            icol = cols.indicator
            for i, cell in enumerate(row):
                if not cell:
                    continue
                qs = [q for q in numbers.find(cell, with_bare=True) if q.value or DIGIT_OR_ZERO.search(q.number_text)]
                if not qs and HAS_HAN.search(cell):
                    u = _header_unit(roles.squash(cell))
                    if u:
                        col_unit[i] = u
                    elif i in col_unit and not funds:
                        col_unit.pop(i)
                    continue
                for q in qs:
                    if q.value == 0:
                        continue  # an empty 0.00 cell is no figure
                    label = clean_label(ORDINAL.sub("", roles.squash(
                        row[icol] if icol is not None and icol < len(row) and row[icol] else first))).strip("：:")
                    if q.is_money:
                        facts.amounts.append(Amount(None, page, label or None, float(q.value), q.unit_text,
                                                    q.currency, float(q.base), quote, q.malformed, "table"))
                    elif q.kind is None and col_unit.get(i) and i != scol and i != wcol and len(qs) == 1:
                        u = col_unit[i]
                        cur = "USD" if "美元" in u else "CNY"
                        head = h[i] if units.get(i) else ""
                        facts.amounts.append(Amount(None, page, (label + "/" if label else "") + head or None,
                                                    float(q.value), u, cur, float(q.value * SCALE[u]), quote,
                                                    q.malformed, "table"))
            subtotal = any("小计" in c for c in labels)  # already inside the rows it sums
            if (funds or not is_total) and not subtotal and scol is not None and (sq := _first(row[scol])) is not None \
                    and sq.kind is None:
                wq = _first(row[wcol]) if wcol is not None else None
                facts.scores.append((float(wq.value) if wq else None, float(sq.value), page, quote))
            if not cols.pairs:
                continue
            m = row_measure(cols, row, page)
            if m is None:
                continue
            if m.target_value is not None and m.actual_value is None and m.actual_text and m.unit:
                a = parse_value(m.actual_text, "", "")
                if a is not None and a.unit is not None and a.unit != m.unit:
                    facts.unit_mismatches.append((m.indicator, m.unit, a.unit, page, quote,
                                                   tuple(roles.squash(c) for c in row if c and c.strip())))
            facts.measures.append(m)
            if rate_row is None and RATE_ROW.match(m.indicator) and m.unit == "%" and m.actual_value is not None:
                rate_row = (m.actual_value, page, m.quote)
    if "execution_rate" not in facts.fields and rate_row is not None:
        facts.fields["execution_rate"] = rate_row  # 预算执行率 given as its own indicator row
    facts.fields.update({k: v for k, v in header_block(tables).items() if k not in facts.fields})
    facts.items = table_items(tables)
    return facts
