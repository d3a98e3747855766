"""OCR of one page with the Tesseract command line (chi_sim), returning positioned lines.

The command line rather than a Python binding: it is what Debian ships, it needs no
compiled extension, and a hung OCR dies with its subprocess timeout.
"""
from __future__ import annotations

import csv
import io
import os
import subprocess
import tempfile

import numpy as np
import regex
from PIL import Image, ImageFilter

from . import scangrid

from .model import Line, Table
from .settings import Settings

CN_PARENS = regex.compile(r"\(([一二三四五六七八九十]{1,3})\)")  # Tesseract's (一) for a heading's （一）
CJK_SPACE = regex.compile(r"(?<=[\p{Han}\p{P}])\s+(?=[\p{Han}\p{P}\d])|(?<=[\p{Han}\p{P}\d])\s+(?=[\p{Han}\p{P}])")


def scan_dpi(page) -> int | None:
    """The resolution of the page's scan, so the image is read 1:1 (no resampling blur,
    no wasted pixels); None when the page has no dominant image (a vector page)."""
    best = None
    for im in page.images:
        w_pt = im["x1"] - im["x0"]
        if w_pt > 0.5 * float(page.width) and im.get("srcsize"):
            best = im["srcsize"][0] / (w_pt / 72.0)
    return int(min(400, max(150, best))) if best else None


def _tesseract(image, settings: Settings, psm: str, tsv: bool) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        png = os.path.join(tmp, "page.png")
        image.save(png)
        args = [settings.tesseract_path(), png, "stdout", "-l", settings.ocr_lang, "--psm", psm,
                "-c", "preserve_interword_spaces=1"] + (["tsv"] if tsv else [])
        proc = subprocess.run(args, capture_output=True, text=True, timeout=max(30.0, settings.timeout / 2),
                              env=dict(os.environ, OMP_THREAD_LIMIT=str(settings.ocr_threads)) if settings.ocr_threads else None)
    if proc.returncode != 0:
        raise RuntimeError(f"tesseract failed: {proc.stderr.strip()[:200]}")
    return proc.stdout


def ocr_tables(image, number: int, dpi: int, settings: Settings) -> tuple[list[Table], object]:
    """Ruled tables of a scanned page read cell by cell; returns them and the page image
    with the tables erased."""
    gray = np.array(image)
    grids = scangrid.find(gray)
    tables = []
    scale = 72.0 / dpi
    for g in grids:
        rows, boxes = [], []
        for cells in g.rows:
            row: list[str | None] = []
            boxes.append([None if box is None else tuple(v * scale for v in box) for box in cells])
            for box in cells:
                if box is None or scangrid.blank(gray, box):
                    row.append(None if box is None else "")
                    continue
                x0, y0, x1, y1 = box
                crop = image.crop((x0 + 3, y0 + 3, x1 - 2, y1 - 2))
                crop = crop.resize((crop.width * 2, crop.height * 2))
                text = CJK_SPACE.sub("", " ".join(_tesseract(crop, settings, "6", False).split()))
                row.append(text)
            rows.append(row)
        tables.append(Table(number, rows, g.top * scale, g.bottom * scale, ocr=True, cells=boxes))
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
    return (f"rendered blank although its text layer has {len(chars)} characters (fonts {', '.join(fonts)}): "
            "the fonts are probably not embedded and no CJK font is installed; install one "
            "(`apt-get install fonts-noto-cjk`) and parse again")


def ocr_page(page, number: int, settings: Settings) -> tuple[list[Line], list[Table]]:
    """Render at the scan's own resolution (vector pages at ``ocr_dpi``), remove speckle
    noise from scans with a 3x3 median (salt-and-pepper dots that Tesseract reads as
    punctuation), read ruled tables cell by cell, then the rest of the page's lines from
    Tesseract's TSV (word boxes with line ids)."""
    dpi = scan_dpi(page)
    scanned = dpi is not None
    dpi = dpi or settings.ocr_dpi
    pixel_cap(page, dpi, settings.max_pixels)
    image = page.to_image(resolution=dpi).original.convert("L")
    why = blank_render(image, page.chars)
    if why:
        raise BlankRender(why)
    if scanned:  # a vector page renders clean; a median there would only thin the strokes
        image = image.filter(ImageFilter.MedianFilter(3))
    tables, image = ocr_tables(image, number, dpi, settings)
    return lines_from_tsv(_tesseract(image, settings, "6", True), number, 72.0 / dpi), tables


def pixel_cap(page, dpi: int, limit: int) -> None:
    """Refuse before rendering: the page at ``dpi``, or an image pdfium would decode for it,
    over ``limit`` pixels (a 200-inch page at 300 dpi is 14 GB of bitmap)."""
    from .extract import TooLarge
    for im in page.images:
        sw, sh = (im.get("srcsize") or (0, 0))[:2]
        if (sw or 0) * (sh or 0) > limit:
            raise TooLarge(f"it holds a {sw}×{sh} px image, over the {limit / 1e6:.0f} Mpx cap")
    w, h = float(page.width) * dpi / 72, float(page.height) * dpi / 72
    if w * h > limit:
        raise TooLarge(f"rendering it for OCR at {dpi} dpi takes {w * h / 1e6:.0f} Mpx "
                       f"({float(page.width) / 72:.0f}×{float(page.height) / 72:.0f} in), over the {limit / 1e6:.0f} Mpx cap")


def ocr_boxes(page, boxes: list[tuple[float, float, float, float]], settings: Settings) -> list[str]:
    """The text of a few single lines of an otherwise readable vector page (headings set in a
    font without a Unicode map), each read from its own crop of one render: the rest of the
    page keeps its exact text layer. Boxes are (x0, top, x1, bottom) in PDF points."""
    dpi = settings.ocr_dpi
    pixel_cap(page, dpi, settings.max_pixels)
    image = page.to_image(resolution=dpi).original.convert("L")
    s = dpi / 72.0
    out = []
    for x0, top, x1, bottom in boxes:
        pad = 0.3 * (bottom - top)
        crop = image.crop((max(0, int((x0 - pad) * s)), max(0, int((top - pad) * s)),
                           min(image.width, int((x1 + pad) * s) + 1), min(image.height, int((bottom + pad) * s) + 1)))
        text = CJK_SPACE.sub("", " ".join(_tesseract(crop, settings, "13", False).split()))  # raw line: no layout guess
        out.append(CN_PARENS.sub(r"（\1）", text))
    return out


def lines_from_tsv(tsv: str, number: int, scale: float) -> list[Line]:
    groups: dict[tuple[int, int, int], list[dict]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") != "5" or not (row.get("text") or "").strip():
            continue
        key = (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
        groups.setdefault(key, []).append(row)
    lines = []
    for words in groups.values():
        words.sort(key=lambda w: int(w["left"]))
        text = CJK_SPACE.sub("", " ".join(w["text"].strip() for w in words))
        x0 = min(int(w["left"]) for w in words) * scale
        x1 = max(int(w["left"]) + int(w["width"]) for w in words) * scale
        top = min(int(w["top"]) for w in words) * scale
        bottom = max(int(w["top"]) + int(w["height"]) for w in words) * scale
        heights = sorted(int(w["height"]) for w in words)
        lines.append(Line(number, text, x0, x1, top, bottom, heights[len(heights) // 2] * scale, ocr=True))
    lines.sort(key=lambda l: (l.top, l.x0))
    return lines
