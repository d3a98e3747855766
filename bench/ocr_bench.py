"""Benchmark: the OCR engines on the same page images, in one run.

    python bench/ocr_bench.py [--engines rapidocr,tesseract] [--dpi 200] [--damage] [--gpu] [PDF ...]

An engine may carry settings to compare in the same run, e.g.
``--engines rapidocr,rapidocr:rec_height=48,rapidocr:rec_height=48:det_dpi=1000`` (the
RapidEngine keywords; ``det_dpi`` above the page's resolution detects at full resolution).
``--damage`` passes each built scan through the scanner simulation (turned 0.6–1.4°, grey
noise, JPEG q50, a red seal on every other page), as archives hold them.

Without PDFs it scans the text samples of samples/ (samples/build.py's ``scan``), so every
page has its digital original to score against. Each engine runs in its own worker process
on the same PNG images and reports: seconds per page (model loading excluded, reported
apart), the worker's peak RSS, and against the digital text (where there is one) the
character error rate and how many of the original's ≥ ≤ and % signs came back. Engines
run one after the other on an otherwise idle machine; the figures compare engines within
one run, not across machines.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "samples"))
SOURCES = ["jiaoyu-project-2024.pdf", "wenlv-2024.pdf", "seed-panyu-2023.pdf"]
SIGNS = "≥≤%"


def edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _plain(text: str) -> str:
    import regex
    from reportparse.understand import normalize
    return regex.sub(r"\s+", "", normalize.translate(text))


def prepare(pdfs: list[Path], dpi: int, out: Path, max_pages: int, damage: bool = False) -> list[dict]:
    """Page images (PNG) and, for built scans, the digital page text they came from."""
    import pdfplumber
    import pypdfium2 as pdfium
    import build
    pages = []
    sources = [(p, None) for p in pdfs] or [(ROOT / "samples" / s, ROOT / "samples" / s) for s in SOURCES]
    for src, digital in sources:
        data = src.read_bytes()
        doc = pdfium.PdfDocument(build.scan(data, dpi=dpi) if digital else data)
        texts = []
        if digital:
            with pdfplumber.open(digital) as pdf:
                texts = [_plain(pg.extract_text() or "") for pg in pdf.pages]
        for i in range(min(len(doc), max_pages)):
            png = out / f"{src.stem}-{i + 1}.png"
            image = doc[i].render(scale=dpi / 72).to_pil()
            if damage and digital:
                turn = (0.6 + 0.8 * (i % 3) / 2) * (-1 if i % 2 else 1)
                image = build.scanner(image, turn=turn, noise=10, jpeg=50, seal=(0.7, 0.3) if i % 2 == 0 else None, seed=i)
            image.save(png)
            pages.append({"png": str(png), "name": png.stem, "truth": texts[i] if i < len(texts) else None})
    return pages


def _cpu() -> float:
    """CPU seconds of this worker and of the programs it waited for (tesseract)."""
    r, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime + c.ru_utime + c.ru_stime


def worker(spec: str, gpu: bool, dpi: int, pages_json: str) -> None:
    """One engine (with its settings, ``name:key=value:…``) over every image; prints one JSON line."""
    from functools import lru_cache
    from PIL import Image
    from reportparse.ocr import page as ocr
    from reportparse.ocr import engines as ocr_engines
    from reportparse.settings import Settings
    engine, *opts = spec.split(":")
    options = {k: int(v) for k, v in (o.split("=") for o in opts)}
    if options:
        ocr_engines._rapid = lru_cache(maxsize=4)(lambda threads, gpu: ocr_engines.RapidEngine(threads, gpu, **options))
    settings = Settings(ocr_engine=engine, ocr_gpu=gpu)
    t = time.perf_counter()
    eng = ocr_engines.get(settings)
    load = time.perf_counter() - t
    rows = []
    for p in json.loads(Path(pages_json).read_text()):
        image = Image.open(p["png"])
        t, c = time.perf_counter(), _cpu()
        lines, tables = ocr.ocr_image(image, 1, dpi, True, settings)
        sec, cpu = time.perf_counter() - t, _cpu() - c
        text = "".join(ln.text for ln in lines) + "".join(c or "" for tb in tables for r in tb.rows for c in r)
        got = _plain(text)
        row = {"page": p["name"], "seconds": sec, "cpu": cpu}
        if p["truth"]:
            truth = p["truth"]
            # reading order differs between engines (tables, columns): compare as bags of lines is
            # overkill here; the edit distance of the whole page is a fair upper bound for both
            row["cer"] = edit_distance(got, truth) / max(1, len(truth))
            row["signs"] = {s: [min(got.count(s), truth.count(s)), truth.count(s)] for s in SIGNS}
        rows.append(row)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    providers = eng.session_providers() if hasattr(eng, "session_providers") else []
    print(json.dumps({"engine": spec, "load_s": load, "rss_mb": rss_mb, "providers": providers, "pages": rows}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pdfs", nargs="*", type=Path, help="scanned PDFs (default: scans built from samples/)")
    ap.add_argument("--engines", default="rapidocr,tesseract")
    ap.add_argument("--dpi", type=int, default=200)
    ap.add_argument("--max-pages", type=int, default=4, help="pages per PDF (default: 4)")
    ap.add_argument("--gpu", action="store_true", help="RapidOCR on CUDA where onnxruntime-gpu has it")
    ap.add_argument("--damage", action="store_true", help="turn, noise, JPEG and seal the built scans")
    ap.add_argument("--json", type=Path, help="also write the raw results here")
    ap.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        worker(a.worker[0], a.gpu, a.dpi, a.worker[1])
        return
    with tempfile.TemporaryDirectory() as tmp:
        pages = prepare(a.pdfs, a.dpi, Path(tmp), a.max_pages, a.damage)
        listing = Path(tmp) / "pages.json"
        listing.write_text(json.dumps(pages))
        results = []
        for engine in a.engines.split(","):
            cmd = [sys.executable, __file__, "--worker", engine, str(listing), "--dpi", str(a.dpi)] + (["--gpu"] if a.gpu else [])
            proc = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, PYTHONWARNINGS="ignore"))
            if proc.returncode != 0:
                print(f"{engine}: failed: {proc.stderr.strip()[-300:]}")
                continue
            results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    print(f"{len(pages)} page images at {a.dpi} dpi{' (scanner damage)' if a.damage else ''}, "
          "each engine in its own worker process, one after the other")
    width = max([10] + [len(r["engine"]) for r in results])
    print(f"{'engine':{width}} {'s/page':>7} {'CPU-s/pg':>8} {'load s':>7} {'peak RSS MB':>11} {'CER':>6}  "
          + "  ".join(f"{s} found" for s in SIGNS))
    for r in results:
        ps = r["pages"]
        sec = sum(p["seconds"] for p in ps) / len(ps)
        cpu = sum(p["cpu"] for p in ps) / len(ps)
        scored = [p for p in ps if "cer" in p]
        cer = f"{sum(p['cer'] for p in scored) / len(scored):.3f}" if scored else "-"
        signs = "  ".join(f"{sum(p['signs'][s][0] for p in scored)}/{sum(p['signs'][s][1] for p in scored)}".rjust(7)
                          for s in SIGNS) if scored else ""
        note = f"  ({', '.join(r['providers'])})" if r["providers"] else ""
        print(f"{r['engine']:{width}} {sec:7.2f} {cpu:8.2f} {r['load_s']:7.2f} {r['rss_mb']:11.0f} {cer:>6}  {signs}{note}")
    if a.json:
        a.json.write_text(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
