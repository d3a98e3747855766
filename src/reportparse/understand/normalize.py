"""Clean lines -> reflowed paragraphs with page provenance.

Running headers, footers and page numbers are removed by position and repetition; the
controlled character map (Kangxi radicals, full-width forms) is applied; wrapped lines and
page breaks are joined back into paragraphs using the page geometry (short last lines and
first-line indents), so a number split across a line break is whole again.
"""
from __future__ import annotations

import statistics
from collections import Counter

import regex

from reportparse import patterns
from reportparse.model import Extracted, Line, Paragraph, Table
from reportparse.understand import lookalikes as ocrfix

PAGE_NUMBER = regex.compile(
    r"^(?:[-—–－―~～·•\s]*\d{1,4}[-—–－―~～·•\s]*|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+|[-—–－]?\s*[IVXivx]+\s*[-—–－]?)$")
SENTENCE_END = "。；;：:！？!?"
PARA_END = SENTENCE_END + "”）)」』"
CJK_GAP = regex.compile(r"(?<=[\p{Han}\p{Ps}\p{Pe}\p{Pi}\p{Pf}，。；：、！？])\s+(?=[\p{Han}\p{Ps}\p{Pe}\p{Pi}\p{Pf}，。；：、！？\d])"
                        r"|(?<=[\p{Han}\d.,%])\s+(?=[\p{Han}，。；：、！？])")
# a full-width comma between digit groups is a thousands separator typed in Chinese mode
FW_GROUP = regex.compile(r"(?<=\d)，(?=\d{3}(?:[，,]\d{3})*(?:\.\d+)?(?!\d))")
SPLIT_DECIMAL = regex.compile(r"(?<=\d)\s*([.,])\s+(?=\d)|(?<=\d)\s+([.,])(?=\d)")
_SPACE = regex.compile(r"\s+")
_DIGITS = regex.compile(r"\d+")


def translate(text: str) -> str:
    """The controlled character map, then spaces that are only layout artefacts. The
    substitutions run only where they can match: hardly any line has white space left, and
    scanning every line with CJK_GAP's lookbehinds was most of this function's time."""
    text = text.translate(_table())
    spaced = _SPACE.search(text) is not None  # CJK_GAP and SPLIT_DECIMAL match only at white space
    if spaced:
        text = CJK_GAP.sub("", text)
    if "，" in text:
        text = FW_GROUP.sub(",", text)
    return SPLIT_DECIMAL.sub(lambda m: m.group(1) or m.group(2), text) if spaced else text


_TABLE: dict[int, str] | None = None


def _table() -> dict[int, str]:
    global _TABLE
    if _TABLE is None:
        _TABLE = {ord(k): v for k, v in patterns.load().charmap.items()}
    return _TABLE


def _key(text: str) -> str:
    return _DIGITS.sub("#", _SPACE.sub("", text))


def strip_furniture(ex: Extracted, band: float = 0.1) -> None:
    """Drop page numbers and lines repeated at the same place on many pages (running heads)."""
    pages = [p for p in ex.pages if p.lines]
    counts: Counter[str] = Counter()
    for p in pages:
        seen = set()
        for ln in p.lines:
            if ln.top < band * p.height or ln.bottom > (1 - band) * p.height:
                seen.add(_key(ln.text))
        counts.update(seen)
    repeated = {k for k, c in counts.items() if len(pages) >= 2 and c >= max(2, 0.5 * len(pages))}
    for p in pages:
        keep = []
        for i, ln in enumerate(p.lines):
            in_band = ln.top < band * p.height or ln.bottom > (1 - band) * p.height
            edge = i < 2 or i >= len(p.lines) - 2
            t = ln.text.strip()
            if (in_band or edge) and PAGE_NUMBER.match(t) and len(t) < 16:
                continue
            if in_band and _key(t) in repeated:
                continue
            keep.append(ln)
        p.lines = keep


def skip_toc(lines: list[Line], heading: "regex.Pattern") -> list[Line]:
    """A table of contents repeats every heading; drop it so sections are not doubled. It ends
    where the body begins: a line that is no entry, a heading that comes again without its
    page number, or, after entries, a line without a leader on a later page than 目录."""
    out, in_toc, entries, toc_page = [], False, set(), None
    for ln in lines:
        t = _SPACE.sub("", ln.text)
        if t in ("目录", "目 录"):
            in_toc, toc_page = True, ln.page
            continue
        if in_toc:
            leader = _TOC_LEADER.search(t)
            again = not leader and t.rstrip("。.") in entries
            later = bool(entries) and ln.page != toc_page and not leader
            if not again and not later and (heading.match(t) and len(t) < 40 or leader):
                entries.add(_TOC_LEADER.sub("", t).rstrip("。."))
                continue
            in_toc = False
        out.append(ln)
    return out


_TOC_LEADER = regex.compile(r"[.…·]{3,}\s*\d+$")


def _margins(lines: list[Line]) -> tuple[float, float, float]:
    lefts = Counter(round(l.x0) for l in lines)
    left = min(x for x, c in lefts.most_common(3)) if lefts else 0.0
    rights = sorted(l.x1 for l in lines)
    right = rights[int(0.9 * (len(rights) - 1))] if rights else 0.0
    size = statistics.median(l.size for l in lines) if lines else 10.0
    return float(left), float(right), float(size)


def _centred(ln: Line, left: float, right: float, size: float) -> bool:
    """A line set in the middle of the text column (a title, a year in brackets under it):
    both margins at least three characters wide and about equal. A paragraph's first line
    runs to the right margin, its last line starts at the left one."""
    return (ln.x0 > left + 3 * size and ln.x1 < right - 3 * size
            and abs((ln.x0 + ln.x1) / 2 - (left + right) / 2) < 1.5 * size)


def reflow(lines: list[Line], heading: "regex.Pattern") -> list[Paragraph]:
    """Join wrapped lines into paragraphs; a paragraph ends on a short line, and one
    begins on an indented line or an outline number after a sentence end."""
    if not lines:
        return []
    by_page: dict[int, list[Line]] = {}
    for ln in lines:
        by_page.setdefault(ln.page, []).append(ln)
    geometry = {p: _margins(ls) for p, ls in by_page.items()}
    leading = {}
    for p, ls in by_page.items():
        gaps = [b.top - a.top for a, b in zip(ls, ls[1:]) if 0 < b.top - a.top < 4 * a.size]
        leading[p] = statistics.median(gaps) if gaps else None
    paras: list[Paragraph] = []
    cur: list[Line] = []

    def flush() -> None:
        if not cur:
            return
        text, spans = "", []
        for ln in cur:
            t = ln.text
            if not spans or spans[-1][1] != ln.page:
                spans.append((len(text), ln.page))
            if text and text[-1].isascii() and text[-1].isalnum() and t[:1].isascii() and t[:1].isalpha():
                text += " "
            text += t
        paras.append(Paragraph(text, spans))
        cur.clear()

    prev: Line | None = None
    for ln in lines:
        left, right, size = geometry[ln.page]
        if prev is not None and ln.paragraph is not None and prev.paragraph is not None:
            if ln.paragraph != prev.paragraph:  # the source said where its paragraphs are (Word, HTML)
                flush()
        elif prev is not None:
            pleft, pright, psize = geometry[prev.page]
            prev_short = prev.x1 < pright - 1.5 * psize
            prev_heading = prev.x1 < pright - 4 * psize and bool(heading.match(prev.text))
            last = prev.text.rstrip()[-1:]
            prev_end = last in SENTENCE_END
            indented = ln.x0 > left + 1.2 * size
            marker = bool(heading.match(ln.text))
            size_jump = not (ln.ocr or prev.ocr) and abs(ln.size - prev.size) > 0.2 * max(ln.size, prev.size)
            # OCR box heights say too little about type size to split on; a scan's title shows by
            # its place instead: a centred line and a line that is not centred are two paragraphs
            # (the title, then the 项目名称 line at the left margin)
            centring = (ln.ocr or prev.ocr) and _centred(prev, pleft, pright, psize) != _centred(ln, left, right, size)
            lead = leading.get(ln.page)
            gap = lead is not None and ln.page == prev.page and ln.top - prev.top > 1.6 * lead
            # A short line without closing punctuation is a wrap forced by an unbreakable
            # number ("实际达到" / "63.50%；"), unless an indent or a number says otherwise.
            if indented or size_jump or centring or gap or (marker and (prev_end or prev_short)) or (prev_short and last in PARA_END) or prev_heading:
                flush()
        cur.append(ln)
        prev = ln
    flush()
    return paras


def heading_regex() -> "regex.Pattern":
    return patterns.heading()


def normalize(ex: Extracted, band: float = 0.1) -> tuple[list[Paragraph], list[Table]]:
    """Extracted pages -> (paragraphs in reading order, tables with mapped cells)."""
    strip_furniture(ex, band)
    lines = []
    for p in ex.pages:
        for ln in p.lines:
            ln.text = translate(ln.text)
            if p.ocr:
                ln.text = ocrfix.fix_numbers(ocrfix.fix(ln.text))
            if ln.text:
                lines.append(ln)
    heading = heading_regex()
    lines = skip_toc(lines, heading)
    paras = reflow(lines, heading)
    for para in paras:
        para.text = translate(para.text)
    tables = []
    for p in ex.pages:
        fix = (lambda c: ocrfix.fix_numbers(ocrfix.fix(translate(c)))) if p.ocr else translate
        for t in p.tables:
            t.rows = [[fix(c) if c is not None else None for c in r] for r in t.rows]
            tables.append(t)
    return paras, tables
