"""OCR of one page, returning positioned lines (PDF points) and ruled tables read cell by cell.

The engine (PP-OCRv4 through RapidOCR by default, Tesseract as the fallback) is chosen in
``ocr_engines``; this module renders the page, finds ruled tables in the image and turns
the engine's pixel boxes into page coordinates.
"""
from __future__ import annotations

import numpy as np
import regex
from PIL import Image, ImageFilter

from reportparse.messages import say
from reportparse.model import Line, Table
from reportparse.ocr import engines as ocr_engines
from reportparse.ocr import grid as scangrid
from reportparse.ocr import seal as scanseal
from reportparse.ocr import signs
from reportparse.ocr import skew as scanskew
from reportparse.ocr.engines import CJK_SPACE, Engine, TextBox  # noqa: F401  (CJK_SPACE: kept importable here)
from reportparse.settings import Settings

CN_PARENS = regex.compile(r"\(([一二三四五六七八九十]{1,3})\)")  # Tesseract's (一) for a heading's （一）


def scan_dpi(page) -> int | None:
    """The resolution of the page's scan, so the image is read 1:1 (no resampling blur,
    no wasted pixels); None when the page has no dominant image (a vector page)."""
    best = None
    for im in page.images:
        w_pt = im["x1"] - im["x0"]
        if w_pt > 0.5 * float(page.width) and im.get("srcsize"):
            best = im["srcsize"][0] / (w_pt / 72.0)
    return int(min(400, max(150, best))) if best else None


def available(settings: Settings) -> str | None:
    """The OCR engine that will read pages with these settings, or None when none can."""
    return ocr_engines.choose(settings)


def _table(g: scangrid.Grid, rows: list[list[str | None]], number: int, scale: float) -> Table:
    """A scanned grid's cell texts as a Table in PDF points, each cell keeping its box."""
    cells = [[None if box is None else tuple(v * scale for v in box) for box in row] for row in g.rows]
    return Table(number, rows, g.top * scale, g.bottom * scale, ocr=True, cells=cells)


def ocr_tables(image, number: int, dpi: int, engine: Engine) -> tuple[list[Table], object]:
    """Ruled tables of a scanned page read cell by cell; returns them and the page image
    with the tables erased."""
    gray = np.array(image)
    grids = scangrid.find(gray)
    tables = []
    scale = 72.0 / dpi
    for g in grids:
        rows = []
        for cells in g.rows:
            row: list[str | None] = []
            for box in cells:
                if box is None or scangrid.blank(gray, box):
                    row.append(None if box is None else "")
                    continue
                row.append(engine.cell(image.crop(scangrid.inside(box))))
            rows.append(row)
        tables.append(_table(g, rows, number, scale))
        gray[g.top - 3:g.bottom + 4, g.left - 3:g.right + 4] = 255
    return tables, Image.fromarray(gray) if grids else image


class BlankRender(RuntimeError):
    """The page rendered blank although its text layer has characters: OCR would read
    nothing and the page would silently be empty."""


def blank_render(image, chars: list[dict]) -> str | None:
    """Why a rendered page is suspiciously blank, or None: an image without a single dark
    pixel while the text layer says there is text — typically CJK fonts that are not
    embedded and no CJK font installed for the renderer to substitute."""
    if not chars or image.getextrema()[0] < 200:
        return None
    fonts = sorted({str(c.get("fontname", "?")).split("+")[-1] for c in chars})[:3]
    return say("blank_render", n=len(chars), fonts=", ".join(fonts))


def _overlap(b: TextBox, box: tuple[int, int, int, int]) -> float:
    """Share of the text box's area inside the cell box."""
    x0, y0, x1, y1 = box
    w = max(0.0, min(x1, b.x1) - max(x0, b.x0))
    h = max(0.0, min(y1, b.bottom) - max(y0, b.top))
    return w * h / max(1.0, (b.x1 - b.x0) * (b.bottom - b.top))


def tables_from_boxes(boxes: list[TextBox], grids: list[scangrid.Grid], image, number: int, dpi: int,
                      engine: Engine) -> tuple[list[Table], list[TextBox]]:
    """Fill each grid's cells with the page boxes that lie inside them (one OCR pass for the
    whole page); a cell that a box runs out of is read again on its own. Returns the tables
    and the boxes outside every grid (the running text)."""
    gray = np.array(image)
    rest = list(boxes)
    tables = []
    for g in grids:
        inside = [b for b in rest if g.left <= (b.x0 + b.x1) / 2 <= g.right and g.top <= (b.top + b.bottom) / 2 <= g.bottom]
        rest = [b for b in rest if all(b is not i for i in inside)]
        found: dict[tuple[int, int], list[TextBox]] = {}
        reread: set[tuple[int, int]] = set()
        for b in inside:
            shares = {(r, c): share for r, cells in enumerate(g.rows) for c, box in enumerate(cells)
                      if box is not None and (share := _overlap(b, box)) > 0}
            if not shares:
                continue
            where = max(shares, key=shares.get)
            if shares[where] < 0.8:
                # the box runs across a rule into other cells (the detector joined two cells'
                # text): each cell it covers a good part of is read on its own. A box that only
                # grazes a neighbour (a few pixels over a rule) leaves that neighbour alone.
                reread.update(rc for rc, share in shares.items() if share >= 0.2)
            found.setdefault(where, []).append(b)
        for r, cells in enumerate(g.rows):
            for c, box in enumerate(cells):
                if box is not None and (r, c) not in reread and missed_ink(gray, box, found.get((r, c), []), dpi):
                    reread.add((r, c))
        rows = []
        for r, cells in enumerate(g.rows):
            row: list[str | None] = []
            for c, box in enumerate(cells):
                if box is None:
                    row.append(None)
                elif (r, c) in reread:
                    row.append(engine.cell(image.crop(scangrid.inside(box))))
                elif (r, c) in found:
                    text = "".join(ln.text for ln in ocr_engines.merge_lines(found[(r, c)]))
                    if len(text.strip()) <= 2:
                        # a lone sign in a column of its own (指标性质) reads as M, W or 二:
                        # its shape says which sign it is, when it is one
                        x0, y0, x1, y1 = scangrid.inside(box)
                        text = signs.lone_sign(ocr_engines.without_rules(gray[y0:y1, x0:x1])) or text
                    row.append(text)
                else:
                    row.append("")
            rows.append(row)
        tables.append(_table(g, rows, number, 72.0 / dpi))
    return tables, rest


def missed_ink(gray: np.ndarray, box: tuple[int, int, int, int], boxes: list[TextBox], dpi: int) -> bool:
    """Whether a cell holds ink that none of its detected boxes covers: a line the detector
    passed over (a short bracketed line such as （万 in a narrow header cell) or one whose
    reading fell below the engine's confidence. Such a cell is read again on its own, so a
    unit or a figure is not lost to one missed box. Rule remains at the cell's edge do not
    count; the ink must add up to a glyph's worth (a 3 pt square) to be text."""
    x0, y0, x1, y1 = scangrid.inside(box, 4)
    inner = ocr_engines.without_rules(gray[y0:y1, x0:x1]) < scangrid.INK
    if not inner.any():
        return False
    inner = inner.copy()
    for b in boxes:  # each box is read, with 2 px above and left of it and 4 below and right
        inner[max(0, int(b.top) - y0 - 2):max(0, int(b.bottom) - y0 + 4),
              max(0, int(b.x0) - x0 - 2):max(0, int(b.x1) - x0 + 4)] = False
    return int(inner.sum()) >= (3 * dpi / 72) ** 2


def to_lines(boxes: list[TextBox], number: int, scale: float) -> list[Line]:
    """Engine lines in pixels -> Lines in PDF points from the page's top-left (``scale`` is
    72 / dpi), so OCR'd lines carry the same geometry as a text layer's."""
    lines = [Line(number, b.text, b.x0 * scale, b.x1 * scale, b.top * scale, b.bottom * scale,
                  (b.bottom - b.top) * scale, ocr=True) for b in boxes if b.text.strip()]
    lines.sort(key=lambda ln: (ln.top, ln.x0))
    return lines


def ocr_page(page, number: int, settings: Settings,
             notes: list[str] | None = None) -> tuple[list[Line], list[Table]]:
    """Render at the scan's own resolution (vector pages at ``ocr_dpi``) and read it; what was
    done to the image (a turn straightened, a seal taken out) is appended to ``notes``."""
    dpi = scan_dpi(page)
    scanned = dpi is not None
    dpi = dpi or settings.ocr_dpi
    pixel_cap(page, dpi, settings.max_pixels)
    image = page.to_image(resolution=dpi).original  # in colour: a red seal is told apart by its hue
    why = blank_render(image.convert("L"), page.chars)
    if why:
        raise BlankRender(why)
    return ocr_image(image, number, dpi, scanned, settings, notes)


def pixel_cap(page, dpi: int, limit: int) -> None:
    """Refuse before rendering: the page at ``dpi``, or an image pdfium would decode for it,
    over ``limit`` pixels (a 200-inch page at 300 dpi is 14 GB of bitmap)."""
    from reportparse.errors import TooLarge
    for im in page.images:
        sw, sh = (im.get("srcsize") or (0, 0))[:2]
        if (sw or 0) * (sh or 0) > limit:
            raise TooLarge(say("image_over_cap", w=sw, h=sh, cap=f"{limit / 1e6:.0f}"))
    w, h = float(page.width) * dpi / 72, float(page.height) * dpi / 72
    if w * h > limit:
        raise TooLarge(say("render_over_cap", dpi=dpi, mpx=f"{w * h / 1e6:.0f}", w=f"{float(page.width) / 72:.0f}",
                           h=f"{float(page.height) / 72:.0f}", cap=f"{limit / 1e6:.0f}"))


def ocr_boxes(page, boxes: list[tuple[float, float, float, float]], settings: Settings) -> list[str]:
    """The text of a few single lines of an otherwise readable vector page (headings set in a
    font without a Unicode map), each read from its own crop of one render: the rest of the
    page keeps its exact text layer. Boxes are (x0, top, x1, bottom) in PDF points."""
    dpi = settings.ocr_dpi
    pixel_cap(page, dpi, settings.max_pixels)
    image = page.to_image(resolution=dpi).original.convert("L")
    s = dpi / 72.0
    # Tesseract's raw-line mode where it is installed: on single heading lines PP-OCR's
    # detector drops a leading 一 (one horizontal stroke) and the 、 after it, losing 一、/（一）
    engine = ocr_engines.TesseractEngine(settings) if settings.tesseract_path() else ocr_engines.get(settings)
    read = getattr(engine, "line", engine.cell)
    out = []
    for x0, top, x1, bottom in boxes:
        pad = 0.3 * (bottom - top)
        crop = image.crop((max(0, int((x0 - pad) * s)), max(0, int((top - pad) * s)),
                           min(image.width, int((x1 + pad) * s) + 1), min(image.height, int((bottom + pad) * s) + 1)))
        out.append(CN_PARENS.sub(r"（\1）", read(crop)))
    return out


def prepare(image, scanned: bool, notes: list[str] | None = None, number: int = 0):
    """A scan made fit to read: a red seal taken out of the colour image (the digits
    under it stay), grey; speckle noise removed with a 3x3 median (salt-and-pepper dots that
    OCR reads as punctuation); the page's turn on the glass measured and straightened, so
    table rules run level and lines do not drift into each other. A vector page is only made
    grey (it renders clean and upright; a median there would only thin the strokes)."""
    if not scanned:
        return image.convert("L")
    gray, share = scanseal.remove(image)
    if share and notes is not None:
        notes.append(say("scan_seal_removed", page=number, share=f"{share:.1%}"))
    image = median3(gray)
    angle = scanskew.measure(np.asarray(image))
    if abs(angle) >= scanskew.MIN_ANGLE:
        image = scanskew.straighten(image, angle)
        if notes is not None:
            notes.append(say("scan_straightened", page=number, angle=f"{angle:+.2f}"))
    return image


def median3(image):
    """A 3x3 median of a grey page: OpenCV's where it loads (0.5 ms on a 200-dpi page against
    PIL's 190 ms; the same pixels away from the border), else PIL's."""
    try:
        import cv2  # comes with RapidOCR; needs libGL
    except (ImportError, OSError):
        return image.filter(ImageFilter.MedianFilter(3))
    return Image.fromarray(cv2.medianBlur(np.asarray(image), 3))


def ocr_image(image, number: int, dpi: int, scanned: bool, settings: Settings,
              notes: list[str] | None = None) -> tuple[list[Line], list[Table]]:
    """Prepare the image (``prepare``), read ruled tables cell by cell, then the rest of the
    page's lines. ``dpi`` maps the image's pixels to PDF points."""
    engine = ocr_engines.get(settings)
    image = prepare(image, scanned, notes, number)
    turn = engine.upright(image, dpi) if scanned else 0
    if turn:
        # a sheet fed the wrong way round: read in its own frame, as pages shown turned are
        image = image.rotate(-turn, expand=True)
        if notes is not None:
            notes.append(say("scan_turned", page=number, turn=turn))
    if engine.whole_page:
        tables, rest = tables_from_boxes(engine.boxes(image, dpi), scangrid.find(np.array(image)), image, number, dpi, engine)
        return to_lines(ocr_engines.merge_lines(rest), number, 72.0 / dpi), tables
    tables, image = ocr_tables(image, number, dpi, engine)
    return to_lines(engine.lines(image, dpi), number, 72.0 / dpi), tables
