"""Skew measurement compared on scanned twins of the samples with known turns.

    python bench/skew_bench.py

Each sample page is rendered at 200 dpi and damaged by samples/build.py's ``scanner`` (turned
by a known angle, grey noise, JPEG q50); every method measures the turn and the error and CPU
time per page are printed. Methods: ``ocr/skew.py``'s profile search; the ``deskew`` package
and OpenCV's ``HoughLinesP`` where they are installed (neither is a dependency).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
from PIL import ImageFilter

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "samples")]

import build  # noqa: E402
from reportparse.ocr import skew  # noqa: E402

PAGES = [("jiaoyu-project-2024.pdf", 0), ("jiaoyu-project-2024.pdf", 1), ("wenlv-2024.pdf", 0), ("seed-panyu-2023.pdf", 2)]
TURNS = [-2.0, -1.1, -0.5, 0.3, 0.8, 1.7]


def methods() -> dict:
    out = {"profile (ocr/skew.py)": skew.measure}
    try:
        from deskew import determine_skew
        # its finest step over our range; it counts clockwise, we count counter-clockwise
        out["deskew"] = lambda g: -float(determine_skew(g, min_deviation=0.05, min_angle=-3, max_angle=3) or 0.0)
    except ImportError:
        pass
    try:
        import cv2

        def hough(g: np.ndarray) -> float:
            bw = (g < min(np.median(g) - 40, 200)).astype(np.uint8) * 255
            lines = cv2.HoughLinesP(bw, 1, np.pi / 1800, threshold=200, minLineLength=g.shape[1] // 6, maxLineGap=8)
            if lines is None:
                return 0.0
            angles = [np.degrees(np.arctan2(y1 - y2, x2 - x1)) for x1, y1, x2, y2 in lines.reshape(-1, 4).astype(np.int64)]
            angles = [a for a in angles if abs(a) < 5]
            return float(np.median(angles)) if angles else 0.0
        out["opencv HoughLinesP"] = hough
    except ImportError:
        pass
    return out


def main() -> None:
    ms = methods()
    err: dict[str, list[float]] = {m: [] for m in ms}
    cpu: dict[str, list[float]] = {m: [] for m in ms}
    for name, i in PAGES:
        page = pdfium.PdfDocument((ROOT / "samples" / name).read_bytes())[i].render(scale=200 / 72).to_pil().convert("L")
        for turn in TURNS:
            g = np.asarray(build.scanner(page, turn=turn, noise=12, jpeg=50).convert("L").filter(ImageFilter.MedianFilter(3)))
            for m, fn in ms.items():
                t = time.process_time()
                a = fn(g)
                cpu[m].append(time.process_time() - t)
                err[m].append(abs(a - turn))
    for m in ms:
        e = np.array(err[m])
        print(f"{m:24s} mean |error| {e.mean():.3f}°  max {e.max():.3f}°  within 0.1°: {np.mean(e <= 0.1):4.0%}  "
              f"CPU {np.mean(cpu[m]) * 1000:5.0f} ms/page")


if __name__ == "__main__":
    main()
