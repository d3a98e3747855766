"""Ruled-table finders compared on scanned pages: ``ocr/grid.py`` against img2table.

    PYTHONPATH=src python bench/table_bench.py [--dump DIR] [--only NAME] [--no-ocr] [--more]

Each page is a scan with a digital original whose ruled tables are the truth (pdfplumber's
``find_tables`` on the original: every cell's box and text):

* pages of the project's own samples with ruled tables (a 自评表 alone, a table between
  paragraphs, merged cells, two tables on a page) rendered at 150/200/300 dpi and damaged by
  samples/build.py's ``scanner``: turned 0.5-2°, grey noise, JPEG at quality 50, a red seal
  on some; plus one prose page with no table (a finder should find nothing there);
* where ``../shared/corpus/real-dev`` exists, its ``*-scan.pdf`` files against their text
  originals (read in place, never copied).

Every finder looks at the same prepared page (``ocr.page.prepare``: seal out, 3x3 median,
straightened, as the pipeline does); its cells are filled from ONE page OCR shared by all
finders (``ocr.page.tables_from_boxes``, the pipeline's own reader), so only the finding
differs. Per finder it prints: true rows; rows read correctly (every non-empty cell equal to
the original's, white space removed, ``understand.normalize.translate`` applied and
full-width forms folded; a row counts once); the same after cells that the page pass left
empty although they hold ink are read alone (a lone ≥ in a narrow cell gets no box from the
page detector); rows whose cells were all found (boxes within IoU 0.6: what a perfect OCR
could read); cells matched / found / true; detection CPU seconds per page (the finder
alone, OpenCV on one thread). ``--dump DIR`` writes each page with every finder's cells
drawn (ours red, img2table blue, with implicit rows green) and the rows it lost with what
was read instead, to look at. Per page: ``ok`` is rows read correctly (before/after the
reread), ``cf`` rows with all cells found, then cells matched/found.

img2table is not a dependency of reportparse; install it in a separate virtualenv:

    /work/main/.venv/bin/python -m venv /work/bench-venv
    /work/bench-venv/bin/pip install img2table reportlab -e .   # from the repository root
    PYTHONPATH=src /work/bench-venv/bin/python bench/table_bench.py

Without img2table the script compares only our finder.

Measured (img2table 2.0.0, RapidOCR PP-OCRv4, 2 shared cores; 18 pages, 182 true rows,
1 090 true cells):

    finder                    rows read   rows with all   cells matched /   detection
                              correctly   cells found     found / true      CPU-s/page
    ocr/grid.py               144         182             1090/1090/1090    0.07
    ocr/grid.py before 7ab785d 115        141             1031/1043/1090    0.06
    img2table                 123         154              945/ 948/1090    0.27
    img2table implicit_rows   117         149              917/1008/1090    0.28

After the OCR rewrite of issue 21 (detection at 110 dpi, recognition at 36/48 px, lone signs
by shape) and the seal change of the scanned twins, on the same 18 pages: ocr/grid.py reads
144 rows right (155 with inked empty cells read alone; 136 with every crop read at 36 px, 146
at 48 px, all before lone signs were read by shape), and 181 rows have all their cells: the
seal on "weijian p2" (150 dpi), scaled by its densest ink, now fades one rule under it.
img2table was not run again (finding does not depend on the OCR).

``--more --no-ocr`` (13 pages at 150 dpi, 147 rows): rows with all cells found, grid.py 147
(65 before 7ab785d), img2table 48, with implicit rows 46. img2table finds no table on the
dense 9-column 自评表 with 8 pt cells (mof-style), even on its clean render. Every row
grid.py still loses is lost to reading: lone ≥ ≤ — / and single digits in narrow cells get
no box from the page detector (read alone, a lone ≥ gives '' or 'M'), and misread glyphs.
"""
from __future__ import annotations

import argparse
import sys
import time
import unicodedata
from collections import Counter
from difflib import SequenceMatcher
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pdfplumber
import pypdfium2 as pdfium
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "samples")]

import build  # noqa: E402
from reportparse.ocr import engines, grid  # noqa: E402
from reportparse.ocr import page as ocrpage  # noqa: E402
from reportparse.settings import Settings  # noqa: E402
from reportparse.understand.normalize import translate  # noqa: E402

REAL = ROOT.parent / "shared" / "corpus" / "real-dev"
if not REAL.exists():
    REAL = Path("/work/shared/corpus/real-dev")

Box = tuple[float, float, float, float]


@dataclass
class Case:
    """One scanned page: a sample page damaged here, or a real scan with its original."""
    name: str
    original: Path
    index: int
    dpi: int = 200
    damage: dict = field(default_factory=dict)
    scan: Path | None = None  # a real scan; None: made from the original with ``damage``
    seed: int | None = None   # the scanner's noise; None: the page's index


S = ROOT / "samples"
CASES = [
    # a table between paragraphs, sealed
    Case("jiaoyu p1", S / "jiaoyu-project-2024.pdf", 0, 200, dict(turn=1.3, noise=12, jpeg=50, seal=(0.62, 0.55))),
    Case("weijian p1", S / "weijian-project-2023.pdf", 0, 200, dict(turn=-0.7, noise=10, jpeg=50)),
    Case("weijian p2", S / "weijian-project-2023.pdf", 1, 150, dict(turn=1.8, noise=12, jpeg=50, seal=(0.7, 0.3))),
    # full-page 自评表 with merged cells and wrapped headers
    Case("cq-style", S / "templates" / "cq-style-2022.pdf", 0, 200, dict(turn=-1.6, noise=12, jpeg=50, seal=(0.7, 0.8))),
    Case("mof-style", S / "templates" / "mof-style-2024.pdf", 0, 200, dict(turn=0.5, noise=14, jpeg=50)),
    Case("sc-style", S / "templates" / "sc-style-2024.pdf", 0, 300, dict(turn=-2.0, noise=10, jpeg=50, seal=(0.3, 0.85))),
    # two tables on one page
    Case("word-repeat p1", S / "templates" / "word-repeat-2023.pdf", 0, 200, dict(turn=1.1, noise=12, jpeg=50)),
    Case("word-repeat p2", S / "templates" / "word-repeat-2023.pdf", 1, 150, dict(turn=-1.2, noise=12, jpeg=50)),
    Case("fund-report p2", S / "offices" / "fund-report-2023.pdf", 1, 200, dict(turn=0.8, noise=12, jpeg=50, seal=(0.6, 0.6))),
    Case("fund-report p3", S / "offices" / "fund-report-2023.pdf", 2, 200, dict(turn=-0.5, noise=12, jpeg=50)),
    Case("fengqiao-table", S / "archive" / "fengqiao-garden-2024-table.pdf", 0, 200,
         dict(turn=1.5, noise=12, jpeg=50, seal=(0.65, 0.75))),
    # small 4-column tables of neighbouring document kinds
    Case("final-accounts", S / "neighbours" / "yunshan-final-accounts-2024.pdf", 0, 150, dict(turn=-1.9, noise=12, jpeg=50)),
    Case("targets", S / "neighbours" / "yunshan-targets-2025.pdf", 0, 200, dict(turn=0.6, noise=12, jpeg=50)),
    # prose only: no table to find
    Case("seed prose p2", S / "seed-panyu-2023.pdf", 1, 200, dict(turn=1.0, noise=12, jpeg=50)),
]
# --more: the same sample tables again at 150 dpi (thin rules: 1.25 px), turned otherwise,
# noisier; best run with --no-ocr
MORE = [Case(f"{c.name} @150", c.original, c.index, 150, dict(c.damage, turn=t, noise=14), seed=100 + k)
        for k, (c, t) in enumerate(zip([c for c in CASES if "prose" not in c.name],
                                       [0.7, -1.4, 2.0, -0.9, 1.6, -1.8, 0.5, -2.0, 1.2, -0.6, 1.9, -1.1, 0.9]))]
if REAL.exists():
    for scan in sorted(REAL.glob("*-scan.pdf")):
        with pdfplumber.open(scan) as pdf:
            n = len(pdf.pages)
        CASES += [Case(f"real {scan.stem.removeprefix('rd-')} p{i + 1}", scan.with_name(scan.name.replace("-scan", "")),
                       i, scan=scan) for i in range(min(n, 2))]


def key(text: str | None) -> str:
    """A cell's text as compared: white space out, the project's character map applied, and
    full-width forms folded (NFKC: OCR reads the text layer's ( : % as （ ： ％)."""
    return unicodedata.normalize("NFKC", "".join(translate(text or "").split()))


def row_key(row: list[str | None]) -> tuple[str, ...]:
    return tuple(k for k in map(key, row) if k)


@dataclass
class Truth:
    rows: list[tuple[str, ...]]          # each non-empty row's cell texts
    row_cells: list[list[Box]]           # each such row's cell boxes in points
    cells: list[Box]                     # every true cell in points


def truth(case: Case) -> Truth:
    """The original page's ruled tables as pdfplumber finds them (lines strategy)."""
    t = Truth([], [], [])
    with pdfplumber.open(case.original) as pdf:
        for table in pdf.pages[case.index].find_tables():
            for prow, texts in zip(table.rows, table.extract()):
                boxes = [c for c in prow.cells if c is not None]
                t.cells += boxes
                k = row_key(texts)
                if k:
                    t.rows.append(k)
                    t.row_cells.append(boxes)
    return t


def scanned_image(case: Case) -> tuple[Image.Image, int]:
    """The scanned page as the pipeline renders it, and its dpi."""
    if case.scan is not None:
        with pdfplumber.open(case.scan) as pdf:
            page = pdf.pages[case.index]
            dpi = ocrpage.scan_dpi(page) or 200
            return page.to_image(resolution=dpi).original, dpi
    page = pdfium.PdfDocument(case.original.read_bytes())[case.index]
    img = page.render(scale=case.dpi / 72).to_pil().convert("L")
    return build.scanner(img, seed=case.index if case.seed is None else case.seed, **case.damage), case.dpi


# --- finders --------------------------------------------------------------------------------

def ours(gray: np.ndarray) -> list[grid.Grid]:
    return grid.find(gray)


def img2table_finder(implicit_rows: bool):
    """img2table's bordered-table detection (no OCR, no borderless tables), its cells as our
    Grid: a cell spanning columns or rows keeps its box at its top-left slot, the slots it
    covers are None, as ``grid.find`` gives them."""
    from img2table.document import Image as I2TImage
    try:
        import cv2
        cv2.setNumThreads(1)  # one worker per core, as the pipeline runs
    except ImportError:
        pass

    png = _png_stub()

    def find(gray: np.ndarray) -> list[grid.Grid]:
        doc = I2TImage(src=png)
        doc.__dict__["images"] = [np.dstack([gray] * 3)]  # the prepared page itself, not decoded again
        out = []
        for t in doc.extract_tables(ocr=None, implicit_rows=implicit_rows, borderless_tables=False):
            rows: list[list[tuple[int, int, int, int] | None]] = []
            raw = [[(c.bbox.x1, c.bbox.y1, c.bbox.x2, c.bbox.y2) for c in cells] for cells in t.content.values()]
            for r, cells in enumerate(raw):
                row: list[tuple[int, int, int, int] | None] = []
                for c, box in enumerate(cells):
                    spanned = (c > 0 and cells[c - 1] == box) or (r > 0 and c < len(raw[r - 1]) and raw[r - 1][c] == box)
                    row.append(None if spanned else box)
                rows.append(row)
            if rows:
                out.append(grid.Grid(t.bbox.y1, t.bbox.y2, t.bbox.x1, t.bbox.x2, rows))
        return out

    return find


def _png_stub() -> bytes:
    import io
    buf = io.BytesIO()
    Image.new("L", (8, 8), 255).save(buf, format="PNG")
    return buf.getvalue()


def finders() -> dict:
    out = {"scangrid (ocr/grid.py)": ours}
    try:
        import img2table  # noqa: F401
    except ImportError:
        print("img2table is not installed here: comparing only our finder (see the docstring to set it up)\n")
        return out
    out["img2table"] = img2table_finder(False)
    out["img2table implicit_rows"] = img2table_finder(True)
    return out


# --- measuring ------------------------------------------------------------------------------

def iou(a: Box, b: Box) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def matched(found: list[Box], true: list[Box], limit: float = 0.6) -> set[int]:
    """Indexes of true cells that a found cell covers (IoU >= limit), each found cell used once."""
    used: set[int] = set()
    hit: set[int] = set()
    for i, t in enumerate(true):
        best, j = max(((iou(f, t), j) for j, f in enumerate(found) if j not in used), default=(0.0, -1))
        if best >= limit:
            used.add(j)
            hit.add(i)
    return hit


def reread_inked(tables, grids: list[grid.Grid], image, engine) -> int:
    """Cells left empty by the page pass although they hold ink, read alone, in place; returns
    how many. The page detector gives no box for a lone ≥ or ≤ in a narrow cell (seen on the
    sample 自评表), so its row is read without its sign."""
    gray = np.array(image)
    n = 0
    for tb, g in zip(tables, grids):
        for r, boxes in enumerate(g.rows):
            for c, box in enumerate(boxes):
                if box is not None and tb.rows[r][c] == "" and not grid.blank(gray, box):
                    x0, y0, x1, y1 = box
                    tb.rows[r][c] = engine.cell(image.crop((x0 + 3, y0 + 3, x1 - 2, y1 - 2)))
                    n += 1
    return n


@dataclass
class Score:
    pages: int = 0
    true_rows: int = 0
    rows_ok: int = 0
    rows_ok_reread: int = 0
    reread: int = 0
    rows_cells_found: int = 0
    cells_true: int = 0
    cells_found: int = 0
    cells_matched: int = 0
    cpu: float = 0.0


def correct(rows: list[tuple[str, ...]], tables) -> list[bool]:
    """Which true rows some read row equals (each read row used once)."""
    have = Counter(row_key(r) for tb in tables for r in tb.rows)
    out = []
    for k in rows:
        out.append(have[k] > 0)
        have[k] -= out[-1]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dump", help="folder to write each page with the cells drawn and the rows lost")
    ap.add_argument("--only", help="only the pages whose name contains this")
    ap.add_argument("--no-ocr", action="store_true", help="count cells only (no OCR: fast)")
    ap.add_argument("--more", action="store_true", help="add the sample tables again at 150 dpi, noisier")
    args = ap.parse_args()
    fs = finders()
    scores = {f: Score() for f in fs}
    engine = None if args.no_ocr else engines.get(Settings())
    dump = Path(args.dump) if args.dump else None
    if dump:
        dump.mkdir(parents=True, exist_ok=True)
    per_page: list[str] = []
    for case in CASES + (MORE if args.more else []):
        if args.only and args.only not in case.name:
            continue
        t = truth(case)
        image, dpi = scanned_image(case)
        notes: list[str] = []
        prepared = ocrpage.prepare(image, True, notes, case.index + 1)
        gray = np.array(prepared)
        scale = 72.0 / dpi
        boxes = engine.boxes(prepared) if engine else []
        line = [f"{case.name:34s} {len(t.rows):3d} rows {len(t.cells):3d} cells"]
        lost_text: list[str] = []
        drawn = prepared.convert("RGB") if dump else None
        colours = [(220, 0, 0), (0, 90, 220), (0, 160, 0)]
        for (fname, fn), colour in zip(fs.items(), colours):
            c0 = time.process_time()
            grids = fn(gray)
            cpu = time.process_time() - c0
            found = [tuple(v * scale for v in b) for g in grids for row in g.rows for b in row if b is not None]
            hit = matched(found, t.cells)
            hit_boxes = {t.cells[i] for i in hit}
            cells_ok = [all(b in hit_boxes for b in rc) for rc in t.row_cells]
            ok = [False] * len(t.rows)
            ok2 = [False] * len(t.rows)
            if engine:
                tables, _ = ocrpage.tables_from_boxes(boxes, grids, prepared, case.index + 1, dpi, engine)
                ok = correct(t.rows, tables)
                scores[fname].reread += reread_inked(tables, grids, prepared, engine)
                ok2 = correct(t.rows, tables)
                read = [row_key(r) for tb in tables for r in tb.rows]
                for i, k in enumerate(t.rows):  # what is still lost after the reread
                    if not ok2[i]:
                        why = "text" if cells_ok[i] else "cells"
                        near = max(read, key=lambda r: SequenceMatcher(None, "|".join(r), "|".join(k)).ratio(), default=())
                        lost_text.append(f"  {fname}: lost ({why}) {' | '.join(k)[:120]}\n{'':>{len(fname) + 4}}read as {' | '.join(near)[:120]}")
            s = scores[fname]
            s.pages += 1
            s.true_rows += len(t.rows)
            s.rows_ok += sum(ok)
            s.rows_ok_reread += sum(ok2)
            s.rows_cells_found += sum(cells_ok)
            s.cells_true += len(t.cells)
            s.cells_found += len(found)
            s.cells_matched += len(hit)
            s.cpu += cpu
            line.append(f"| {fname.split()[0][:9]:9s} {len(grids)}t {sum(ok):3d}/{sum(ok2):3d} ok {sum(cells_ok):3d} cf "
                        f"{len(hit):3d}/{len(found):3d} cells {cpu:5.2f}s")
            if drawn is not None:
                d = ImageDraw.Draw(drawn)
                off = list(fs).index(fname) * 2
                for g in grids:
                    for row in g.rows:
                        for b in row:
                            if b is not None:
                                d.rectangle((b[0] + off, b[1] + off, b[2] - off, b[3] - off), outline=colour, width=2)
        per_page.append(" ".join(line))
        print(per_page[-1], flush=True)
        if dump:
            stem = case.name.replace(" ", "_")
            drawn.save(dump / f"{stem}.png")
            (dump / f"{stem}.txt").write_text("\n".join(notes + lost_text) + "\n", encoding="utf-8")
    print()
    print("| finder | pages | true rows | rows read correctly | same, inked empty cells read alone | rows with all cells found "
          "| cells matched / found / true | detection CPU-s/page |")
    print("|---|---|---|---|---|---|---|---|")
    for fname, s in scores.items():
        if not s.pages:
            continue
        rows_ok = f"{s.rows_ok} ({s.rows_ok / max(1, s.true_rows):.0%})" if engine else "-"
        reread = f"{s.rows_ok_reread} ({s.rows_ok_reread / max(1, s.true_rows):.0%}; {s.reread} cells)" if engine else "-"
        print(f"| {fname} | {s.pages} | {s.true_rows} | {rows_ok} | {reread} | {s.rows_cells_found} "
              f"({s.rows_cells_found / max(1, s.true_rows):.0%}) | {s.cells_matched} / {s.cells_found} / {s.cells_true} "
              f"| {s.cpu / s.pages:.3f} |")


if __name__ == "__main__":
    main()
