"""PDF -> pages of clean lines and tables, working on pdfplumber's characters.

Cleaning happens on characters, where the damage is visible, not on extracted strings:
skewed or rotated characters (diagonal watermarks, stamps) are dropped unless they are most
of the page (a page shown turned, read in its own frame), light oversized watermarks are
dropped, overprinted fake-bold twins are merged, ruled and unruled tables are cut out of the
running text, and lines are rebuilt with spacing decided from the line's own letter
spacing. Image-only, garbled and stamped-scan pages go to OCR; a truncated file is rebuilt.
"""
from __future__ import annotations

import contextlib
import io
import logging
from array import array
import signal
import statistics
import threading
import time
import zlib
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import pdfminer.pdftypes
import pdfplumber
import regex
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfminer.pdftypes import PDFStream, resolve1

from reportparse.ocr import page as ocr

from reportparse.read import pdfium as pdfium_layer

from reportparse.read import repair

from reportparse.read import streamtable
from reportparse.model import Extracted, GlyphLine, Line, Page, Table
from reportparse.settings import Settings


# pdfminer logs every odd operator of a damaged file at WARNING; the page notes say what matters
logging.getLogger("pdfminer").setLevel(logging.ERROR)


class ExtractError(Exception):
    """The file cannot be read as a PDF; the message says what to do about it."""


class TooLarge(ExtractError):
    """A page or stream over a memory cap (Settings.max_pixels, max_stream_bytes,
    max_content_bytes): refused before it is built, so one file cannot take the machine."""


class TimeLimit(ExtractError):
    """The whole parse ran past Settings.time_limit."""


class _CappedZlib:
    """Stands in for the zlib module inside pdfminer.pdftypes: the same calls, but one stream
    may inflate to at most ``limit`` bytes (a 2 MB deflate bomb inflates to GBs)."""
    error = zlib.error
    limit = 64 << 20

    def _over(self) -> TooLarge:
        return TooLarge(f"a compressed stream inflates past {self.limit >> 20} MB (the max_stream_bytes cap): "
                        "a decompression bomb or an oversized object")

    def decompress(self, data: bytes, *args) -> bytes:
        d = zlib.decompressobj()
        out = d.decompress(data, self.limit + 1)
        if len(out) > self.limit or d.unconsumed_tail:
            raise self._over()
        if not d.eof:
            raise zlib.error("Error -5 while decompressing data: incomplete or truncated stream")
        return out

    def decompressobj(self, *args, **kwargs) -> "_CappedInflater":
        return _CappedInflater(self, zlib.decompressobj(*args, **kwargs))


class _CappedInflater:
    def __init__(self, owner: _CappedZlib, d) -> None:
        self.owner, self.d, self.total = owner, d, 0

    def decompress(self, data: bytes, *args) -> bytes:
        out = self.d.decompress(data)
        self.total += len(out)
        if self.total > self.owner.limit:
            raise self.owner._over()
        return out

    def __getattr__(self, name: str):
        return getattr(self.d, name)


_ZLIB = _CappedZlib()
pdfminer.pdftypes.zlib = _ZLIB  # type: ignore[attr-defined]

# a whole terminal escape sequence (CSI "ESC [ ... final", OSC "ESC ] ... BEL or ESC \\", two-byte
# "ESC x"), then any other C0/C1 control character
CONTROLS = regex.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]"
                         r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # tab and newline stay: whitespace


def strip_controls(text: str) -> str:
    """C0/C1 control characters out of text taken from a PDF: they are never report text,
    and ESC/OSC sequences in a title would drive the terminal that prints it."""
    return CONTROLS.sub("", text)


_CONTROL_CHAR = regex.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # every CONTROLS match has one


def _clean_chars(chars: list[dict]) -> list[dict]:
    if not _CONTROL_CHAR.search("".join(c["text"] for c in chars)):  # the usual page: one search, not one per char
        return list(chars)
    out = []
    for c in chars:
        t = c["text"]
        if CONTROLS.search(t):
            t = strip_controls(t)
            if not t:
                continue
            c = {**c, "text": t}
        out.append(c)
    return out


def _content_guard(page, settings: Settings) -> None:
    """Refuse a page whose content streams are over max_content_bytes before pdfminer turns
    every glyph into objects (a 50 MB stream became 7.5 GB of them)."""
    contents = getattr(page.page_obj, "contents", None) or []
    size = 0
    for s in contents:
        s = resolve1(s)
        if isinstance(s, PDFStream):
            size += len(s.get_data() or b"")
    if size > settings.max_content_bytes:
        raise TooLarge(f"its content streams are {size >> 20} MB, over the {settings.max_content_bytes >> 20} MB "
                       "cap (max_content_bytes)")


def sniff(path: str | Path) -> None:
    """Refuse files that are not PDFs before pdfminer spends time on them."""
    p = Path(path)
    size = p.stat().st_size
    if size == 0:
        raise ExtractError("empty file (0 bytes): the download or copy failed; fetch the file again")
    with open(p, "rb") as f:
        head = f.read(1024)
    if b"%PDF-" not in head:
        low = head.lstrip().lower()
        if low.startswith((b"<!doctype html", b"<html")) or b"<html" in low:
            raise ExtractError("not a PDF: the file is an HTML page (probably an error page saved "
                               "as .pdf); download the real report again")
        raise ExtractError(f"not a PDF: the file does not start with %PDF- (starts with {head[:16]!r}); "
                           "check that it is the right file")


def _lightness(color) -> float:
    """0 for black, 1 for white; gray, RGB and CMYK fills."""
    if not isinstance(color, (list, tuple)) or not color:
        return 0.0
    if len(color) == 1:
        return float(color[0])
    if len(color) == 3:
        return float(sum(color)) / 3
    if len(color) == 4:
        return 1.0 - min(1.0, float(color[3]) + float(sum(color[:3])) / 3)
    return 0.0


def _watermark_like(chars: list[dict]) -> list[dict]:
    """Level watermarks: much larger than the body text and drawn in a light tint."""
    if not chars:
        return chars
    body = statistics.median(c.get("size", 10) for c in chars)
    return [c for c in chars if not (c.get("size", 10) > 2 * body and _lightness(c.get("non_stroking_color")) >= 0.6)]


def _direction(c: dict) -> int:
    """Reading direction of a char in degrees: 0 upright, 90 up the page, -90 down, 180."""
    a, b = (c.get("matrix") or (1, 0, 0, 1, 0, 0))[:2]
    if abs(b) < 1e-3:
        return 0 if a >= 0 else 180
    if abs(a) < 1e-3:
        return 90 if b > 0 else -90
    return 45  # skewed: a diagonal watermark, never page text


def turned_page_text(chars: list[dict], width: float, height: float) -> tuple[list[dict], float, float] | None:
    """When most characters run in one non-upright direction, they are the page's text
    (a page shown turned, text drawn along it), not a watermark: map them into the frame
    where they read left to right. Returns (chars, frame width, frame height) or None."""
    if len(chars) < 20 or sum(1 for c in chars if not c.get("upright", True)) < 0.6 * len(chars):
        return None
    counts: dict[int, int] = {}
    for c in chars:
        d = _direction(c)
        counts[d] = counts.get(d, 0) + 1
    d, n = max(counts.items(), key=lambda kv: kv[1])
    if d in (0, 45) or n < 0.6 * len(chars):
        return None
    out = []
    for c in chars:
        if _direction(c) != d:
            continue  # the few upright ones on such a page are stamps across it
        x0, x1, top, bottom = c["x0"], c["x1"], c["top"], c["bottom"]
        if d == -90:
            box = (top, bottom, width - x1, width - x0)
        elif d == 90:
            box = (height - bottom, height - top, x0, x1)
        else:
            box = (width - x1, width - x0, height - bottom, height - top)
        out.append({**c, "x0": box[0], "x1": box[1], "top": box[2], "bottom": box[3], "upright": True,
                    "matrix": (1, 0, 0, 1, 0, 0), "size": box[3] - box[2], "shown": (x0, top, x1, bottom)})
    return (out, height, width) if d in (90, -90) else (out, width, height)


def _big_image(page) -> bool:
    """An image covering most of the page: a scan, perhaps under a digital header line."""
    area = float(page.width) * float(page.height)
    return any((im["x1"] - im["x0"]) * (im["bottom"] - im["top"]) > 0.5 * area for im in page.images)


def _upright(obj: dict) -> bool:
    if obj.get("object_type") != "char":
        return True
    m = obj.get("matrix") or (1, 0, 0, 1, 0, 0)
    return obj.get("upright", True) and abs(m[1]) < 1e-3 and abs(m[2]) < 1e-3


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef" \
        or "\u2e80" <= ch <= "\u2fdf" or ch in "“”‘’—…·《》"


GARBAGE = regex.compile(r"\(cid:\d+\)|[\ue000-\uf8ff\x00-\x08\x0b\x0c\x0e-\x1f]")


def _garbage_share(chars: list[dict]) -> float:
    """Share of characters that are (cid:N) placeholders, private-use or control codes."""
    if not chars:
        return 0.0
    return len(GARBAGE.findall("".join(c["text"] for c in chars))) / len(chars)


def join_chars(chars: list[dict]) -> str:
    """Text of one line. A space survives only between Latin/digit runs: where the PDF has
    a space character there, or where the gap is wide for this line (letter-spaced titles,
    with uniform wide gaps, close up)."""
    return _join(chars)[0]


def _join(chars: list[dict]) -> tuple[str, list[dict]]:
    """join_chars' text and the line's glyphs (its chars but spaces)."""
    glyphs: list[dict] = []
    spaced = set()  # indexes in glyphs after which the PDF drew a space
    for c in chars:
        if not c["text"].isspace():
            glyphs.append(c)
        elif glyphs:
            spaced.add(len(glyphs) - 1)
    if not glyphs:
        return "", glyphs
    gaps = [b["x0"] - a["x1"] for a, b in zip(glyphs, glyphs[1:])]
    median_gap = sorted(gaps)[len(gaps) // 2] if gaps else 0.0
    out = [glyphs[0]["text"]]
    for i, (gap, a, b) in enumerate(zip(gaps, glyphs, glyphs[1:])):
        size = max(a.get("size", 10), 1)
        if i in spaced or gap > max(0.3 * size, median_gap + 0.3 * size):
            la, fb = a["text"][-1:], b["text"][:1]
            if la and fb and not _is_cjk(la) and not _is_cjk(fb):
                out.append(" ")
        out.append(b["text"])
    return "".join(out), glyphs


def visual_lines(chars: list[dict], dedupe: float = 1.0) -> list[list[dict]]:
    """Characters clustered into visual lines by vertical overlap, each ordered by x, with
    overprinted twins merged (fake bold: the same glyph again within ``dedupe`` pt)."""
    rounded: dict[float, float] = {}  # round() is slow and a line's glyphs share their top

    def order(c: dict) -> tuple[float, float]:
        top = c["top"]
        r = rounded.get(top)
        if r is None:
            r = rounded[top] = round(top, 1)
        return r, c["x0"]

    rows: list[list[dict]] = []
    row: list[dict] = []
    top = bottom = 0.0  # of the line's latest glyph: lines drift a little, never jump
    for c in sorted(chars, key=order):
        ctop, cbottom = c["top"], c["bottom"]
        if rows and min(bottom, cbottom) - max(top, ctop) >= 0.5 * min(bottom - top, cbottom - ctop):
            row.append(c)
        elif not c["text"].isspace():  # a space is kept only inside a line, as a word separator
            row = [c]
            rows.append(row)
        else:
            continue
        top, bottom = ctop, cbottom
    out = []
    for row in rows:
        row.sort(key=lambda c: c["x0"])
        kept: list[dict] = []
        for c in row:
            text, x0, top = c["text"], c["x0"], c["top"]
            for k in kept[-3:]:
                if k["text"] == text and abs(k["x0"] - x0) <= dedupe and abs(k["top"] - top) <= dedupe:
                    break  # a twin
            else:
                kept.append(c)
        out.append(kept)
    return out


def glyphs_of(vlines: list[list[dict]]) -> list[GlyphLine]:
    """Each visual line's characters with their boxes on the page as shown (a turned
    page's too), kept so that boxes.py can point at a figure where it stands."""
    out = []
    for vl in vlines:
        text, flat = [], []
        for c in vl:
            t = c["text"]
            if not t.isspace():
                box = c.get("shown") or (c["x0"], c["top"], c["x1"], c["bottom"])
                text.append(t)
                flat.extend(box * len(t))  # one box per character, a ligature's repeated
        out.append(("".join(text), array("f", flat)))
    return out


def build_lines(chars: list[dict], page_no: int, dedupe: float = 1.0) -> list[Line]:
    return lines_of(visual_lines(chars, dedupe), page_no)


def lines_of(vlines: list[list[dict]], page_no: int) -> list[Line]:
    lines = []
    for row in vlines:
        text, kept = _join(row)
        text = text.strip()
        if not text or not kept:
            continue
        lines.append(Line(page_no, text, kept[0]["x0"], kept[-1]["x1"], min(c["top"] for c in kept),
                          max(c["bottom"] for c in kept), statistics.median(c.get("size", 10) for c in kept)))
    return lines


MAX_EDGES = 3000  # pdfplumber's table finder is quadratic in edges; a vector chart can stall it


class TableSearchSkipped(Exception):
    """The page has too many edges for the table finder (a chart or a map): its text is
    still read, line by line, so nothing is lost; this is a remark, not damage."""


def _tables(page, chars: list[dict], number: int, settings: Settings) -> tuple[list[Table], list[dict]]:
    """Ruled tables found on the page's lines; cell text is rebuilt from the cleaned chars
    (so watermark and fake-bold damage is repaired in cells too). Returns the tables and
    the chars outside them."""
    if not (page.lines or page.rects):
        return [], chars
    if len(page.lines) + 4 * len(page.rects) > MAX_EDGES:
        raise TableSearchSkipped(f"{len(page.lines)} lines and {len(page.rects)} rectangles (a chart or a map?) "
                                 f"are more than the table finder is given ({MAX_EDGES} edges)")
    tables: list[Table] = []
    taken: set[int] = set()  # chars read into a cell
    found = page.find_tables()
    if found:  # each char's centre once; a char goes to the first cell (in row order) holding it
        cx = np.fromiter(((c["x0"] + c["x1"]) / 2 for c in chars), dtype=np.float64, count=len(chars))
        cy = np.fromiter(((c["top"] + c["bottom"]) / 2 for c in chars), dtype=np.float64, count=len(chars))
    for t in found:
        boxes_in = [cell for row in t.rows for cell in row.cells if cell is not None]
        by_cell: dict[tuple, list[dict]] = {}
        x0, top, x1, bottom = t.bbox
        idx = np.flatnonzero((x0 <= cx) & (cx <= x1) & (top <= cy) & (cy <= bottom))
        if len(idx) and boxes_in:
            b = np.asarray(boxes_in, dtype=np.float64)
            px, py = cx[idx, None], cy[idx, None]
            hit = (b[:, 0] <= px) & (px <= b[:, 2]) & (b[:, 1] <= py) & (py <= b[:, 3])
            first = hit.argmax(axis=1)
            for k, j, any_hit in zip(idx.tolist(), first.tolist(), hit.any(axis=1).tolist()):
                if any_hit:
                    c = chars[k]
                    by_cell.setdefault(tuple(boxes_in[j]), []).append(c)
                    taken.add(id(c))
        grid = []
        for row in t.rows:
            grid.append([None if cell is None else _cell_text(by_cell.get(tuple(cell)), number, settings.dedupe_tolerance)
                         for cell in row.cells])
        if len(grid) >= 2 and max(len(r) for r in grid) >= 2:
            tables.append(Table(number, grid, float(t.bbox[1]), float(t.bbox[3])))
        else:
            taken -= {id(c) for cs in by_cell.values() for c in cs}
    # chars inside a table's frame but in no cell (a merged cell whose ruling runs off the
    # page edge, as a spreadsheet printed without fit-to-page leaves it) stay running text
    return tables, [c for c in chars if id(c) not in taken]


def _cell_text(chars: list[dict] | None, number: int, dedupe: float) -> str:
    """A ruled cell's text: its chars' lines, joined (an empty cell without the line machinery)."""
    return "".join(ln.text for ln in build_lines(chars, number, dedupe)) if chars else ""


def _is_han(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)


def _suspect(text: str) -> bool:
    """A glyph a Chinese report would not print: (cid:N), private-use, control or empty text,
    or a Latin-1/Latin-extended look-alike (ƒ„†‡ˆŠ) that an unmapped code turns into."""
    return not text or bool(GARBAGE.fullmatch(text)) or not (text.isascii() or all(_is_cjk(ch) for ch in text))


def unmapped_fonts(chars: list[dict]) -> set[str]:
    """Fonts of the page without a usable Unicode map: some of their glyphs come out as
    (cid:N), private-use or empty text, most are suspect, and none is a Han character. A
    Latin font with one stray unmapped symbol among its digits is not one of them."""
    total: dict[str, int] = {}
    suspect: dict[str, int] = {}
    garbage, han = set(), set()
    for c in chars:
        t, f = c["text"], c.get("fontname", "")
        if t.isspace():
            continue
        total[f] = total.get(f, 0) + 1
        if not t or GARBAGE.fullmatch(t):
            garbage.add(f)
        elif _is_han(t):
            han.add(f)
        if _suspect(t):
            suspect[f] = suspect.get(f, 0) + 1
    return {f for f in garbage - han if suspect.get(f, 0) >= 0.5 * total[f]}


def _unmapped(row: list[dict], fonts: set[str]) -> bool:
    """A line whose glyphs mostly have no Unicode: set in an unmapped font, or (cid:N) /
    private-use / empty glyphs."""
    glyphs = [c for c in row if not c["text"].isspace()]
    bad = sum(1 for c in glyphs if not c["text"] or GARBAGE.fullmatch(c["text"]) or c.get("fontname", "") in fonts)
    return len(glyphs) >= 3 and bad >= 0.5 * len(glyphs)  # 3: a pair of dingbats is no heading


def _read_unmapped_lines(page, vlines: list[list[dict]], number: int, settings: Settings,
                         out: Page) -> list[Line]:
    """Lines of the page; those set in an unmapped font (a heading font without ToUnicode,
    while the body reads fine) are OCR'd from their own region of the page, so the section
    structure is not lost. Without OCR they are left out and the page says so."""
    texts = [c["text"] for row in vlines for c in row]
    if all(texts) and not GARBAGE.search("".join(texts)):  # the usual page: every glyph has its text
        return lines_of(vlines, number)
    fonts = unmapped_fonts([c for row in vlines for c in row])
    bad = [i for i, row in enumerate(vlines) if _unmapped(row, fonts)]
    if not bad:
        return lines_of(vlines, number)
    boxes = [(min(c["x0"] for c in vlines[i]), min(c["top"] for c in vlines[i]),
              max(c["x1"] for c in vlines[i]), max(c["bottom"] for c in vlines[i])) for i in bad]
    why = None if settings.ocr and ocr.available(settings) else \
        "OCR is turned off" if not settings.ocr else "no OCR engine is installed"
    if why is None:
        try:
            texts = dict(zip(bad, ocr.ocr_boxes(page, boxes, settings)))
        except Exception as e:  # a failed render or OCR loses these lines, not the page
            why = f"their OCR failed ({type(e).__name__}: {e})"
    if why is not None:
        note = f"page {number}: {len(bad)} line(s) in a font without a Unicode map left unread because {why}"
        out.note = f"{out.note}; {note}" if out.note else note
        return lines_of([row for i, row in enumerate(vlines) if i not in set(bad)], number)
    lines = []
    for i, row in enumerate(vlines):
        if i not in texts:
            lines += lines_of([row], number)
        elif texts[i]:
            x0, top, x1, bottom = boxes[bad.index(i)]
            lines.append(Line(number, texts[i], x0, x1, top, bottom, statistics.median(c.get("size", 10) for c in row)))
    remark = f"page {number}: {len(bad)} line(s) in a font without a Unicode map read by OCR"
    out.remark = f"{out.remark}; {remark}" if out.remark else remark
    return lines


def _page(page: "pdfplumber.page.Page", number: int, settings: Settings) -> Page:
    out = Page(number, float(page.width), float(page.height))
    _content_guard(page, settings)
    # chars come in the displayed frame, which /Rotate 90 or 270 turns on its side
    shown = (out.height, out.width) if (page.rotation or 0) % 180 == 90 else (out.width, out.height)
    turned = turned_page_text(page.chars, *shown)
    if turned is not None:  # text runs along a turned page: read it in its own frame, tables as text
        chars, out.width, out.height = turned
        chars = _clean_chars(chars)
        vlines = visual_lines(chars, settings.dedupe_tolerance)
        out.lines, out.glyphs = lines_of(vlines, number), glyphs_of(vlines)
        return out
    chars = _watermark_like([c for c in page.chars if _upright(c)])
    garbage = _garbage_share(chars)
    scan_under_text = len(chars) < 10 * max(settings.min_page_chars, 1) and _big_image(page)
    needs_ocr = (garbage >= settings.garbled_ratio or (len(chars) < settings.min_page_chars and page.images)
                 or scan_under_text)
    if needs_ocr:
        why = ("garbled text layer" if garbage >= settings.garbled_ratio else
               "image-only page" if len(chars) < settings.min_page_chars else "scanned page under a few lines of text")
        if not settings.ocr:
            out.note = f"page {number}: {why} left unread because OCR is turned off"
        elif ocr.available(settings):
            try:
                out.lines, out.tables = ocr.ocr_page(page, number, settings)
            except ocr.BlankRender as e:  # never a silent empty page
                out.note = f"page {number}: {e}"
                return out
            out.ocr = True
            out.note = None if out.lines else f"page {number}: OCR found no text ({why})"
        else:
            out.note = f"page {number}: {why} needs OCR but {ocr.ocr_engines.missing_message(settings)}"
        return out
    chars = _clean_chars(chars)  # after the garbage share, which counts control codes as garbage
    vlines = visual_lines(chars, settings.dedupe_tolerance)
    out.glyphs = glyphs_of(vlines)
    try:
        out.tables, rest = _tables(page, chars, number, settings)
    except TableSearchSkipped as e:
        out.remark = f"page {number}: table search skipped, text read as lines ({e})"
    except Exception as e:  # pdfplumber's table finder on odd geometry: keep the text, say what was lost
        out.note = f"page {number}: table detection failed ({type(e).__name__}: {e}); tables read as text"
    else:
        if len(rest) != len(chars):  # the running text is what the tables left: its lines anew
            vlines = visual_lines(rest, settings.dedupe_tolerance)
    stream, used = streamtable.find(vlines, number)
    if stream:
        out.tables += stream
        vlines = [kept for kept in ([c for c in vl if id(c) not in used] for vl in vlines) if kept]
    out.lines = _read_unmapped_lines(page, vlines, number, settings, out)
    return out


def _open(path: str | Path, settings: Settings) -> tuple["pdfplumber.PDF", int, list[str]]:
    """Open the PDF and read its page tree; a truncated file gets its xref rebuilt."""
    errors: list[str] = []
    try:
        pdf = pdfplumber.open(path, password=settings.password)
        try:
            return pdf, len(pdf.pages), errors
        except Exception:
            pdf.close()
            raise
    except PDFPasswordIncorrect as e:
        raise ExtractError(ENCRYPTED) from e
    except Exception as e:
        cause = e.__cause__ or (e.args[0] if e.args and isinstance(e.args[0], Exception) else e)
        if isinstance(cause, PDFPasswordIncorrect) or "password" in str(cause).lower():
            raise ExtractError(ENCRYPTED) from e
        damaged = f"damaged PDF ({type(cause).__name__}: {cause})"
        raw = Path(path).read_bytes()
        rebuilt = repair.rebuild(raw)
        if rebuilt is None:
            raise ExtractError(f"{damaged}; the file is truncated or corrupt and no page survived: download it "
                               "again or repair it with `qpdf` or Ghostscript") from e
        data, found = rebuilt
        try:
            pdf = pdfplumber.open(io.BytesIO(data))
            n = len(pdf.pages)
        except Exception as e2:
            raise ExtractError(f"{damaged}; rebuilding its cross-reference table failed too ({e2}): download "
                               "it again") from e
        how = ("its cross-reference table is damaged" if raw.rstrip().endswith(b"%%EOF") else "the file is truncated")
        errors.append(f"{damaged}: {how}; its cross-reference table was rebuilt and {found} "
                      "page(s) recovered, those whose content was cut off are empty; download it again for the rest")
        return pdf, n, errors


ENCRYPTED = ("encrypted PDF: it needs a password to open; ask the publisher for an unprotected copy or pass "
             "the password (--password)")


def extract(path: str | Path, settings: Settings | None = None,
            progress: "Callable[[int], None] | None" = None) -> Extracted:
    """Read every page; a page that fails is noted and skipped, the rest are kept.
    ``progress(page_number)`` is called after each page (the batch's liveness signal)."""
    settings = Settings.resolve(settings)
    _ZLIB.limit = settings.max_stream_bytes
    with time_limit(settings.time_limit) as deadline:
        return _extract(path, settings, progress, deadline)


@contextlib.contextmanager
def time_limit(seconds: float | None) -> Iterator[float | None]:
    """A limit on a whole parse for library callers: SIGALRM interrupts a stuck parser in the
    main thread; elsewhere (no signals there) the deadline is checked after each page.
    Yields the deadline (time.monotonic()) or None."""
    if not seconds:
        yield None
        return
    deadline = time.monotonic() + seconds
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield deadline
        return

    def expired(signum, frame):
        raise TimeLimit(f"timed out: the parse took longer than its time limit ({seconds:g} s)")
    old = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield deadline
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _extract(path: str | Path, settings: Settings, progress: "Callable[[int], None] | None",
             deadline: float | None) -> Extracted:
    sniff(path)
    pdf, n, errors = _open(path, settings)
    notes: list[str] = []
    doc = pdfium_layer.open_document(path, settings.password) if settings.engine == "pdfium" and not errors else None
    pages: list[Page] = []
    with pdf, pdfium_layer.closing(doc):
        title = (pdf.metadata or {}).get("Title") if isinstance(pdf.metadata, dict) else None
        for i, page in enumerate(pdfium_layer.wrap(pdf.pages, doc), start=1):
            try:
                p = _page(page, i, settings)
            except (MemoryError, TimeLimit):  # the whole file's limits, not one page's
                raise
            except TooLarge as e:  # this page would take the memory; the others may be fine
                errors.append(f"page {i}: too large to read ({e})")
                p = Page(i, float(page.width), float(page.height), note=errors[-1])
            except Exception as e:  # one bad page must not lose the others
                why = str(e).strip().splitlines()
                if any("bad_alloc" in w for w in why):  # a native library out of memory (ONNX Runtime)
                    raise MemoryError(f"page {i}: out of memory in {type(e).__name__}") from e
                errors.append(f"page {i}: could not be read ({type(e).__name__}: {why[-1] if why else ''})")
                p = Page(i, float(page.width), float(page.height), note=errors[-1])
            else:
                if p.note:
                    errors.append(p.note)
                if p.remark:
                    notes.append(p.remark)
            finally:
                page.close()
            pages.append(p)
            if progress is not None:
                progress(i)
            if deadline is not None and time.monotonic() > deadline:
                raise TimeLimit(f"timed out: the parse took longer than its time limit ({settings.time_limit:g} s)")
    return Extracted(pages, n, strip_controls(title) if isinstance(title, str) else None, errors, notes)
