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


def _centres(idx: np.ndarray, gap: int = 4) -> list[int]:
    groups: list[list[int]] = []
    for i in idx:
        if groups and i - groups[-1][-1] <= gap:
            groups[-1].append(int(i))
        else:
            groups.append([int(i)])
    return [int(round(sum(g) / len(g))) for g in groups]


@dataclass
class Grid:
    top: int
    bottom: int
    left: int
    right: int
    rows: list[list[tuple[int, int, int, int] | None]]  # cell boxes (x0, y0, x1, y1) in pixels


def find(gray: np.ndarray) -> list[Grid]:
    """Grids of at least 3 rows and 3 columns in a grayscale page image."""
    dark = gray < 200  # thin rules scan light; text is judged at 160 (see blank)
    h, w = dark.shape
    hmask = long_runs(dark, int(w * 0.06))
    ys = _centres(np.nonzero(hmask.sum(axis=1) > 0.15 * w)[0])
    if len(ys) < 4:
        return []
    band = min(b - a for a, b in zip(ys, ys[1:]) if b - a > 8) if len(ys) > 1 else 0
    vmask = long_runs(dark.T, max(int(0.8 * band), 20)).T
    xs = _centres(np.nonzero(vmask.any(axis=0))[0])
    if len(xs) < 4:
        return []
    bands = [(a, b) for a, b in zip(ys, ys[1:]) if b - a > 8]

    def coverage(x: int, y0: int, y1: int) -> float:
        return float(vmask[y0 + 2:y1 - 1, max(0, x - 2):x + 3].any(axis=1).mean())

    # a rule runs through most rows; a long stroke of a character does not
    xs = [x for x in xs if sum(coverage(x, a, b) > 0.6 for a, b in bands) >= 0.4 * len(bands)]
    if len(xs) < 4:
        return []
    # one grid: the horizontal rules between the outermost vertical rules
    left, right = xs[0], xs[-1]
    ys = [y for y in ys if hmask[max(0, y - 2):y + 3, left:right].any(axis=0).mean() > 0.3]
    if len(ys) < 4:
        return []
    rows = []
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
    return [Grid(ys[0], ys[-1], left, right, rows)] if len(rows) >= 2 else []


def blank(gray: np.ndarray, box: tuple[int, int, int, int]) -> bool:
    x0, y0, x1, y1 = box
    inner = gray[y0 + 4:y1 - 3, x0 + 4:x1 - 3]
    return inner.size == 0 or (inner < 160).mean() < 0.004
