"""Benchmark: a Word/Excel/web original against its PDF export, read by the same pipeline in
one run (issue 23: a .docx or .xlsx is read at least 5x faster than its PDF).

    python bench/office_bench.py [--rounds 5] [DIR ...]

Pairs are files with the same stem, one .pdf and one .docx/.xlsx/.html, in the folders given
(default: samples/ with samples/office/); folders are searched one level deep. Each round parses
every file of every pair in-process (``parse_pdf``, OCR off), alternating the two formats;
the figure is the median over rounds of (PDF seconds / native seconds) for all pairs together,
for the whole parse and for the reading stage alone (``read.formats.extract``: what differs
between the two; normalize, sections, figures and checks after it are the same code).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from reportparse import parse_pdf  # noqa: E402
from reportparse.read import formats  # noqa: E402
from reportparse.settings import Settings  # noqa: E402

NATIVE = (".docx", ".xlsx", ".html")


def pairs(folders: list[Path]) -> list[tuple[Path, Path]]:
    files = [p for d in folders for p in [*d.glob("*"), *d.glob("*/*")] if p.is_file()]
    pdfs = {p.stem: p for p in files if p.suffix == ".pdf"}
    return sorted((pdfs[p.stem], p) for p in files if p.suffix in NATIVE and p.stem in pdfs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folders", nargs="*", type=Path, default=[ROOT / "samples"])
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    found = pairs(args.folders)
    if not found:
        raise SystemExit("no pdf/native pairs found")
    for pdf, native in found:  # warm: imports, patterns, fonts
        parse_pdf(pdf, {"ocr": False}), parse_pdf(native, {"ocr": False})
    ratios, pdf_s, native_s = [], [], []
    for _ in range(args.rounds):
        t_pdf = t_native = 0.0
        for pdf, native in found:
            t = time.perf_counter()
            parse_pdf(pdf, {"ocr": False})
            t_pdf += time.perf_counter() - t
            t = time.perf_counter()
            parse_pdf(native, {"ocr": False})
            t_native += time.perf_counter() - t
        ratios.append(t_pdf / t_native)
        pdf_s.append(t_pdf)
        native_s.append(t_native)
    print(f"{len(found)} pairs, {args.rounds} rounds: PDF {statistics.median(pdf_s):.3f} s, native "
          f"{statistics.median(native_s):.3f} s, native is {statistics.median(ratios):.1f}x faster (median)")
    settings, read = Settings(ocr=False), []
    for _ in range(args.rounds):
        t = time.perf_counter()
        for pdf, _native in found:
            formats.extract(pdf, settings)
        t_pdf = time.perf_counter() - t
        t = time.perf_counter()
        for _pdf, native in found:
            formats.extract(native, settings)
        read.append(t_pdf / (time.perf_counter() - t))
    print(f"  reading stage alone: native is {statistics.median(read):.1f}x faster (median)")
    by_kind: dict[str, list[float]] = {}
    for pdf, native in found:
        t = time.perf_counter()
        parse_pdf(pdf, {"ocr": False})
        a = time.perf_counter() - t
        t = time.perf_counter()
        parse_pdf(native, {"ocr": False})
        by_kind.setdefault(native.suffix, []).append(a / (time.perf_counter() - t))
    for kind, rs in sorted(by_kind.items()):
        print(f"  {kind}: {len(rs)} pairs, {statistics.median(rs):.1f}x (median of one pass)")


if __name__ == "__main__":
    main()
