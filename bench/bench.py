"""Benchmark: the full pipeline against raw pdfplumber text extraction, in one run.

    python bench/bench.py [--repeat 3] [--long-pages 300] [--profile]

Prints pages/s of raw ``extract_text`` (open, extract_text per page, close) and of
``parse_pdf`` on the same text PDFs of samples/, their ratio, the peak RSS of one worker
parsing a generated long report, and the speedup of ``--jobs 2`` over ``--jobs 1``.
All figures are ratios against a baseline measured in the same run, so they compare across
machines; absolute times do not.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "samples"))
TEXT_PDFS = [ROOT / "samples" / p for p in ("seed-panyu-2023.pdf", "wenlv-2024.pdf", "weijian-project-2023.pdf",
                                             "damaged/wenlv-2024-damaged.pdf")]


def raw_extract(paths: list[Path]) -> int:
    import pdfplumber
    pages = 0
    for p in paths:
        with pdfplumber.open(p) as pdf:
            for page in pdf.pages:
                page.extract_text()
                page.close()
                pages += 1
    return pages


def pipeline(paths: list[Path]) -> int:
    from reportparse import parse_pdf
    return sum(parse_pdf(p, {"ocr": False}).page_count or 0 for p in paths)


def rates(paths, repeat: int) -> tuple[float, float]:
    """Median pages/s of raw extraction and of the pipeline, measured alternately so that
    drift in the machine's speed falls on both."""
    raw, full = [], []
    pages = raw_extract(paths)
    for _ in range(repeat):
        t = time.perf_counter()
        raw_extract(paths)
        raw.append(time.perf_counter() - t)
        t = time.perf_counter()
        pipeline(paths)
        full.append(time.perf_counter() - t)
    med = lambda xs: sorted(xs)[len(xs) // 2]
    return pages / med(raw), pages / med(full)


def long_report(pages: int, out: Path) -> Path:
    """A report of at least ``pages`` pages: the project sample's text repeated."""
    import build
    src = (ROOT / "samples" / "src" / "weijian-project-2023.txt").read_text(encoding="utf-8")
    body = src.split("\n", 2)[2]
    text = src + "\n".join([body] * max(1, int(pages / 1.6)))
    tmp = out.with_suffix(".txt")
    tmp.write_text(text, encoding="utf-8")
    out.write_bytes(build.build_pdf(tmp, {"header", "pagenum"}))
    return out


def in_worker(path: Path, ocr: bool) -> tuple[float, int, int, float]:
    """Parse ``path`` in a fresh process, as a worker does; returns (peak RSS MB, pages,
    OCR'd pages, seconds)."""
    code = ("import resource, sys, time; from reportparse import parse_pdf; t = time.time(); "
            f"r = parse_pdf(sys.argv[1], {{'ocr': {ocr}}}); s = time.time() - t; "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, r.page_count, r.ocr_pages, s)")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    mb, n, o, secs = out.stdout.split()
    return float(mb), int(n), int(o), float(secs)


def ocr_cost(pages: int) -> tuple[float, int, float]:
    """OCR path on a scanned copy of the seed sample (200 dpi): (peak RSS MB, OCR'd pages,
    seconds per page)."""
    import build
    clean = (ROOT / "samples" / "seed-panyu-2023.pdf").read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        scanned = Path(tmp) / "scanned.pdf"
        scanned.write_bytes(build.scan(clean, dpi=200, pages=pages))
        mb, _, ocr_pages, secs = in_worker(scanned, True)
    return mb, ocr_pages, secs / max(ocr_pages, 1)


def jobs_speedup(n_copies: int) -> tuple[float, float, int]:
    from reportparse.batch import ingest
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in"
        src.mkdir()
        for i in range(n_copies):
            for p in TEXT_PDFS:
                data = p.read_bytes().replace(b"reportparse samples", f"reportparse copy {i:02d}".encode()[:19], 1)
                (src / f"{i:02d}-{p.name}").write_bytes(data)
        times: dict[int, float] = {}
        for k, jobs in enumerate((1, 2, 1, 2)):  # alternating, best of two: machine noise is one-sided
            out = Path(tmp) / f"out{k}"
            t = time.perf_counter()
            s = ingest([str(src)], str(out), {"ocr": False}, jobs=jobs, progress=False)
            times[jobs] = min(times.get(jobs, float("inf")), time.perf_counter() - t)
        return times[1], times[2], s.files


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=9)
    ap.add_argument("--long-pages", type=int, default=300)
    ap.add_argument("--copies", type=int, default=16, help="copies of each sample for the --jobs comparison")
    ap.add_argument("--profile", action="store_true", help="print where the pipeline's time goes")
    ap.add_argument("--ocr-pages", type=int, default=3, help="pages of the scanned copy for the OCR figures (0: skip)")
    a = ap.parse_args()
    pipeline(TEXT_PDFS[:1])  # warm imports and pattern loading before timing
    raw, full = rates(TEXT_PDFS, a.repeat)
    print(f"text PDFs of samples/: {raw_extract(TEXT_PDFS)} pages")
    print(f"raw pdfplumber extract_text : {raw:7.1f} pages/s (median of {a.repeat}, alternating)")
    print(f"full pipeline (no OCR)      : {full:7.1f} pages/s")
    print(f"pipeline / raw              : {full / raw:7.2f}x")
    with tempfile.TemporaryDirectory() as tmp:
        long_pdf = long_report(a.long_pages, Path(tmp) / "long.pdf")
        mb, n, _, secs = in_worker(long_pdf, False)
        print(f"long report                 : {n} pages, one worker peak RSS {mb:.0f} MB, {n / secs:.1f} pages/s")
    if a.ocr_pages and shutil.which("tesseract"):
        mb, n, per = ocr_cost(a.ocr_pages)
        print(f"OCR path                    : {n} scanned pages, {per:.1f} s/page, one worker peak RSS {mb:.0f} MB")
    t1, t2, files = jobs_speedup(a.copies)
    print(f"--jobs 1 vs --jobs 2        : {files} files, {t1:.1f} s vs {t2:.1f} s, speedup {t1 / t2:.2f}x "
          f"({os.cpu_count()} cores)")
    if a.profile:
        prof = cProfile.Profile()
        prof.enable()
        pipeline(TEXT_PDFS)
        prof.disable()
        s = io.StringIO()
        pstats.Stats(prof, stream=s).sort_stats("cumulative").print_stats(25)
        print(s.getvalue())


if __name__ == "__main__":
    main()
