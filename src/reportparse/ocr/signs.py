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

INK = 160  # darker than this is ink (as the engines and the grid use)


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """Runs of True in a 1-D array, as (start, end) with end exclusive."""
    padded = np.concatenate([[False], flags, [False]]).astype(np.int8)
    d = np.diff(padded)
    return list(zip(np.nonzero(d == 1)[0].tolist(), np.nonzero(d == -1)[0].tolist()))


def _chevron(ink: np.ndarray) -> str | None:
    """'>' or '<' when every row of ``ink`` holds one short stroke (or the two strokes
    meeting at the tip) whose centre runs out to one side at mid-height and back."""
    h, w = ink.shape
    if h < 6 or w < 4:
        return None
    centres = []
    for row in ink:
        xs = np.nonzero(row)[0]
        if xs.size == 0:
            return None  # a chevron's strokes are unbroken from top to bottom
        if len(_runs(row)) > 1 or xs.size > 0.5 * w:
            centres.append(None)  # where the strokes meet, or a serif
            continue
        centres.append(float(xs.mean()))
    known = [(i, c) for i, c in enumerate(centres) if c is not None]
    if len(known) < 0.6 * h:
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
        return ">"
    if min(t, b) - m >= 0.4 * w:
        return "<"
    return None


def lone_sign(gray: np.ndarray) -> str | None:
    """The comparison sign a cell image holds alone (≥ ≤ > < ＝ —), or None."""
    ink = gray < INK
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
    bands = _runs(ink.any(axis=1))
    if len(bands) == 1:
        return _chevron(ink)
    if len(bands) != 2:
        return None
    (a0, a1), (b0, b1) = bands
    bar = ink[b0:b1]
    # the bar under a chevron: a flat stroke across most of the sign's width
    if (b1 - b0) > 0.3 * h or bar.any(axis=0).mean() < 0.7:
        return None
    sign = _chevron(ink[a0:a1])
    return {">": "≥", "<": "≤"}.get(sign or "")
