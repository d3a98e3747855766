"""Benchmark: the full pipeline against raw pdfplumber text extraction, in one run.

    python bench/bench.py [--rounds 5] [--copies 3] [--dev DIR] [--repeat 9] [--long-pages 300] [--profile]

First the figure a user sees: whole processes, CPU seconds (``getrusage(RUSAGE_CHILDREN)``,
the command and every process it starts), on the same folder of text PDFs (samples/ and the
dev corpus' text PDFs when present, each ``--copies`` times under distinct hashes):
``reportparse ingest DIR --jobs 1 --no-ocr`` against a plain script that opens each file with
pdfplumber and calls ``extract_text()`` on every page, alternately, medians of ``--rounds``;
the pipeline with ``engine="pdfplumber"`` runs in the same rounds. Each round ingests into a new
output folder, as a first run does, then again into that folder with ``--force`` (a rerun,
which first reads the documents parts already there). Then where the pipeline's
time goes (start-up, PDFium layer, table finding, line building, recognition, writing), and
as before: in-process pages/s against raw ``extract_text`` on four samples, the peak RSS of
one worker parsing a generated long report, OCR cost, and ``--jobs 2`` over ``--jobs 1``.
All figures are ratios against a baseline measured in the same run, so they compare across
machines; absolute times do not.
"""
from __future__ import annotations

import argparse
import cProfile
import collections
import compileall
import io
import os
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "samples"))
TEXT_PDFS = [ROOT / "samples" / p for p in ("seed-panyu-2023.pdf", "wenlv-2024.pdf", "weijian-project-2023.pdf",
                                             "damaged/wenlv-2024-damaged.pdf")]


DEV = ROOT.parent / "shared" / "corpus" / "dev"
RAW_SCRIPT = """import sys, pathlib, pdfplumber
for f in sorted(pathlib.Path(sys.argv[1]).glob("*.pdf")):
    with pdfplumber.open(f) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.close()
"""
ENGINE_SCRIPT = """import sys
from reportparse.run.batch import ingest
ingest([sys.argv[1]], sys.argv[2], {"ocr": False, "engine": sys.argv[3]}, jobs=1, force=True, progress=False)
"""


def text_pdfs(dev: Path | None) -> list[Path]:
    """The text PDFs a user would run on: samples/*.pdf and the dev corpus' PDFs whose every
    page has a text layer (not the scanned, broken or encrypted ones)."""
    import pypdfium2 as pdfium
    found = sorted((ROOT / "samples").glob("*.pdf")) + (sorted(dev.glob("*.pdf")) if dev and dev.is_dir() else [])
    out = []
    for p in found:
        try:
            doc = pdfium.PdfDocument(str(p))
        except Exception:
            continue
        try:
            if len(doc) and all(doc[i].get_textpage().count_chars() > 0 for i in range(len(doc))):
                out.append(p)
        finally:
            doc.close()
    return out


def copies_dir(paths: list[Path], copies: int, into: Path) -> Path:
    """``copies`` copies of each file, each with distinct bytes after %%EOF (so a distinct
    content hash: ingest would otherwise skip repeats)."""
    into.mkdir(parents=True, exist_ok=True)
    for i in range(copies):
        for p in paths:
            (into / f"{p.stem}-{i}.pdf").write_bytes(p.read_bytes() + f"\n%copy {i}\n".encode())
    return into


def child_cpu(cmd: list[str]) -> float:
    """CPU seconds (user + system) of ``cmd`` and every process it started."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def whole_process(folder: Path, rounds: int) -> dict[str, list[float]]:
    """CPU seconds per round of raw extraction, the pipeline as a user runs it, and the
    pipeline on pdfplumber alone; alternating, so machine drift falls on all three."""
    cli = Path(sys.executable).with_name("reportparse")
    ingest = [str(cli)] if cli.exists() else [sys.executable, "-m", "reportparse"]
    out: dict[str, list[float]] = collections.defaultdict(list)
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(rounds):
            out["raw"].append(child_cpu([sys.executable, "-c", RAW_SCRIPT, str(folder)]))
            out["pipeline"].append(child_cpu(ingest + ["ingest", str(folder), "--out", f"{tmp}/a{i}", "--jobs", "1",
                                                       "--no-ocr", "--quiet"]))
            out["rerun"].append(child_cpu(ingest + ["ingest", str(folder), "--out", f"{tmp}/a{i}", "--jobs", "1",
                                                    "--no-ocr", "--force", "--quiet"]))
            out["pdfplumber"].append(child_cpu([sys.executable, "-c", ENGINE_SCRIPT, str(folder), f"{tmp}/b{i}",
                                                "pdfplumber"]))
    return out


def where_time_goes(paths: list[Path], engine: str) -> list[tuple[str, float]]:
    """CPU seconds by stage of parsing and writing ``paths`` in a fresh process, start-up
    (imports, first-use loading) included; stages nest (extract contains the layer)."""
    code = f"""
import collections, json, sys, time
t0 = time.process_time()
from reportparse.read import pages, pdfium
from reportparse.run import batch, onefile, pipeline
from reportparse.settings import Settings
from reportparse.store import write
from reportparse.understand import names
onefile.worker_setup()  # as a batch worker starts
T = collections.Counter(); T["start-up: imports"] = time.process_time() - t0
def timed(mod, name, label):
    f = getattr(mod, name)
    def g(*a, **k):
        t = time.process_time()
        try:
            return f(*a, **k)
        finally:
            T[label] += time.process_time() - t
    setattr(mod, name, g)
timed(pdfium.Page, "_read", "  PDFium layer: load page, chars, paths")
timed(pipeline.locate, "locate", "boxes: figures located on their pages")
timed(pages, "_tables", "  ruled tables: pdfplumber's finder + cell text")
timed(pages, "visual_lines", "  lines: clustering and fake-bold twins")
timed(pages, "lines_of", "  lines: text and spacing")
timed(pages, "extract", "extract (all of it)")
timed(pipeline.normalize, "normalize", "normalize")
timed(pipeline, "analyze", "segment, recognize, tables, checks")
timed(names, "_setup", "  jieba start-up (first name cleaned)")
timed(write, "write_report", "write Parquet (rows, fingerprint, pyarrow)")
s = Settings.resolve({{"ocr": False, "engine": {engine!r}}})
with __import__("tempfile").TemporaryDirectory() as out:
    for p in sys.argv[1:]:
        onefile.process_one(p, pipeline.file_id(p), s, out)
T["total"] = time.process_time() - t0
print(json.dumps(list(T.items())))
"""
    import json
    res = subprocess.run([sys.executable, "-c", code, *map(str, paths)], capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


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
    from reportparse.run.batch import ingest
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
    ap.add_argument("--rounds", type=int, default=5, help="alternating rounds of the whole-process comparison")
    ap.add_argument("--copies", type=int, default=3, help="copies of each text PDF in the whole-process folder")
    ap.add_argument("--dev", type=Path, default=DEV, help="dev corpus folder whose text PDFs join samples/ "
                    "(default: ../shared/corpus/dev, skipped when absent)")
    ap.add_argument("--quick", action="store_true", help="only the whole-process comparison and the breakdown")
    ap.add_argument("--repeat", type=int, default=9)
    ap.add_argument("--long-pages", type=int, default=300)
    ap.add_argument("--jobs-copies", type=int, default=16, help="copies of each sample for the --jobs comparison")
    ap.add_argument("--profile", action="store_true", help="print where the pipeline's time goes")
    ap.add_argument("--ocr-pages", type=int, default=3, help="pages of the scanned copy for the OCR figures (0: skip)")
    a = ap.parse_args()
    # as installed: a regular install compiles the package; the editable one does not, and
    # under PYTHONDONTWRITEBYTECODE each process would compile it again (scripts/setup.sh does this too)
    compileall.compile_dir(str(ROOT / "src" / "reportparse"), quiet=1)
    paths = text_pdfs(a.dev)
    with tempfile.TemporaryDirectory() as tmp:
        folder = copies_dir(paths, a.copies, Path(tmp) / "in")
        pages = raw_extract(paths) * a.copies
        print(f"whole process, {len(paths)} text PDFs x {a.copies} copies = {pages} pages, "
              f"CPU seconds (median of {a.rounds}, alternating):")
        cpu = whole_process(folder, a.rounds)
        med = {k: statistics.median(v) for k, v in cpu.items()}
        print(f"  raw pdfplumber extract_text        : {med['raw']:6.2f} s")
        print(f"  reportparse ingest --jobs 1 --no-ocr: {med['pipeline']:6.2f} s   "
              f"{med['raw'] / med['pipeline']:.2f}x raw's speed  (into a new output folder)")
        print(f"  same again with --force, same folder: {med['rerun']:6.2f} s   "
              f"{med['raw'] / med['rerun']:.2f}x raw's speed  (reads the existing parts first)")
        print(f"  same, engine='pdfplumber'          : {med['pdfplumber']:6.2f} s   "
              f"{med['raw'] / med['pdfplumber']:.2f}x raw's speed")
        print("  rounds: " + "; ".join(f"{k} " + " ".join(f"{x:.2f}" for x in v) for k, v in cpu.items()))
        every = sorted(folder.glob("*.pdf"))
        for engine in ("pdfium", "pdfplumber"):
            print(f"where the time goes, engine={engine!r} (one process, CPU seconds):")
            for label, secs in where_time_goes(every, engine):
                print(f"  {label:52s} {secs:6.2f}")
    if a.quick:
        return
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
    t1, t2, files = jobs_speedup(a.jobs_copies)
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
