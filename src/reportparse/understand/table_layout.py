"""Table structure: physical tables in reading order stitched into logical ones (headers found,
split across pages with or without a repeated header, merged cells filled).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import regex

from reportparse import patterns
from reportparse.model import Table
from reportparse.understand import roles

_SH = patterns.load().shapes  # wording lives in patterns/shapes.json
FIELD_COLS = {name: _SH[f"col_{name}"] for name in ("budget_initial", "budget_adjusted", "expenditure", "execution_rate")}
HAS_DIGIT = regex.compile(r"\d")


@dataclass
class Logical:
    header: list[str]
    page: int
    rows: list[tuple[int, list[str | None]]] = field(default_factory=list)


def is_funds_header(row: list[str | None]) -> bool:
    """Two or more funds columns named by short header cells (a 评价标准 sentence that
    mentions 执行率 is no column name)."""
    cells = [roles.head_text(c) for c in row]
    return sum(any(FIELD_COLS[k].search(c) for c in cells if len(c) <= 12) for k in FIELD_COLS) >= 2


def _is_header(row: list[str | None]) -> bool:
    return roles.columns(row).pairs or is_funds_header(row)


def _norm_header(row: list[str | None], width: int) -> list[str]:
    return [roles.squash(c) for c in list(row) + [None] * (width - len(row))]


def _subheader(header: list[str], nxt: list[str]) -> list[str] | None:
    """A header on two rows (绩效指标 merged over 一级 / 二级 / 三级指标 on the row below): the
    lower row's role words replace the merged cell's, when the lower row holds no figures."""
    if any(HAS_DIGIT.search(c) for c in nxt):
        return None
    merged, changed = list(header), False
    for i, c in enumerate(nxt):
        r = roles.role_of(c)
        if r is not None and r in ("category", "indicator", "sign", "unit") and roles.role_of(header[i]) in (None, "indicator"):
            merged[i], changed = c, True
    return merged if changed and roles.columns(merged).pairs else None


def stitch(tables: list[Table]) -> list[Logical]:
    """Tables in reading order -> logical tables. A header row may start anywhere (the
    standard 项目自评表 has a budget block and an indicator block, each with its own header);
    a table on a later page with the same header repeated, or with no header and the same
    width, continues the previous one."""
    out: list[Logical] = []
    for t in tables:
        width = max(len(r) for r in t.rows)
        cur: Logical | None = None
        skip = -1
        for idx, row in enumerate(t.rows):
            if idx == skip:
                continue
            if _is_header(row):
                header = _norm_header(row, width)
                if idx + 1 < len(t.rows) and (sub := _subheader(header, _norm_header(t.rows[idx + 1], width))):
                    header, skip = sub, idx + 1
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
        # cells left empty (a 合计 row's target) must stay empty. A merged cell cut by a page
        # break comes back empty ("") on the next page: it is filled too.
        cols = roles.columns(lt.header)
        data_from = cols.indicator if cols.indicator is not None else (cols.target if cols.target is not None else 1)
        filled, prev = [], None
        for page, r in lt.rows:
            r = list(r) + [None] * (len(lt.header) - len(r))
            if prev is not None:
                r = [prev[i] if not (c or "").strip() and i < min(len(prev), data_from) else c for i, c in enumerate(r)]
            filled.append((page, r))
            prev = r
        lt.rows = filled
    return out
