"""Word (.docx) -> ``Extracted``: the same pages of lines and tables the PDF reader gives, read
from the document's XML instead of its printed glyphs.

Each body paragraph is one ``Line`` whose ``paragraph`` is its index in the body (the
provenance Word has instead of a page box; normalize keeps Word's paragraphs as they are
instead of reflowing by geometry). Automatic outline numbering (一、 （二） 1.) lives in
numbering.xml, not in the text: it is rendered back in front of the paragraph, so sections are
found as in a PDF export. Tables keep their grid: a cell spanning columns (gridSpan) or rows
(vMerge) has its text in its first slot and None in the slots it covers, as pdfplumber
reports a merged cell. Pages follow the breaks Word recorded (explicit page breaks, section
breaks and the last rendering's page breaks). Headers, footers and text boxes are not body
text and are left out.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from reportparse.errors import ExtractError
from reportparse.messages import say
from reportparse.model import Extracted, Line, Page, Table
from reportparse.read.ooxml import W, Package, check_xml, parse_xml
from reportparse.settings import Settings

MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
WIDTH, HEIGHT = 595.0, 842.0  # an A4 page in points: lines get positions only so later stages have some
DEFAULT_SIZE = 10.5

CN_DIGITS = "零一二三四五六七八九"
CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"
TIANGAN = "甲乙丙丁戊己庚辛壬癸"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def chinese_number(n: int, digits: str = CN_DIGITS, ten: str = "十") -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十, 105 -> 一百零五 (Word's chineseCounting)."""
    if n <= 0:
        return digits[0]
    if n < 10:
        return digits[n]
    if n < 20:
        return ten + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + ten + (digits[n % 10] if n % 10 else "")
    hundred = "百" if digits is CN_DIGITS else "佰"
    rest = n % 100
    tail = "" if not rest else (digits[0] + digits[rest] if rest < 10 else chinese_number(rest, digits, ten)
                                if rest >= 20 else digits[1] + ten + (digits[rest % 10] if rest % 10 else ""))
    return digits[n // 100 % 10] + hundred + tail


def _roman(n: int) -> str:
    out = ""
    for v, s in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
                 (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= v:
            out, n = out + s, n - v
    return out


def _letters(n: int) -> str:
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    """One level's counter as Word prints it for a w:numFmt value."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "ideographDigital", "japaneseCounting",
               "taiwaneseCounting", "taiwaneseCountingThousand"):
        return chinese_number(n)
    if fmt == "chineseLegalSimplified":
        return chinese_number(n, CN_LEGAL, "拾")
    if fmt in ("ideographTraditional",):
        return TIANGAN[(n - 1) % 10]
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return CIRCLED[n - 1]
    if fmt == "upperLetter":
        return _letters(n)
    if fmt == "lowerLetter":
        return _letters(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "decimalFullWidth":
        return str(n).translate({ord(c): chr(ord(c) + 0xFEE0) for c in "0123456789"})
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)


def _val(el: ET.Element | None, tag: str, default: str | None = None) -> str | None:
    """w:val of child ``tag`` of ``el``."""
    if el is None:
        return default
    child = el.find(W + tag)
    return default if child is None else child.get(W + "val", default)


@dataclass
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    suffix: str = "tab"


@dataclass
class Numbering:
    """numbering.xml: each num's levels, and the counters as the document is read."""
    levels: dict[str, dict[int, _Level]] = field(default_factory=dict)   # numId -> ilvl -> level
    abstract_of: dict[str, str] = field(default_factory=dict)            # numId -> abstractNumId
    counters: dict[str, list[int | None]] = field(default_factory=dict)  # abstractNumId -> counter per level

    @classmethod
    def parse(cls, root: ET.Element | None) -> "Numbering":
        out = cls()
        if root is None:
            return out
        abstract: dict[str, dict[int, _Level]] = {}
        for a in root.findall(W + "abstractNum"):
            lv = {}
            for lvl in a.findall(W + "lvl"):
                lv[int(lvl.get(W + "ilvl", "0"))] = _Level(int(_val(lvl, "start", "1") or 1), _val(lvl, "numFmt", "decimal"),
                                                          _val(lvl, "lvlText", "") or "", _val(lvl, "suff", "tab"))
            abstract[a.get(W + "abstractNumId", "")] = lv
        for num in root.findall(W + "num"):
            nid, aid = num.get(W + "numId", ""), _val(num, "abstractNumId", "")
            levels = dict(abstract.get(aid or "", {}))
            for ov in num.findall(W + "lvlOverride"):
                i = int(ov.get(W + "ilvl", "0"))
                start = _val(ov, "startOverride")
                if i in levels and start is not None:
                    base = levels[i]
                    levels[i] = _Level(int(start), base.fmt, base.text, base.suffix)
            out.levels[nid] = levels
            out.abstract_of[nid] = f"{aid}/{nid}" if num.find(W + "lvlOverride") is not None else aid or nid
        return out

    def label(self, num_id: str, ilvl: int) -> str:
        """The next number of ``num_id`` at ``ilvl`` as printed ("一、", "（二）", "1.2"); deeper
        levels restart."""
        levels = self.levels.get(num_id)
        if not levels or num_id == "0" or ilvl not in levels:
            return ""
        key = self.abstract_of.get(num_id, num_id)
        counters = self.counters.setdefault(key, [None] * 10)
        ilvl = min(ilvl, 9)
        lvl = levels[ilvl]
        counters[ilvl] = lvl.start if counters[ilvl] is None else counters[ilvl] + 1
        for deeper in range(ilvl + 1, 10):
            counters[deeper] = None
        if lvl.fmt in ("bullet", "none"):
            return ""
        text = lvl.text
        for k in range(ilvl, -1, -1):
            if f"%{k + 1}" in text:
                n = counters[k] if counters[k] is not None else levels.get(k, _Level()).start
                fmt = levels.get(k, _Level()).fmt if k != ilvl else lvl.fmt
                text = text.replace(f"%{k + 1}", format_number(n, fmt))
        if text and lvl.suffix != "nothing" and text[-1].isalnum():
            text += " "
        return text


@dataclass
class _Style:
    based_on: str | None
    num: tuple[str | None, int | None]
    size: float | None


_STYLE_ID = re.compile(rb'w:styleId="([^"]*)"')
_BASED_ON = re.compile(rb'<w:basedOn w:val="([^"]*)"')
_DEFAULTS = re.compile(rb"<w:docDefaults\b.*?</w:docDefaults>", re.S)
_USED = re.compile(rb'<w:pStyle w:val="([^"]*)"')
_WRAP = b'<w:styles xmlns:w="' + W[1:-1].encode() + b'">%s</w:styles>'


def _needed_styles(data: bytes | None, document: bytes) -> ET.Element | None:
    """Only the style definitions the document uses, their bases and the defaults: Word's
    styles part defines a hundred and more styles (350 KB from python-docx's template), and
    parsing all of them took longer than the rest of the reading."""
    if data is None:
        return None
    def block(at: int) -> bytes | None:
        start, end = data.rfind(b"<w:style ", 0, at), data.find(b"</w:style>", at)
        return data[start:end + 10] if start >= 0 and end >= 0 else None

    if b"<w:style " not in data:  # another prefix for Word's namespace: read the whole part
        return parse_xml(data, _part("word/styles.xml"))
    check_xml(data, _part("word/styles.xml"))  # the whole part, though only blocks of it are parsed below
    want = set(_USED.findall(document))
    at = data.find(b'w:default="1"')
    while at >= 0:  # the default style of each type
        b = block(at)
        sid = _STYLE_ID.search(b or b"")
        if sid:
            want.add(sid.group(1))
        at = data.find(b'w:default="1"', at + 1)
    chosen: dict[bytes, bytes] = {}
    while want:
        sid = want.pop()
        at = data.find(b'w:styleId="' + sid + b'"')
        b = block(at) if sid not in chosen and at >= 0 else None
        if b is not None:
            chosen[sid] = b
            want.update(_BASED_ON.findall(b))
    defaults = _DEFAULTS.search(data)
    body = (defaults.group(0) if defaults else b"") + b"".join(chosen.values())
    return parse_xml(_WRAP % body, _part("word/styles.xml"))


def _part(name: str) -> str:
    """A part of the document as a failure reason names it."""
    return say("part_of", what=say("word_file"), name=name)


def _styles(root: ET.Element | None) -> tuple[dict[str, _Style], str | None, float]:
    """Paragraph styles (their numbering and font size, before inheritance), the default
    paragraph style and the document's default font size."""
    styles: dict[str, _Style] = {}
    default, size = None, DEFAULT_SIZE
    if root is None:
        return styles, default, size
    sz = root.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}sz")
    if sz is not None and (sz.get(W + "val") or "").isdigit():
        size = int(sz.get(W + "val")) / 2
    for s in root.findall(W + "style"):
        if s.get(W + "type") != "paragraph":
            continue
        sid = s.get(W + "styleId", "")
        num_pr = s.find(f"{W}pPr/{W}numPr")
        num = (_val(num_pr, "numId"), int(_val(num_pr, "ilvl", "0") or 0)) if num_pr is not None else (None, None)
        ssz = _val(s.find(W + "rPr"), "sz")
        styles[sid] = _Style(_val(s, "basedOn"), num, int(ssz) / 2 if ssz and ssz.isdigit() else None)
        if s.get(W + "default") in ("1", "true"):
            default = sid
    return styles, default, size


class _Reader:
    def __init__(self, numbering: Numbering, styles: dict[str, _Style], default_style: str | None,
                 default_size: float) -> None:
        self.numbering, self.styles, self.default_style, self.default_size = numbering, styles, default_style, default_size
        self.page = 1
        self.fresh = True  # nothing read since the last page break (Word records one break twice)
        self.index = 0  # body paragraphs so far
        self.lines: dict[int, list[Line]] = {}
        self.tables: dict[int, list[Table]] = {}

    def new_page(self) -> None:
        if not self.fresh:
            self.page += 1
            self.fresh = True

    def _style_chain(self, sid: str | None):
        seen = set()
        while sid and sid in self.styles and sid not in seen:
            seen.add(sid)
            yield self.styles[sid]
            sid = self.styles[sid].based_on

    def _numbering_of(self, p: ET.Element) -> str:
        ppr = p.find(W + "pPr")
        num_pr = ppr.find(W + "numPr") if ppr is not None else None
        num_id, ilvl = (_val(num_pr, "numId"), _val(num_pr, "ilvl")) if num_pr is not None else (None, None)
        sid = _val(ppr, "pStyle") or self.default_style
        for st in self._style_chain(sid):
            if num_id is None and st.num[0] is not None:
                num_id = st.num[0]
            if ilvl is None and st.num[1] is not None and num_id == st.num[0]:
                ilvl = str(st.num[1])
        if num_id is None:
            return ""
        return self.numbering.label(num_id, int(ilvl) if ilvl and ilvl.isdigit() else 0)

    def _size_of(self, p: ET.Element) -> float:
        for r in p.iter(W + "rPr"):
            v = _val(r, "sz")
            if v and v.isdigit():
                return int(v) / 2
        ppr = p.find(W + "pPr")
        for st in self._style_chain(_val(ppr, "pStyle") or self.default_style):
            if st.size:
                return st.size
        return self.default_size

    def _text(self, el: ET.Element, breaks: list[str] | None = None) -> str:
        """The text of a paragraph's runs in order; page breaks counted (when ``breaks`` is
        given, a soft line break starts a new piece)."""
        out: list[str] = []

        def walk(e: ET.Element) -> None:
            for c in e:
                tag = c.tag
                if tag == W + "t":
                    out.append(c.text or "")
                    self.fresh = self.fresh and not (c.text or "").strip()
                elif tag in (W + "tab", W + "ptab"):
                    out.append(" ")
                elif tag in (W + "noBreakHyphen",):
                    out.append("-")
                elif tag == W + "sym":
                    code = c.get(W + "char", "")
                    try:
                        out.append(chr(int(code, 16)) if code and int(code, 16) < 0xF000 else "")
                    except ValueError:
                        pass
                elif tag == W + "br":
                    if c.get(W + "type") == "page":
                        self.new_page()
                    elif breaks is not None:
                        breaks.append("".join(out))
                        out.clear()
                    else:
                        out.append(" ")
                elif tag == W + "lastRenderedPageBreak":
                    self.new_page()
                elif tag in (W + "txbxContent", W + "delText", W + "instrText", MC_FALLBACK, W + "pPr", W + "rPr"):
                    continue
                else:
                    walk(c)
        walk(el)
        text = "".join(out)
        if breaks is not None:
            breaks.append(text)
        return text

    def paragraph(self, p: ET.Element) -> None:
        ppr = p.find(W + "pPr")
        if ppr is not None and ppr.find(W + "pageBreakBefore") is not None and \
                ppr.find(W + "pageBreakBefore").get(W + "val", "1") not in ("0", "false"):
            self.new_page()
        label = self._numbering_of(p)
        pieces: list[str] = []
        self._text(p, pieces)
        pieces[0] = label + pieces[0]
        size = self._size_of(p)
        for piece in pieces:
            if piece.strip():
                self.lines.setdefault(self.page, []).append(Line(self.page, piece, 72.0, WIDTH - 72.0, 0.0, 0.0,
                                                                 size, paragraph=self.index))
        self.index += 1
        if ppr is not None and ppr.find(W + "sectPr") is not None:  # a section break: Word starts a new page
            self.new_page()

    def cell_text(self, tc: ET.Element) -> str:
        parts = []
        for c in tc:
            if c.tag == W + "p":
                parts.append(self._numbering_of(c) + self._text(c))
            elif c.tag == W + "tbl":
                parts += [cell for row in self._grid(c) for cell in row if cell]
            elif c.tag in (W + "sdt", W + "customXml"):
                inner = c.find(W + "sdtContent") if c.tag == W + "sdt" else c
                if inner is not None:
                    parts.append(self.cell_text(inner))
        return "".join(parts).strip()

    def _grid(self, tbl: ET.Element) -> list[list[str | None]]:
        rows: list[list[str | None]] = []
        width = len(tbl.findall(f"{W}tblGrid/{W}gridCol"))
        for tr in _rows(tbl):
            row: list[str | None] = [None] * int(_val(tr.find(W + "trPr"), "gridBefore", "0") or 0)
            for tc in _cells(tr):
                tcpr = tc.find(W + "tcPr")
                span = int(_val(tcpr, "gridSpan", "1") or 1)
                vmerge = tcpr.find(W + "vMerge") if tcpr is not None else None
                covered = vmerge is not None and vmerge.get(W + "val", "continue") == "continue"
                row.append(None if covered else self.cell_text(tc))
                row += [None] * (max(span, 1) - 1)
            rows.append(row)
        width = max([width, *(len(r) for r in rows)]) if rows else width
        return [r + [None] * (width - len(r)) for r in rows]

    def table(self, tbl: ET.Element) -> None:
        page = self.page
        rows = self._grid(tbl)
        if rows and any(c for r in rows for c in r):
            self.tables.setdefault(page, []).append(Table(page, rows, float(self.index), float(self.index)))

    def body(self, el: ET.Element) -> None:
        for c in el:
            if c.tag == W + "p":
                self.paragraph(c)
            elif c.tag == W + "tbl":
                self.table(c)
            elif c.tag == W + "sdt":
                inner = c.find(W + "sdtContent")
                if inner is not None:
                    self.body(inner)
            elif c.tag == W + "customXml":
                self.body(c)


def _own(parent: ET.Element, tag: str):
    """``parent``'s own ``tag`` children (a table's rows, a row's cells), not a nested table's,
    looking through content controls (sdt, customXml)."""
    for c in parent:
        if c.tag == tag:
            yield c
        elif c.tag in (W + "sdt", W + "customXml"):
            inner = c.find(W + "sdtContent") if c.tag == W + "sdt" else c
            if inner is not None:
                yield from _own(inner, tag)


def _rows(tbl: ET.Element):
    return _own(tbl, W + "tr")


def _cells(tr: ET.Element):
    return _own(tr, W + "tc")


def extract(path: str | Path, settings: Settings, progress: Callable[[int], None] | None = None) -> Extracted:
    """Read a .docx package into pages of lines and tables."""
    with Package(path, settings.max_stream_bytes, say("word_file")) as pkg:
        raw = pkg.read("word/document.xml")
        if raw is None:
            raise ExtractError(say("no_document_xml"))
        doc = parse_xml(raw, _part("word/document.xml"))
        styles, default_style, default_size = _styles(_needed_styles(pkg.read("word/styles.xml"), raw))
        reader = _Reader(Numbering.parse(pkg.xml("word/numbering.xml")), styles, default_style, default_size)
        core = pkg.xml("docProps/core.xml")
    body = doc.find(W + "body")
    if body is not None:
        reader.body(body)
    return assemble(reader.lines, reader.tables, _title(core))


def _title(core: ET.Element | None) -> str | None:
    t = core.find(DC_TITLE) if core is not None else None
    return t.text.strip() if t is not None and t.text and t.text.strip() else None


def assemble(lines: dict[int, list[Line]], tables: dict[int, list[Table]], title: str | None) -> Extracted:
    """Pages 1..n from the lines and tables found on each (a page without either is kept
    empty, as a blank page of a PDF is); lines get positions down the page's middle, away
    from the bands where normalize looks for running heads."""
    n = max([1, *lines, *tables])
    pages = []
    for number in range(1, n + 1):
        page = Page(number, WIDTH, HEIGHT, lines=lines.get(number, []), tables=tables.get(number, []))
        step = 600.0 / max(len(page.lines), 1)
        for k, ln in enumerate(page.lines):
            ln.top = 120.0 + k * step
            ln.bottom = ln.top + min(step, ln.size)
        pages.append(page)
    return Extracted(pages, n, title)
