"""PDF -> pages of clean lines and tables, working on pdfplumber's characters.

Cleaning happens on characters, where the damage is visible, not on extracted strings:
skewed or rotated characters (diagonal watermarks, stamps) are dropped unless they are most
of the page (a page shown turned, read in its own frame), light oversized watermarks are
dropped, overprinted fake-bold twins are merged, ruled and unruled tables are cut out of the
running text, and lines are rebuilt with spacing decided from the line's own letter
spacing. Image-only, garbled and stamped-scan pages go to OCR; a truncated file is rebuilt.
"""
from __future__ import annotations

import logging
import statistics
import time
from pathlib import Path
from typing import Callable

import numpy as np
import pdfplumber

from reportparse.errors import TimeLimit, TooLarge
from reportparse.messages import SEP, cause, say
from reportparse.model import Extracted, Line, Page, Table
from reportparse.ocr import page as ocr
from reportparse.read import pdfium as pdfium_layer
from reportparse.read import streamtable
from reportparse.read.glyphs import (
    GARBAGE,
    clean_chars,
    garbage_share,
    is_cjk,
    is_upright,
    watermark_like,
    build_lines,
    glyphs_of,
    lines_of,
    strip_controls,
    turned_page_text,
    visual_lines,
)
from reportparse.read.guard import STREAM_CAP, content_guard, open_pdf, pdfminer_quiet, time_limit
from reportparse.settings import Settings

log = logging.getLogger(__name__)


def _big_image(page) -> bool:
    """An image covering most of the page: a scan, perhaps under a digital header line."""
    area = float(page.width) * float(page.height)
    return any((im["x1"] - im["x0"]) * (im["bottom"] - im["top"]) > 0.5 * area for im in page.images)


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
        raise TableSearchSkipped(say("too_many_edges", lines=len(page.lines), rects=len(page.rects), edges=MAX_EDGES))
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
    return not text or bool(GARBAGE.fullmatch(text)) or not (text.isascii() or all(is_cjk(ch) for ch in text))


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
        say("ocr_turned_off") if not settings.ocr else say("no_ocr_engine")
    if why is None:
        try:
            texts = dict(zip(bad, ocr.ocr_boxes(page, boxes, settings)))
        except Exception as e:  # a failed render or OCR loses these lines, not the page
            why = say("ocr_failed", cause=cause(e))
    if why is not None:
        note = say("unmapped_unread", page=number, n=len(bad), why=why)
        out.note = f"{out.note}{SEP}{note}" if out.note else note
        return lines_of([row for i, row in enumerate(vlines) if i not in set(bad)], number)
    lines = []
    for i, row in enumerate(vlines):
        if i not in texts:
            lines += lines_of([row], number)
        elif texts[i]:
            x0, top, x1, bottom = boxes[bad.index(i)]
            lines.append(Line(number, texts[i], x0, x1, top, bottom, statistics.median(c.get("size", 10) for c in row)))
    remark = say("unmapped_ocr", page=number, n=len(bad))
    out.remark = f"{out.remark}{SEP}{remark}" if out.remark else remark
    return lines


def _page(page: "pdfplumber.page.Page", number: int, settings: Settings) -> Page:
    out = Page(number, float(page.width), float(page.height))
    content_guard(page, settings)
    # chars come in the displayed frame, which /Rotate 90 or 270 turns on its side
    shown = (out.height, out.width) if (page.rotation or 0) % 180 == 90 else (out.width, out.height)
    turned = turned_page_text(page.chars, *shown)
    if turned is not None:  # text runs along a turned page: read it in its own frame, tables as text
        chars, out.width, out.height = turned
        chars = clean_chars(chars)
        vlines = visual_lines(chars, settings.dedupe_tolerance)
        out.lines, out.glyphs = lines_of(vlines, number), glyphs_of(vlines)
        return out
    chars = watermark_like([c for c in page.chars if is_upright(c)])
    garbage = garbage_share(chars)
    scan_under_text = len(chars) < 10 * max(settings.min_page_chars, 1) and _big_image(page)
    needs_ocr = (garbage >= settings.garbled_ratio or (len(chars) < settings.min_page_chars and page.images)
                 or scan_under_text)
    if needs_ocr:
        why = say("garbled" if garbage >= settings.garbled_ratio else
                  "image_only" if len(chars) < settings.min_page_chars else "scan_under_text")
        log.debug("page %d goes to OCR: %s (%d upright characters, %.0f%% garbage)", number, why, len(chars),
                  100 * garbage)
        if not settings.ocr:
            out.note = say("ocr_off", page=number, why=why)
        elif ocr.available(settings):
            try:
                done: list[str] = []  # a turn straightened, a seal taken out: nothing lost
                out.lines, out.tables = ocr.ocr_page(page, number, settings, done)
                out.remark = SEP.join(done) or None
            except ocr.BlankRender as e:  # never a silent empty page
                out.note = say("page", page=number, text=e)
                return out
            out.ocr = True
            out.note = None if out.lines else say("ocr_no_text", page=number, why=why)
        else:
            out.note = say("ocr_missing", page=number, why=why, missing=ocr.ocr_engines.missing_message(settings))
        return out
    chars = clean_chars(chars)  # after the garbage share, which counts control codes as garbage
    vlines = visual_lines(chars, settings.dedupe_tolerance)
    out.glyphs = glyphs_of(vlines)
    try:
        out.tables, rest = _tables(page, chars, number, settings)
    except TableSearchSkipped as e:
        out.remark = say("table_search_skipped", page=number, why=e)
    except Exception as e:  # pdfplumber's table finder on odd geometry: keep the text, say what was lost
        out.note = say("table_failed", page=number, cause=cause(e))
    else:
        if len(rest) != len(chars):  # the running text is what the tables left: its lines anew
            vlines = visual_lines(rest, settings.dedupe_tolerance)
    stream, used = streamtable.find(vlines, number)
    log.debug("page %d: %d ruled table(s), %d unruled table(s) found by their header words", number,
              len(out.tables), len(stream))
    if stream:
        out.tables += stream
        vlines = [kept for kept in ([c for c in vl if id(c) not in used] for vl in vlines) if kept]
    out.lines = _read_unmapped_lines(page, vlines, number, settings, out)
    return out


def extract(path: str | Path, settings: Settings | None = None,
            progress: "Callable[[int], None] | None" = None) -> Extracted:
    """Read every page of a PDF; a page that fails is noted and skipped, the rest are kept. An
    empty file or another format is refused before this, by ``formats.extract`` (its ``sniff``).
    ``progress(page_number)`` is called after each page (the batch's liveness signal)."""
    settings = Settings.resolve(settings)
    STREAM_CAP.limit = settings.max_stream_bytes
    with time_limit(settings.time_limit) as deadline, pdfminer_quiet():
        return _extract(path, settings, progress, deadline)


def _extract(path: str | Path, settings: Settings, progress: "Callable[[int], None] | None",
             deadline: float | None) -> Extracted:
    pdf, n, errors = open_pdf(path, settings)  # formats.extract sniffed it: a PDF, not empty
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
                errors.append(say("page_too_large", page=i, why=e))
                p = Page(i, float(page.width), float(page.height), note=errors[-1])
            except Exception as e:  # one bad page must not lose the others
                why = str(e).strip().splitlines()
                if any("bad_alloc" in w for w in why):  # a native library out of memory (ONNX Runtime)
                    raise MemoryError(say("page_out_of_memory", page=i, cause=type(e).__name__)) from e
                errors.append(say("page_unreadable", page=i, cause=f"{type(e).__name__}: {why[-1]}" if why
                                  else type(e).__name__))
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
                raise TimeLimit(say("time_limit", seconds=f"{settings.time_limit:g}"))
    return Extracted(pages, n, strip_controls(title) if isinstance(title, str) else None, errors, notes)
