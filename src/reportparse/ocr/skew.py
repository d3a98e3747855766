"""The angle a scanned page was turned by on the glass, and the page turned back upright.

A page turned by half a degree to two degrees breaks everything that follows: a table rule
at 1° climbs one pixel every 57, so no long horizontal run is left to find the grid by, and
OCR lines drift into their neighbours. Text lines and table rules both make the page's row
profile (dark pixels per row) sharpest when the page is upright, so the angle is the one
whose sheared profile has the most energy (sum of squared row counts): a coarse search over
±``LIMIT`` degrees, then a fine one around the best. The shear is done on the coordinates of
the dark pixels of a reduced page (numpy only; no image is rotated to measure), so it costs a
few tens of milliseconds a page and needs no OpenCV.
"""
from __future__ import annotations

import numpy as np
from PIL import Image

LIMIT = 3.0      # degrees searched either way: a page turned further is not a scanner's slip
MIN_ANGLE = 0.1  # degrees below which a page is left as it is (a turn by less moves no rule a pixel in 600)
_REDUCE = 2      # pixels per side merged before measuring (dark if any is dark: thin rules stay)


def dark_mask(gray: np.ndarray) -> np.ndarray:
    """Ink on the page: darker than the paper by a clear margin. The paper's grey is the
    page's median (a scan's paper is rarely white), so grey noise and JPEG blocks stay paper."""
    paper = float(np.median(gray))
    return gray < min(paper - 40.0, 200.0)


def _reduce(mask: np.ndarray, k: int) -> np.ndarray:
    h, w = (mask.shape[0] // k) * k, (mask.shape[1] // k) * k
    return mask[:h, :w].reshape(h // k, k, w // k, k).any(axis=(1, 3))


def _energy(ys: np.ndarray, xs: np.ndarray, tans: np.ndarray, rows: int) -> np.ndarray:
    """Profile energy of the dark pixels sheared by each tan (row = y + x·tan)."""
    out = np.empty(len(tans))
    for i, t in enumerate(tans):
        r = np.rint(ys + xs * t).astype(np.int64)
        r = r[(r >= 0) & (r < rows)]
        counts = np.bincount(r, minlength=rows).astype(np.float64)
        out[i] = float(np.dot(counts, counts))
    return out


def measure(gray: np.ndarray) -> float:
    """The page's turn in degrees, counter-clockwise positive (as ``Image.rotate`` turns):
    ``straighten`` turns it back by this much. 0.0 for a page with too little ink to judge."""
    mask = _reduce(dark_mask(gray), _REDUCE)
    ys, xs = np.nonzero(mask)
    if len(ys) < 200:
        return 0.0
    if len(ys) > 400_000:  # a dense page: every other dark pixel is as good a witness
        ys, xs = ys[::len(ys) // 200_000], xs[::len(xs) // 200_000]
    ys, xs = ys.astype(np.float64), xs.astype(np.float64) - mask.shape[1] / 2
    rows = mask.shape[0]
    pad = int(abs(np.tan(np.radians(LIMIT))) * mask.shape[1]) + 2
    ys = ys + pad
    rows += 2 * pad
    coarse = np.arange(-LIMIT, LIMIT + 1e-9, 0.2)
    best = coarse[int(np.argmax(_energy(ys, xs, np.tan(np.radians(coarse)), rows)))]
    fine = np.arange(best - 0.2, best + 0.2 + 1e-9, 0.02)
    e = _energy(ys, xs, np.tan(np.radians(fine)), rows)
    best = float(fine[int(np.argmax(e))])
    # row = y + x·tan(a) is upright when the ink climbs to the right by a: a counter-clockwise turn
    return round(best, 2)


def straighten(image: Image.Image, angle: float) -> Image.Image:
    """The page turned back by ``angle`` degrees about its centre, the same size, corners
    filled with the paper's grey (a white wedge would read as a rule's edge)."""
    if abs(angle) < MIN_ANGLE:
        return image
    gray = np.asarray(image.convert("L"))
    paper = int(np.median(gray))
    fill = paper if image.mode == "L" else (paper,) * len(image.getbands())
    # PIL, not OpenCV: OpenCV's sharper bicubic broke a faint 1.25 px rule at 150 dpi that
    # PIL's kept whole (tests/ocr/test_grid_rules.py)
    return image.rotate(-angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=fill)

