"""Locate every figure on its page: the box (x0, top, x1, bottom) an auditor is shown.

A pass after recognition, decoupled from it: each measure's, amount's, item's and check's
figure is found again by its written form among the page's glyphs (the cleaned characters
extract.py keeps with their boxes), the same character map applied to both sides; where a
figure occurs more than once on a page, the occurrence whose neighbours match the figure's
quote wins. OCR'd pages have no glyphs, only line boxes: their characters are spread over
the line's width (full-width CJK, half-width Latin), which is close for Tesseract's lines.
"""
from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Callable

import regex

from reportparse import patterns
from reportparse.model import Amount, Box, Check, GlyphLine, Item, Measure, Page, Report
from reportparse.understand import numbers

FOLD = {"，": ",", "：": ":", "；": ";", "（": "(", "）": ")"}  # same on both sides, so only consistency matters
CELL = "\x1f"  # a glyph that only marks where an OCR'd cell starts
GAP = 1.0  # a gap wider than this many character heights separates cells
CONTEXT = 12  # characters of the quote each side of a figure compared with the page


def _canon_table() -> dict[int, str]:
    table = {ord(k): v for k, v in patterns.load().charmap.items()}
    table.update({ord(k): v for k, v in FOLD.items()})
    return table


_CANON: dict[int, str] | None = None
_SPACE_BAR = regex.compile(r"[\s|]+")


def canon(text: str) -> str:
    """Text as the locator compares it: character map, folded punctuation, no spaces or bars
    (a table row's quote joins its cells with ' | ')."""
    global _CANON
    if _CANON is None:
        _CANON = _canon_table()
    return _SPACE_BAR.sub("", text.translate(_CANON))


@lru_cache(maxsize=4096)
def _canon_glyph(ch: str) -> str:
    return canon(ch)


@dataclass
class PageIndex:
    """A page's text in canonical form with one box and one visual-line number per character."""
    text: str = ""
    boxes: list[Box] = field(default_factory=list)
    line: list[int] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)  # where each visual line starts in text


def _line(chars: list[tuple[str, float, float, float, float]]) -> GlyphLine:
    boxes = array("f")
    for _, *box in chars:
        boxes.extend(box)
    return "".join(ch for ch, *_ in chars), boxes


def _ocr_glyphs(page: Page) -> list[GlyphLine]:
    """Characters of OCR lines spread over each line box, CJK full width, others half."""
    out = []
    for ln in page.lines:
        text = regex.sub(r"\s+", "", ln.text)
        if not text:
            continue
        widths = [1.0 if ord(ch) > 0x2e7f else 0.55 for ch in text]
        step = (ln.x1 - ln.x0) / sum(widths)
        x, row = ln.x0, []
        for ch, w in zip(text, widths):
            row.append((ch, x, ln.top, x + w * step, ln.bottom))
            x += w * step
        out.append(_line(row))
    return out


def _cell_glyphs(page: Page) -> list[GlyphLine]:
    """Rows of OCR'd table cells: each character gets its cell's box (where in the cell it
    stands is not known), cells apart by the cell gap."""
    out = []
    for t in page.tables:
        for row, boxes in zip(t.rows, t.cells):
            out.append([g for text, box in zip(row, boxes) if text and box
                        for g in [(CELL, *box)] + [(ch, *box) for ch in regex.sub(r"\s+", "", text)]])
    return [_line(r) for r in out if r]


def index_page(page: Page) -> PageIndex:
    """One page made searchable: its glyph lines (or OCR lines and cells) in canonical form."""
    idx = PageIndex()
    out_boxes, size = idx.boxes, 0
    for n, (text, boxes) in enumerate(page.glyphs or (_ocr_glyphs(page) + _cell_glyphs(page))):
        idx.starts.append(size)
        line: list[str] = []
        prev_x1 = None
        for ch, box in zip(text, zip(*[iter(boxes)] * 4)):  # box: (x0, top, x1, bottom)
            ch = _canon_glyph(ch) if ch != CELL else ch
            if prev_x1 is not None and (box[0] - prev_x1 > GAP * (box[3] - box[1]) or ch == CELL) and line:
                line.append(" ")  # a column gap: table cells on one visual line stay apart
                out_boxes.append(out_boxes[-1])
            prev_x1 = box[2]
            if ch == CELL:
                continue
            for c in ch:
                line.append(c)
                out_boxes.append(box)
        idx.lines.append("".join(line))
        idx.line += [n] * len(line)  # every character of the line, gaps included
        size += len(line)
    idx.text = "".join(idx.lines)
    return idx


def union(boxes: list[Box]) -> Box | None:
    """The smallest box around all of them (a figure's characters, a target and its actual)."""
    if not boxes:
        return None
    return (round(min(b[0] for b in boxes), 2), round(min(b[1] for b in boxes), 2),
            round(max(b[2] for b in boxes), 2), round(max(b[3] for b in boxes), 2))


def _common_suffix(a: str, b: str) -> int:
    n = 0
    while n < len(a) and n < len(b) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < len(a) and n < len(b) and a[n] == b[n]:
        n += 1
    return n


def find(idx: PageIndex, needle: str, before: str = "", after: str = "", hints: list[str] | None = None
         ) -> tuple[int, Box] | None:
    """The best occurrence of ``needle`` (canonical) on the page: (score, box). Scored by how
    far the quote's text before and after it agrees with the page, and by the hints (other
    cells of a table row, words of a message) found on the same visual line."""
    if not needle:
        return None
    before, after = canon(before)[-CONTEXT:], canon(after)[:CONTEXT]
    hints = [h for h in (canon(h) for h in hints or []) if len(h) >= 2 and h != needle]
    best: tuple[int, int] | None = None
    pos = idx.text.find(needle)
    while pos >= 0:
        end = pos + len(needle)
        score = _common_suffix(before, idx.text[max(0, pos - 2 * CONTEXT):pos].replace(" ", "")) \
            + _common_prefix(after, idx.text[end:end + 2 * CONTEXT].replace(" ", ""))
        if hints:
            on_line = "".join(idx.lines[n] for n in sorted({idx.line[pos], idx.line[end - 1]}))
            score += 3 * sum(h in on_line for h in hints)
        if best is None or score > best[0]:
            best = (score, pos)
        pos = idx.text.find(needle, pos + 1)
    if best is None:
        return None
    return best[0], union(idx.boxes[best[1]:best[1] + len(needle)])


def _figure(quote: str, q: numbers.Quantity) -> tuple[str, str, str]:
    """A quantity's number as written in its quote (without op words and unit) and the
    quote's text before and after it."""
    start = quote.find(q.number_text, q.start) if q.number_text else -1
    start = start if 0 <= start < q.end else q.start
    end = q.end
    if q.unit_text and quote[start:end].endswith(q.unit_text) and end - len(q.unit_text) > start:
        end -= len(q.unit_text)  # the unit stays context: a unit wrapped to the next line must not widen the box
    return quote[start:end], quote[:start], quote[end:]


def _same(x: Decimal | None, v: float | None) -> bool:
    return x is not None and v is not None and abs(float(x) - v) <= 1e-9 * max(1.0, abs(v))


def _cells(quote: str) -> list[str]:
    return [c.strip() for c in quote.split("|")] if "|" in quote else []


class Locator:
    """Page indexes built once per page and the searches over them."""

    def __init__(self, pages: list[Page]):
        self.pages = {p.number: p for p in pages}
        self._idx: dict[int, PageIndex] = {}
        self._figures: dict[int, list[tuple[int, str, numbers.Quantity]]] = {}

    def index(self, page: int | None) -> PageIndex | None:
        """The page's index, built on first use; None for a page that was not extracted."""
        if page is None or page not in self.pages:
            return None
        if page not in self._idx:
            self._idx[page] = index_page(self.pages[page])
        return self._idx[page]

    def written(self, page: int | None, written: str, before: str, after: str, hints: list[str],
                near: bool = True) -> tuple[int, Box] | None:
        """A figure as written, on its page or (numbers wrapped over a page break, a row
        stitched from the next page) on the pages beside it."""
        needle = canon(written)
        pages = [page] + ([page + 1, page - 1] if near and page is not None else [])
        for p in pages:
            idx = self.index(p)
            hit = find(idx, needle, before, after, hints) if idx is not None else None
            if hit is not None:
                return hit
        return None

    def quantity(self, page: int | None, quote: str, pick: Callable[[numbers.Quantity], bool],
                 hints: list[str] | None = None) -> tuple[Box | None, int]:
        """The first quantity of ``quote`` that ``pick`` accepts, located: (box, page found on)."""
        qs = numbers.find(quote, with_bare=True)
        i = next((i for i, q in enumerate(qs) if pick(q)), None)
        return self.nth(page, quote, qs, i, hints) if i is not None else (None, page or -1)

    def nth(self, page: int | None, quote: str, qs: list[numbers.Quantity], i: int, hints: list[str] | None
            ) -> tuple[Box | None, int]:
        """Quantity ``qs[i]`` of ``quote`` located on its page or the pages beside it."""
        written, before, after = _figure(quote, qs[i])
        for p in [page] + ([page + 1, page - 1] if page is not None else []):
            idx = self.index(p)
            hit = find(idx, canon(written), before, after, hints) if idx is not None else None
            if hit is not None:
                return hit[1], p
        return None, page or -1

    def value(self, page: int | None, v: float, hints: list[str]) -> Box | None:
        """A number on the page whose value (as written or in base units) is ``v``, where
        nothing but the value is known (a check's figure); hints choose among several."""
        idx = self.index(page)
        if idx is None or v is None:
            return None
        if page not in self._figures:  # every number of the page, read once for all its checks
            self._figures[page] = [(n, line, q) for n, line in enumerate(idx.lines)
                                   for q in numbers.find(line, with_bare=True)]
        hints = [h for h in (canon(h) for h in hints) if len(h) >= 2]
        best: tuple[int, Box] | None = None
        for n, line, q in self._figures[page]:
            if _same(q.value, v) or _same(q.base, v):
                written, before, _ = _figure(line, q)
                g = idx.starts[n] + len(before)
                score = sum(h in line for h in hints)
                if best is None or score > best[0]:
                    best = (score, union(idx.boxes[g:g + len(written)]))
        return best[1] if best else None


def amount_box(loc: Locator, a: Amount) -> Box | None:
    """A money figure: from prose by its known offset in the paragraph, else by its quote."""
    if a.para is not None and a.offset >= 0:  # read from prose: the number is at a known offset
        q = numbers.first(a.para.text[a.offset:])
        if q is not None and q.start == 0:
            written, _, after = _figure(a.para.text[a.offset:], q)
            hit = loc.written(a.page, written, a.para.text[:a.offset], after, [])
            if hit is not None:
                return hit[1]
    box, _ = loc.quantity(a.page, a.quote, lambda q: _same(q.base, a.amount) or _same(q.base_max, a.amount)
                          or _same(q.value, a.value), _cells(a.quote))
    return box


def measure_box(loc: Locator, m: Measure) -> Box | None:
    """Target and actual together when they stand on one page, else whichever was found.
    Where a value occurs twice in the quote, the target and actual nearest each other pair
    (a goal may be stated before or after its figure)."""
    hints = _cells(m.quote)
    qs = numbers.find(m.quote, with_bare=True)
    ts = [i for i, q in enumerate(qs) if _same(q.base, m.target_value)]
    acts = [i for i, q in enumerate(qs) if _same(q.base, m.actual_value)]
    pairs = sorted(((abs(t - a), t > a, t, a) for t in ts for a in acts if t != a))
    ti, ai = (pairs[0][2], pairs[0][3]) if pairs else (ts[0] if ts else None, acts[0] if acts else None)
    tbox, tpage = loc.nth(m.page, m.quote, qs, ti, hints) if ti is not None else (None, -1)
    abox, apage = loc.nth(m.page, m.quote, qs, ai, hints) if ai is not None else (None, -1)
    if tbox and abox and tpage == apage == m.page:
        return union([tbox, abox])
    box = tbox if tbox and tpage == m.page else abox if abox and apage == m.page else None
    return box or _written_box(loc, m, hints)


def _written_box(loc: Locator, m: Measure, hints: list[str]) -> Box | None:
    """A row without two figures to point at (a qualitative 自评表 row, 有效 → 较有效): its
    target and actual as written, else its indicator."""
    found = [h[1] for t in (m.target_text, m.actual_text)
             if t and len(canon(t)) >= 2 and (h := loc.written(m.page, t, "", "", hints, near=False))]
    if not found and m.indicator and (h := loc.written(m.page, m.indicator, "", "", hints, near=False)):
        found = [h[1]]
    return union(found) if found else None


def item_box(loc: Locator, it: Item, pages: range) -> tuple[int, Box] | None:
    """The item's opening words, on the first page of its section that has them."""
    text = canon(it.text)
    for n in (16, 8):
        needle = text[:n]
        if len(needle) < 4:
            return None
        for p in pages:
            idx = loc.index(p)
            hit = find(idx, needle) if idx is not None else None
            if hit is not None:
                return p, hit[1]
    return None


def check_box(loc: Locator, c: Check, amounts: list[Amount]) -> Box | None:
    """The figure a check disputes: a malformed amount, a claim's words, or the stated
    number (or, for a restatement, the other statement) on the check's page."""
    if c.check == "number_format":
        hit = next((a for a in amounts if a.malformed and a.page == c.page and _same(Decimal(str(a.amount)), c.expected)), None)
        return hit.box if hit is not None else None
    if c.claim:
        hit = loc.written(c.page, c.claim[:16], "", "", [], near=False)
        return hit[1] if hit else None
    for v in (c.reported, c.expected):
        if v is not None:
            box = loc.value(c.page, v, list(c.labels))
            if box is not None:
                return box
    cells = [x for x in c.cells if len(canon(x)) >= 2]  # no number to point at (a unit mismatch): the row
    if cells:
        hit = loc.written(c.page, cells[0][:16], "", "", cells[1:], near=False)
        return hit[1] if hit else None
    return None


def locate(report: Report, pages: list[Page], boxes: bool = True) -> Report:
    """Set ``.box`` on the report's measures, amounts, items and checks (and an item's page)
    from the extracted pages; a figure not found keeps ``box = None``. The pages' glyphs are
    released afterwards: nothing later needs them. ``boxes=False`` (a Word, Excel or web
    page, whose page geometry is made up) sets only the items' pages."""
    loc = Locator(pages)
    for a in report.amounts:
        a.box = amount_box(loc, a)
    for m in report.measures:
        m.box = measure_box(loc, m)
    spans = {s.section_id: range(s.page_start, s.page_end + 1) for s in report.sections}
    for it in report.items:
        found = item_box(loc, it, spans.get(it.section_id, range(0)))
        if found is not None:
            it.page = it.page or found[0]
            it.box = found[1] if it.page == found[0] else None
    for c in report.checks:
        c.box = check_box(loc, c, report.amounts)
    if not boxes:
        for row in (*report.amounts, *report.measures, *report.items, *report.checks):
            row.box = None
    for p in pages:
        p.glyphs = []
    return report
