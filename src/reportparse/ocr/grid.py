"""Ruled tables in a scanned page image: find the grid, read each cell on its own.

Tesseract reads a ruled table badly: the rules break its lines and turn into 1, | and 一.
The grid is found from long runs of dark pixels (rules are far longer than any stroke of a
character), cells are cut between the rules present in each row band (so merged cells stay
whole), and each non-blank cell is OCR'd alone. The caller erases the table from the page
before reading the rest.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def long_runs(mask: np.ndarray, min_len: int) -> np.ndarray:
    """Pixels of ``mask`` that lie in a horizontal run at least ``min_len`` long."""
    out = np.zeros_like(mask)
    padded = np.pad(mask.astype(np.int8), ((0, 0), (1, 1)))
    d = np.diff(padded, axis=1)
    for r in np.nonzero(mask.any(axis=1))[0]:
        starts, ends = np.nonzero(d[r] == 1)[0], np.nonzero(d[r] == -1)[0]
        for s, e in zip(starts, ends):
            if e - s >= min_len:
                out[r, s:e] = True
    return out


def _centres(counts: np.ndarray, gap: int = 4) -> list[int]:
    """Where the rules lie along one axis, from the pixel count of each row (or column) of a
    rule mask: neighbouring lines within ``gap`` are one rule, placed at the mean of its
    strongest lines (those with at least half the peak's count). A rule's lines count hundreds
    of pixels; a glyph stroke that happens to lie beside it (a large title above the table
    ends a few pixels from a column rule) counts a few dozen and must not pull the rule off
    its place."""
    groups: list[list[int]] = []
    for i in np.nonzero(counts)[0]:
        if groups and i - groups[-1][-1] <= gap:
            groups[-1].append(int(i))
        else:
            groups.append([int(i)])
    out = []
    for g in groups:
        weight = counts[g].astype(np.float64)
        strong = [i for i, c in zip(g, weight) if c >= 0.5 * weight.max()]
        out.append(int(round(sum(strong) / len(strong))))
    return out


BRIDGE = 2  # gaps of up to 3 px along a rule are closed (measured in bench/table_bench.py)


def _ruled(dark: np.ndarray) -> np.ndarray:
    """The ink mask with horizontal rules made whole where a scan broke them, so each rule is
    one long run (transpose for vertical rules): a pixel light between two dark ones above
    and below is ink (a thick rule scanned light along its middle); a pixel is ink when the
    one below it is (a rule thinner than two pixels, turned on the glass and turned back, is
    dark now in one pixel row, now in the next); a gap of up to ``2 * BRIDGE - 1`` pixels
    along a row is bridged (where such a rule fades, JPEG blocks and noise cut it). Glyph
    strokes grow by a pixel or two, far from the run length a rule needs; the gap between two
    lines of text in one cell (5 px at 150 dpi) stays open."""
    m = dark.copy()
    m[1:-1] |= dark[:-2] & dark[2:]
    m[:-1] |= m[1:].copy()
    left, right = np.zeros_like(m), np.zeros_like(m)  # ink within BRIDGE pixels to the left / right
    for k in range(1, BRIDGE + 1):
        left[:, k:] |= m[:, :-k]
        right[:, :-k] |= m[:, k:]
    m |= left & right
    return m


@dataclass
class Grid:
    top: int
    bottom: int
    left: int
    right: int
    rows: list[list[tuple[int, int, int, int] | None]]  # cell boxes (x0, y0, x1, y1) in pixels


def find(gray: np.ndarray) -> list[Grid]:
    """Ruled grids of at least 3 rows and 3 columns in an upright grayscale page image,
    anywhere on the page: a full-page 自评表, or tables between paragraphs of prose (each
    its own grid). The image should be straightened first (``skew``): rules are found as
    long runs, which a turned rule breaks."""
    paper = float(np.median(gray)) if gray.size else 255.0
    # thin rules scan light: a 0.6 pt rule at 150 dpi, turned on the glass and turned back,
    # fades to 40 grey levels under the paper in places; the paper's noise, after the 3x3
    # median ``prepare`` applies, stays within a few levels of it
    dark = gray < min(210.0, paper - 28.0)
    h, w = dark.shape
    hmask = long_runs(_ruled(dark), int(w * 0.06))
    rows = hmask.sum(axis=1)
    ys = _centres(np.where(rows > 0.15 * w, rows, 0))
    if len(ys) < 3:
        return []
    gaps = [b - a for a, b in zip(ys, ys[1:]) if b - a > 8]
    if not gaps:
        return []
    vmask = long_runs(_ruled(dark.T), max(int(0.8 * min(gaps)), 20)).T
    xs = _centres(vmask.sum(axis=0))
    if len(xs) < 4:
        return []

    def coverage(x: int, y0: int, y1: int) -> float:
        return float(vmask[y0 + 2:y1 - 1, max(0, x - 2):x + 3].any(axis=1).mean())

    grids = []
    for group in _tables(ys, xs, coverage):
        g = _grid(group, xs, hmask, dark, coverage)
        if g is not None:
            grids.append(g)
    return grids


def _tables(ys: list[int], xs: list[int], coverage) -> list[list[int]]:
    """The horizontal rules split into tables: consecutive rules belong to one table while at
    least two vertical rules join them (a gap of prose between two tables has none)."""
    groups: list[list[int]] = []
    current: list[int] = []
    for y0, y1 in zip(ys, ys[1:]):
        joined = y1 - y0 <= 8 or sum(coverage(x, y0, y1) > 0.6 for x in xs) >= 2
        if joined:
            current = current or [y0]
            current.append(y1)
        else:
            if len(current) >= 3:
                groups.append(current)
            current = []
    if len(current) >= 3:
        groups.append(current)
    return groups


def _grid(ys: list[int], xs: list[int], hmask: np.ndarray, dark: np.ndarray, coverage) -> Grid | None:
    """One table's cells between its rules: a cell runs to the next vertical rule present in
    its row band (merged across columns) and down to the next horizontal rule present over its
    width (merged across rows); the cells a merged cell covers are None."""
    bands = [(a, b) for a, b in zip(ys, ys[1:]) if b - a > 8]
    # a rule runs through most rows; a long stroke of a character does not
    xs = [x for x in xs if sum(coverage(x, a, b) > 0.6 for a, b in bands) >= 0.4 * len(bands)]
    if len(xs) < 4:
        return None
    left, right = xs[0], xs[-1]
    ys = [y for y in ys if hmask[max(0, y - 2):y + 3, left:right].any(axis=0).mean() > 0.3]
    if len(ys) < 3:
        return None
    rows: list[list[tuple[int, int, int, int] | None]] = []
    for y0, y1 in zip(ys, ys[1:]):
        if y1 - y0 < 8:
            continue
        present = [x for x in xs if coverage(x, y0, y1) > 0.6]
        cells: list[tuple[int, int, int, int] | None] = []
        for x in xs[:-1]:
            if x in present and x != present[-1]:
                nxt = present[present.index(x) + 1]
                cells.append((x, y0, nxt, y1))
            else:
                cells.append(None)  # inside a cell merged across columns
        rows.append(cells)
    if len(rows) < 2:
        return None
    _merge_down(rows, dark)
    return Grid(ys[0], ys[-1], left, right, rows)


def _rule_over(dark: np.ndarray, y: int, x0: int, x1: int) -> bool:
    """A horizontal rule at ``y`` over the span. A rule is thin and level: some three adjacent
    pixel rows near ``y`` are dark along most of the span, and rows a few pixels off it are
    light. A rule scanned light in places still fills much of its band; a line of text crossing
    the same rows darkens the band only where strokes cross it, and the rows beside it as much."""
    top = max(0, y - 10)
    band = dark[top:y + 11, x0 + 4:x1 - 3]
    if band.shape[1] == 0 or band.shape[0] < 13:
        return True
    rows = band.mean(axis=1)
    three = (band[:-2] | band[1:-1] | band[2:]).mean(axis=1)  # three[i]: rows i..i+2
    lo, hi = max(0, y - 4 - top), min(len(three), y + 3 - top)
    i = lo + int(np.argmax(three[lo:hi]))
    peak, c = float(three[i]), i + 1
    side = max(float(rows[c - 6]) if c >= 6 else 0.0, float(rows[c + 6]) if c + 6 < len(rows) else 0.0)
    return peak >= 0.85 or (peak >= 0.45 and side <= 0.5 * peak)


def _merge_down(rows: list[list[tuple[int, int, int, int] | None]], dark: np.ndarray) -> None:
    """Cells with no rule above them joined to the cell above of the same width, in place."""
    for r in range(1, len(rows)):
        for c, box in enumerate(rows[r]):
            if box is None:
                continue
            x0, y0, x1, y1 = box
            above = next((rows[k][c] for k in range(r - 1, -1, -1) if rows[k][c] is not None), None)
            if above is None or (above[0], above[2]) != (x0, x1) or above[3] != y0:
                continue
            if not _rule_over(dark, y0, x0, x1):
                k = max(k for k in range(r) if rows[k][c] == above)
                rows[k][c] = (above[0], above[1], x1, y1)
                rows[r][c] = None


INK = 160  # a pixel of a straightened, cleaned scan darker than this is ink (cells, signs)


def inside(box: tuple[int, int, int, int], margin: int = 3) -> tuple[int, int, int, int]:
    """A cell's box less its rules: ``margin`` pixels in from the top and left rules, one
    fewer from the bottom and right (a rule is drawn on the low side of its centre)."""
    x0, y0, x1, y1 = box
    return x0 + margin, y0 + margin, x1 - margin + 1, y1 - margin + 1


def blank(gray: np.ndarray, box: tuple[int, int, int, int]) -> bool:
    x0, y0, x1, y1 = inside(box, 4)
    inner = gray[y0:y1, x0:x1]
    return inner.size == 0 or (inner < INK).mean() < 0.004
