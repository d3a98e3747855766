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


def ocr_page(page, number: int, settings: Settings) -> tuple[list[Line], list[Table]]:
    """Render at the scan's own resolution (vector pages at ``ocr_dpi``), remove speckle
    noise from scans with a 3x3 median (salt-and-pepper dots that Tesseract reads as
    punctuation), read ruled tables cell by cell, then the rest of the page's lines from
    Tesseract's TSV (word boxes with line ids)."""
    dpi = scan_dpi(page)
    scanned = dpi is not None
    dpi = dpi or settings.ocr_dpi
    image = page.to_image(resolution=dpi).original.convert("L")
    if scanned:  # a vector page renders clean; a median there would only thin the strokes
        image = image.filter(ImageFilter.MedianFilter(3))
    tables, image = ocr_tables(image, number, dpi, settings)
    return lines_from_tsv(_tesseract(image, settings, "6", True), number, 72.0 / dpi), tables


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
