"""Roles of a 绩效自评表's columns, and the labelled cells of its header block.

Templates differ in wording and order (三级指标 or 指标名称, a 指标性质 column or a sign
written into the target, 计量单位 in its own column or glued to the number, a 得分 column or
none), but every indicator table has the same roles. Reading columns by role instead of by
position lets one reader handle all of them; the words live in patterns/table_roles.json.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import regex

from reportparse import patterns

_TR = patterns.table_roles()
NOTE = _TR.cells["header_note"]
SEAL = _TR.cells["seal"]
_SPACE = regex.compile(r"\s+")
_COLON_END = regex.compile(r"[:：]+$")


def squash(cell: str | None) -> str:
    """A cell without white space: header words wrap inside cells (指标\\n性质)."""
    return _SPACE.sub("", cell or "") if cell else ""


def head_text(cell: str | None) -> str:
    """A header cell reduced to its words: no white space, no trailing （A） / （万元） note."""
    s = squash(cell)
    return NOTE.sub("", s) or s


def _first_fullmatch(named: dict[str, "regex.Pattern"], text: str) -> str | None:
    """The first name (in patterns order) whose pattern matches all of ``text``."""
    return next((name for name, rx in named.items() if rx.fullmatch(text)), None) if text else None


def role_of(cell: str | None) -> str | None:
    """The first role (in patterns order) whose wording matches the whole header cell."""
    return _first_fullmatch(_TR.roles, head_text(cell))


@dataclass
class Columns:
    """Column index of each role in one header row (None where the template has none)."""
    category: list[int] = field(default_factory=list)
    indicator: int | None = None
    sign: int | None = None
    target: int | None = None
    unit: int | None = None
    weight: int | None = None
    actual: int | None = None
    score: int | None = None
    deviation: int | None = None
    standard: int | None = None
    units: dict[int, str] = field(default_factory=dict)  # a unit named in a header note: 指标值（万元）

    @property
    def pairs(self) -> bool:
        """A 自评表 indicator header: targets and actuals side by side, named by a column."""
        return self.target is not None and self.actual is not None and self.indicator is not None


def columns(header: list[str | None]) -> Columns:
    """Roles of a header row's cells. The indicator is the rightmost indicator-like cell left
    of the values (a block label such as 年度绩效指标 may head column one), else the first one
    anywhere; with no indicator word, the column just left of the sign or target is it (the
    last category level of a two-level table: 一级指标 | 二级指标 | 指标值)."""
    found: dict[str, list[int]] = {}
    for i, cell in enumerate(header):
        r = role_of(cell)
        if r is not None:
            found.setdefault(r, []).append(i)
    cols = Columns()
    for i, cell in enumerate(header):
        m = NOTE.search(squash(cell))
        note = regex.sub(r"^[（(](?:单位[:：])?|[)）]$", "", m.group()) if m else ""
        if note in patterns.load().units or note == "%":
            cols.units[i] = note
    for name in ("sign", "target", "unit", "weight", "actual", "score", "deviation", "standard"):
        if found.get(name):
            setattr(cols, name, found[name][0])
    values_from = min((i for i in (cols.sign, cols.target) if i is not None), default=len(header))
    left = [i for i in found.get("indicator", []) if i < values_from]
    cols.indicator = left[-1] if left else (found["indicator"][0] if found.get("indicator") else None)
    cats = [i for i in found.get("category", []) if i < values_from]
    if cols.indicator is None and cats and cats[-1] == values_from - 1:
        cols.indicator = cats[-1]  # a two-level table: its last level names the indicator
    if cols.indicator is None and values_from < len(header) and values_from > 0 \
            and role_of(header[values_from - 1]) is None:
        cols.indicator = values_from - 1
    cols.category = [i for i in found.get("category", []) if cols.indicator is None or i < cols.indicator]
    return cols


def label_key(cell: str | None) -> str:
    """A header-block label as matched: no white space, stamp note or trailing colon."""
    return _COLON_END.sub("", SEAL.sub("", squash(cell)))


def header_field(cell: str | None) -> str | None:
    """Which document field a header-block label names (项目名称 -> project), if any."""
    return _first_fullmatch(_TR.header_fields, label_key(cell))


def clean_value(name: str, cell: str) -> str | None:
    """A header-block value as the document field: no stamp note, no budget-code prefix on a
    project name; None when the cell holds nothing."""
    v = _TR.cells["code_note"].sub("", SEAL.sub("", squash(cell)))
    if name == "project":
        v = _TR.cells["project_code"].sub("", v) or v
    if _TR.cells["placeholder"].search(v):
        return None
    return v
