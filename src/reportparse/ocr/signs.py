"""A comparison sign standing alone in a table cell, told by its shape.

Some 绩效目标表 and 自评表 templates give the sign its own column (指标性质: ≥ ≤ ＝), so a
cell holds one glyph. PP-OCR's detector gives such a cell no box, and its recognizer, with
no neighbouring glyph for context, reads ≥ as V and ≤ as Λ or nothing — and the target's
direction, which decides whether it was met, is lost. The strokes of these signs are
simple enough to read from the ink itself: a chevron (>, <) whose tip points one way, with
or without a bar under it, one flat stroke (—) or two (＝). Anything else — a digit, a
character, a blot — is not a sign, and the recognizer's reading stands.
"""
from __future__ import annotations

import numpy as np

from reportparse.ocr.grid import INK



def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """Runs of True in a 1-D array, as (start, end) with end exclusive."""
    padded = np.concatenate([[False], flags, [False]]).astype(np.int8)
    d = np.diff(padded)
    return list(zip(np.nonzero(d == 1)[0].tolist(), np.nonzero(d == -1)[0].tolist()))


def _chevron(ink: np.ndarray) -> str | None:
    """'>' or '<' when every row of ``ink`` holds one short stroke (or the two strokes
    meeting at the tip) whose centre runs out to one side at mid-height and back."""
    cols = np.nonzero(ink.any(axis=0))[0]
    if cols.size == 0:
        return None
    ink = ink[:, cols[0]:cols[-1] + 1]  # the chevron's own width (a bar under it may be wider)
    h, w = ink.shape
    if h < 6 or w < 4:
        return None
    centres = []
    if (~ink.any(axis=1)).sum() > 0.15 * h:
        return None  # a chevron's strokes run unbroken from top to bottom (a faded row or two aside)
    for row in ink:
        xs = np.nonzero(row)[0]
        if xs.size == 0 or len(_runs(row)) > 1 or xs.size > 0.5 * w:
            centres.append(None)  # where the strokes meet, or a serif
            continue
        centres.append(float(xs.mean()))
    known = [(i, c) for i, c in enumerate(centres) if c is not None]
    if len(known) < 0.7 * h:  # a chevron is one narrow stroke a row but at its tip; a 5 is not
        return None
    top = [c for i, c in known if i < 0.25 * h]
    mid = [c for i, c in known if 0.4 * h <= i <= 0.6 * h]
    bottom = [c for i, c in known if i > 0.75 * h]
    if not top or not mid or not bottom:
        return None
    t, m, b = np.mean(top), np.mean(mid), np.mean(bottom)
    if abs(t - b) > 0.25 * w:
        return None  # a slant (/ or a digit's stroke), not a symmetric chevron
    if m - max(t, b) >= 0.4 * w:
        sign = ">"
    elif min(t, b) - m >= 0.4 * w:
        sign = "<"
    else:
        return None
    # two straight strokes meeting at the tip: each half's centres lie on a line (the bowl of
    # a 5 or a ) bends, which a chevron never does)
    ys = np.array([i for i, _ in known], dtype=float)
    xs = np.array([c for _, c in known])
    tip = ys[int(np.argmax(xs) if sign == ">" else np.argmin(xs))]
    blunt = 0.2 * h  # a thick stroke's tip is blunt for a few rows: left out of the fit
    for part in (ys <= tip - blunt, ys >= tip + blunt):
        if part.sum() >= 3:
            fit = np.polyval(np.polyfit(ys[part], xs[part], 1), ys[part])
            if np.abs(fit - xs[part]).max() > max(1.5, 0.15 * w):
                return None
    return sign


def lone_sign(gray: np.ndarray) -> str | None:
    """The comparison sign a cell image holds alone (≥ ≤ > < ＝ —), or None. Ink is what is
    darker than halfway between the paper and the darkest stroke: a thin sign blurred by
    the scan stays light grey and would break apart at a fixed level."""
    if gray.size == 0:
        return None
    paper, darkest = float(np.median(gray)), float(gray.min())
    if paper - darkest < 60:  # no ink that stands out from the paper
        return None
    ink = gray < min(INK + 40, (paper + darkest) / 2)
    # a lone speck of noise is not part of a sign: keep ink with an ink neighbour
    p = np.pad(ink, 1)
    neighbours = sum(np.roll(np.roll(p, dy, 0), dx, 1) for dy in (-1, 0, 1) for dx in (-1, 0, 1) if dy or dx)
    ink &= neighbours[1:-1, 1:-1] > 0
    rows, cols = np.nonzero(ink.any(axis=1))[0], np.nonzero(ink.any(axis=0))[0]
    if rows.size == 0:
        return None
    ink = ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    h, w = ink.shape
    if w > 2.2 * h and h > 0:
        # flat: one stroke (—) or two one above the other (＝), each spanning the width
        bands = _runs(ink.any(axis=1))
        # a stroke fills its band; a line of text (≥95%) spans the width too, but sparsely
        full = all(ink[a:b].any(axis=0).mean() > 0.85 and ink[a:b].mean() > 0.6 for a, b in bands)
        if full and len(bands) == 1:
            return "—"
        if full and len(bands) == 2:
            return "＝"
        return None
    if not 0.6 * w <= h <= 2.0 * w:  # a sign is about as wide as it is high; ( and [ are narrow
        return None
    # the bar under ≥ and ≤: the last band of inked rows, flat, across most of the width
    # (on a scan turned a little it runs over two or three rows)
    inked = ink.any(axis=1)
    start = h - 1
    while start > 0 and inked[start - 1]:
        start -= 1
    if start == 0:
        return _chevron(ink)
    if h - start > 0.3 * h or ink[start:].any(axis=0).mean() < 0.7:
        return None  # what ends the sign is no bar (a 2, a 之)
    above = ink[:start]
    counts = above.sum(axis=1)
    while len(counts) and counts[-1] <= 1:  # blank rows, or a speck, between chevron and bar
        counts, above = counts[:-1], above[:-1]
    if len(counts) < 0.5 * h:
        return None
    return {">": "≥", "<": "≤"}.get(_chevron(above) or "")
