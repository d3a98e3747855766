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

import regex

from .model import Line
from .settings import Settings

CJK_SPACE = regex.compile(r"(?<=[\p{Han}\p{P}])\s+(?=[\p{Han}\p{P}\d])|(?<=[\p{Han}\p{P}\d])\s+(?=[\p{Han}\p{P}])")


def ocr_page(page, number: int, settings: Settings) -> list[Line]:
    """Render at ``ocr_dpi`` and read lines from Tesseract's TSV (word boxes with line ids)."""
    image = page.to_image(resolution=settings.ocr_dpi).original.convert("L")
    with tempfile.TemporaryDirectory() as tmp:
        png = os.path.join(tmp, "page.png")
        image.save(png)
        proc = subprocess.run(
            [settings.tesseract_path(), png, "stdout", "-l", settings.ocr_lang, "--psm", "6",
             "-c", "preserve_interword_spaces=1", "tsv"],
            capture_output=True, text=True, timeout=max(30.0, settings.timeout / 2))
    if proc.returncode != 0:
        raise RuntimeError(f"tesseract failed: {proc.stderr.strip()[:200]}")
    return lines_from_tsv(proc.stdout, number, 72.0 / settings.ocr_dpi)


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
        lines.append(Line(number, text, x0, x1, top, bottom, heights[len(heights) // 2] * scale))
    lines.sort(key=lambda l: (l.top, l.x0))
    return lines
