"""What keeps OCR cheap without losing text: boxes fitted to their line's ink, cells read
again only when they must be, and a worker's peak memory on a 300-dpi scan."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from reportparse.ocr import engines as ocr_engines
from reportparse.ocr import grid as scangrid
from reportparse.ocr import page as ocr
from reportparse.ocr.engines import TextBox

ROOT = Path(__file__).resolve().parents[2]
needs_rapidocr = pytest.mark.skipif(not ocr_engines.rapidocr_importable(), reason="rapidocr-onnxruntime not installed")


def _line_page(top: int = 100, height: int = 26) -> np.ndarray:
    """A white page with one line of 'glyphs' (dark blocks) between top and top + height,
    and a neighbouring line's descenders 30 px above it."""
    a = np.full((400, 600), 250, np.uint8)
    for x in range(50, 400, 30):
        a[top:top + height, x:x + 20] = 20
    a[top - 30:top - 22, 60:300] = 20  # the line above, its lowest strokes
    return a


def test_fit_to_ink_narrows_a_loose_box_to_its_line():
    gray = _line_page()
    loose = np.array([[40, 72], [410, 72], [410, 140], [40, 140]], np.float32)  # 68 px high, margins of a coarse detection
    fitted = ocr_engines.fit_to_ink(gray, loose)
    top, bottom = fitted[:, 1].min(), fitted[:, 1].max()
    assert 94 <= top <= 100 and 126 <= bottom <= 132  # the line (100..126) and a few px of paper
    assert fitted[:, 0].min() == 40 and fitted[:, 0].max() == 411  # left and right as detected


def test_fit_to_ink_leaves_a_box_it_cannot_improve():
    gray = _line_page()
    tilted = np.array([[40, 62], [410, 120], [410, 190], [40, 150]], np.float32)  # not level
    assert np.array_equal(ocr_engines.fit_to_ink(gray, tilted), tilted)
    blank = np.array([[420, 200], [560, 200], [560, 260], [420, 260]], np.float32)  # paper only
    assert np.array_equal(ocr_engines.fit_to_ink(gray, blank), blank)
    dash = np.full((100, 200), 250, np.uint8)
    dash[48:52, 40:160] = 20  # a dash alone: nothing to fit it to
    box = np.array([[30, 30], [170, 30], [170, 70], [30, 70]], np.float32)
    assert np.array_equal(ocr_engines.fit_to_ink(dash, box), box)


def test_rule_remains_at_a_cells_edge_are_not_ink():
    cell = np.full((60, 200), 250, np.uint8)
    cell[:, 0:2] = 10      # a vertical rule caught by the crop
    cell[58:60, :] = 10    # and the rule below
    cell[20:40, 30:120] = 30
    clean = ocr_engines.without_rules(cell)
    assert (clean[:, 0:2] == 255).all() and (clean[58:60] == 255).all()
    rows = np.nonzero((clean < ocr_engines.INK).any(axis=1))[0]
    assert (rows.min(), rows.max()) == (20, 39)


class _CountingEngine:
    name = "counting"
    whole_page = True

    def __init__(self):
        self.cells = 0

    def cell(self, image) -> str:
        self.cells += 1
        return "再读"


def _table_image() -> tuple[Image.Image, list[scangrid.Grid]]:
    img = Image.new("L", (700, 400), 250)
    d = ImageDraw.Draw(img)
    ys, xs = [50, 120, 190, 260], [50, 250, 450, 650]
    for y in ys:
        d.line((50, y, 650, y), fill=0, width=3)
    for x in xs:
        d.line((x, 50, x, 260), fill=0, width=3)
    for r in range(3):
        for c in range(3):
            for k in range(4):  # each cell's text: four glyph-sized marks
                d.rectangle((xs[c] + 30 + 22 * k, ys[r] + 25, xs[c] + 46 + 22 * k, ys[r] + 45), fill=20)
    grids = scangrid.find(np.array(img))
    assert len(grids) == 1 and len(grids[0].rows) == 3
    return img, grids


def test_a_box_grazing_a_neighbour_cell_does_not_send_it_to_be_read_again():
    img, grids = _table_image()
    g = grids[0]
    boxes = []
    for r, cells in enumerate(g.rows):
        for c, (x0, y0, x1, y1) in enumerate(cells):
            # every box reaches 4 px over the rule below it, as boxes padded by the detector do
            boxes.append(TextBox(f"r{r}c{c}", x0 + 26, y0 + 20, x0 + 116, y1 + 4))
    engine = _CountingEngine()
    tables, rest = ocr.tables_from_boxes(boxes, grids, img, 1, 200, engine)
    assert engine.cells == 0 and rest == []
    assert tables[0].rows[1] == ["r1c0", "r1c1", "r1c2"]


def test_cells_are_read_again_where_a_box_crosses_a_rule_or_ink_is_left_unread():
    img, grids = _table_image()
    g = grids[0]
    boxes = []
    for r, cells in enumerate(g.rows):
        for c, (x0, y0, x1, y1) in enumerate(cells):
            if (r, c) == (0, 0):
                continue  # the detector missed this cell's line: its ink is unread
            if (r, c) == (1, 1):
                boxes.append(TextBox("joined", x0 + 26, y0 + 20, x0 + 330, y0 + 50))  # runs on into (1, 2)
                continue
            if (r, c) == (1, 2):
                continue
            boxes.append(TextBox(f"r{r}c{c}", x0 + 26, y0 + 20, x0 + 116, y0 + 50))
    engine = _CountingEngine()
    tables, _ = ocr.tables_from_boxes(boxes, grids, img, 1, 200, engine)
    rows = tables[0].rows
    assert rows[0][0] == "再读" and rows[1][1] == "再读" and rows[1][2] == "再读"
    assert engine.cells == 3 and rows[2] == ["r2c0", "r2c1", "r2c2"]


@needs_rapidocr
@pytest.mark.ocr
def test_a_worker_reading_a_300_dpi_scan_stays_under_1_5_gb(tmp_path):
    """Peak memory of one process OCR-ing three turned, noisy 300-dpi pages (the largest
    render a scan gets): a worker may use 1.5 GB, and an allocator or resolution change that
    keeps whole-page buffers alive shows up here first."""
    script = f"""
import json, resource, sys
sys.path.insert(0, {str(ROOT / 'samples')!r})
import build
from reportparse import parse_pdf
data = build.scan(open({str(ROOT / 'samples' / 'seed-panyu-2023.pdf')!r}, 'rb').read(), dpi=300, pages=3,
                  turn=0.8, noise=10, jpeg=60)
path = {str(tmp_path / 'scan.pdf')!r}
open(path, 'wb').write(data)
report = parse_pdf(path, {{"ocr_engine": "rapidocr"}})
print(json.dumps({{"rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "ocr_pages": report.ocr_pages, "chars": sum(len(s.text) for s in report.sections)}}))
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["ocr_pages"] == 3 and out["chars"] > 1000  # the pages were really read
    assert out["rss_mb"] < 1536, out
